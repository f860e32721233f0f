import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { RetrainJob } from '../src/jobs.js';
import {
  dataUrl,
  digitLabel,
  digitPng,
  finishedJob,
  type Headers,
  quickRetrain,
  tempDir,
  testKeys,
  testServer,
} from './helpers.js';

const global = '?scope=global';

describe('rollback and reset against a running retrain', () => {
  it('keeps what they chose: served and stored as current agree after the retrain ends', {
    timeout: 180_000,
  }, async () => {
    const dir = await tempDir();
    const { admin } = await testKeys(dir.path, ['admin']);
    // Long enough a retrain that the rollback usually lands while it runs.
    const slow = { ...quickRetrain, maxSteps: 30 };
    let app = await testServer(dir.path, { retrainer: slow });
    const post = (server: FastifyInstance, url: string, headers: Headers, body: unknown = {}) =>
      server.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json', ...headers },
        payload: JSON.stringify(body),
      });
    const served = async (server: FastifyInstance) =>
      (await server.inject({ method: 'GET', url: `/api/model${global}`, headers: admin })).json().version;
    const runningJob = async (server: FastifyInstance): Promise<string> => {
      const { jobId } = (await post(server, `/api/retrain${global}`, admin)).json();
      for (;;) {
        const job: RetrainJob = (
          await server.inject({ method: 'GET', url: `/api/retrain/${jobId}${global}`, headers: admin })
        ).json();
        if (job.state !== 'queued') return jobId;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    try {
      for (const index of [1, 2, 3]) {
        const image = dataUrl(digitPng(index));
        expect(
          (await post(app, `/api/corrections${global}`, admin, { image, label: digitLabel(index) }))
            .statusCode,
        ).toBe(201);
      }
      const first = await finishedJob(app, await runningJob(app), admin, global);
      expect(first.verdict?.accepted).toBe(true);

      for (const [i, action] of (['rollback', 'reset'] as const).entries()) {
        // One more correction each time: a retrain with nothing new would not run.
        const image = dataUrl(digitPng(4 + i));
        expect(
          (await post(app, `/api/corrections${global}`, admin, { image, label: digitLabel(4 + i) }))
            .statusCode,
        ).toBe(201);
        const jobId = await runningJob(app);
        const answer = await post(app, `/api/model/${action}${global}`, admin);
        expect(answer.statusCode, action).toBe(200);
        const chosen = answer.json().version;
        const job = await finishedJob(app, jobId, admin, global);
        // Cancelled, or it had finished before the rollback ran (which then undid it).
        if (job.state === 'failed') expect(job.error?.code).toBe('CANCELLED');
        else expect(job.state).toBe('succeeded');
        expect(await served(app), action).toBe(chosen);
        await app.close();
        app = await testServer(dir.path, { retrainer: slow });
        expect(await served(app), `${action} after a restart`).toBe(chosen);
      }
    } finally {
      await app.close();
      await dir.remove();
    }
  });
});
