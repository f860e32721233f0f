import type * as tf from '@tensorflow/tfjs';
import type { AugmentOptions } from '../augment.js';

/** Everything a worker needs to train a replica of the coordinator's model on its shards. */
export interface GradientWorkerSetup {
  /** The tfjs backend the coordinator trains on; the worker selects the same one. */
  backend: string;
  /** The model, topology and weights, as `model.save` hands them to an IO handler. */
  artifacts: tf.io.ModelArtifacts;
  /** Shape of every trainable weight, in `model.trainableWeights` order: checked against the replica. */
  shapes: number[][];
  /** Distortions the worker applies to its shard, or `false`. */
  augment: AugmentOptions | false;
  /** Seed of the worker's own augmentation stream. */
  seed: number;
  /** The largest shard the worker will be given. */
  maxShard: number;
  /** All trainable weights back to back (float32), written by the coordinator before every step. */
  weights: SharedArrayBuffer;
  /** This worker's gradients (float32, laid out like `weights`), written by the worker every step. */
  gradients: SharedArrayBuffer;
  /** This worker's shard: `maxShard` raw digits of 784 float32, written by the coordinator. */
  images: SharedArrayBuffer;
  /** This worker's shard labels, one byte each. */
  labels: SharedArrayBuffer;
}

/**
 * Coordinator → worker. `step`: the weights and the first `count` digits of the shard buffers are
 * ready; compute their gradients.
 */
export type CoordinatorMessage =
  | { type: 'setup'; setup: GradientWorkerSetup }
  | { type: 'step'; count: number };

/**
 * Worker → coordinator. `gradients`: the gradients buffer holds the shard's gradients, and `loss`
 * is the shard's mean loss. `failed`: the setup or a step threw.
 */
export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'gradients'; loss: number }
  | { type: 'failed'; message: string; stack?: string };

/**
 * The coordinator's end of one worker. Thin enough for Node's `worker_threads.Worker` (`on('message')`,
 * `on('error')`, `on('exit')`) and a browser `Worker` (`onmessage`, `onerror`) to implement.
 */
export interface GradientWorkerPort {
  postMessage(message: CoordinatorMessage): void;
  /**
   * Delivers the worker's messages to `onMessage` as they arrive (the coordinator checks them), and
   * to `onFailure` anything that ends the worker unasked: an uncaught error, an exit, a message
   * that cannot be deserialised.
   */
  listen(onMessage: (message: unknown) => void, onFailure: (error: unknown) => void): void;
}

/** The worker's end: Node's `parentPort` or a browser worker's global scope, wrapped. */
export interface GradientCoordinatorPort {
  postMessage(message: WorkerMessage): void;
  listen(onMessage: (message: unknown) => void): void;
}

/** Workers started for one training run. */
export interface GradientPoolSession {
  readonly ports: readonly GradientWorkerPort[];
  /** Ends the run; the pool stops (or parks) the workers. Safe to call more than once. */
  close(): Promise<void>;
}

/**
 * Extra threads that compute gradients for `trainDigitModel`'s `gradientPool` option. Each step,
 * the batch is split into one shard for the calling thread and one per worker. Platform packages
 * implement it (for Node, `createWorkerThreadsGradientPool` in `@crazy-digits/node-adapter`); in
 * browsers the weights and gradients travel in `SharedArrayBuffer`s, which need a
 * cross-origin-isolated page.
 */
export interface GradientPool {
  /** Number of worker threads, beside the thread that calls `trainDigitModel`. */
  readonly size: number;
  /** Starts the workers for one training run. Rejects with `GradientPoolDisposedError` after `dispose()`. */
  open(): Promise<GradientPoolSession>;
  /** Stops every worker; a run in progress fails with `GradientPoolDisposedError`. */
  dispose(): Promise<void>;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

/** Checks what arrives from a worker before the coordinator acts on it. */
export function isWorkerMessage(value: unknown): value is WorkerMessage {
  if (!isRecord(value)) return false;
  switch (value.type) {
    case 'ready':
      return true;
    case 'gradients':
      return typeof value.loss === 'number';
    case 'failed':
      return typeof value.message === 'string';
    default:
      return false;
  }
}

/** Checks what arrives from the coordinator before the worker acts on it. */
export function isCoordinatorMessage(value: unknown): value is CoordinatorMessage {
  if (!isRecord(value)) return false;
  switch (value.type) {
    case 'setup':
      return isRecord(value.setup) && value.setup.weights instanceof SharedArrayBuffer;
    case 'step':
      return typeof value.count === 'number';
    default:
      return false;
  }
}
