/**
 * Writes the shipped-model module (packages/core/src/model/bundled-model.generated.ts) from a
 * trained model: evaluates it on the 10,000 MNIST test digits with float32 and float16 weights,
 * keeps float16 unless it costs accuracy, and embeds the mean classifier feature that
 * corrections are matched against and the shipped weights' evaluation on the bundled validation
 * digits (the retrainer's gate set, evaluated exactly as the retrainer does). `npm run train` calls it at the end; on its own,
 * `npm run bundle-model` re-bundles the last training checkpoint.
 */
import { readFile, writeFile } from 'node:fs/promises';
import type * as tf from '@tensorflow/tfjs';
import { useBackend } from '../packages/core/src/backend/index.js';
import {
  artifactsToModuleSource,
  exportModel,
  featuresOf,
  importModel,
  meanOf,
  withFeatures,
} from '../packages/core/src/model/index.js';
import { frozenNetwork } from '../packages/core/src/retrain/inference.js';
import { evaluate } from '../packages/core/src/retrain/passes.js';
import { bundledDigits } from '../packages/core/src/retrain/rehearsal-set.js';
import { evaluateModel } from '../packages/core/src/training/evaluate.js';
import { loadMnistDataset } from './mnist-training.js';

export const BUNDLE_PATH = 'packages/core/src/model/bundled-model.generated.ts';
export const CHECKPOINT_PATH = '.tmp/train-checkpoints/checkpoint.json';

export async function writeBundledModel(
  model: tf.LayersModel,
  version: string,
  out = BUNDLE_PATH,
): Promise<void> {
  const test = loadMnistDataset('test');
  const full = await evaluateModel(model, test);
  const halved = await exportModel(model, 'float16');
  const halvedModel = await importModel(halved);
  const halvedEvaluation = await evaluateModel(halvedModel, test);
  halvedModel.dispose();
  const shipHalf = halvedEvaluation.accuracy >= full.accuracy - 0.0005;
  const artifacts = shipHalf ? halved : await exportModel(model);
  const featureMean = meanOf(await featuresOf(withFeatures(model), loadMnistDataset('train', 10_000).images));
  const accuracy = shipHalf ? halvedEvaluation.accuracy : full.accuracy;
  const shipped = await importModel(artifacts);
  const network = frozenNetwork(shipped);
  const validation = await evaluate(network, (await bundledDigits()).validation);
  network.dispose();
  shipped.dispose();
  await writeFile(
    out,
    artifactsToModuleSource(artifacts, {
      version,
      mnistTestAccuracy: accuracy,
      featureMean,
      validation: { accuracy: validation.accuracy, recall: validation.recall, count: validation.count },
    }),
  );
  console.log(
    `MNIST test accuracy ${(full.accuracy * 100).toFixed(2)}% (float32), ${(halvedEvaluation.accuracy * 100).toFixed(2)}% (float16); wrote ${out} with ${shipHalf ? 'float16' : 'float32'} weights, version ${version}`,
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

if (import.meta.url === `file://${process.argv[1]}`) {
  await useBackend('wasm');
  const { model, version } = await loadCheckpoint(process.argv[2]);
  await writeBundledModel(model, process.argv[3] ?? version);
  model.dispose();
}
