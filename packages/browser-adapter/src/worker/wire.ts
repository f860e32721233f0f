import {
  CrazyDigitsError,
  isCrazyDigitsError,
  type LabelledDigit,
  MNIST_PIXELS,
  NoCorrectionsError,
  RetrainConfigError,
  RetrainerDisposedError,
  type RetrainRequest,
  type RetrainResult,
} from '@crazy-digits/core';
import type * as tf from '@tensorflow/tfjs';
import type { RetrainMessage, WireError } from './messages.js';

const PREFIX = '[crazy-digits] ';
/** Causes are kept this deep; deeper chains are cut (they only feed logs). */
const MAX_CAUSE_DEPTH = 4;

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
      ...(request.baseOnReplay ? { baseOnReplay: request.baseOnReplay } : {}),
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

/** `error` as plain data. */
export function toWireError(error: unknown, depth = 0): WireError {
  if (!(error instanceof Error)) {
    // DOMException is an Error in browsers and Node; anything else thrown is described.
    return { name: 'Error', message: String(error) };
  }
  const wire: WireError = { name: error.name, message: error.message };
  if (isCrazyDigitsError(error)) wire.code = error.code;
  if (error.stack !== undefined) wire.stack = error.stack;
  if (error.cause !== undefined && depth < MAX_CAUSE_DEPTH) wire.cause = toWireError(error.cause, depth + 1);
  return wire;
}

/** Core's retrain errors, re-created as their own classes so `instanceof` holds too. */
const KNOWN: Record<string, (message: string) => Error> = {
  NO_CORRECTIONS: () => new NoCorrectionsError(),
  RETRAINER_DISPOSED: () => new RetrainerDisposedError(),
  RETRAIN_CONFIG: (message) => new RetrainConfigError(message),
};

/**
 * An error of the other thread, rebuilt: core's retrain errors as their classes, any other
 * crazy-digits error as a `CrazyDigitsError` with the same `code`, `name` and message (so
 * `isCrazyDigitsError(error, code)` branches as it would have in the worker), anything else as
 * an `Error` with the same name and message. Stacks are the worker's.
 */
export function fromWireError(wire: WireError): Error {
  const options = wire.cause ? { cause: fromWireError(wire.cause) } : {};
  const message = wire.message.startsWith(PREFIX) ? wire.message.slice(PREFIX.length) : wire.message;
  const known = wire.code === undefined ? undefined : KNOWN[wire.code];
  let error: Error;
  if (known) error = known(message);
  else if (wire.code !== undefined) error = new CrazyDigitsError(wire.code, message, options);
  else error = new Error(wire.message, options);
  error.name = wire.name;
  if (wire.stack !== undefined) error.stack = wire.stack;
  return error;
}
