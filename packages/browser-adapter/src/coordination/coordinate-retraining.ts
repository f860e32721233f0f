import type { Recognizer, RecognizerEvents, RetrainCallOptions, RetrainOutcome } from '@crazy-digits/core';

/** Options for {@link coordinateRetraining}. */
export interface RetrainCoordinationOptions {
  /**
   * Tabs coordinating under the same name share one lock and one channel: use the name of the
   * IndexedDB stores the recogniser's model store lives in (one coordination per store).
   */
  name: string;
  /**
   * Called when following another tab's version fails (the store could not be read, the version
   * was pruned meanwhile…); this tab keeps serving what it served. Default: `console.warn`.
   */
  onError?: (error: unknown) => void;
}

/** Cross-tab coordination of one recogniser's retraining; made by {@link coordinateRetraining}. */
export interface RetrainCoordinator {
  /**
   * `recognizer.retrain(options)`, one at a time across the tabs sharing `name`: waits for the
   * lock (an aborted `signal` stops the wait), then first serves the model store's current version
   * if another tab changed it, so the run starts from the newest weights rather than overwriting
   * them, then retrains. Where Web Locks are missing it only does the catch-up and the retrain.
   */
  retrain(options?: RetrainCallOptions): Promise<RetrainOutcome>;
  /** True when the Web Locks API is there, so runs are exclusive across tabs. */
  readonly locking: boolean;
  /** True when `BroadcastChannel` is there, so served versions are announced to other tabs. */
  readonly broadcasting: boolean;
  /** Stops announcing and following versions. `retrain` keeps taking the lock. Safe to call twice. */
  close(): void;
}

/** What one tab tells the others: it now serves `version` (read the store for the truth). */
interface VersionAnnouncement {
  type: 'crazy-digits:model-change';
  version: string;
  cause: RecognizerEvents['model-change']['cause'];
}

const isAnnouncement = (data: unknown): data is VersionAnnouncement =>
  typeof data === 'object' &&
  data !== null &&
  Reflect.get(data, 'type') === 'crazy-digits:model-change' &&
  typeof Reflect.get(data, 'version') === 'string';

/**
 * Keeps the tabs of an origin that share a model store in step. Retraining through the returned
 * coordinator runs one tab at a time (a Web Lock named after `name`), and whenever this tab's
 * recogniser serves a new version (a retrain, a rollback, a reset) the others hear of it on a
 * `BroadcastChannel` and serve the store's current version too (with `recognizer.rollback`).
 *
 * Where Web Locks or `BroadcastChannel` are missing (old browsers, some embedded web views), that
 * part is a no-op: runs are not exclusive across tabs, or other tabs keep their version until
 * their next coordinated retrain or reload. `locking` and `broadcasting` say which is the case.
 *
 * Retrains the recogniser starts by itself (its `retrain` policy) do not pass through the lock:
 * use `retrain: 'manual'` and call `coordinator.retrain()`.
 *
 * @example
 * ```ts
 * const modelStore = await createIndexedDBModelStore({ name: 'my-digits' });
 * const recognizer = await createRecognizer({ modelStore, retrainer: createWorkerRetrainer() });
 * const coordinator = coordinateRetraining(recognizer, { name: 'my-digits' });
 * retrainButton.onclick = () => coordinator.retrain();
 * ```
 */
export function coordinateRetraining(
  recognizer: Recognizer,
  options: RetrainCoordinationOptions,
): RetrainCoordinator {
  const locks: LockManager | undefined = typeof navigator === 'undefined' ? undefined : navigator.locks;
  const channel =
    typeof BroadcastChannel === 'function'
      ? new BroadcastChannel(`crazy-digits:model:${options.name}`)
      : undefined;
  const lockName = `crazy-digits:retrain:${options.name}`;
  const onError = options.onError ?? ((error: unknown) => console.warn(error));
  /** The version being served because another tab announced it: not announced again. */
  let following: string | undefined;
  /** Catch-ups run one after another. */
  let catchingUp: Promise<unknown> = Promise.resolve();
  let closed = false;

  /** Serves the store's current version when it is not the one served. */
  async function catchUp() {
    const current = await recognizer.modelStore.current();
    if (!current || current.version === recognizer.modelVersion) return;
    following = current.version;
    try {
      await recognizer.rollback(current.version);
    } finally {
      following = undefined;
    }
  }

  function queueCatchUp(): Promise<void> {
    const done = catchingUp.then(catchUp);
    catchingUp = done.catch(() => undefined);
    return done;
  }

  const unsubscribe = recognizer.on('model-change', ({ version, cause }) => {
    if (version === following || closed) return;
    const announcement: VersionAnnouncement = { type: 'crazy-digits:model-change', version, cause };
    channel?.postMessage(announcement);
  });
  if (channel) {
    channel.onmessage = (event: MessageEvent) => {
      if (!closed && isAnnouncement(event.data)) queueCatchUp().catch(onError);
    };
  }

  async function retrainNow(call: RetrainCallOptions) {
    await queueCatchUp();
    return recognizer.retrain(call);
  }

  return {
    locking: locks !== undefined,
    broadcasting: channel !== undefined,
    async retrain(call = {}) {
      if (!locks) return retrainNow(call);
      return locks.request(lockName, call.signal ? { signal: call.signal } : {}, () => retrainNow(call));
    },
    close() {
      if (closed) return;
      closed = true;
      unsubscribe();
      channel?.close();
    },
  };
}
