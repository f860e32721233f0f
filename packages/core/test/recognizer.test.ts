import {
  canvasBenchmarkOptions,
  drawDigitOnCanvas,
  drawScribble,
  expectNoLeakedTensors,
  loadMnist,
  mnistDigit,
} from '@crazy-digits/test-utils';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRecognizer,
  exportModel,
  importModel,
  type Recognizer,
  type RecognizerOptions,
} from '../src/index.js';
import { loadBundledModel } from '../src/model/bundled-model.js';
import { frozenNetwork } from '../src/model/inference.js';
import {
  EmptyImageError,
  InvalidImageError,
  ModelLoadError,
  RecognizerDisposedError,
} from '../src/store-kit.js';
import { createDigitModel, seededRandom } from '../src/training.js';

const mnist = loadMnist('test', 1000);

/** The second most probable digit. */
const runnerUp = (probabilities: number[]) =>
  probabilities.map((p, digit) => [p, digit] as const).sort((a, b) => b[0] - a[0])[1]?.[1] ?? 0;
let recognizer: Recognizer;

beforeAll(async () => {
  recognizer = await createRecognizer();
});

afterAll(() => {
  recognizer.dispose();
});

describe('createRecognizer with the bundled model', () => {
  it('loads offline on the wasm backend and reports the bundled version', async () => {
    expect(recognizer.backend).toBe('wasm');
    expect(recognizer.modelVersion).toBe((await loadBundledModel()).manifest.version);
  });

  it('recognises MNIST test digits (accuracy floor on the first 1,000)', async () => {
    const inputs = Array.from({ length: mnist.count }, (_, i) => mnistDigit(mnist, i));
    const predictions = await recognizer.predictBatch(inputs);
    const right = predictions.filter((p, i) => p.digit === mnist.labels[i]).length;
    expect(right / mnist.count).toBeGreaterThanOrEqual(0.99);
  });

  it('recognises the same digits drawn on canvases, both polarities (floor on 300)', async () => {
    const random = seededRandom(99);
    let right = 0;
    for (let i = 0; i < 300; i++) {
      const prediction = await recognizer.predict(
        drawDigitOnCanvas(mnistDigit(mnist, i), canvasBenchmarkOptions(random)),
      );
      if (prediction.digit === mnist.labels[i]) right++;
    }
    expect(right / 300).toBeGreaterThanOrEqual(0.97);
  });

  it('returns a well-formed prediction with the preprocessed image', async () => {
    const p = await recognizer.predict(drawDigitOnCanvas(mnistDigit(mnist, 0)));
    expect(p.probabilities).toHaveLength(10);
    expect(p.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    expect(p.confidence).toBe(Math.max(...p.probabilities));
    expect(p.digit).toBe(p.probabilities.indexOf(p.confidence));
    expect(p.uncertain).toBe(p.confidence < 0.8);
    expect(p.preprocessed.pixels).toHaveLength(784);
    expect(p.preprocessed.info.source).toBe('dark-on-light');
  });

  it('reads MNIST-style tensors of every accepted shape, without disposing them', async () => {
    const digit = mnistDigit(mnist, 1);
    const reference = await recognizer.predict(digit);
    for (const shape of [[28, 28], [28, 28, 1], [1, 28, 28, 1], [784]]) {
      const tensor = tf.tensor(digit, shape);
      const p = await recognizer.predict(tensor);
      expect(p.probabilities).toEqual(reference.probabilities);
      expect(tensor.isDisposed).toBe(false);
      tensor.dispose();
    }
  });

  it('rejects bad tensors and bad images with typed errors', async () => {
    const wrongShape = tf.zeros([28, 27]);
    const wrongType = tf.zeros([28, 28], 'int32');
    await expect(recognizer.predict(wrongShape)).rejects.toBeInstanceOf(InvalidImageError);
    await expect(recognizer.predict(wrongType)).rejects.toBeInstanceOf(InvalidImageError);
    tf.dispose([wrongShape, wrongType]);
    const blank = { data: new Uint8ClampedArray(280 * 280 * 4).fill(255), width: 280, height: 280 };
    await expect(recognizer.predict(blank)).rejects.toBeInstanceOf(EmptyImageError);
    await expect(recognizer.predictBatch([mnistDigit(mnist, 0), blank])).rejects.toBeInstanceOf(
      EmptyImageError,
    );
  });

  it('gives predictBatch the same answers as predict, and [] for no inputs', async () => {
    const inputs = [0, 1, 2, 3].map((i) => drawDigitOnCanvas(mnistDigit(mnist, i), { size: 0.5 }));
    const batch = await recognizer.predictBatch(inputs);
    for (const [i, input] of inputs.entries()) {
      const single = await recognizer.predict(input);
      expect(batch[i]?.digit).toBe(single.digit);
      single.probabilities.forEach((p, d) => {
        expect(batch[i]?.probabilities[d]).toBeCloseTo(p, 5);
      });
    }
    expect(await recognizer.predictBatch([])).toEqual([]);
  });

  it("reads through the model's layers with batch norm folded, as the retrainer does", async () => {
    const inputs = Array.from({ length: 20 }, (_, i) => drawDigitOnCanvas(mnistDigit(mnist, i)));
    const predictions = await recognizer.predictBatch(inputs);
    const images = new Float32Array(20 * 784);
    predictions.forEach((p, i) => {
      images.set(p.preprocessed.pixels, i * 784);
    });
    const model = await importModel((await loadBundledModel()).artifacts);
    const folded = frozenNetwork(model);
    const [viaLayers, viaFolded] = tf.tidy(() => {
      const x = tf.tensor4d(images, [20, 28, 28, 1]);
      return [(model.predict(x) as tf.Tensor).arraySync(), folded(x).probabilities.arraySync()];
    }) as [number[][], number[][]];
    folded.dispose();
    model.dispose();
    predictions.forEach((p, i) => {
      // One function wherever a drawing is read: exactly the retrainer's numbers.
      expect(p.probabilities).toEqual(viaFolded[i]);
      // The same function as the layers, to float rounding.
      p.probabilities.forEach((value, d) => {
        expect(Math.abs(value - (viaLayers[i]?.[d] ?? Number.NaN))).toBeLessThan(1e-5);
      });
    });
  });

  it('flags most scribbles as uncertain and few real drawings', async () => {
    const random = seededRandom(21);
    let scribblesFlagged = 0;
    let drawingsFlagged = 0;
    for (let i = 0; i < 300; i++) {
      const scribble = await recognizer.predict(drawScribble(random)).catch(() => undefined);
      if (!scribble || scribble.uncertain) scribblesFlagged++;
      if (
        (await recognizer.predict(drawDigitOnCanvas(mnistDigit(mnist, i), canvasBenchmarkOptions(random))))
          .uncertain
      )
        drawingsFlagged++;
    }
    expect(scribblesFlagged / 300).toBeGreaterThanOrEqual(0.35);
    expect(drawingsFlagged / 300).toBeLessThanOrEqual(0.04);
  }, 60_000); // 600 canvas predictions: a ceiling for busy machines, not a measurement

  it('leaks no tensors across predictions, batches and failures', async () => {
    const canvas = drawDigitOnCanvas(mnistDigit(mnist, 5));
    await expectNoLeakedTensors(async () => {
      for (let i = 0; i < 200; i++) await recognizer.predict(i % 2 ? canvas : mnistDigit(mnist, i));
      await recognizer.predictBatch([canvas, canvas, mnistDigit(mnist, 3)]);
      await recognizer
        .predict({ data: new Uint8ClampedArray(4), width: 1, height: 1 })
        .catch(() => undefined);
    });
  });
});

describe('createRecognizer lifecycle and custom models', () => {
  it('frees every tensor on dispose, and refuses work afterwards', async () => {
    const baseline = tf.memory().numTensors;
    const own = await createRecognizer();
    expect(tf.memory().numTensors).toBeGreaterThan(baseline);
    await own.predict(mnistDigit(mnist, 0));
    own.dispose();
    own.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
    await expect(own.predict(mnistDigit(mnist, 0))).rejects.toBeInstanceOf(RecognizerDisposedError);
  });

  it('loads a model from in-memory artifacts', async () => {
    const model = createDigitModel({ seed: 3 });
    const artifacts = await exportModel(model);
    model.dispose();
    const custom = await createRecognizer({ model: artifacts });
    expect(custom.modelVersion).toBe('custom');
    expect((await custom.predict(mnistDigit(mnist, 0))).probabilities).toHaveLength(10);
    custom.dispose();
  });

  it('reads a model that is not sequential through its own layers', async () => {
    const shipped = await importModel((await loadBundledModel()).artifacts);
    const functional = tf.model({ inputs: shipped.inputs, outputs: shipped.outputs });
    const artifacts = await exportModel(functional);
    const custom = await createRecognizer({ model: artifacts });
    const predictions = await custom.predictBatch(Array.from({ length: 10 }, (_, i) => mnistDigit(mnist, i)));
    const expected = tf.tidy(() => {
      const images = new Float32Array(10 * 784);
      predictions.forEach((p, i) => {
        images.set(p.preprocessed.pixels, i * 784);
      });
      return (
        functional.predict(tf.tensor4d(images, [10, 28, 28, 1])) as tf.Tensor
      ).arraySync() as number[][];
    });
    custom.dispose();
    shipped.dispose();
    expect(artifacts.modelTopology).toMatchObject({ class_name: 'Model' });
    predictions.forEach((p, i) => {
      p.probabilities.forEach((value, d) => {
        expect(Math.abs(value - (expected[i]?.[d] ?? Number.NaN))).toBeLessThan(1e-6);
      });
    });
  });

  it('matches corrections on centred features for a custom model given without featureMean', async () => {
    // The bundled weights as a custom model: the centre of its features is not given, so it is
    // computed, and corrections reach the same drawings as with the bundled model (raw features,
    // uncentred, would let them reach far more).
    const answersAfterCorrections = async (options: RecognizerOptions) => {
      const own = await createRecognizer(options);
      const corrected = await own.predictBatch(Array.from({ length: 150 }, (_, i) => mnistDigit(mnist, i)));
      for (const p of corrected) await own.correct(p.preprocessed.pixels, runnerUp(p.probabilities));
      const others = Array.from({ length: 450 }, (_, i) => mnistDigit(mnist, 150 + i));
      const digits = (await own.predictBatch(others)).map((p) => p.digit);
      own.dispose();
      return digits;
    };
    const bundled = await answersAfterCorrections({});
    const custom = await answersAfterCorrections({ model: (await loadBundledModel()).artifacts });
    const agree = custom.filter((digit, i) => digit === bundled[i]).length;
    expect(agree / custom.length).toBeGreaterThanOrEqual(0.97);
  }, 60_000);

  it('rejects a model that is not a 28x28 → 10 classifier, and a location that does not load', async () => {
    const wrong = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 10 })] });
    const artifacts = await exportModel(wrong);
    wrong.dispose();
    const before = tf.memory().numTensors;
    await expect(createRecognizer({ model: artifacts })).rejects.toBeInstanceOf(ModelLoadError);
    expect(tf.memory().numTensors).toBe(before);
    await expect(createRecognizer({ model: 'indexeddb://no-such-model' })).rejects.toBeInstanceOf(
      ModelLoadError,
    );
  });
});
