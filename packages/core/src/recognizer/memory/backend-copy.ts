import * as tf from '@tensorflow/tfjs';
import type { CorrectionRows, RehearsalDigits } from './feature-rows.js';

/** What the memory holds, and which state of it (bumped by every change). */
export interface MemoryState {
  rows: CorrectionRows;
  rehearsal: RehearsalDigits;
  generation: number;
}

/**
 * The rehearsal digits' and corrections' features on the TensorFlow.js backend, so that a
 * batch's similarities to all of them are one matrix product in the backend pass that made the
 * batch, however many corrections there are.
 */
export interface BackendCopy {
  /**
   * Cosine similarities of raw features `batch` (`[n, width]`) to every rehearsal digit, then
   * every correction, of `state`: `[n, rehearsal digits + corrections]`, for the caller to dispose.
   */
  similarities(batch: tf.Tensor2D, state: MemoryState): tf.Tensor2D;
  /** Frees what it holds on the backend. */
  dispose(): void;
}

/** `[width, rehearsal digits + corrections]`, unit columns, as `state` holds them now. */
function columnsOf({ rows, rehearsal }: MemoryState): tf.Tensor2D {
  const { width, count } = rows;
  const all = new Float32Array((rehearsal.count + count) * width);
  all.set(rehearsal.features.subarray(0, rehearsal.count * width));
  all.set(rows.features.subarray(0, count * width), rehearsal.count * width);
  // Kept: the caller may be inside a `tf.tidy` of its own.
  return tf.keep(tf.tidy(() => tf.tensor2d(all, [rehearsal.count + count, width]).transpose<tf.Tensor2D>()));
}

/**
 * The backend copy of a memory whose features are centred on `featureMean` (a batch is centred the
 * same way before it is compared). It is made again whole on the first use after a change rather
 * than patched: a change then costs one upload, and every prediction until the next change
 * reuses it.
 */
export function createBackendCopy(featureMean: ArrayLike<number> | undefined): BackendCopy {
  let matrix: { values: tf.Tensor2D; generation: number } | undefined;
  let meanTensor: tf.Tensor1D | undefined;
  const current = (state: MemoryState) => {
    if (matrix?.generation === state.generation) return matrix.values;
    matrix?.values.dispose();
    matrix = { values: columnsOf(state), generation: state.generation };
    return matrix.values;
  };
  return {
    similarities(batch, state) {
      const columns = current(state);
      if (featureMean && !meanTensor) meanTensor = tf.keep(tf.tensor1d(Float32Array.from(featureMean)));
      const meanValues = meanTensor;
      return tf.tidy(() => {
        const centred = meanValues ? batch.sub(meanValues) : batch;
        // Unit rows; an all-zero row stays zero, as `centredUnit` leaves it.
        const norms = centred.square().sum(1, true).sqrt().maximum(1e-30);
        return centred.div(norms).matMul(columns) as tf.Tensor2D;
      });
    },
    dispose() {
      matrix?.values.dispose();
      matrix = undefined;
      meanTensor?.dispose();
      meanTensor = undefined;
    },
  };
}
