// The README's examples, type-checked by `npm run typecheck` (React 19 types).

import { createIndexedDBCorrectionStore } from '@crazy-digits/browser-adapter';
import { createRecognizer } from '@crazy-digits/core';
import { DigitPad, type DigitPadHandle, useRecognizer } from '@crazy-digits/react';
import { useRef, useState } from 'react';

export function App() {
  const { recognizer } = useRecognizer();
  const [digit, setDigit] = useState<number>();
  const read = async (image: ImageData) => setDigit((await recognizer?.predict(image))?.digit);
  return (
    <>
      <DigitPad onChange={(pad) => (pad.isEmpty ? setDigit(undefined) : read(pad.getImageData()))} />
      <p>{recognizer ? (digit ?? 'Draw a digit') : 'Loading…'}</p>
    </>
  );
}

export function WithOptions() {
  const { status, error } = useRecognizer({ uncertainBelow: 0.7 });
  return <p>{status === 'error' ? String(error) : status}</p>;
}

export function WithIndexedDB() {
  const { recognizer } = useRecognizer(async () =>
    createRecognizer({ store: await createIndexedDBCorrectionStore({ name: 'my-digits' }) }),
  );
  return <p>{recognizer?.modelVersion}</p>;
}

export function WithRef() {
  const { recognizer } = useRecognizer();
  const pad = useRef<DigitPadHandle>(null);
  const fix = (digit: number) => {
    if (pad.current && !pad.current.isEmpty) void recognizer?.correct(pad.current.getImageData(), digit);
  };
  return (
    <>
      <DigitPad
        ref={pad}
        width={280}
        height={280}
        lineWidth={16}
        onChange={(p) => console.log(p.strokeCount)}
      />
      <button type="button" onClick={() => pad.current?.clear()}>
        Clear
      </button>
      <button type="button" onClick={() => fix(7)}>
        It is a 7
      </button>
    </>
  );
}
