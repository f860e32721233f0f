import type { DrawingPad } from '@crazy-digits/browser-adapter';
import type { Recognizer } from '@crazy-digits/core';
import { type ComponentProps, createElement, createRef } from 'react';
import { describe, expectTypeOf, it } from 'vitest';
import { DigitPad, type DigitPadHandle, type RecognizerState, useRecognizer } from '../src/index.js';

describe('react public types', () => {
  it('takes core options or a function that creates the recogniser', () => {
    expectTypeOf(useRecognizer).returns.toEqualTypeOf<RecognizerState>();
    expectTypeOf<RecognizerState['status']>().toEqualTypeOf<'loading' | 'ready' | 'error'>();
    expectTypeOf<RecognizerState['recognizer']>().toEqualTypeOf<Recognizer | undefined>();
    expectTypeOf(useRecognizer).toBeCallableWith({ uncertainBelow: 0.5 });
    expectTypeOf(useRecognizer).toBeCallableWith(async () => ({}) as Recognizer);
    // @ts-expect-error a recogniser, not options, comes out of the function
    void useRecognizer(async () => ({ uncertainBelow: 0.5 }));
  });

  it('gives the pad through a ref and the props the pad options', () => {
    const ref = createRef<DigitPadHandle>();
    void createElement(DigitPad, { ref, width: 200, lineWidth: 12, onChange: (pad) => pad.getImageData() });
    expectTypeOf<ComponentProps<typeof DigitPad>['onChange']>().toEqualTypeOf<
      ((pad: DrawingPad) => void) | undefined
    >();
    expectTypeOf<DigitPadHandle['getImageData']>().returns.toEqualTypeOf<ImageData>();
    // @ts-expect-error the background is 'white' or 'transparent'
    void createElement(DigitPad, { background: 'black' });
  });
});
