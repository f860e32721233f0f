/**
 * The React test page's scenarios, run in Chromium by `react-chromium.test.ts`: each mounts
 * components under `StrictMode` (its development double mount included) and reports what it saw.
 */
import {
  useBackend as chooseBackend,
  createRecognizer,
  isCrazyDigitsError,
  type Recognizer,
  type RecognizerOptions,
} from '@crazy-digits/core';
import {
  DigitPad,
  type DigitPadHandle,
  type RecognizerSource,
  type RecognizerState,
  useRecognizer,
} from '@crazy-digits/react';
import * as tf from '@tensorflow/tfjs';
import { createElement, type ReactNode, StrictMode, useState } from 'react';
import { createRoot, type Root } from 'react-dom/client';

const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

/** Renders `node` under `StrictMode` in a container at the page's top-left corner. */
function mount(node: ReactNode): { root: Root; unmount(): void } {
  const container = document.createElement('div');
  container.style.cssText = 'position: fixed; left: 0; top: 0; background: #eee';
  document.body.append(container);
  const root = createRoot(container);
  root.render(createElement(StrictMode, null, node));
  return {
    root,
    unmount() {
      root.unmount();
      container.remove();
    },
  };
}

/** The code a disposed recogniser's `predict` fails with. */
const codeAfterDispose = (recognizer: Recognizer | undefined) =>
  recognizer?.predict(new Float32Array(784)).then(
    () => 'none',
    (error: { code?: string }) => error.code,
  );

/** The bundled model's artifacts, and the tensors the page and one recogniser hold. */
async function prepare(wasmPaths: string) {
  // Core's backend selection, not a React hook.
  await chooseBackend('wasm', { wasmPaths });
  const reference = await createRecognizer();
  await reference.resetModel();
  const artifacts = (await reference.modelStore.load())?.artifacts;
  reference.dispose();
  if (!artifacts) throw new Error('the model store kept no artifacts');
  const baseline = tf.memory().numTensors;
  const one = await createRecognizer({ model: artifacts });
  const perRecognizer = tf.memory().numTensors - baseline;
  one.dispose();
  return { artifacts, baseline, perRecognizer };
}

type Prepared = Awaited<ReturnType<typeof prepare>>;
let prepared: Prepared | undefined;
const preparedOrThrow = () => {
  if (!prepared) throw new Error('call prepare first');
  return prepared;
};

/** Renders `useRecognizer(source)` and hands each state to `seen`. */
function Probe({ source, seen }: { source: RecognizerSource; seen: (state: RecognizerState) => void }) {
  const state = useRecognizer(source);
  seen(state);
  return createElement('p', null, state.status);
}

/** Mounts a component using `useRecognizer` on a model whose loads are counted, then unmounts it. */
async function loadAndUnmount() {
  const { artifacts, baseline } = preparedOrThrow();
  let loads = 0;
  const model: tf.io.IOHandler = {
    load: async () => {
      loads++;
      return artifacts;
    },
  };
  const statuses: string[] = [];
  let latest: RecognizerState | undefined;
  const seen = (state: RecognizerState) => {
    latest = state;
    statuses.push(state.status);
  };
  const page = mount(createElement(Probe, { source: { model }, seen }));
  await until(() => latest?.status === 'ready', 'the recogniser');
  const whileMounted = tf.memory().numTensors - baseline;
  const recognizer = latest?.recognizer;
  const digit = (await recognizer?.predict(new Float32Array(784).fill(0).fill(1, 300, 320)))?.digit;
  page.unmount();
  await nextTask();
  await nextTask();
  return {
    loads,
    statuses: [...new Set(statuses)],
    whileMounted,
    predicted: typeof digit,
    afterUnmount: tf.memory().numTensors - baseline,
    afterDispose: await codeAfterDispose(recognizer),
  };
}

/** Unmounts while the model is still loading, then lets the load finish. */
async function unmountWhileLoading() {
  const { artifacts, baseline } = preparedOrThrow();
  let open: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  let created = 0;
  let pending: Promise<Recognizer> | undefined;
  const statuses: string[] = [];
  const load = () => {
    created++;
    pending = gate.then(() => createRecognizer({ model: artifacts }));
    return pending;
  };
  const page = mount(createElement(Probe, { source: load, seen: (state) => statuses.push(state.status) }));
  await until(() => pending !== undefined, 'the load to start');
  page.unmount();
  await nextTask();
  open();
  const late = await pending;
  await nextTask();
  return {
    created,
    statuses: [...new Set(statuses)],
    afterLoad: tf.memory().numTensors - baseline,
    afterDispose: await codeAfterDispose(late),
  };
}

/** Renders `useRecognizer(options)` with options `createRecognizer` rejects. */
async function failToLoad(options: RecognizerOptions) {
  let latest: RecognizerState | undefined;
  const seen = (state: RecognizerState) => {
    latest = state;
  };
  const page = mount(createElement(Probe, { source: options, seen }));
  await until(() => latest !== undefined && latest.status !== 'loading', 'the load to fail');
  page.unmount();
  const error = latest?.error;
  return {
    status: latest?.status,
    recognizer: latest?.recognizer,
    code: isCrazyDigitsError(error) ? error.code : undefined,
  };
}

/** What the pad scenarios record, for the test to read between pointer moves. */
export const padLog = {
  calls: [] as Array<{ render: number; strokes: number }>,
  predictions: [] as number[],
  handle: undefined as DigitPadHandle | null | undefined,
  unmount: () => {},
};

let renders = 0;

/** A pad whose inline `onChange` sets state, so every stroke re-renders its parent. */
function Drawing() {
  const [strokes, setStrokes] = useState(0);
  const render = ++renders;
  return createElement(
    'div',
    null,
    createElement(DigitPad, {
      ref: (handle: DigitPadHandle | null) => {
        padLog.handle = handle;
      },
      width: 280,
      height: 280,
      onChange: (pad) => {
        padLog.calls.push({ render, strokes: pad.strokeCount });
        setStrokes(pad.strokeCount);
      },
    }),
    createElement('output', null, String(strokes)),
  );
}

/** Resolves once a pad listens on the page's canvas (the pad starts in an effect, after the render). */
const padListening = () =>
  until(() => document.querySelector('canvas')?.style.touchAction === 'none', 'the pad to start');

async function mountPadWithState(): Promise<void> {
  padLog.calls = [];
  padLog.unmount = mount(createElement(Drawing)).unmount;
  await padListening();
}

/** A pad that predicts with `useRecognizer`'s recogniser, read in an inline callback. */
function Recognise() {
  const { recognizer } = useRecognizer();
  return createElement(DigitPad, {
    'aria-label': recognizer ? 'ready' : 'loading',
    onChange: (pad) => {
      if (!recognizer || pad.isEmpty) return;
      void recognizer.predict(pad.getImageData()).then((p) => padLog.predictions.push(p.digit));
    },
  });
}

async function mountRecognisingPad(): Promise<void> {
  padLog.predictions = [];
  padLog.unmount = mount(createElement(Recognise)).unmount;
  await padListening();
}

/** Dark pixels of the pad's image at CSS points (the page's pixel ratio is 1). */
function inkAt(points: Array<[number, number]>): boolean[] {
  const image = padLog.handle?.getImageData();
  if (!image) return [];
  return points.map(([x, y]) => (image.data[(y * image.width + x) * 4] ?? 255) < 128);
}

export const reactPage = {
  async prepare(wasmPaths: string) {
    prepared = await prepare(wasmPaths);
    return { baseline: prepared.baseline, perRecognizer: prepared.perRecognizer };
  },
  loadAndUnmount,
  unmountWhileLoading,
  failToLoad,
  mountPadWithState,
  mountRecognisingPad,
  inkAt,
  log: padLog,
};
