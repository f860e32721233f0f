import type {
  BackendPreference,
  RetrainerOptions,
  RetrainMode,
  RetrainProgress,
  UseBackendOptions,
} from '@crazy-digits/core';
import type { RetrainRequest, RetrainResult, WireError } from '@crazy-digits/core/store-kit';
import type * as tf from '@tensorflow/tfjs';

/**
 * Every message between the page and the retrain worker. Plain structured-clonable data only:
 * no tensors, functions or class instances cross threads (errors travel as {@link WireError}).
 */

/** Sent once, before the first request: how the worker sets itself up. */
export interface ConfigureMessage {
  type: 'configure';
  backend: BackendPreference;
  wasmPaths?: UseBackendOptions['wasmPaths'];
  /** Passed to core's `createRetrainer` in the worker (datasets are copied there once). */
  retrainer: RetrainerOptions;
}

/** One retrain. The corrections travel packed: 784 floats an image, one label each. */
export interface RetrainMessage {
  type: 'retrain';
  id: number;
  base: tf.io.ModelArtifacts;
  images: Float32Array;
  labels: Uint8Array;
  mode: RetrainMode;
  /** The request's `baseOnRehearsal` and `baseEvaluation`, when the caller knows them. */
  baseOnRehearsal?: RetrainRequest['baseOnRehearsal'];
  baseEvaluation?: RetrainRequest['baseEvaluation'];
}

/** Stops the run `id` between training steps (or before it starts). */
export interface AbortMessage {
  type: 'abort';
  id: number;
}

/** Page to worker. */
export type ToWorkerMessage = ConfigureMessage | RetrainMessage | AbortMessage;

/** Worker to page: how run `id` is going. */
export interface ProgressMessage {
  type: 'progress';
  id: number;
  progress: RetrainProgress;
}

/** Worker to page: run `id` finished; `backend` is the worker's TensorFlow.js backend. */
export interface ResultMessage {
  type: 'result';
  id: number;
  result: RetrainResult;
  backend: string;
}

/** Worker to page: run `id` failed (or was aborted). */
export interface ErrorMessage {
  type: 'error';
  id: number;
  error: WireError;
}

/** Worker to page. */
export type FromWorkerMessage = ProgressMessage | ResultMessage | ErrorMessage;

/**
 * One end of a message channel: a `Worker`, a `MessagePort`, or a worker's own global scope
 * (`self`). Both sides of the protocol talk through it.
 */
export interface RetrainPort {
  /** Posts `message`, moving the buffers in `options.transfer` instead of copying them. */
  postMessage(message: unknown, options: StructuredSerializeOptions): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}
