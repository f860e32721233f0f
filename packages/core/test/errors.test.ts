import { describe, expect, it } from 'vitest';
import { CrazyDigitsError, isCrazyDigitsError } from '../src/index.js';

class ExampleError extends CrazyDigitsError<'EXAMPLE'> {
  constructor(message: string, cause?: unknown) {
    super('EXAMPLE', message, { cause });
  }
}

describe('CrazyDigitsError', () => {
  it('prefixes the message, keeps the code, the subclass name and the cause', () => {
    const cause = new Error('disk full');
    const error = new ExampleError('could not save', cause);
    expect(error.message).toBe('[crazy-digits] could not save');
    expect(error.code).toBe('EXAMPLE');
    expect(error.name).toBe('ExampleError');
    expect(error.cause).toBe(cause);
    expect(error).toBeInstanceOf(CrazyDigitsError);
    expect(error).toBeInstanceOf(Error);
  });

  it('has no cause property when none is given', () => {
    expect('cause' in new CrazyDigitsError('X', 'm')).toBe(false);
  });
});

describe('isCrazyDigitsError', () => {
  it('recognises library errors and filters by code', () => {
    const error = new ExampleError('boom');
    expect(isCrazyDigitsError(error)).toBe(true);
    expect(isCrazyDigitsError(error, 'EXAMPLE')).toBe(true);
    expect(isCrazyDigitsError(error, 'OTHER')).toBe(false);
  });

  it('rejects plain errors, look-alikes and non-objects', () => {
    expect(isCrazyDigitsError(new Error('[crazy-digits] fake'))).toBe(false);
    expect(isCrazyDigitsError({ code: 'EXAMPLE', message: 'x' })).toBe(false);
    expect(isCrazyDigitsError(null)).toBe(false);
    expect(isCrazyDigitsError('EXAMPLE')).toBe(false);
  });

  it('recognises an error from another copy of the library by its global brand', () => {
    const foreign = Object.assign(new Error('x'), { code: 'EXAMPLE' });
    Object.defineProperty(foreign, Symbol.for('@crazy-digits/error'), { value: true });
    expect(isCrazyDigitsError(foreign, 'EXAMPLE')).toBe(true);
  });
});
