import type {
  BackendPreference,
  RetrainerOptions,
  RetrainMetrics,
  RetrainMode,
  RetrainProgress,
} from '@crazy-digits/core';
import type { RetrainRequest, RetrainResult, WireError } from '@crazy-digits/core/store-kit';
import type * as tf from '@tensorflow/tfjs';

/**
 * What the retrain worker is started with (its `workerData`): core's retrainer options, all
 * plain data (datasets on shared memory), and the backend to select.
 */
export interface RetrainWorkerData extends RetrainerOptions {
  backend: BackendPreference;
  lowPriority: boolean;
}

/**
 * The base model of a run: its artifacts, or `key` alone when the worker still holds the
 * artifacts sent under that key (a recogniser retrains from the same served model until a
 * candidate is accepted, so they are sent once and the worker's cached evaluation of them stays valid).
 */
export type BaseModel = { key: number; artifacts: tf.io.ModelArtifacts } | { key: number; artifacts?: never };

/** Main thread → worker. */
export type RetrainCommand =
  | {
      type: 'retrain';
      id: number;
      base: BaseModel;
      /** The corrections packed: 784 floats per image, one label each. */
      images: Float32Array;
      labels: Uint8Array;
      mode: RetrainMode;
      /** The request's `baseOnRehearsal` and `baseEvaluation`, when the caller knows them. */
      baseOnRehearsal?: RetrainRequest['baseOnRehearsal'];
      baseEvaluation?: RetrainRequest['baseEvaluation'];
    }
  | { type: 'abort'; id: number };

/** An error as it crosses the thread boundary; the main thread re-creates it. */
/** Worker → main thread. */
export type RetrainReply =
  | { type: 'progress'; id: number; progress: RetrainProgress }
  | {
      type: 'result';
      id: number;
      accepted: boolean;
      reason?: string;
      artifacts: tf.io.ModelArtifacts;
      metrics: RetrainMetrics;
      featureMean?: number[];
      rehearsal?: RetrainResult['rehearsal'];
    }
  | { type: 'error'; id: number; error: WireError };

/** The `ArrayBuffer`s behind model artifacts' weights, to transfer rather than copy. */
export function weightBuffers(artifacts: tf.io.ModelArtifacts): ArrayBuffer[] {
  const data = artifacts.weightData;
  if (data === undefined) return [];
  return Array.isArray(data) ? [...data] : [data];
}
