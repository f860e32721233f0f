/** A worker thread of `loadPenNumberCandidates` (scripts/pen-training.ts): cuts its part and posts it back. */
import { parentPort, workerData } from 'node:worker_threads';
import { penNumberCandidates } from './pen-training.js';

const { path, seed, part, parts } = workerData as { path: string; seed: number; part: number; parts: number };
const result = penNumberCandidates(path, seed, part, parts);
parentPort?.postMessage(result, [result.images.buffer as ArrayBuffer, result.labels.buffer as ArrayBuffer]);
