import { type CrazyDigitsErrorCode, isCrazyDigitsError } from '@crazy-digits/core';
import { expect } from 'vitest';

/** Asserts that `promise` rejects with a crazy-digits error of the given `code`. */
export async function expectCode(promise: Promise<unknown>, code: CrazyDigitsErrorCode): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isCrazyDigitsError(error, code), `expected a ${code} error, got ${String(error)}`).toBe(true);
}
