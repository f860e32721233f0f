import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  allCorrectionIds,
  blankPng,
  dataUrl,
  digitLabel,
  digitPng,
  finishedJob,
  type Headers,
  numberPng,
  pngHeaderOnly,
  tempDir,
  testKeys,
  testServer,
} from './helpers.js';

const json = (body: unknown) => ({
  headers: { 'content-type': 'application/json' },
  payload: JSON.stringify(body),
});

describe('the HTTP API (inject)', () => {
  let app: FastifyInstance;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let keys: Record<'admin' | 'alice' | 'bob' | 'carol' | 'dora' | 'ned', Headers>;

  beforeAll(async () => {
    dir = await tempDir();
    keys = await testKeys(dir.path, ['admin', 'alice', 'bob', 'carol', 'dora', 'ned']);
    app = await testServer(dir.path, { bodyLimit: 256 * 1024 });
  });

  afterAll(async () => {
    await app.close();
    await dir.remove();
  });

  const post = (url: string, body: unknown, headers: Headers = {}) =>
    app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json', ...headers },
      payload: JSON.stringify(body),
    });
  const errorCode = (response: { json(): unknown }) =>
    (response.json() as { error: { code: string } }).error.code;

  it('serves the drawing page, the OpenAPI document and the health check', async () => {
    const page = await app.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('<canvas');
    const openapi = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(openapi.statusCode).toBe(200);
    expect(Object.keys(openapi.json().paths)).toEqual(
      expect.arrayContaining([
        '/api/predict',
        '/api/corrections',
        '/api/corrections/{id}',
        '/api/read-number',
        '/api/number-corrections',
        '/api/retrain',
        '/api/retrain/{id}',
        '/api/model',
        '/api/model/rollback',
        '/api/model/reset',
        '/healthz',
      ]),
    );
    const ui = await app.inject({ method: 'GET', url: '/docs/' });
    expect(ui.statusCode).toBe(200);
    const health = await app.inject({ method: 'GET', url: '/healthz' });
    expect(health.json()).toMatchObject({ status: 'ok', backend: 'wasm' });
  });

  it('predicts a data URL and bare base64', async () => {
    for (const image of [dataUrl(digitPng(0)), digitPng(0).toString('base64')]) {
      const response = await post('/api/predict', { image });
      expect(response.statusCode).toBe(200);
      const prediction = response.json();
      expect(prediction.digit).toBe(digitLabel(0));
      expect(prediction.probabilities).toHaveLength(10);
      expect(typeof prediction.confidence).toBe('number');
      expect(typeof prediction.uncertain).toBe('boolean');
      expect(typeof prediction.modelVersion).toBe('string');
    }
  });

  it('answers malformed images with 400 and the library error code', async () => {
    const cases: [unknown, string][] = [
      [{ image: 'data:image/png;base64,@@not base64@@' }, 'INVALID_DATA_URL'],
      [{ image: 'R0lGODlhAQABAAAAACw=' }, 'INVALID_DATA_URL'],
      [
        { image: `data:image/png;base64,${Buffer.from('GIF89a\x01\x00\x01\x00').toString('base64')}` },
        'UNSUPPORTED_IMAGE_FORMAT',
      ],
      [{ image: dataUrl(pngHeaderOnly(65_535, 65_535)) }, 'IMAGE_TOO_LARGE'],
      [{ image: dataUrl(pngHeaderOnly(5000, 10)) }, 'IMAGE_TOO_LARGE'],
      [{ image: dataUrl(blankPng()) }, 'EMPTY_IMAGE'],
      [{ image: '/etc/passwd' }, 'INVALID_DATA_URL'],
      [{ image: '' }, 'INVALID_IMAGE'],
      [{}, 'INVALID_REQUEST'],
    ];
    for (const [body, code] of cases) {
      const response = await post('/api/predict', body);
      expect(response.statusCode, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(errorCode(response)).toBe(code);
      expect(response.json().error.message).toEqual(expect.any(String));
    }
    const notJson = await app.inject({
      method: 'POST',
      url: '/api/predict',
      headers: { 'content-type': 'application/json' },
      payload: '{"image": ',
    });
    expect(notJson.statusCode).toBe(400);
    expect(errorCode(notJson)).toBe('INVALID_JSON');
  });

  it('refuses a body over the limit with 413 before parsing it', async () => {
    const response = await post('/api/predict', { image: 'A'.repeat(300 * 1024) });
    expect(response.statusCode).toBe(413);
    expect(errorCode(response)).toBe('BODY_TOO_LARGE');
  });

  it('reads a handwritten number on an 840x280 canvas, digit by digit with boxes', async () => {
    const drawn = numberPng([0, 1, 2]);
    for (const image of [dataUrl(drawn.png), drawn.png.toString('base64')]) {
      const response = await post('/api/read-number', { image });
      expect(response.statusCode).toBe(200);
      const reading = response.json();
      expect(reading.text).toBe(drawn.text);
      expect(reading.confidence).toBeGreaterThan(0.5);
      expect(reading.modelVersion).toEqual(expect.any(String));
      expect(reading.digits).toHaveLength(drawn.text.length);
      reading.digits.forEach((digit: Record<string, unknown>, i: number) => {
        // The prediction and the box; not the 28x28 image the model saw.
        expect(Object.keys(digit).sort()).toEqual([
          'box',
          'confidence',
          'digit',
          'probabilities',
          'uncertain',
        ]);
        expect(digit.digit).toBe(Number(drawn.text[i]));
        expect(digit.probabilities).toHaveLength(10);
        expect(typeof digit.uncertain).toBe('boolean');
        // Each box holds the middle of the digit drawn there.
        const box = digit.box as { x: number; y: number; width: number; height: number };
        const drawnBox = drawn.boxes[i] ?? box;
        const middle = drawnBox.x + drawnBox.width / 2;
        expect(box.x).toBeLessThan(middle);
        expect(box.x + box.width).toBeGreaterThan(middle);
        expect(box.height).toBeGreaterThan(0);
      });
    }
    for (const digits of [3, { min: 2, max: 4 }, { min: 3 }, {}]) {
      const response = await post('/api/read-number', { image: dataUrl(drawn.png), digits });
      expect(response.statusCode, JSON.stringify(digits)).toBe(200);
      expect(response.json().text).toBe(drawn.text);
    }
    // A number of digits the drawing cannot be split into: the best reading, with confidence 0.
    const forced = (await post('/api/read-number', { image: dataUrl(drawn.png), digits: 12 })).json();
    expect(forced.confidence).toBe(0);
  });

  it('refuses bad read-number bodies and images with 400 and a code', async () => {
    const image = dataUrl(numberPng([0, 1]).png);
    const cases: [unknown, string][] = [
      [{ image, digits: '4' }, 'INVALID_OPTIONS'],
      [{ image, digits: 0 }, 'INVALID_OPTIONS'],
      [{ image, digits: 33 }, 'INVALID_OPTIONS'],
      [{ image, digits: 2.5 }, 'INVALID_OPTIONS'],
      [{ image, digits: null }, 'INVALID_OPTIONS'],
      [{ image, digits: [2] }, 'INVALID_OPTIONS'],
      [{ image, digits: { min: '2' } }, 'INVALID_OPTIONS'],
      [{ image, digits: { min: 0 } }, 'INVALID_OPTIONS'],
      [{ image, digits: { exactly: 2 } }, 'INVALID_OPTIONS'],
      [{ image, digits: { min: 4, max: 3 } }, 'INVALID_OPTIONS'],
      [{ image, digits: 2, userId: 'victim' }, 'INVALID_REQUEST'],
      [{ digits: 2 }, 'INVALID_REQUEST'],
      [{ image: 12 }, 'INVALID_IMAGE'],
      [{ image: dataUrl(blankPng()) }, 'EMPTY_IMAGE'],
      [{ image: dataUrl(pngHeaderOnly(1025, 280)) }, 'IMAGE_TOO_LARGE'],
      [{ image: '/etc/passwd' }, 'INVALID_DATA_URL'],
    ];
    for (const [body, code] of cases) {
      const response = await post('/api/read-number', body);
      expect([response.statusCode, errorCode(response)], JSON.stringify(body).slice(-60)).toEqual([
        400,
        code,
      ]);
      expect(response.json().error.message).toEqual(expect.any(String));
      expect(response.json().error.message).not.toContain(dir.path);
    }
  });

  it('stores a number correction as digit corrections of the key’s user, and the number then reads so', async () => {
    const { ned, bob } = keys;
    const drawn = numberPng([0, 1, 2]);
    const image = dataUrl(drawn.png);
    const list = async (headers: Headers) =>
      (await app.inject({ method: 'GET', url: '/api/corrections', headers })).json().items as Array<{
        id: string;
        label: number;
      }>;
    expect((await post('/api/read-number', { image }, ned)).json().text).toBe(drawn.text);
    // Another number of the same length: every digit differs from the reading.
    const wanted = [...drawn.text].map((c) => String((Number(c) + 1) % 10)).join('');
    const created = await post('/api/number-corrections', { image, text: wanted, sessionId: 'n1' }, ned);
    expect(created.statusCode).toBe(201);
    const { ids } = created.json();
    expect(ids).toHaveLength(3);
    const stored = await list(ned);
    expect(stored.map((c) => c.id)).toEqual(ids);
    expect(stored.map((c) => c.label)).toEqual([...wanted].map(Number));
    expect(stored[0]).toMatchObject({ sessionId: 'n1' });
    // In effect at once for Ned, and for Ned only.
    expect((await post('/api/read-number', { image }, ned)).json().text).toBe(wanted);
    expect((await post('/api/read-number', { image }, bob)).json().text).toBe(drawn.text);
    expect((await post('/api/read-number', { image })).json().text).toBe(drawn.text);
    expect(await list(bob)).toEqual([]);
    // A number read right makes no correction.
    const again = await post('/api/number-corrections', { image, text: wanted }, ned);
    expect([again.statusCode, again.json()]).toEqual([201, { ids: [] }]);

    const mismatch = await post('/api/number-corrections', { image, text: '1234567890123' }, ned);
    expect(mismatch.statusCode).toBe(422);
    const { error } = mismatch.json();
    expect(error).toMatchObject({
      code: 'NUMBER_LENGTH_MISMATCH',
      message: expect.any(String),
      expected: 13,
    });
    expect(error.boxes.length).toBeGreaterThan(0);
    expect(error.boxes.length).not.toBe(13);
    for (const box of error.boxes) {
      expect(Object.keys(box).sort()).toEqual(['height', 'width', 'x', 'y']);
    }
    expect((await list(ned)).map((c) => c.id)).toEqual(ids);
  });

  it('refuses bad number-correction bodies with 400, storing nothing', async () => {
    const { carol } = keys;
    const before = (await app.inject({ method: 'GET', url: '/api/corrections', headers: carol })).json()
      .items;
    const image = dataUrl(numberPng([3, 4]).png);
    const cases: [unknown, string][] = [
      [{ image, text: 42 }, 'INVALID_CORRECTION'],
      [{ image, text: '12a' }, 'INVALID_CORRECTION'],
      [{ image, text: '' }, 'INVALID_CORRECTION'],
      [{ image, text: ' 12' }, 'INVALID_CORRECTION'],
      [{ image, text: '1.5' }, 'INVALID_CORRECTION'],
      [{ image, text: '-1' }, 'INVALID_CORRECTION'],
      [{ image, text: ['1', '2'] }, 'INVALID_CORRECTION'],
      [{ image, text: '1'.repeat(33) }, 'INVALID_CORRECTION'],
      [{ image, text: '12', userId: 'victim' }, 'INVALID_REQUEST'],
      [{ image, text: '12', digits: 2 }, 'INVALID_REQUEST'],
      [{ image }, 'INVALID_REQUEST'],
      [{ image: dataUrl(blankPng()), text: '12' }, 'EMPTY_IMAGE'],
    ];
    for (const [body, code] of cases) {
      const response = await post('/api/number-corrections', body, carol);
      expect([response.statusCode, errorCode(response)], JSON.stringify(body).slice(-60)).toEqual([
        400,
        code,
      ]);
    }
    const after = (await app.inject({ method: 'GET', url: '/api/corrections', headers: carol })).json().items;
    expect(after).toEqual(before);
  });

  it('stores a correction durably, lists and pages it, and it counts at once', async () => {
    const dora = keys.dora;
    const get = (url: string) => app.inject({ method: 'GET', url, headers: dora });
    const image = dataUrl(digitPng(1));
    const wrong = (digitLabel(1) + 1) % 10;
    const bad = await post('/api/corrections', { image, label: 11 }, dora);
    expect(bad.statusCode).toBe(400);
    expect(errorCode(bad)).toBe('INVALID_CORRECTION');
    const created = await post('/api/corrections', { image, label: wrong, sessionId: 's1' }, dora);
    expect(created.statusCode).toBe(201);
    const { id } = created.json();
    expect(created.headers.location).toBe(`/api/corrections/${id}`);
    expect((await post('/api/predict', { image }, dora)).json().digit).toBe(wrong);

    const second = (
      await post('/api/corrections', { image: dataUrl(digitPng(2)), label: digitLabel(2) }, dora)
    ).json().id;
    const first = await get('/api/corrections?limit=1');
    expect(first.json().items).toEqual([expect.objectContaining({ id, label: wrong, sessionId: 's1' })]);
    expect(first.json().items[0]).not.toHaveProperty('image');
    const next = await get(`/api/corrections?limit=1&cursor=${first.json().nextCursor}`);
    expect(next.json().items.map((item: { id: string }) => item.id)).toEqual([second]);
    for (const query of ['cursor=x', 'limit=0', 'limit=1001', 'limit=1.5', 'scope=everyone', 'other=1']) {
      const refused = await get(`/api/corrections?${query}`);
      expect(refused.statusCode, query).toBe(400);
    }
  });

  it('keeps each user’s corrections to that user', async () => {
    const { alice, bob, admin } = keys;
    const image = dataUrl(digitPng(3));
    const wrong = (digitLabel(3) + 1) % 10;
    const { id } = (await post('/api/corrections', { image, label: wrong }, alice)).json();
    const list = (headers: Headers, query = '') =>
      allCorrectionIds(async (url) => (await app.inject({ method: 'GET', url, headers })).json(), query);
    expect(await list(alice)).toEqual([id]);
    expect(await list(bob)).toEqual([]);
    expect(await list(admin, '&scope=global')).not.toContain(id);
    // Alice's correction is in effect for Alice only.
    expect((await post('/api/predict', { image }, alice)).json().digit).toBe(wrong);
    expect((await post('/api/predict', { image }, bob)).json().digit).toBe(digitLabel(3));
    expect((await post('/api/predict', { image })).json().digit).toBe(digitLabel(3));

    const remove = (headers: Headers, query = '') =>
      app.inject({
        method: 'DELETE',
        url: `/api/corrections/${id}${query}`,
        headers: { ...json({}).headers, ...headers },
      });
    const asBob = await remove(bob);
    expect(asBob.statusCode).toBe(404);
    expect(errorCode(asBob)).toBe('CORRECTION_NOT_FOUND');
    expect((await remove(admin, '?scope=global')).statusCode).toBe(404);
    const asAlice = await remove(alice);
    expect(asAlice.statusCode).toBe(204);
    expect(await list(alice)).toEqual([]);
    expect((await post('/api/predict', { image }, alice)).json().digit).toBe(digitLabel(3));
    expect((await remove(alice)).statusCode).toBe(404);
  });

  it('no longer trusts x-user-id: the key alone names the user', async () => {
    const image = dataUrl(digitPng(4));
    const { id } = (await post('/api/corrections', { image, label: 2 }, keys.carol)).json();
    const anonymous = await app.inject({
      method: 'GET',
      url: '/api/corrections',
      headers: { 'x-user-id': 'carol' },
    });
    expect(anonymous.statusCode).toBe(401);
    const asBob = await app.inject({
      method: 'GET',
      url: '/api/corrections',
      headers: { ...keys.bob, 'x-user-id': 'carol' },
    });
    expect(asBob.json().items.map((item: { id: string }) => item.id)).not.toContain(id);
    expect(
      (await app.inject({ method: 'DELETE', url: `/api/corrections/${id}`, ...json({}) })).statusCode,
    ).toBe(401);
  });

  it('retrains in the background, reports the verdict, versions and rolls back', {
    timeout: 90_000,
  }, async () => {
    const admin = keys.admin;
    const globalModel = async () =>
      (await app.inject({ method: 'GET', url: '/api/model?scope=global', headers: admin })).json();
    const before = await globalModel();
    expect(before.heldOutAccuracy).toBeNull();
    for (const index of [6, 7]) {
      const image = dataUrl(digitPng(index));
      const global = await post('/api/corrections?scope=global', { image, label: digitLabel(index) }, admin);
      expect(global.statusCode).toBe(201);
    }
    const started = await post('/api/retrain?scope=global', {}, admin);
    expect(started.statusCode).toBe(202);
    const { jobId } = started.json();
    expect(started.headers.location).toBe(`/api/retrain/${jobId}`);
    // Predictions are answered while the job is queued or running.
    expect((await post('/api/predict', { image: dataUrl(digitPng(4)) })).statusCode).toBe(200);
    const job = await finishedJob(app, jobId, admin, '?scope=global');
    expect(job).toMatchObject({ state: 'succeeded', verdict: { accepted: true } });
    expect(job.metrics?.steps).toBe(2);
    expect(job.progress?.fraction).toBe(1);

    const model = await globalModel();
    expect(model.version).toBe(job.version);
    expect(model.heldOutAccuracy).toEqual(expect.any(Number));
    expect(model.history.map((v: { version: string }) => v.version)).toContain(job.version);
    expect(model.history.length).toBe(2);

    const unknown = await post('/api/model/rollback?scope=global', { version: 'no-such-version' }, admin);
    expect(unknown.statusCode).toBe(404);
    expect(errorCode(unknown)).toBe('MODEL_VERSION_NOT_FOUND');
    const rolledBack = await app.inject({
      method: 'POST',
      url: '/api/model/rollback?scope=global',
      headers: { 'content-type': 'application/json', ...admin },
    });
    expect(rolledBack.statusCode).toBe(200);
    expect(rolledBack.json().version).toBe(model.history[0].version);
    expect((await globalModel()).version).toBe(model.history[0].version);
    const none = await post('/api/model/rollback?scope=global', {}, admin);
    expect(none.statusCode).toBe(409);
    expect(errorCode(none)).toBe('NO_EARLIER_VERSION');
    const forward = await post('/api/model/rollback?scope=global', { version: job.version }, admin);
    expect(forward.json().version).toBe(job.version);
    const reset = await post('/api/model/reset?scope=global', {}, admin);
    expect(reset.statusCode).toBe(200);
    expect((await globalModel()).version).toBe(reset.json().version);
  });

  it('reports a failed job with its code, and unknown jobs and routes as 404', {
    timeout: 60_000,
  }, async () => {
    const { bob } = keys;
    const { jobId } = (await post('/api/retrain', {}, bob)).json();
    const job = await finishedJob(app, jobId, bob);
    expect(job).toMatchObject({
      state: 'failed',
      error: { code: 'NO_CORRECTIONS', message: 'there are no new corrections to retrain on' },
    });
    const otherScope = await app.inject({ method: 'GET', url: `/api/retrain/${jobId}`, headers: keys.alice });
    expect(otherScope.statusCode).toBe(404);
    expect(errorCode(otherScope)).toBe('JOB_NOT_FOUND');
    const unknown = await app.inject({ method: 'GET', url: '/api/retrain/nope', headers: bob });
    expect(unknown.statusCode).toBe(404);
    const route = await app.inject({ method: 'GET', url: '/api/nothing' });
    expect(route.statusCode).toBe(404);
    expect(errorCode(route)).toBe('NOT_FOUND');
  });
});

describe('rate limits', () => {
  it('answers 429 past the corrections, retrains and predictions budgets', { timeout: 60_000 }, async () => {
    const dir = await tempDir();
    const keys = await testKeys(dir.path, ['erin', 'fred']);
    const app = await testServer(dir.path, {
      correctionsRateLimit: { max: 2, windowMs: 60_000 },
      retrainsRateLimit: { max: 1, windowMs: 60_000 },
      predictRateLimit: { max: 3, windowMs: 60_000 },
    });
    try {
      const send = (url: string, body: unknown, headers: Headers = keys.erin) =>
        app.inject({
          method: 'POST',
          url,
          headers: { ...json(body).headers, ...headers },
          payload: json(body).payload,
        });
      const correct = () => send('/api/corrections', { image: dataUrl(digitPng(5)), label: 1 });
      expect((await correct()).statusCode).toBe(201);
      expect((await correct()).statusCode).toBe(201);
      const limited = await correct();
      expect(limited.statusCode).toBe(429);
      expect(limited.json().error.code).toBe('RATE_LIMITED');
      expect(limited.headers['retry-after']).toBeDefined();
      // Budgets are per key: another key still has its own.
      expect(
        (await send('/api/corrections', { image: dataUrl(digitPng(5)), label: 1 }, keys.fred)).statusCode,
      ).toBe(201);
      const predict = () => send('/api/predict', { image: dataUrl(digitPng(5)) });
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await predict()).statusCode);
      expect(statuses).toEqual([200, 200, 200, 429]);
      // Anonymous clients are counted by IP address.
      const anonymous = [];
      for (let i = 0; i < 4; i++)
        anonymous.push((await send('/api/predict', { image: dataUrl(digitPng(5)) }, {})).statusCode);
      expect(anonymous).toEqual([200, 200, 200, 429]);
      // Numbers: read on a predictions budget and corrected on a corrections one, each route its own.
      const number = dataUrl(numberPng([0, 1]).png);
      const reads = [];
      for (let i = 0; i < 4; i++) reads.push((await send('/api/read-number', { image: number })).statusCode);
      expect(reads).toEqual([200, 200, 200, 429]);
      const numberCorrections = [];
      for (let i = 0; i < 3; i++)
        numberCorrections.push(
          (await send('/api/number-corrections', { image: number, text: '72' })).statusCode,
        );
      expect(numberCorrections).toEqual([201, 201, 429]);
      expect((await send('/api/retrain', {})).statusCode).toBe(202);
      expect((await send('/api/retrain', {})).statusCode).toBe(429);
    } finally {
      await app.close();
      await dir.remove();
    }
  });
});

describe('decoding on the event loop (decodeThreads: 0) and in the pool agree', () => {
  it('gives the same predictions and the same error codes', async () => {
    const dirs = [await tempDir(), await tempDir()];
    const [inline, pooled] = await Promise.all([
      testServer(dirs[0]?.path ?? '', { decodeThreads: 0 }),
      testServer(dirs[1]?.path ?? '', { decodeThreads: 2 }),
    ]);
    try {
      for (const image of [dataUrl(digitPng(1)), dataUrl(digitPng(2)), dataUrl(blankPng()), 'not an image']) {
        const answers = await Promise.all(
          [inline, pooled].map((app) =>
            app.inject({ method: 'POST', url: '/api/predict', ...json({ image }) }),
          ),
        );
        const [a, b] = answers.map((response) => ({ status: response.statusCode, body: response.json() }));
        expect(a).toEqual(b);
      }
      for (const image of [dataUrl(numberPng([5, 6]).png), dataUrl(blankPng()), 'not an image']) {
        const answers = await Promise.all(
          [inline, pooled].map((app) =>
            app.inject({ method: 'POST', url: '/api/read-number', ...json({ image }) }),
          ),
        );
        const [a, b] = answers.map((response) => ({ status: response.statusCode, body: response.json() }));
        expect(a).toEqual(b);
      }
    } finally {
      await Promise.all([inline.close(), pooled.close()]);
      await Promise.all(dirs.map((dir) => dir?.remove()));
    }
  });
});

describe('without anonymous predictions', () => {
  it('asks for a key to read a number exactly as it does to predict', { timeout: 60_000 }, async () => {
    const dir = await tempDir();
    const keys = await testKeys(dir.path, ['gus']);
    const app = await testServer(dir.path, { anonymousPredict: false });
    try {
      const send = (url: string, body: unknown, headers: Headers = {}) =>
        app.inject({
          method: 'POST',
          url,
          headers: { ...json(body).headers, ...headers },
          payload: json(body).payload,
        });
      const digit = { image: dataUrl(digitPng(0)) };
      const number = { image: dataUrl(numberPng([0, 1]).png) };
      for (const [url, body] of [
        ['/api/predict', digit],
        ['/api/read-number', number],
      ] as const) {
        const anonymous = await send(url, body);
        expect([anonymous.statusCode, anonymous.json().error.code], url).toEqual([401, 'API_KEY_REQUIRED']);
        expect((await send(url, body, keys.gus)).statusCode, url).toBe(200);
      }
    } finally {
      await app.close();
      await dir.remove();
    }
  });
});
