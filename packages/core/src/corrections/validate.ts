import { MNIST_PIXELS } from '../preprocess/validate.js';
import { InvalidCorrectionError } from './errors.js';
import { createCorrectionId, isValidCorrectionId } from './ids.js';
import type { Correction, NewCorrection } from './types.js';

const MAX_TEXT = 256;

function optionalText(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_TEXT) {
    throw new InvalidCorrectionError(`${field} must be a non-empty string of at most ${MAX_TEXT} characters`);
  }
  return value;
}

const isDigit = (value: unknown): value is number =>
  Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 9;

/**
 * Checks a correction before anything is written and returns a normalised copy (its own image
 * buffer, only known fields), so a store never keeps a reference the caller may later mutate.
 */
export function validateCorrection(input: NewCorrection, id: string, now: number): Correction {
  if (typeof input !== 'object' || input === null)
    throw new InvalidCorrectionError('a correction must be an object');
  if (!isDigit(input.label))
    throw new InvalidCorrectionError(`label must be an integer 0–9, got ${String(input.label)}`);
  const { image } = input;
  if (!(image instanceof Float32Array) || image.length !== MNIST_PIXELS) {
    throw new InvalidCorrectionError(
      `image must be a normalised 28x28 Float32Array (784 values), got ${image instanceof Float32Array ? `${image.length} values` : typeof image}`,
    );
  }
  for (let i = 0; i < image.length; i++) {
    const v = image[i] ?? Number.NaN;
    if (!(v >= 0 && v <= 1))
      throw new InvalidCorrectionError(`image value ${v} at index ${i} is outside 0–1`);
  }
  const createdAt = input.createdAt ?? now;
  if (!Number.isFinite(createdAt) || createdAt < 0)
    throw new InvalidCorrectionError(`createdAt must be a time in ms, got ${createdAt}`);
  const correction: Correction = { id, image: Float32Array.from(image), label: input.label, createdAt };
  const userId = optionalText(input.userId, 'userId');
  const sessionId = optionalText(input.sessionId, 'sessionId');
  const modelVersion = optionalText(input.modelVersion, 'modelVersion');
  if (userId !== undefined) correction.userId = userId;
  if (sessionId !== undefined) correction.sessionId = sessionId;
  if (modelVersion !== undefined) correction.modelVersion = modelVersion;
  if (input.predicted !== undefined) {
    const { digit, confidence } = input.predicted;
    if (!isDigit(digit) || !(confidence >= 0 && confidence <= 1)) {
      throw new InvalidCorrectionError('predicted must be { digit: 0–9, confidence: 0–1 }');
    }
    correction.predicted = { digit, confidence };
  }
  return correction;
}

/** A copy a caller can mutate without touching the store's record. */
export function copyCorrection(correction: Correction): Correction {
  return {
    ...correction,
    image: Float32Array.from(correction.image),
    ...(correction.predicted ? { predicted: { ...correction.predicted } } : {}),
  };
}

/**
 * What every store does first in `add`: checks the record and gives it its id (the caller's, if
 * valid, or a new one) and timestamp. Throws `InvalidCorrectionError`; has no side effects.
 */
export function prepareCorrection(input: NewCorrection, now = Date.now()): Correction {
  if (typeof input !== 'object' || input === null)
    throw new InvalidCorrectionError('a correction must be an object');
  const id = input.id ?? createCorrectionId(now);
  if (!isValidCorrectionId(id)) throw new InvalidCorrectionError(`invalid id "${String(id)}"`);
  return validateCorrection(input, id, now);
}
