import type { Prediction, RecognizerInput } from '@crazy-digits/core';
import type { Scope } from './scopes.js';

interface Waiting {
  image: RecognizerInput;
  resolve(prediction: Prediction): void;
  reject(error: unknown): void;
}

/**
 * Gathers the predictions requested in one turn of the event loop and runs each scope's in one
 * `predictBatch` call: under load, one model call serves many requests, which is cheaper per
 * digit than a call each. A lone request waits for nothing but the end of the current turn.
 */
export function createPredictionBatcher(
  maxBatch = 32,
): (scope: Scope, image: RecognizerInput) => Promise<Prediction> {
  const waiting = new Map<Scope, Waiting[]>();
  let scheduled = false;

  async function run(scope: Scope, batch: Waiting[]) {
    try {
      const predictions = await scope.recognizer.predictBatch(batch.map((entry) => entry.image));
      batch.forEach((entry, i) => {
        const prediction = predictions[i];
        if (prediction) entry.resolve(prediction);
        else entry.reject(new Error('unreachable: one prediction per image'));
      });
    } catch {
      // One bad image fails the whole batch: give each request its own answer (and error).
      for (const entry of batch) scope.recognizer.predict(entry.image).then(entry.resolve, entry.reject);
    }
  }

  function flush() {
    scheduled = false;
    const batches = [...waiting];
    waiting.clear();
    for (const [scope, entries] of batches) {
      for (let start = 0; start < entries.length; start += maxBatch)
        void run(scope, entries.slice(start, start + maxBatch));
    }
  }

  return (scope, image) =>
    new Promise<Prediction>((resolve, reject) => {
      const entries = waiting.get(scope) ?? [];
      entries.push({ image, resolve, reject });
      waiting.set(scope, entries);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });
}
