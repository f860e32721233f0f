type Schedule = (callback: () => void) => void;

/** Node's `setImmediate`, read off the global object: core is typed without Node's globals. */
const immediate: unknown = Reflect.get(globalThis, 'setImmediate');

/**
 * Hands the thread back between batches and training steps, so predictions, I/O and abort
 * signals are served meanwhile. `setImmediate` where there is one (Node): `setTimeout(0)` waits
 * at least a millisecond there, which adds up over a retrain's yields.
 */
export const nextTask = (): Promise<void> =>
  new Promise((resolve) => {
    if (typeof immediate === 'function') (immediate as Schedule)(resolve);
    else setTimeout(resolve, 0);
  });
