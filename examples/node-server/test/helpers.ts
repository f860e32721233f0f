import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRandom } from '@crazy-digits/core/training';
import {
  drawDigitOnCanvas,
  drawMnistNumber,
  type InkBox,
  loadMnist,
  mnistDigit,
  pngChunk,
} from '@crazy-digits/test-utils';
import type { FastifyInstance } from 'fastify';
import { PNG } from 'pngjs';
import { expect } from 'vitest';
import { addKey, type Role } from '../src/auth/api-keys.js';
import type { ServerConfig } from '../src/config.js';
import type { RetrainJob } from '../src/jobs.js';
import { buildServer } from '../src/server.js';

const test = loadMnist('test', 50);

/** The MNIST test digit `index` as a person's 280x280 canvas drawing, PNG-encoded. */
export function digitPng(index: number): Buffer {
  const canvas = drawDigitOnCanvas(mnistDigit(test, index));
  const png = new PNG({ width: canvas.width, height: canvas.height });
  png.data = Buffer.from(canvas.data.buffer, canvas.data.byteOffset, canvas.data.byteLength);
  return PNG.sync.write(png);
}

export const digitLabel = (index: number): number => test.labels[index] ?? -1;

/**
 * The MNIST test digits `indices` drawn side by side as one handwritten number, dark on white,
 * on an 840x280 canvas (the wide canvas a number is drawn on), PNG-encoded; with the number's
 * text and each digit's ink box.
 */
export function numberPng(
  indices: readonly number[],
  seed = 1,
): { png: Buffer; text: string; boxes: InkBox[] } {
  const drawn = drawMnistNumber(
    indices.map((index) => mnistDigit(test, index)),
    {
      spacing: 'separate',
      background: 'dark-on-white',
      random: seededRandom(seed),
      labels: indices.map(digitLabel),
      width: 840,
    },
  );
  const { data, width, height } = drawn.image;
  const png = new PNG({ width, height });
  png.data = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return { png: PNG.sync.write(png), text: drawn.text, boxes: drawn.boxes };
}

/** A blank white canvas, PNG-encoded. */
export function blankPng(side = 64): Buffer {
  const png = new PNG({ width: side, height: side });
  png.data.fill(255);
  return PNG.sync.write(png);
}

/** A PNG signature and header claiming `width` x `height`, with no pixels after it. */
export function pngHeaderOnly(width: number, height: number): Buffer {
  const data = Buffer.alloc(13);
  data.writeUInt32BE(width, 0);
  data.writeUInt32BE(height, 4);
  data.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), pngChunk('IHDR', data)]);
}

export const dataUrl = (png: Buffer): string => `data:image/png;base64,${png.toString('base64')}`;

export async function tempDir(): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'crazy-digits-server-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Quick retrains (2 steps) and a gate that accepts them, so the model visibly changes. */
export const quickRetrain: ServerConfig['retrainer'] = {
  maxSteps: 2,
  gate: { maxAccuracyDrop: 1, maxRecallDrop: 1, minCorrectionsFit: 0 },
};

export function testServer(dataDir: string, overrides: Partial<ServerConfig> = {}): Promise<FastifyInstance> {
  return buildServer({ dataDir, logLevel: false, backend: 'wasm', retrainer: quickRetrain, ...overrides });
}

export type Headers = Record<string, string>;

/**
 * Creates an API key in `dataDir` for each of `users` (an admin key for `admin`), as
 * `npm run keys -- add` does, and returns each one's `Authorization` header.
 */
export async function testKeys<const Name extends string>(
  dataDir: string,
  users: readonly Name[],
): Promise<Record<Name, Headers>> {
  const headers: Partial<Record<Name, Headers>> = {};
  for (const user of users) {
    const role: Role = user === 'admin' ? 'admin' : 'user';
    headers[user] = { authorization: `Bearer ${(await addKey(dataDir, user, role)).key}` };
  }
  return headers as Record<Name, Headers>;
}

/** Polls a retrain job until it is done (`query`: e.g. `?scope=global`). */
export async function finishedJob(
  app: FastifyInstance,
  jobId: string,
  headers: Headers = {},
  query = '',
): Promise<RetrainJob> {
  for (;;) {
    const response = await app.inject({ method: 'GET', url: `/api/retrain/${jobId}${query}`, headers });
    expect(response.statusCode).toBe(200);
    const job: RetrainJob = response.json();
    if (job.state === 'succeeded' || job.state === 'failed') return job;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Every correction id in a scope, following the pages (`query`: e.g. `&scope=global`). */
export async function allCorrectionIds(
  get: (url: string) => Promise<{ items: { id: string }[]; nextCursor?: string }>,
  query = '',
): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await get(`/api/corrections?limit=100${cursor ? `&cursor=${cursor}` : ''}${query}`);
    ids.push(...page.items.map((item) => item.id));
    cursor = page.nextCursor;
  } while (cursor);
  return ids;
}
