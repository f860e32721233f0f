import { createRecognizer, type Recognizer, type RecognizerOptions } from '@crazy-digits/core';

/** Where a recogniser comes from: core's options, or a function that creates one. */
export type RecognizerSource = RecognizerOptions | (() => Promise<Recognizer>);

/** Whether the recogniser can be used yet. */
export type RecognizerStatus = 'loading' | 'ready' | 'error';

/** What {@link useRecognizer} returns. */
export interface RecognizerState {
  /** The loaded recogniser; `undefined` while loading, after an error and once unmounted. */
  recognizer: Recognizer | undefined;
  /** `'loading'` until the model is loaded, then `'ready'` or `'error'`. */
  status: RecognizerStatus;
  /** Why loading failed (a crazy-digits error has a `code`); `undefined` unless `status` is `'error'`. */
  error: unknown;
}

export const LOADING: RecognizerState = { recognizer: undefined, status: 'loading', error: undefined };

/** One recogniser, from the start of its load to its disposal. */
export interface RecognizerLease {
  /** Where the load stands. */
  readonly state: RecognizerState;
  /** Called when `state` changes; one listener at a time, `undefined` for none. */
  listener: ((state: RecognizerState) => void) | undefined;
  /** Disposes the recogniser, at once or as soon as it has loaded. Safe to call twice. */
  release(): void;
}

/** Starts loading a recogniser from `source`. */
export function leaseRecognizer(source: RecognizerSource): RecognizerLease {
  let state = LOADING;
  let released = false;
  const lease: RecognizerLease = {
    get state() {
      return state;
    },
    listener: undefined,
    release() {
      if (released) return;
      released = true;
      state.recognizer?.dispose();
      state = LOADING;
    },
  };
  const settle = (next: RecognizerState) => {
    state = next;
    lease.listener?.(next);
  };
  const load = typeof source === 'function' ? source : () => createRecognizer(source);
  // `Promise.resolve().then` turns a function that throws at once into a rejection.
  Promise.resolve()
    .then(load)
    .then(
      (recognizer) => {
        // Loaded after its owner went away: nobody will ever use it.
        if (released) recognizer.dispose();
        else settle({ recognizer, status: 'ready', error: undefined });
      },
      (error: unknown) => {
        if (!released) settle({ recognizer: undefined, status: 'error', error });
      },
    );
  return lease;
}
