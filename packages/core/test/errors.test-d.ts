import { describe, expectTypeOf, it } from 'vitest';
import { CrazyDigitsError, isCrazyDigitsError } from '../src/index.js';

describe('isCrazyDigitsError types', () => {
  it('narrows unknown to a CrazyDigitsError with the given code', () => {
    const value: unknown = new CrazyDigitsError('BACKEND_UNAVAILABLE', 'm');
    if (isCrazyDigitsError(value, 'BACKEND_UNAVAILABLE')) {
      expectTypeOf(value).toEqualTypeOf<CrazyDigitsError<'BACKEND_UNAVAILABLE'>>();
      expectTypeOf(value.code).toEqualTypeOf<'BACKEND_UNAVAILABLE'>();
    }
  });

  it('keeps the code literal of a subclass', () => {
    class ExampleError extends CrazyDigitsError<'EXAMPLE'> {}
    expectTypeOf(new ExampleError('EXAMPLE', 'm').code).toEqualTypeOf<'EXAMPLE'>();
    // @ts-expect-error a subclass cannot be built with another code
    new ExampleError('OTHER', 'm');
  });
});
