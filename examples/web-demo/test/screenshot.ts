/**
 * Regenerates screenshot.png from a real run: the demo on Vite's dev server in headless
 * Chromium, a digit drawn with the mouse, the page once the prediction is shown.
 * Run with `npm run screenshot -w examples/web-demo` (or `npm run screenshot:demo` at the root).
 */
import { fileURLToPath } from 'node:url';
import { chromiumPath, noChromiumReason, padRevision, settledPrediction, startDemo } from './demo-page.js';
import { drawDigit, STYLES } from './strokes.js';

const output = fileURLToPath(new URL('../screenshot.png', import.meta.url));

if (!chromiumPath) {
  console.error(`crazy-digits: cannot take the screenshot, ${noChromiumReason}`);
  process.exit(1);
}

const demo = await startDemo();
try {
  const { page, errors } = await demo.open({ viewport: { width: 1100, height: 1000 }, deviceScaleFactor: 1 });
  const before = await padRevision(page);
  const strokes = await drawDigit(page, 3, STYLES[2]);
  const shown = await settledPrediction(page, before + strokes);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: output, fullPage: true });
  if (errors.length > 0) throw new AggregateError(errors, 'the page reported errors');
  console.log(`${output}: drew a 3, the demo read ${shown.digit} (${shown.confidence})`);
} finally {
  await demo.close();
}
