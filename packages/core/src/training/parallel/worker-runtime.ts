import type * as tf from '@tensorflow/tfjs';
import { type BackendPreference, BackendUnavailableError, useBackend } from '../../backend/index.js';
import { importModel } from '../../model/index.js';
import { MNIST_PIXELS } from '../../preprocess/validate.js';
import { createAugmenter, type DigitAugmenter } from '../augment.js';
import { writeTarget } from '../dataset.js';
import { seededRandom } from '../random.js';
import { UnsupportedParallelModelError } from './errors.js';
import { flatLayout, sameShapes, writeFlat, writeWeightsFrom } from './flat-weights.js';
import { type GradientCoordinatorPort, type GradientWorkerSetup, isCoordinatorMessage } from './protocol.js';
import { shardGradients } from './shard-gradients.js';

const BACKENDS: readonly string[] = [
  'tensorflow',
  'wasm',
  'webgl',
  'webgpu',
  'cpu',
] satisfies BackendPreference[];
const isBackendPreference = (name: string): name is BackendPreference => BACKENDS.includes(name);

interface Replica {
  step(count: number): number;
}

async function createReplica(setup: GradientWorkerSetup): Promise<Replica> {
  if (!isBackendPreference(setup.backend)) {
    throw new BackendUnavailableError(setup.backend, 'crazy-digits cannot select it in a worker');
  }
  await useBackend(setup.backend);
  const model: tf.LayersModel = await importModel(setup.artifacts);
  const layout = flatLayout(model.trainableWeights);
  if (!sameShapes(layout.shapes, setup.shapes)) {
    throw new UnsupportedParallelModelError('its replica does not rebuild with the same trainable weights');
  }
  const weights = new Float32Array(setup.weights);
  const gradients = new Float32Array(setup.gradients);
  const rawImages = new Float32Array(setup.images);
  const labels = new Uint8Array(setup.labels);
  const images = new Float32Array(setup.maxShard * MNIST_PIXELS);
  const targets = new Float32Array(setup.maxShard * 10);
  const augmenter: DigitAugmenter | undefined =
    setup.augment === false ? undefined : createAugmenter(seededRandom(setup.seed), setup.augment);

  return {
    step(count) {
      writeWeightsFrom(model.trainableWeights, layout, weights);
      targets.fill(0);
      for (let b = 0; b < count; b++) {
        const digit = rawImages.subarray(b * MNIST_PIXELS, (b + 1) * MNIST_PIXELS);
        images.set(augmenter ? augmenter.augment(digit) : digit, b * MNIST_PIXELS);
        writeTarget(targets, b, labels[b] ?? 0);
      }
      const result = shardGradients(model, images, targets, count);
      writeFlat(result.gradients, layout, gradients);
      for (const gradient of result.gradients) gradient.dispose();
      return result.loss;
    },
  };
}

/**
 * Runs the worker side of parallel training on `port`: builds a replica of the coordinator's
 * model on `setup`, then answers every `step` with its shard's gradients. A platform's worker
 * entry file calls this once with its port (Node's `parentPort`, a browser worker's `self`).
 */
export function serveGradientWorker(port: GradientCoordinatorPort): void {
  let replica: Promise<Replica> | undefined;
  const report = (error: unknown) => {
    port.postMessage(
      error instanceof Error
        ? {
            type: 'failed',
            message: error.message,
            ...(error.stack === undefined ? {} : { stack: error.stack }),
          }
        : { type: 'failed', message: String(error) },
    );
  };
  port.listen((message) => {
    if (!isCoordinatorMessage(message)) {
      report('it received a message outside the protocol');
    } else if (message.type === 'setup') {
      replica = createReplica(message.setup);
      replica.then(() => port.postMessage({ type: 'ready' }), report);
    } else if (!replica) {
      report('it was asked for gradients before its setup');
    } else {
      replica
        .then((ready) => port.postMessage({ type: 'gradients', loss: ready.step(message.count) }))
        .catch(report);
    }
  });
}
