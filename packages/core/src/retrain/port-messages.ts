import type * as tf from '@tensorflow/tfjs';
import type { BackendPreference, UseBackendOptions } from '../backend/index.js';
import { MNIST_PIXELS } from '../preprocess/validate.js';
import type {
  LabelledDigit,
  ModelKnowledge,
  RetrainerOptions,
  RetrainProgress,
  RetrainRequest,
  RetrainResult,
} from './types.js';
import type { WireError } from './wire-error.js';

/**
 * One end of a message channel that carries the retrain protocol. It asks so little that
 * `worker_threads`' `Worker` and `MessagePort`, and the DOM's `Worker`, `MessagePort` and worker
 * scope, each fit through an adapter of a few lines.
 */
export interface RetrainMessagePort {
  /** Posts structured-clone data, moving the buffers in `transfer` rather than copying them. */
  postMessage(message: unknown, transfer?: ArrayBuffer[]): void;
  /**
   * Hands the other end's messages to `onMessage`, and calls `onClose` once if the other end goes
   * away unasked (a crash, an exit, a closed port, a message that cannot be read), with what
   * happened and the error or event behind it. Returns a function that stops listening.
   */
  listen(
    onMessage: (message: unknown) => void,
    onClose: (reason: string, cause?: unknown) => void,
  ): () => void;
  /** Keeps the process alive while runs are pending, as Node's `ref()`; absent where nothing does. */
  ref?(): void;
  /** Lets the process exit while no run is pending, as Node's `unref()`. */
  unref?(): void;
  /** Ends the other side for good (terminates its worker); called on dispose and after a failure. */
  close?(): void;
}

/** How the serving side sets itself up before its first run: plain data, posted once. */
export interface RetrainWorkerSetup {
  /** The TensorFlow.js backend there, selected with core's `useBackend`. Default `'auto'`. */
  backend?: BackendPreference;
  /** Where that side's wasm backend finds its `.wasm` files (`useBackend`'s option). */
  wasmPaths?: UseBackendOptions['wasmPaths'];
  /**
   * Options of `createRetrainer` there. Datasets on `SharedArrayBuffer`s are shared with the other
   * thread; any other dataset is copied once.
   */
  retrainer?: RetrainerOptions;
}

/**
 * The base model of a run: its artifacts, or `key` alone when the other side still holds the
 * artifacts sent under that key (a recogniser retrains from the same served model until a
 * candidate is accepted, so the weights cross once), and what is known of it, every time.
 */
export type SentBase = { key: number; artifacts?: tf.io.ModelArtifacts; known?: ModelKnowledge };

/**
 * The request's fields that are plain data, passed through as they are: a field added to
 * `RetrainRequest` later crosses without a change here.
 */
export type PlainRequest = Omit<RetrainRequest, 'base' | 'corrections' | 'signal' | 'onProgress'>;

/**
 * Client to server. `abort` stops run `id` between training steps, or before it starts; `prepare`
 * sends the base of runs to come ahead of them, for the server to make what they need of it.
 */
export type RetrainClientMessage =
  | { type: 'setup'; setup: RetrainWorkerSetup }
  | { type: 'prepare'; base: SentBase }
  | RetrainCall
  | { type: 'abort'; id: number };

/** One run. */
export interface RetrainCall {
  type: 'retrain';
  id: number;
  base: SentBase;
  /** Packed and moved rather than copied: one buffer of 784 floats an image, one of labels. */
  corrections: PackedCorrections;
  request: PlainRequest;
}

/** Server to client; `backend` is the server's TensorFlow.js backend. */
export type RetrainServerMessage =
  | { type: 'progress'; id: number; progress: RetrainProgress }
  | { type: 'result'; id: number; result: RetrainResult; backend: string }
  | { type: 'error'; id: number; error: WireError };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

/** Checks what arrives from a client before the server acts on it. */
export function isClientMessage(value: unknown): value is RetrainClientMessage {
  if (!isRecord(value)) return false;
  if (value.type === 'setup') return isRecord(value.setup);
  if (value.type === 'prepare') return isRecord(value.base) && typeof value.base.key === 'number';
  if (typeof value.id !== 'number') return false;
  if (value.type === 'abort') return true;
  return (
    value.type === 'retrain' &&
    isRecord(value.base) &&
    isRecord(value.corrections) &&
    value.corrections.images instanceof Float32Array &&
    value.corrections.labels instanceof Uint8Array &&
    isRecord(value.request)
  );
}

/** Checks what arrives from a server before the client acts on it. */
export function isServerMessage(value: unknown): value is RetrainServerMessage {
  return (
    isRecord(value) &&
    typeof value.id === 'number' &&
    (value.type === 'progress' || value.type === 'result' || value.type === 'error')
  );
}

/** Corrections as one buffer of images and one of labels. */
export interface PackedCorrections {
  images: Float32Array;
  labels: Uint8Array;
}

/** The corrections packed: two transfers rather than one a digit. */
export function packCorrections(corrections: readonly LabelledDigit[]): {
  images: Float32Array<ArrayBuffer>;
  labels: Uint8Array<ArrayBuffer>;
} {
  const images = new Float32Array(corrections.length * MNIST_PIXELS);
  const labels = new Uint8Array(corrections.length);
  corrections.forEach((correction, i) => {
    images.set(correction.image, i * MNIST_PIXELS);
    labels[i] = correction.label;
  });
  return { images, labels };
}

/** The packed corrections as views on their buffers, without a copy. */
export function unpackCorrections({ images, labels }: PackedCorrections): LabelledDigit[] {
  return Array.from(labels, (label, i) => ({
    image: images.subarray(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS),
    label,
  }));
}

/** Artifacts without `getWeightStream`, the one field that is a function and cannot be posted. */
export function postable(artifacts: tf.io.ModelArtifacts): tf.io.ModelArtifacts {
  const { getWeightStream: _stream, ...data } = artifacts;
  return data;
}

/** The buffers behind artifacts' weights, to move rather than copy. */
export function weightBuffers(artifacts: tf.io.ModelArtifacts): ArrayBuffer[] {
  const data = artifacts.weightData;
  if (data === undefined) return [];
  return Array.isArray(data) ? [...data] : [data];
}
