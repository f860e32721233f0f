import { MNIST_PIXELS } from '@crazy-digits/core';
import type { LabelledDigit, RetrainRequest, RetrainResult } from '@crazy-digits/core/store-kit';
import type * as tf from '@tensorflow/tfjs';
import type { RetrainMessage } from './messages.js';

/**
 * The request as a message. The corrections are packed into one buffer that is transferred
 * (cheaper to post than one small array each); the base weights are copied, not transferred,
 * because the caller keeps using them (the recogniser caches its served model's artifacts).
 */
export function toRetrainMessage(
  id: number,
  request: RetrainRequest,
): { message: RetrainMessage; transfer: Transferable[] } {
  const { corrections } = request;
  const images = new Float32Array(corrections.length * MNIST_PIXELS);
  const labels = new Uint8Array(corrections.length);
  corrections.forEach((correction, i) => {
    images.set(correction.image, i * MNIST_PIXELS);
    labels[i] = correction.label;
  });
  return {
    message: {
      type: 'retrain',
      id,
      base: request.base,
      images,
      labels,
      mode: request.mode ?? 'incremental',
      // What the caller knows of the base already: the worker then skips those passes.
      ...(request.baseOnRehearsal ? { baseOnRehearsal: request.baseOnRehearsal } : {}),
      ...(request.baseEvaluation ? { baseEvaluation: request.baseEvaluation } : {}),
    },
    transfer: [images.buffer],
  };
}

/** The corrections of a {@link RetrainMessage}, as views on its buffer (no copy). */
export function correctionsOf(message: RetrainMessage): LabelledDigit[] {
  return Array.from(message.labels, (label, i) => ({
    image: message.images.subarray(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS),
    label,
  }));
}

/** The buffers of a result the worker made and no longer needs: transferred, not copied. */
export function transferablesOf(result: RetrainResult): Transferable[] {
  // Only the weights: the rehearsal outputs (half a megabyte) are copied, as the retrainer keeps them.
  const data: tf.io.WeightData | undefined = result.artifacts.weightData;
  if (data === undefined) return [];
  return Array.isArray(data) ? data : [data];
}
