import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pngChunk } from '@crazy-digits/test-utils';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeKeys } from '../src/auth/api-keys.js';
import { createDecoder } from '../src/decode/pool.js';
import {
  dataUrl,
  digitPng,
  finishedJob,
  type Headers,
  numberPng,
  quickRetrain,
  tempDir,
  testKeys,
  testServer,
} from './helpers.js';
import { startServerProcess } from './server-process.js';

/** A PNG signature and header with the given bit depth, and no pixels. */
function pngHeader(width: number, height: number, bitDepth: number): Buffer {
  const data = Buffer.alloc(13);
  data.writeUInt32BE(width, 0);
  data.writeUInt32BE(height, 4);
  data.set([bitDepth, 6, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), pngChunk('IHDR', data)]);
}

/** Status and body of a raw HTTP/1.1 exchange: `send` writes the request however it likes. */
function rawExchange(
  port: number,
  send: (write: (chunk: string | Buffer) => boolean, end: () => void) => Promise<void>,
): Promise<{ status: number | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString();
    });
    socket.on('error', () => {}); // a reset after the answer is fine: the answer is what counts
    socket.on('close', () => {
      const status = /^HTTP\/1\.1 (\d{3})/.exec(received)?.[1];
      resolve({ status: status === undefined ? undefined : Number(status), body: received });
    });
    socket.once('connect', () => {
      send(
        (chunk) => !socket.destroyed && socket.write(chunk),
        () => socket.end(),
      ).catch(reject);
    });
  });
}

describe('a hostile client against a listening server', () => {
  let app: FastifyInstance;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let base: string;
  let port: number;
  let keys: Record<'admin' | 'mallory' | 'victim' | 'revoked', Headers>;

  beforeAll(async () => {
    dir = await tempDir();
    keys = await testKeys(dir.path, ['admin', 'mallory', 'victim', 'revoked']);
    app = await testServer(dir.path, {
      allowedOrigins: ['https://app.example'],
      bodyLimit: 1024 * 1024,
      requestTimeoutMs: 1000,
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    port = typeof address === 'object' && address ? address.port : 0;
    base = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await app.close();
    await dir.remove();
  });

  const call = async (method: string, path: string, options: { body?: unknown; headers?: Headers } = {}) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...options.headers,
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    const text = await response.text();
    const code: unknown = text.startsWith('{') ? JSON.parse(text).error?.code : undefined;
    return { status: response.status, code, text, headers: response.headers };
  };
  const image = () => dataUrl(digitPng(0));

  it('asks for a key everywhere but anonymous predictions, and refuses bad keys', async () => {
    const routes: [string, string, unknown][] = [
      ['POST', '/api/corrections', { image: image(), label: 1 }],
      ['POST', '/api/number-corrections', { image: image(), text: '7' }],
      ['GET', '/api/corrections', undefined],
      ['DELETE', '/api/corrections/x', {}],
      ['POST', '/api/retrain', {}],
      ['GET', '/api/retrain/x', undefined],
      ['GET', '/api/model', undefined],
      ['POST', '/api/model/rollback', {}],
      ['POST', '/api/model/reset', {}],
    ];
    for (const [method, path, body] of routes) {
      const anonymous = await call(method, path, { body });
      expect([anonymous.status, anonymous.code], `${method} ${path}`).toEqual([401, 'API_KEY_REQUIRED']);
      expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    }
    const predict = await call('POST', '/api/predict', { body: { image: image() } });
    expect(predict.status).toBe(200);
    const readNumber = await call('POST', '/api/read-number', { body: { image: image() } });
    expect(readNumber.status).toBe(200);
    for (const authorization of [
      'Bearer nope',
      'Basic YWRtaW46YWRtaW4=',
      `Bearer ${'cdk_AAAAAAAA_'}${'A'.repeat(43)}`,
    ]) {
      const response = await call('POST', '/api/predict', {
        body: { image: image() },
        headers: { authorization },
      });
      expect([response.status, response.code]).toEqual([401, 'INVALID_API_KEY']);
    }
    // A key's own scope needs only the key.
    expect((await call('GET', '/api/model', { headers: keys.mallory })).status).toBe(200);
  });

  it("keeps user keys out of the global scope and other users' corrections", async () => {
    const { mallory, victim, admin } = keys;
    const global = '?scope=global';
    const changes: [string, string, unknown][] = [
      ['POST', `/api/corrections${global}`, { image: image(), label: 1 }],
      ['POST', `/api/number-corrections${global}`, { image: image(), text: '7' }],
      ['GET', `/api/corrections${global}`, undefined],
      ['POST', `/api/retrain${global}`, {}],
      ['POST', `/api/model/rollback${global}`, {}],
      ['POST', `/api/model/reset${global}`, {}],
    ];
    for (const [method, path, body] of changes) {
      const response = await call(method, path, { body, headers: mallory });
      expect([response.status, response.code], `${method} ${path}`).toEqual([403, 'FORBIDDEN']);
    }
    // Reading the global model and predicting with it are open to any key.
    expect((await call('GET', `/api/model${global}`, { headers: mallory })).status).toBe(200);
    expect(
      (await call('POST', `/api/read-number${global}`, { body: { image: image() }, headers: mallory }))
        .status,
    ).toBe(200);
    expect(
      (
        await call('POST', `/api/number-corrections${global}`, {
          body: { image: image(), text: '7' },
          headers: admin,
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await call('POST', `/api/corrections${global}`, {
          body: { image: image(), label: 1 },
          headers: admin,
        })
      ).status,
    ).toBe(201);

    const { text } = await call('POST', '/api/corrections', {
      body: { image: image(), label: 3 },
      headers: victim,
    });
    const { id } = JSON.parse(text);
    const asMallory = { ...mallory, 'x-user-id': 'victim' };
    const listed = await call('GET', '/api/corrections', { headers: asMallory });
    expect(JSON.parse(listed.text).items).toEqual([]);
    expect((await call('DELETE', `/api/corrections/${id}`, { body: {}, headers: asMallory })).status).toBe(
      404,
    );
    expect(JSON.parse((await call('GET', '/api/corrections', { headers: victim })).text).items).toHaveLength(
      1,
    );
  });

  it('stops honouring a key once it is revoked', async () => {
    expect((await call('GET', '/api/model', { headers: keys.revoked })).status).toBe(200);
    expect(await revokeKeys(dir.path, 'revoked')).toBe(1);
    // The server re-reads the key file within a second.
    let status = 200;
    while (status === 200) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = (await call('GET', '/api/model', { headers: keys.revoked })).status;
    }
    expect(status).toBe(401);
  });

  it('refuses cross-site and form-style requests to state-changing routes', async () => {
    const { admin } = keys;
    for (const path of ['/api/retrain?scope=global', '/api/model/rollback?scope=global']) {
      // What an HTML form can send: no body, or text/plain and urlencoded bodies.
      const formHeaders: Headers[] = [
        {},
        { 'content-type': 'text/plain' },
        { 'content-type': 'application/x-www-form-urlencoded' },
      ];
      for (const headers of formHeaders) {
        const response = await fetch(`${base}${path}`, { method: 'POST', headers: { ...headers, ...admin } });
        expect([response.status, (await response.json()).error.code], path).toEqual([
          415,
          'UNSUPPORTED_MEDIA_TYPE',
        ]);
      }
    }
    for (const [path, body] of [
      ['/api/corrections', { image: image(), label: 1 }],
      ['/api/number-corrections', { image: image(), text: '7' }],
      ['/api/read-number', { image: image() }],
    ] as const) {
      const evil = await call('POST', path, {
        body,
        headers: { ...keys.mallory, origin: 'https://evil.example' },
      });
      expect([evil.status, evil.code], path).toEqual([403, 'ORIGIN_NOT_ALLOWED']);
    }
    const nullOrigin = await call('POST', '/api/predict', {
      body: { image: image() },
      headers: { origin: 'null' },
    });
    expect(nullOrigin.status).toBe(403);
    const crossSite = await call('POST', '/api/predict', {
      body: { image: image() },
      headers: { 'sec-fetch-site': 'cross-site' },
    });
    expect(crossSite.status).toBe(403);
    for (const origin of ['https://app.example', base]) {
      const allowed = await call('POST', '/api/corrections', {
        body: { image: image(), label: 1 },
        headers: { ...keys.mallory, origin },
      });
      expect(allowed.status, origin).toBe(201);
    }
  });

  it('takes labels as integers 0–9 only, with no coercion and no extra fields', async () => {
    for (const label of ['7', null, true, [7], '0x9', 7.5, -1, 10, {}]) {
      const response = await call('POST', '/api/corrections', {
        body: { image: image(), label },
        headers: keys.mallory,
      });
      expect([response.status, response.code], JSON.stringify(label)).toEqual([400, 'INVALID_CORRECTION']);
    }
    const extra = await call('POST', '/api/corrections', {
      body: { image: image(), label: 1, userId: 'victim' },
      headers: keys.mallory,
    });
    expect([extra.status, extra.code]).toEqual([400, 'INVALID_REQUEST']);
    const numberImage = await call('POST', '/api/predict', { body: { image: 12 } });
    expect(numberImage.status).toBe(400);
  });

  it('refuses 16-bit and oversized images from their header, and hides decoder internals', async () => {
    const deep = await call('POST', '/api/predict', { body: { image: dataUrl(pngHeader(4096, 4096, 16)) } });
    expect([deep.status, deep.code]).toEqual([400, 'UNSUPPORTED_IMAGE_DEPTH']);
    const deepSmall = await call('POST', '/api/predict', { body: { image: dataUrl(pngHeader(64, 64, 16)) } });
    expect(deepSmall.code).toBe('UNSUPPORTED_IMAGE_DEPTH');
    const large = await call('POST', '/api/predict', { body: { image: dataUrl(pngHeader(1025, 8, 8)) } });
    expect([large.status, large.code]).toEqual([400, 'IMAGE_TOO_LARGE']);
    const corrupt = Buffer.concat([pngHeader(64, 64, 8), pngChunk('IDAT', Buffer.from('not deflate data'))]);
    const broken = await call('POST', '/api/predict', { body: { image: dataUrl(corrupt) } });
    expect([broken.status, broken.code]).toEqual([400, 'INVALID_IMAGE']);
    expect(JSON.parse(broken.text).error.message).toBe('the image could not be decoded');
  });

  it('answers an oversized chunked body with 413', async () => {
    const answer = await new Promise<{ status: number | undefined; code: string }>((resolve, reject) => {
      const outgoing = request(
        `${base}/api/predict`,
        { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } },
        (response) => {
          let text = '';
          response.on('data', (chunk) => {
            text += chunk;
          });
          response.on('end', () =>
            resolve({ status: response.statusCode, code: JSON.parse(text).error.code }),
          );
        },
      );
      outgoing.on('error', reject);
      outgoing.write('{"image":"');
      const chunk = 'A'.repeat(64 * 1024);
      let sent = 0;
      const more = () => {
        while (sent < 2 * 1024 * 1024) {
          sent += chunk.length;
          if (!outgoing.write(chunk)) return void outgoing.once('drain', more);
        }
        outgoing.end('"}');
      };
      more();
    });
    expect(answer).toEqual({ status: 413, code: 'BODY_TOO_LARGE' });
  });

  it('ends a request whose headers or body trickle in past the timeouts', { timeout: 30_000 }, async () => {
    const requestLine = 'POST /api/predict HTTP/1.1\r\nHost: 127.0.0.1\r\n';
    for (const [what, start, drip] of [
      ['headers', requestLine, 'x'],
      [
        'body',
        `${requestLine}Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"image":"`,
        'A',
      ],
    ] as const) {
      const answer = await rawExchange(port, async (write) => {
        write(start);
        // A byte every 50 ms until the server gives up on the request.
        while (write(drip)) await new Promise((resolve) => setTimeout(resolve, 50));
      });
      expect(answer.status === undefined || answer.status === 408, what).toBe(true);
    }
  });
});

describe('bounded work', () => {
  it('turns a decode away with 503 and Retry-After once the queue is full', async () => {
    const decoder = createDecoder({ threads: 0, limits: { maxSide: 1024, maxBytes: 1 << 20 }, maxQueued: 2 });
    const attempts = [1, 2, 3].map(() =>
      decoder.decode(dataUrl(digitPng(0))).then(
        () => 'decoded',
        (error: unknown) => error,
      ),
    );
    const [first, second, third] = await Promise.all(attempts);
    expect([first, second]).toEqual(['decoded', 'decoded']);
    expect(third).toMatchObject({ statusCode: 503, code: 'BUSY', retryAfter: 1 });
    // Once the queue drains, decodes are taken again.
    await expect(decoder.decode(dataUrl(digitPng(0)))).resolves.toBeInstanceOf(Float32Array);
    await decoder.close();
  });

  it('decodes whole number canvases in the same bounded queue, in the pool as on the event loop', async () => {
    const number = dataUrl(numberPng([0, 1, 2]).png);
    for (const threads of [0, 1]) {
      const decoder = createDecoder({ threads, limits: { maxSide: 1024, maxBytes: 1 << 20 }, maxQueued: 2 });
      try {
        const attempts = [
          decoder.decodeImage(number),
          decoder.decode(dataUrl(digitPng(0))),
          decoder.decodeImage(number),
        ].map((attempt) =>
          attempt.then(
            (decoded) => (decoded instanceof Float32Array ? 'digit' : decoded),
            (error: unknown) => error,
          ),
        );
        const [first, second, third] = await Promise.all(attempts);
        expect(first).toMatchObject({ width: 840, height: 280 });
        expect(first).toHaveProperty('data.length', 840 * 280 * 4);
        expect(second).toBe('digit');
        expect(third).toMatchObject({ statusCode: 503, code: 'BUSY' });
        // A side over the limit is refused from the header, as for a digit.
        await expect(decoder.decodeImage(dataUrl(pngHeader(1025, 280, 8)))).rejects.toMatchObject({
          statusCode: 400,
          code: 'IMAGE_TOO_LARGE',
        });
      } finally {
        await decoder.close();
      }
    }
  });

  it('never loads more user recognisers than the cap, whatever the stream of new users', {
    timeout: 120_000,
  }, async () => {
    const dir = await tempDir();
    const users = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6'] as const;
    const keys = await testKeys(dir.path, users);
    // A retrain long enough to keep its user's recogniser busy while the others knock.
    const app = await testServer(dir.path, {
      maxActiveUsers: 1,
      retrainer: { ...quickRetrain, maxSteps: 30 },
    });
    const send = (url: string, user: (typeof users)[number], body: unknown) =>
      app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json', ...keys[user] },
        payload: JSON.stringify(body),
      });
    const predict = (user: (typeof users)[number]) =>
      send('/api/predict', user, { image: dataUrl(digitPng(1)) });
    const activeUsers = async () => (await app.inject({ method: 'GET', url: '/healthz' })).json().activeUsers;
    try {
      // One after another, every user is served: idle recognisers make room.
      for (const user of users) {
        expect((await predict(user)).statusCode).toBe(200);
        expect(await activeUsers()).toBeLessThanOrEqual(1);
      }
      // u1 busy retraining holds its recogniser; with the cap at one, a new user must wait.
      expect(
        (await send('/api/corrections', 'u1', { image: dataUrl(digitPng(2)), label: 3 })).statusCode,
      ).toBe(201);
      const { jobId } = (await send('/api/retrain', 'u1', {})).json();
      const job = async () =>
        (await app.inject({ method: 'GET', url: `/api/retrain/${jobId}`, headers: keys.u1 })).json().state;
      while ((await job()) === 'queued') await new Promise((resolve) => setTimeout(resolve, 20));
      const refused = await predict('u3');
      if ((await job()) === 'running') {
        expect(refused.statusCode).toBe(503);
        expect(refused.json().error.code).toBe('TOO_MANY_ACTIVE_USERS');
        expect(refused.headers['retry-after']).toBe('1');
      }
      expect(await activeUsers()).toBeLessThanOrEqual(1);
      await finishedJob(app, jobId, keys.u1);
      expect((await predict('u3')).statusCode).toBe(200);
      expect(await activeUsers()).toBeLessThanOrEqual(1);
    } finally {
      await app.close();
      await dir.remove();
    }
  });

  it('answers a storage fault in a user scope with a safe 500 and keeps serving', {
    timeout: 90_000,
  }, async () => {
    const dir = await tempDir();
    const keys = await testKeys(dir.path, ['broken', 'fine', 'saver']);
    const app = await testServer(dir.path);
    const usersDir = join(dir.path, 'models', 'users');
    const send = (url: string, headers: Headers, body: unknown) =>
      app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json', ...headers },
        payload: JSON.stringify(body),
      });
    try {
      // A file where a user's model directory should be: every open of it fails.
      await mkdir(usersDir, { recursive: true });
      await writeFile(join(usersDir, 'broken'), 'not a directory');
      const failed = await send('/api/predict', keys.broken, { image: dataUrl(digitPng(1)) });
      expect(failed.statusCode).toBe(500);
      expect(failed.json().error).toEqual({
        code: 'STORAGE_FAILED',
        message: 'the server could not read or write its storage',
      });
      expect((await send('/api/predict', keys.fine, { image: dataUrl(digitPng(1)) })).statusCode).toBe(200);
      expect((await send('/api/predict', keys.broken, { image: dataUrl(digitPng(1)) })).statusCode).toBe(500);

      // The same fault when a retrain saves: the job fails with a code, and names no file.
      const correction = await send('/api/corrections', keys.saver, {
        image: dataUrl(digitPng(2)),
        label: 3,
      });
      expect(correction.statusCode).toBe(201);
      await writeFile(join(usersDir, 'saver'), 'not a directory');
      const { jobId } = (await send('/api/retrain', keys.saver, {})).json();
      const job = await finishedJob(app, jobId, keys.saver);
      expect(job).toMatchObject({ state: 'failed', error: { code: 'STORAGE_FAILED' } });
      expect(JSON.stringify(job)).not.toContain(dir.path);
      expect((await send('/api/predict', keys.fine, { image: dataUrl(digitPng(1)) })).statusCode).toBe(200);
    } finally {
      await app.close();
      await dir.remove();
    }
  });
});

describe('the keys command', () => {
  it('adds a key (printed last), lists it without the secret, and revokes it', {
    timeout: 60_000,
  }, async () => {
    const dir = await tempDir();
    const tsx = createRequire(import.meta.url).resolve('tsx/cli');
    const keysScript = new URL('../src/keys.ts', import.meta.url).pathname;
    const run = (...args: string[]) =>
      promisify(execFile)(process.execPath, [tsx, keysScript, ...args], {
        env: { ...process.env, DATA_DIR: dir.path },
      });
    try {
      const added = await run('add', 'zoe', '--admin');
      const key = added.stdout.trim().split('\n').at(-1) ?? '';
      expect(key).toMatch(/^cdk_[A-Za-z0-9_-]{8}_[A-Za-z0-9_-]{43}$/);
      const listed = await run('list');
      expect(listed.stdout).toMatch(/\tzoe\tadmin\t/);
      expect(listed.stdout).not.toContain(key.slice(13));
      const app = await testServer(dir.path);
      try {
        const model = await app.inject({
          method: 'GET',
          url: '/api/model?scope=global',
          headers: { authorization: `Bearer ${key}` },
        });
        expect(model.statusCode).toBe(200);
      } finally {
        await app.close();
      }
      expect((await run('revoke', 'zoe')).stdout).toContain('revoked 1 key');
      expect((await run('list')).stdout).not.toContain('zoe');
    } finally {
      await dir.remove();
    }
  });
});

describe('a hand-edited key file', () => {
  it('is refused when a user name could reach outside the data directory', async () => {
    const dir = await tempDir();
    try {
      const record = {
        id: 'AAAAAAAA',
        user: '../escape',
        role: 'user',
        sha256: '0'.repeat(64),
        createdAt: '',
      };
      await writeFile(join(dir.path, 'api-keys.json'), JSON.stringify({ version: 1, keys: [record] }));
      await expect(testServer(dir.path)).rejects.toThrow(/malformed key record/);
    } finally {
      await dir.remove();
    }
  });
});

describe('a server stopped with a request in flight', () => {
  it('exits once the shutdown deadline passes', { timeout: 60_000 }, async () => {
    const dir = await tempDir();
    try {
      const server = await startServerProcess(dir.path, {
        SHUTDOWN_TIMEOUT_MS: '300',
        REQUEST_TIMEOUT_MS: '600000',
      });
      const port = Number(new URL(server.url).port);
      const exited = once(server.child, 'exit');
      const exchange = rawExchange(port, async (write) => {
        write(
          'POST /api/predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"image":',
        );
        await new Promise((resolve) => setTimeout(resolve, 200));
        server.child.kill('SIGTERM');
      });
      const [code] = await exited;
      expect(code).toBe(1);
      await exchange;
    } finally {
      await dir.remove();
    }
  });
});
