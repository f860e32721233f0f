/**
 * `npm run bench -- uncertainty [--json]`
 *
 * How well `prediction.uncertain` separates digits from non-digits: the share of MNIST test
 * digits, canvas-benchmark drawings and random scribbles (2–4 random strokes) whose confidence
 * falls under each threshold. The recogniser's default `uncertainBelow` is chosen from this table.
 */
import { createRecognizer } from '../packages/core/src/index.js';
import { seededRandom } from '../packages/core/src/training/random.js';
import {
  canvasBenchmarkOptions,
  drawDigitOnCanvas,
  drawScribble,
  loadMnist,
  mnistDigit,
} from '../packages/test-utils/src/index.js';
import type { BenchOptions } from './registry.js';
import { type Figure, printFigures } from './report.js';

export const THRESHOLDS = [0.5, 0.6, 0.7, 0.8, 0.9];

export async function run(options: BenchOptions): Promise<void> {
  const recognizer = await createRecognizer();
  const test = loadMnist('test', 5000);
  const random = seededRandom(11);
  const confidences: Record<string, number[]> = {
    'MNIST test digits': [],
    'canvas drawings': [],
    scribbles: [],
  };
  for (const p of await recognizer.predictBatch(
    Array.from({ length: test.count }, (_, i) => mnistDigit(test, i)),
  )) {
    confidences['MNIST test digits']?.push(p.confidence);
  }
  for (let i = 0; i < 1000; i++) {
    const p = await recognizer.predict(
      drawDigitOnCanvas(mnistDigit(test, i), canvasBenchmarkOptions(random)),
    );
    confidences['canvas drawings']?.push(p.confidence);
  }
  for (let i = 0; i < 1000; i++) {
    try {
      confidences.scribbles?.push((await recognizer.predict(drawScribble(random))).confidence);
    } catch {
      // a scribble too small to read is rejected as empty: that counts as flagged
      confidences.scribbles?.push(0);
    }
  }
  recognizer.dispose();
  const figures: Figure[] = [];
  for (const threshold of THRESHOLDS) {
    for (const [set, values] of Object.entries(confidences)) {
      figures.push({
        bench: 'uncertainty',
        metric: `${set} flagged uncertain below ${threshold}`,
        value: (100 * values.filter((c) => c < threshold).length) / values.length,
        unit: '%',
        detail: `${values.length} inputs`,
      });
    }
  }
  printFigures(figures, options.json);
}
