import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import {
  allCorrectionIds,
  dataUrl,
  digitLabel,
  digitPng,
  finishedJob,
  type Headers,
  tempDir,
  testKeys,
  testServer,
} from './helpers.js';

const post = (app: FastifyInstance, url: string, body: unknown, headers: Headers) =>
  app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', ...headers },
    payload: JSON.stringify(body),
  });

describe('a listening server', () => {
  it('answers over a real socket', { timeout: 30_000 }, async () => {
    const dir = await tempDir();
    const { ada } = await testKeys(dir.path, ['ada']);
    const app = await testServer(dir.path);
    try {
      await app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = app.server.address() as AddressInfo;
      const base = `http://127.0.0.1:${port}`;
      const call = (path: string, body?: unknown, headers: Headers = {}) =>
        fetch(`${base}${path}`, {
          method: body === undefined ? 'GET' : 'POST',
          ...(body === undefined
            ? { headers }
            : { headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }),
        });
      const prediction = await call('/api/predict', { image: dataUrl(digitPng(0)) });
      expect(prediction.status).toBe(200);
      expect((await prediction.json()).digit).toBe(digitLabel(0));
      const correction = await call('/api/corrections', { image: dataUrl(digitPng(0)), label: 1 }, ada);
      expect(correction.status).toBe(201);
      expect((await (await call('/healthz')).json()).status).toBe('ok');
      const page = await call('/');
      expect(page.headers.get('content-type')).toContain('text/html');
    } finally {
      await app.close();
      await dir.remove();
    }
  });
});

describe('a restart on the same data directory', () => {
  it('keeps the corrections and the current models, global and per user', { timeout: 90_000 }, async () => {
    const dir = await tempDir();
    const { alice, admin } = await testKeys(dir.path, ['alice', 'admin']);
    const global = '?scope=global';
    let app = await testServer(dir.path);
    try {
      const image = dataUrl(digitPng(6));
      const wrong = (digitLabel(6) + 3) % 10;
      for (const index of [7, 8, 9]) {
        const response = await post(
          app,
          `/api/corrections${global}`,
          { image: dataUrl(digitPng(index)), label: digitLabel(index) },
          admin,
        );
        expect(response.statusCode).toBe(201);
      }
      expect((await post(app, '/api/corrections', { image, label: wrong }, alice)).statusCode).toBe(201);
      const globalJob = await finishedJob(
        app,
        (await post(app, `/api/retrain${global}`, {}, admin)).json().jobId,
        admin,
        global,
      );
      const aliceJob = await finishedJob(
        app,
        (await post(app, '/api/retrain', {}, alice)).json().jobId,
        alice,
      );
      expect(globalJob.verdict?.accepted).toBe(true);
      expect(aliceJob.verdict?.accepted).toBe(true);
      const before = {
        model: (await app.inject({ method: 'GET', url: `/api/model${global}`, headers: admin })).json(),
        aliceModel: (await app.inject({ method: 'GET', url: '/api/model', headers: alice })).json(),
        ids: await allCorrectionIds(
          async (url) => (await app.inject({ method: 'GET', url, headers: admin })).json(),
          '&scope=global',
        ),
        aliceIds: await allCorrectionIds(async (url) =>
          (await app.inject({ method: 'GET', url, headers: alice })).json(),
        ),
      };
      expect(before.model.version).toBe(globalJob.version);
      expect(before.aliceModel.version).toBe(aliceJob.version);
      expect(before.aliceModel.version).not.toBe(before.model.version);
      await app.close();

      app = await testServer(dir.path);
      expect(
        (await app.inject({ method: 'GET', url: `/api/model${global}`, headers: admin })).json(),
      ).toEqual(before.model);
      expect((await app.inject({ method: 'GET', url: '/api/model', headers: alice })).json()).toEqual(
        before.aliceModel,
      );
      expect(
        await allCorrectionIds(
          async (url) => (await app.inject({ method: 'GET', url, headers: admin })).json(),
          '&scope=global',
        ),
      ).toEqual(before.ids);
      expect(
        await allCorrectionIds(async (url) =>
          (await app.inject({ method: 'GET', url, headers: alice })).json(),
        ),
      ).toEqual(before.aliceIds);
      // Alice's correction is in effect again as soon as her recogniser loads.
      const prediction = (await post(app, '/api/predict', { image }, alice)).json();
      expect(prediction).toMatchObject({ digit: wrong, modelVersion: aliceJob.version });
    } finally {
      await app.close();
      await dir.remove();
    }
  });
});
