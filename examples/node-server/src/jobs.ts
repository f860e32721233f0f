import { randomUUID } from 'node:crypto';
import { isCrazyDigitsError, type RetrainMetrics, type RetrainProgress } from '@crazy-digits/core';
import type { PostgresRetrainLock } from '@crazy-digits/postgres-adapter';
import type { FastifyBaseLogger } from 'fastify';
import { libraryErrorAnswer } from './errors.js';
import type { Scopes } from './scopes.js';

export type JobState = 'queued' | 'running' | 'succeeded' | 'failed';

/** A retrain job as `GET /api/retrain/:id` shows it. */
export interface RetrainJob {
  id: string;
  userId?: string;
  state: JobState;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  progress?: RetrainProgress;
  /** The validation gate's verdict, once the run is done. */
  verdict?: { accepted: boolean; reason?: string };
  /** The version served after the run. */
  version?: string;
  corrections?: number;
  metrics?: RetrainMetrics;
  error?: { code: string; message: string };
  /**
   * With several instances on one database: another instance's run, finished after this job was
   * asked for, already covered it; this one did not train again and `version` is that run's.
   */
  coveredElsewhere?: boolean;
}

/** Options for {@link createRetrainQueue}. */
export interface RetrainQueueOptions {
  /** Finished jobs remembered for polling. Default 200. */
  keep?: number;
  /** With several instances on one database: the cluster's retrain lock, one run per scope at a time. */
  lock?: PostgresRetrainLock;
}

export interface RetrainQueue {
  /** Queues a retrain of `userId`'s scope (the global one when `undefined`). */
  submit(userId: string | undefined): RetrainJob;
  get(id: string): RetrainJob | undefined;
  /**
   * Runs `work` on the scope of `userId` with no retrain of that scope running: its queued and
   * running retrains are cancelled first (they fail with `CANCELLED`), and a retrain submitted
   * meanwhile waits for `work`. Rollback and reset go through here, so a retrain finishing
   * later can never undo them; with a cluster `lock`, no other instance's retrain of the scope
   * overlaps them either.
   */
  exclusive<T>(userId: string | undefined, work: () => Promise<T>): Promise<T>;
  /** Jobs waiting or running. */
  readonly pending: number;
  /** Cancels the running job, fails the queued ones and waits for the queue to settle. */
  close(): Promise<void>;
}

/**
 * Retrains one at a time, in order of submission: every scope shares one worker thread, and a
 * server with two cores keeps the other for predictions. Finished jobs are remembered (the most
 * recent `keep`) so clients can poll them.
 */
export function createRetrainQueue(
  scopes: Scopes,
  log: FastifyBaseLogger,
  { keep = 200, lock }: RetrainQueueOptions = {},
): RetrainQueue {
  const askedAt = new Map<RetrainJob, Promise<number>>();
  const jobs = new Map<string, RetrainJob>();
  const cancels = new Map<RetrainJob, AbortController>();
  const lifetime = new AbortController();
  let tail: Promise<void> = Promise.resolve();
  let pending = 0;
  /** Per scope, the end of the work that must not overlap: a retrain, a rollback, a reset. */
  const scopeTails = new Map<string, Promise<unknown>>();
  const scopeKey = (userId: string | undefined) => userId ?? '';
  /** The scope's name on the cluster's retrain lock. */
  const scopeName = (userId: string | undefined) => (userId === undefined ? 'global' : `user:${userId}`);

  function inScope<T>(userId: string | undefined, work: () => Promise<T>): Promise<T> {
    const key = scopeKey(userId);
    const result = (scopeTails.get(key) ?? Promise.resolve()).then(work);
    const settled = result.catch(() => {});
    scopeTails.set(key, settled);
    void settled.then(() => {
      if (scopeTails.get(key) === settled) scopeTails.delete(key);
    });
    return result;
  }

  function forgetOld() {
    for (const [id, job] of jobs) {
      if (jobs.size <= keep) return;
      if (job.state === 'succeeded' || job.state === 'failed') jobs.delete(id);
    }
  }

  /** What a client may read of a failure: a code, and a message that names no file. */
  function failureOf(
    job: RetrainJob,
    signal: AbortSignal,
    error: unknown,
  ): { code: string; message: string } {
    if (lifetime.signal.aborted)
      return { code: 'SHUTTING_DOWN', message: 'the server shut down before the retrain finished' };
    if (signal.aborted)
      return { code: 'CANCELLED', message: 'a rollback or reset of this scope cancelled it' };
    if (isCrazyDigitsError(error)) {
      log.info({ job: job.id, err: error }, 'retrain failed');
      return { code: error.code, message: libraryErrorAnswer(error.code)?.message ?? 'the retrain failed' };
    }
    log.error({ err: error, job: job.id }, 'retrain failed');
    return { code: 'INTERNAL', message: 'the retrain failed' };
  }

  async function run(job: RetrainJob, cancel: AbortController) {
    const signal = AbortSignal.any([lifetime.signal, cancel.signal]);
    try {
      await inScope(job.userId, async () => {
        signal.throwIfAborted();
        const retrain = (runSignal: AbortSignal) => {
          // Running from the moment it trains: with a cluster lock, a job waiting for another
          // instance's run or rollback is still queued, and one asked before a rollback that took
          // the lock first trains after it, on the version the rollback chose.
          job.state = 'running';
          job.startedAt = Date.now();
          log.info({ job: job.id, userId: job.userId }, 'retrain started');
          return scopes.use(job.userId, (scope) =>
            scope.recognizer.retrain({
              signal: runSignal,
              onProgress: (progress) => {
                job.progress = progress;
              },
            }),
          );
        };
        let outcome: Awaited<ReturnType<typeof retrain>>;
        if (lock) {
          // One run per scope across the cluster: every correction committed before the lock was
          // taken is applied here first, since later askers will count this run as theirs.
          const turn = await lock.run(
            scopeName(job.userId),
            await (askedAt.get(job) ?? lock.askedAt()),
            async ({ signal: lost }) => {
              await scopes.sync();
              return retrain(AbortSignal.any([signal, lost]));
            },
          );
          if (!turn.ran) {
            await scopes.sync();
            job.state = 'succeeded';
            job.coveredElsewhere = true;
            job.version = await scopes.use(job.userId, async (scope) => scope.modelVersion());
            log.info({ job: job.id, version: job.version }, 'retrain covered by another instance');
            return;
          }
          outcome = turn.result;
        } else {
          outcome = await retrain(signal);
        }
        job.state = 'succeeded';
        job.verdict = { accepted: outcome.accepted, ...(outcome.reason ? { reason: outcome.reason } : {}) };
        job.version = outcome.version;
        job.corrections = outcome.corrections;
        job.metrics = outcome.metrics;
        log.info({ job: job.id, verdict: job.verdict, version: job.version }, 'retrain finished');
      });
    } catch (error) {
      job.state = 'failed';
      job.error = failureOf(job, signal, error);
    } finally {
      job.finishedAt = Date.now();
      cancels.delete(job);
      askedAt.delete(job);
      pending--;
    }
  }

  return {
    submit(userId) {
      const job: RetrainJob = {
        id: randomUUID(),
        ...(userId === undefined ? {} : { userId }),
        state: 'queued',
        createdAt: Date.now(),
      };
      const cancel = new AbortController();
      jobs.set(job.id, job);
      cancels.set(job, cancel);
      // What the asker could have seen: noted now, before any queueing.
      if (lock) {
        const asked = lock.askedAt();
        asked.catch(() => {});
        askedAt.set(job, asked);
      }
      pending++;
      tail = tail.then(() => run(job, cancel));
      forgetOld();
      return job;
    },
    get: (id) => jobs.get(id),
    exclusive(userId, work) {
      for (const [job, cancel] of cancels) if (job.userId === userId) cancel.abort();
      if (!lock) return inScope(userId, work);
      // Across the cluster too: no instance's retrain of the scope overlaps the work, and what
      // any instance served before it is applied here first.
      return inScope(userId, () =>
        lock.hold(scopeName(userId), async () => {
          await scopes.sync();
          return work();
        }),
      );
    },
    get pending() {
      return pending;
    },
    async close() {
      lifetime.abort();
      await tail;
    },
  };
}
