/**
 * Entry file of the retrain worker thread: runs core's `createRetrainer` on requests from
 * `createWorkerThreadsRetrainer`, one at a time. It does nothing useful on its own.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createRetrainer, MNIST_PIXELS, useBackend } from '@crazy-digits/core';
import { type LabelledDigit, type RetrainResult, toWireError } from '@crazy-digits/core/store-kit';
import type * as tf from '@tensorflow/tfjs';
import { lowerThreadPriority } from '../threads/priority.js';
import { type RetrainCommand, type RetrainReply, type RetrainWorkerData, weightBuffers } from './protocol.js';

const port = parentPort;
if (port) serve(port, workerData);

function unpack(images: Float32Array, labels: Uint8Array): LabelledDigit[] {
  return Array.from(labels, (label, i) => ({
    image: images.subarray(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS),
    label,
  }));
}

function serve(port: NonNullable<typeof parentPort>, data: RetrainWorkerData): void {
  const { backend, lowPriority, ...options } = data;
  if (lowPriority) lowerThreadPriority();
  const ready = useBackend(backend).then(() => createRetrainer(options));
  const aborts = new Map<number, AbortController>();
  // The base the main thread sent last: passing the same object again lets the retrainer reuse
  // its evaluation of it.
  let held: { key: number; artifacts: tf.io.ModelArtifacts } | undefined;
  let queue: Promise<void> = Promise.resolve();
  const reply = (message: RetrainReply, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

  async function run(
    command: Extract<RetrainCommand, { type: 'retrain' }>,
    base: tf.io.ModelArtifacts | undefined,
  ): Promise<void> {
    const controller = aborts.get(command.id);
    if (!controller) return;
    try {
      controller.signal.throwIfAborted();
      if (!base) throw new Error('the base model was not sent to the worker');
      const retrainer = await ready;
      const result: RetrainResult = await retrainer.retrain({
        base,
        corrections: unpack(command.images, command.labels),
        mode: command.mode,
        ...(command.baseOnRehearsal ? { baseOnRehearsal: command.baseOnRehearsal } : {}),
        ...(command.baseEvaluation ? { baseEvaluation: command.baseEvaluation } : {}),
        signal: controller.signal,
        onProgress: (progress) => reply({ type: 'progress', id: command.id, progress }),
      });
      reply(
        {
          type: 'result',
          id: command.id,
          accepted: result.accepted,
          ...(result.reason === undefined ? {} : { reason: result.reason }),
          artifacts: result.artifacts,
          metrics: result.metrics,
          ...(result.featureMean === undefined ? {} : { featureMean: result.featureMean }),
          ...(result.rehearsal === undefined ? {} : { rehearsal: result.rehearsal }),
        },
        // The rehearsal outputs are copied (half a megabyte): the retrainer keeps them too.
        weightBuffers(result.artifacts),
      );
    } catch (error) {
      // After an abort the main thread has already settled the run; it ignores this reply.
      reply({ type: 'error', id: command.id, error: toWireError(error) });
    } finally {
      aborts.delete(command.id);
    }
  }

  port.on('message', (command: RetrainCommand) => {
    if (command.type === 'abort') {
      aborts.get(command.id)?.abort(new Error('aborted by the main thread'));
      return;
    }
    aborts.set(command.id, new AbortController());
    // Resolved on arrival, in the order the main thread sent them, whatever runs meanwhile.
    if (command.base.artifacts) held = { key: command.base.key, artifacts: command.base.artifacts };
    const base = held?.key === command.base.key ? held.artifacts : undefined;
    queue = queue.then(() => run(command, base));
  });
}
