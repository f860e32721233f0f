import type { RetrainCallOptions, RetrainOutcome, RetrainPolicy } from './types.js';

/** Chosen so that a burst of corrections is consolidated once, after the user pauses. */
const DEFAULT_DEBOUNCE_MS = 2000;

/**
 * Runs retrains one after another, and under an automatic policy starts one in the background
 * once enough corrections have settled (no new one for the debounce time).
 */
export function createRetrainQueue(
  policy: RetrainPolicy,
  run: (call: RetrainCallOptions) => Promise<RetrainOutcome>,
  isDisposed: () => boolean,
) {
  let queue: Promise<unknown> = Promise.resolve();
  let running = 0;
  let sinceRetrain = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  function retrain(call: RetrainCallOptions = {}): Promise<RetrainOutcome> {
    running++;
    const result = queue
      .then(() => {
        // Corrections counted from here on are the next run's.
        sinceRetrain = 0;
        return run(call);
      })
      .finally(() => {
        running--;
      });
    queue = result.catch(() => undefined).then(scheduleIfDue);
    return result;
  }

  function scheduleIfDue() {
    if (policy === 'manual' || isDisposed() || running > 0 || sinceRetrain < policy.afterCorrections) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      // Failures are reported as 'retrain-failed' events; nobody awaits a background run.
      retrain().catch(() => undefined);
    }, policy.debounceMs ?? DEFAULT_DEBOUNCE_MS);
  }

  return {
    retrain,
    get running() {
      return running > 0;
    },
    /** Counts a correction made here, and retrains when the policy says so. */
    corrected() {
      sinceRetrain++;
      scheduleIfDue();
    },
    /** Counts corrections made elsewhere: the next retrain here, whenever it runs, is due sooner. */
    counted(count: number) {
      sinceRetrain += count;
    },
    dispose() {
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}
