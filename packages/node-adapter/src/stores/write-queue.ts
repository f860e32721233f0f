import type { PendingAdd } from '@crazy-digits/core/store-kit';

/** What {@link createWriteQueue} needs. */
export interface WriteQueueOptions {
  /** Most adds handed to `commit` at once. */
  maxBatch: number;
  /** Writes a batch of adds and settles every one of them; never rejects. */
  commit: (batch: PendingAdd[]) => Promise<void>;
}

/** A store's operations in the order they were asked, one at a time. */
export interface WriteQueue {
  /** Queues an add; adds waiting next to each other are committed together. */
  add(add: PendingAdd): void;
  /** Runs `work` after everything queued before it, alone. */
  run<T>(work: () => Promise<T>): Promise<T>;
}

type Job = { add: PendingAdd } | { task: () => Promise<void> };

export function createWriteQueue(options: WriteQueueOptions): WriteQueue {
  const jobs: Job[] = [];
  let draining = false;

  async function drain(): Promise<void> {
    draining = true;
    for (let job = jobs.shift(); job; job = jobs.shift()) {
      if ('task' in job) {
        await job.task();
        continue;
      }
      // Every add waiting now is committed in one batch (group commit).
      const batch = [job.add];
      while (batch.length < options.maxBatch) {
        const next = jobs[0];
        if (!next || !('add' in next)) break;
        jobs.shift();
        batch.push(next.add);
      }
      await options.commit(batch);
    }
    draining = false;
  }

  function enqueue(job: Job): void {
    jobs.push(job);
    if (!draining) void drain();
  }

  return {
    add: (add) => enqueue({ add }),
    run: (work) =>
      new Promise((resolve, reject) => {
        enqueue({ task: () => work().then(resolve, reject) });
      }),
  };
}
