import { dropSchema, freshSchema, testDatabase } from '@crazy-digits/test-utils';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { newKey } from '../src/auth/api-keys.js';
import { openCluster } from '../src/cluster.js';
import type { RetrainJob } from '../src/jobs.js';
import { dataUrl, digitPng, finishedJob, type Headers, tempDir, testServer } from './helpers.js';

const database = await testDatabase();
if (database.skipReason) console.warn(`[node-server cluster] skipping: ${database.skipReason}`);
const databaseUrl = database.connectionString ?? '';

describe.skipIf(database.skipReason !== undefined)('two instances on one PostgreSQL database', () => {
  const schema = freshSchema('server');
  let a: FastifyInstance;
  let b: FastifyInstance;
  let admin: Headers;
  const dirs: Array<{ remove(): Promise<void> }> = [];

  beforeAll(async () => {
    const options = { databaseUrl, databaseSchema: schema, anonymousPredict: false };
    const dirA = await tempDir();
    const dirB = await tempDir();
    dirs.push(dirA, dirB);
    [a, b] = await Promise.all([testServer(dirA.path, options), testServer(dirB.path, options)]);
    // A key made once, in the database, is known to both.
    const cluster = await openCluster(databaseUrl, schema);
    const { key, record } = newKey('ops', 'admin');
    await cluster.keys.add(record);
    await cluster.close();
    admin = { authorization: `Bearer ${key}` };
  }, 120_000);

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await Promise.all(dirs.map((dir) => dir.remove()));
    await dropSchema(databaseUrl, schema);
  });

  const predict = async (app: FastifyInstance, index: number) => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/predict?scope=global',
      headers: admin,
      payload: { image: dataUrl(digitPng(index)) },
    });
    expect(response.statusCode).toBe(200);
    return response.json<{ digit: number; modelVersion: string }>();
  };

  it('knows API keys kept in the database on every instance', async () => {
    await vi.waitFor(async () => expect((await predict(a, 0)).digit).toBeTypeOf('number'), { timeout: 5000 });
    await vi.waitFor(async () => expect((await predict(b, 0)).digit).toBeTypeOf('number'), { timeout: 5000 });
  });

  it("changes B's answer for a drawing corrected through A", async () => {
    const before = (await predict(b, 7)).digit;
    const label = (before + 3) % 10;
    const response = await a.inject({
      method: 'POST',
      url: '/api/corrections?scope=global',
      headers: admin,
      payload: { image: dataUrl(digitPng(7)), label },
    });
    expect(response.statusCode).toBe(201);
    await vi.waitFor(async () => expect((await predict(b, 7)).digit).toBe(label), { timeout: 5000 });
    const listed = await b.inject({ method: 'GET', url: '/api/corrections?scope=global', headers: admin });
    expect(listed.json<{ items: Array<{ id: string }> }>().items.map((item) => item.id)).toEqual([
      response.json<{ id: string }>().id,
    ]);
  });

  it('runs a retrain asked of both instances once, and both then serve its version', async () => {
    const ask = async (app: FastifyInstance) => {
      const response = await app.inject({
        method: 'POST',
        url: '/api/retrain?scope=global',
        headers: { ...admin, 'content-type': 'application/json' },
      });
      expect(response.statusCode).toBe(202);
      return response.json<{ jobId: string }>().jobId;
    };
    const [jobA, jobB] = await Promise.all([ask(a), ask(b)]);
    const jobs: RetrainJob[] = await Promise.all([
      finishedJob(a, jobA, admin, '?scope=global'),
      finishedJob(b, jobB, admin, '?scope=global'),
    ]);
    expect(jobs.map((job) => job.state)).toEqual(['succeeded', 'succeeded']);
    const ran = jobs.filter((job) => !job.coveredElsewhere);
    expect(ran).toHaveLength(1);
    expect(ran[0]?.verdict?.accepted).toBe(true);
    const version = ran[0]?.version;
    expect(jobs.map((job) => job.version)).toEqual([version, version]);
    await vi.waitFor(async () => {
      expect((await predict(a, 1)).modelVersion).toBe(version);
      expect((await predict(b, 1)).modelVersion).toBe(version);
    });
    // The version served before the retrain, and the retrain's: one run saved one new version.
    const model = await a.inject({ method: 'GET', url: '/api/model?scope=global', headers: admin });
    expect(model.json<{ history: unknown[] }>().history).toHaveLength(2);
  }, 120_000);

  it("lets no instance's retrain overlap a rollback through another", async () => {
    const corrected = await a.inject({
      method: 'POST',
      url: '/api/corrections?scope=global',
      headers: admin,
      payload: { image: dataUrl(digitPng(11)), label: ((await predict(a, 11)).digit + 5) % 10 },
    });
    expect(corrected.statusCode).toBe(201);
    const asked = await a.inject({
      method: 'POST',
      url: '/api/retrain?scope=global',
      headers: { ...admin, 'content-type': 'application/json' },
    });
    const jobId = asked.json<{ jobId: string }>().jobId;
    await vi.waitFor(
      async () => {
        const job = await a.inject({
          method: 'GET',
          url: `/api/retrain/${jobId}?scope=global`,
          headers: admin,
        });
        expect(job.json<RetrainJob>().state).not.toBe('queued');
      },
      { timeout: 30_000, interval: 20 },
    );
    // Asked of B while A retrains: it waits for A's run to end, then rolls back from its version.
    const rolledBack = await b.inject({
      method: 'POST',
      url: '/api/model/rollback?scope=global',
      headers: { ...admin, 'content-type': 'application/json' },
      payload: {},
    });
    expect(rolledBack.statusCode).toBe(200);
    const job = await finishedJob(a, jobId, admin, '?scope=global');
    expect(job.state).toBe('succeeded');
    const { version } = rolledBack.json<{ version: string }>();
    expect(version).not.toBe(job.version);
    // Nothing undoes the rollback afterwards: both instances serve the version it chose (A once
    // it has loaded that version, which on a busy machine takes more than a second).
    await vi.waitFor(
      async () => {
        expect((await predict(a, 1)).modelVersion).toBe(version);
        expect((await predict(b, 1)).modelVersion).toBe(version);
      },
      { timeout: 15_000, interval: 100 },
    );
  }, 120_000);
});
