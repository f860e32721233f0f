import { StoreClosedError } from './errors.js';
import type { Correction, NewCorrection } from './types.js';
import { prepareCorrection } from './validate.js';

/** An add waiting to be written with others: one sync or one transaction acknowledges them all. */
export interface PendingAdd {
  /** Checked, with its id and timestamp, as `prepareCorrection` returns it. */
  correction: Correction;
  /** Settles the caller's `add` with the stored id. */
  resolve: (id: string) => void;
  /** Settles the caller's `add` with why it was not stored. */
  reject: (error: unknown) => void;
}

/** What {@link queueAdd} needs from the store. */
export interface QueueAddOptions {
  /** True once the store is closed: the add is then refused. */
  closed: boolean;
  /** Queues the add for the store's next batch. */
  enqueue: (add: PendingAdd) => void;
}

/**
 * `add` for a store that writes adds in batches. A closed store or an invalid correction rejects
 * at once (it never throws) and nothing is queued; otherwise the prepared correction is queued
 * and the returned promise settles when its batch is written or refused.
 */
export function queueAdd(input: NewCorrection, options: QueueAddOptions): Promise<string> {
  if (options.closed) return Promise.reject(new StoreClosedError());
  let correction: Correction;
  try {
    correction = prepareCorrection(input);
  } catch (error) {
    return Promise.reject(error);
  }
  return new Promise<string>((resolve, reject) => options.enqueue({ correction, resolve, reject }));
}
