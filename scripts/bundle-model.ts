/**
 * Writes the shipped model (packages/core/src/model/bundled-weights.bin and its manifest module,
 * bundled-model.generated.ts) from a trained model: evaluates it on the 10,000 MNIST test digits
 * with float32 weights and with each smaller storage (float16; uint8 kernels), ships the smallest
 * that keeps MNIST test accuracy within 0.05 points of float32, and embeds the mean classifier
 * feature that corrections are matched against and the shipped weights' evaluation on the bundled
 * validation digits (the retrainer's gate set, evaluated exactly as the retrainer does).
 * `npm run train` calls it at the end; on its own, `npm run bundle-model` re-bundles the last
 * training checkpoint, and `npm run bundle-model -- --shipped [version]` re-stores the weights
 * that ship now (converting, never retraining).
 *
 * The real pen digits are not read here: check them after a change of storage with
 * `npm run bench -- real-writers --data <digits.jsonl.gz> --skip streams`.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { useBackend } from '../packages/core/src/backend/index.js';
import {
  bundleFiles,
  exportModel,
  featuresOf,
  importModel,
  loadBundledModel,
  meanOf,
  storedAs,
  withFeatures,
} from '../packages/core/src/model/index.js';
import { frozenNetwork } from '../packages/core/src/model/inference.js';
import { evaluate } from '../packages/core/src/retrain/passes.js';
import { bundledDigits } from '../packages/core/src/retrain/rehearsal-set.js';
import { evaluateModel } from '../packages/core/src/training/evaluate.js';
import { loadMnistDataset } from './mnist-training.js';

export const BUNDLE_DIR = 'packages/core/src/model';
export const CHECKPOINT_PATH = '.tmp/train-checkpoints/checkpoint.json';
/** How much MNIST test accuracy a smaller storage may cost: 0.05 points (5 of 10,000 digits). */
const ACCURACY_TOLERANCE = 0.0005;

export async function writeBundledModel(
  model: tf.LayersModel,
  version: string,
  outDir = BUNDLE_DIR,
): Promise<void> {
  const test = loadMnistDataset('test');
  const float32 = await exportModel(model);
  const full = await evaluateModel(model, test);
  let shipped = { storage: 'float32', artifacts: float32, accuracy: full.accuracy };
  const figures = [`${(full.accuracy * 100).toFixed(2)}% (float32)`];
  // Largest first, so the last that holds accuracy is the smallest.
  for (const storage of ['float16', 'uint8'] as const) {
    const artifacts = storedAs(float32, storage);
    const stored = await importModel(artifacts);
    const { accuracy } = await evaluateModel(stored, test);
    stored.dispose();
    figures.push(`${(accuracy * 100).toFixed(2)}% (${storage})`);
    if (accuracy >= full.accuracy - ACCURACY_TOLERANCE) shipped = { storage, artifacts, accuracy };
  }
  // Made through the model's layers, as when the shipped weights were bundled. Through the folded
  // network a recogniser reads with, 16 of the 128 stored values would change in their sixth
  // digit (at most 3.6e-7 on the shipped weights), and `npm run train` would no longer write the
  // shipped manifest; as a centre for matching corrections the two are the same.
  const layers = withFeatures(model);
  const throughLayers = (images: tf.Tensor4D) => {
    const [features, probabilities] = layers.predict(images) as tf.Tensor[];
    if (!features || !probabilities) throw new Error('unreachable: the feature model has two outputs');
    return { features, probabilities };
  };
  const featureMean = meanOf(await featuresOf(throughLayers, loadMnistDataset('train', 10_000).images));
  const shippedModel = await importModel(shipped.artifacts);
  const network = frozenNetwork(shippedModel);
  const validation = await evaluate(network, (await bundledDigits()).validation);
  network.dispose();
  shippedModel.dispose();
  const { weights, moduleSource } = bundleFiles(shipped.artifacts, {
    version,
    mnistTestAccuracy: shipped.accuracy,
    featureMean,
    validation: { accuracy: validation.accuracy, recall: validation.recall, count: validation.count },
  });
  await writeFile(join(outDir, 'bundled-weights.bin'), weights);
  await writeFile(join(outDir, 'bundled-model.generated.ts'), moduleSource);
  console.log(
    `MNIST test accuracy ${figures.join(', ')}; wrote ${outDir}/bundled-weights.bin (${weights.byteLength} bytes, ${shipped.storage}) and its manifest, version ${version}`,
  );
}

/** The model saved in the training checkpoint and the epoch it was saved after. */
export async function loadCheckpoint(
  path = CHECKPOINT_PATH,
): Promise<{ model: tf.LayersModel; epoch: number; version: string }> {
  const saved = JSON.parse(await readFile(path, 'utf8')) as {
    epoch: number;
    version?: string;
    artifacts: tf.io.ModelArtifacts & { weightsBase64: string };
  };
  const { weightsBase64, ...artifacts } = saved.artifacts;
  const model = await importModel({
    ...artifacts,
    weightData: new Uint8Array(Buffer.from(weightsBase64, 'base64')).buffer,
  });
  return { model, epoch: saved.epoch, version: saved.version ?? `checkpoint-e${saved.epoch + 1}` };
}

/** The model that ships now, to store again (its float32 is what its current storage decodes to). */
async function loadShipped(): Promise<{ model: tf.LayersModel; version: string }> {
  const { manifest, artifacts } = await loadBundledModel();
  return { model: await importModel(artifacts), version: manifest.version };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await useBackend('wasm');
  // `[checkpoint] [version]`, or `--shipped [version]`.
  const [source, version] = process.argv.slice(2);
  const loaded = source === '--shipped' ? await loadShipped() : await loadCheckpoint(source);
  await writeBundledModel(loaded.model, version ?? loaded.version);
  loaded.model.dispose();
}
