// `npm start` runs the web demo (examples/web-demo) once it exists in this checkout.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

const demo = new URL('../examples/web-demo/package.json', import.meta.url);

if (!existsSync(demo)) {
  console.log(
    [
      'crazy-digits: the web demo (examples/web-demo) is not part of this checkout yet.',
      'When it is, `npm start` serves it: draw a digit, see the prediction, correct it and watch the',
      'model learn, all in the browser on the bundled pretrained model.',
      'Until then: `npm test` runs the test suites, `npm run bench` lists the benchmarks.',
    ].join('\n'),
  );
  process.exit(0);
}

const child = spawn('npm', ['start', '--workspace', 'examples/web-demo'], { stdio: 'inherit' });
child.on('exit', (code) => process.exit(code ?? 1));
