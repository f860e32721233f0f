import { useEffect, useRef, useState } from 'react';
import {
  LOADING,
  leaseRecognizer,
  type RecognizerLease,
  type RecognizerSource,
  type RecognizerState,
} from './recognizer-lease.js';

/** A lease whose owner unmounted; disposed unless the same component mounts again first. */
interface ReleasingLease {
  lease: RecognizerLease;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * Loads a recogniser when the component mounts and disposes it when the component unmounts.
 *
 * `source` is core's `createRecognizer` options, or a function that creates the recogniser (for
 * stores that open asynchronously, such as IndexedDB). It is read once, at the first mount, like
 * `useState`'s initial value: later values are ignored. To load another model, give the component
 * a new `key`. The hook disposes the recogniser; stores stay open, as with `dispose()`.
 *
 * Under `StrictMode`, React unmounts and mounts a component again at once in development; the
 * recogniser of the first mount is kept for the second, so the model loads once.
 *
 * @example
 * ```tsx
 * const { recognizer, status } = useRecognizer();
 * if (status === 'ready') recognizer?.predict(image).then(show);
 * ```
 */
export function useRecognizer(source: RecognizerSource = {}): RecognizerState {
  const firstSource = useRef(source);
  const owned = useRef<ReleasingLease | undefined>(undefined);
  const [state, setState] = useState<RecognizerState>(LOADING);

  useEffect(() => {
    const held = owned.current ?? { lease: leaseRecognizer(firstSource.current), timer: undefined };
    owned.current = held;
    // Mounted again before the disposal ran: keep the recogniser (StrictMode, a reused subtree).
    clearTimeout(held.timer);
    held.timer = undefined;
    held.lease.listener = setState;
    setState(held.lease.state);
    return () => {
      held.lease.listener = undefined;
      // Waits one task: StrictMode's second mount comes within the same commit.
      held.timer = setTimeout(() => {
        if (owned.current === held) owned.current = undefined;
        held.lease.release();
      }, 0);
    };
  }, []);

  return state;
}
