import { describe, expect, it } from 'vitest';
import { CrazyDigitsError, isCrazyDigitsError } from '../src/index.js';
import {
  fromWireError,
  InvalidCorrectionError,
  ModelLoadError,
  NoCorrectionsError,
  RecognizerDisposedError,
  RetrainConfigError,
  StoreClosedError,
  toWireError,
} from '../src/store-kit.js';

class ExampleError extends CrazyDigitsError<'STORE_DAMAGED'> {
  constructor(message: string, cause?: unknown) {
    super('STORE_DAMAGED', message, { cause });
  }
}

describe('CrazyDigitsError', () => {
  it('prefixes the message, keeps the code, the subclass name and the cause', () => {
    const cause = new Error('disk full');
    const error = new ExampleError('could not save', cause);
    expect(error.message).toBe('[crazy-digits] could not save');
    expect(error.code).toBe('STORE_DAMAGED');
    expect(error.name).toBe('ExampleError');
    expect(error.cause).toBe(cause);
    expect(error).toBeInstanceOf(CrazyDigitsError);
    expect(error).toBeInstanceOf(Error);
  });

  it('has no cause property when none is given', () => {
    expect('cause' in new CrazyDigitsError('X', 'm')).toBe(false);
  });
});

describe("core's error classes", () => {
  it('each keep their own name, code, message and cause', () => {
    const cause = new Error('bad json');
    const cases = [
      [new StoreClosedError(), StoreClosedError, 'STORE_CLOSED', 'the store has been closed'],
      [
        new RecognizerDisposedError(),
        RecognizerDisposedError,
        'RECOGNIZER_DISPOSED',
        'this recognizer has been disposed',
      ],
      [new InvalidCorrectionError('bad label'), InvalidCorrectionError, 'INVALID_CORRECTION', 'bad label'],
      [new ModelLoadError('no model', { cause }), ModelLoadError, 'MODEL_LOAD_FAILED', 'no model'],
    ] as const;
    for (const [error, Class, code, message] of cases) {
      expect(error).toBeInstanceOf(Class);
      expect(error).toBeInstanceOf(CrazyDigitsError);
      expect(error.name).toBe(Class.name);
      expect(error.code).toBe(code);
      expect(error.message).toBe(`[crazy-digits] ${message}`);
      expect(isCrazyDigitsError(error, code)).toBe(true);
    }
    expect(new ModelLoadError('no model', { cause }).cause).toBe(cause);
    expect('cause' in new InvalidCorrectionError('bad label')).toBe(false);
  });
});

describe('isCrazyDigitsError', () => {
  it('recognises library errors and filters by code', () => {
    const error = new ExampleError('boom');
    expect(isCrazyDigitsError(error)).toBe(true);
    expect(isCrazyDigitsError(error, 'STORE_DAMAGED')).toBe(true);
    expect(isCrazyDigitsError(error, 'EMPTY_IMAGE')).toBe(false);
  });

  it('rejects plain errors, look-alikes and non-objects', () => {
    expect(isCrazyDigitsError(new Error('[crazy-digits] fake'))).toBe(false);
    expect(isCrazyDigitsError({ code: 'STORE_DAMAGED', message: 'x' })).toBe(false);
    expect(isCrazyDigitsError(null)).toBe(false);
    expect(isCrazyDigitsError('STORE_DAMAGED')).toBe(false);
  });

  it('recognises an error from another copy of the library by its global brand', () => {
    const foreign = Object.assign(new Error('x'), { code: 'STORE_DAMAGED' });
    Object.defineProperty(foreign, Symbol.for('@crazy-digits/error'), { value: true });
    expect(isCrazyDigitsError(foreign, 'STORE_DAMAGED')).toBe(true);
  });
});

describe('errors across threads (toWireError, fromWireError)', () => {
  // What a worker posts is structured-cloned: plain data survives, classes do not.
  const across = (error: unknown) => fromWireError(structuredClone(toWireError(error)));

  it("rebuilds core's retrain errors as their own classes, with the worker's stack", () => {
    const original = new RetrainConfigError("mode 'full' needs fullData");
    const rebuilt = across(original);
    expect(rebuilt).toBeInstanceOf(RetrainConfigError);
    expect(rebuilt.message).toBe(original.message);
    expect(rebuilt.stack).toBe(original.stack);
    expect(across(new NoCorrectionsError())).toBeInstanceOf(NoCorrectionsError);
  });

  it('keeps any other crazy-digits error matchable by code and name, with its causes', () => {
    const disk = new Error('disk full');
    const rebuilt = across(new ExampleError('could not save', disk));
    expect(isCrazyDigitsError(rebuilt, 'STORE_DAMAGED')).toBe(true);
    expect(rebuilt.name).toBe('ExampleError');
    expect(rebuilt.message).toBe('[crazy-digits] could not save');
    expect(rebuilt.cause).toBeInstanceOf(Error);
    expect((rebuilt.cause as Error).message).toBe('disk full');
  });

  it('describes what is not an Error, and cuts long chains of causes', () => {
    expect(across('just a string')).toMatchObject({ name: 'Error', message: 'just a string' });
    let error = new Error('0');
    for (let i = 1; i < 10; i++) error = new Error(String(i), { cause: error });
    let depth = 0;
    for (let at: unknown = across(error); at instanceof Error; at = at.cause) depth++;
    expect(depth).toBe(5);
  });
});
