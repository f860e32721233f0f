import { randomUUID } from 'node:crypto';
import { isCrazyDigitsError, type RetrainMetrics, type RetrainProgress } from '@crazy-digits/core';
import type { FastifyBaseLogger } from 'fastify';
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
}

export interface RetrainQueue {
  /** Queues a retrain of `userId`'s scope (the global one when `undefined`). */
  submit(userId: string | undefined): RetrainJob;
  get(id: string): RetrainJob | undefined;
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
export function createRetrainQueue(scopes: Scopes, log: FastifyBaseLogger, keep = 200): RetrainQueue {
  const jobs = new Map<string, RetrainJob>();
  const lifetime = new AbortController();
  let tail: Promise<void> = Promise.resolve();
  let pending = 0;

  function forgetOld() {
    for (const [id, job] of jobs) {
      if (jobs.size <= keep) return;
      if (job.state === 'succeeded' || job.state === 'failed') jobs.delete(id);
    }
  }

  async function run(job: RetrainJob) {
    try {
      lifetime.signal.throwIfAborted();
      job.state = 'running';
      job.startedAt = Date.now();
      log.info({ job: job.id, userId: job.userId }, 'retrain started');
      const outcome = await scopes.use(job.userId, (scope) =>
        scope.recognizer.retrain({
          signal: lifetime.signal,
          onProgress: (progress) => {
            job.progress = progress;
          },
        }),
      );
      job.state = 'succeeded';
      job.verdict = { accepted: outcome.accepted, ...(outcome.reason ? { reason: outcome.reason } : {}) };
      job.version = outcome.version;
      job.corrections = outcome.corrections;
      job.metrics = outcome.metrics;
      log.info({ job: job.id, verdict: job.verdict, version: job.version }, 'retrain finished');
    } catch (error) {
      job.state = 'failed';
      job.error = lifetime.signal.aborted
        ? { code: 'SHUTTING_DOWN', message: 'the server shut down before the retrain finished' }
        : isCrazyDigitsError(error)
          ? { code: error.code, message: error.message }
          : { code: 'INTERNAL', message: 'the retrain failed' };
      if (!isCrazyDigitsError(error)) log.error({ err: error, job: job.id }, 'retrain failed');
      else log.info({ job: job.id, error: job.error }, 'retrain failed');
    } finally {
      job.finishedAt = Date.now();
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
      jobs.set(job.id, job);
      pending++;
      tail = tail.then(() => run(job));
      forgetOld();
      return job;
    },
    get: (id) => jobs.get(id),
    get pending() {
      return pending;
    },
    async close() {
      lifetime.abort();
      await tail;
    },
  };
}
