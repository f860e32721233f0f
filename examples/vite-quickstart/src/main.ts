import {
  createDrawingPad,
  createIndexedDBCorrectionStore,
  createIndexedDBModelStore,
  createWorkerRetrainer,
} from '@crazy-digits/browser-adapter';
import { createRecognizer } from '@crazy-digits/core';

const element = (id: string) => document.getElementById(id) as HTMLElement;
const retrainer = createWorkerRetrainer(); // retrains in a Web Worker, the page stays responsive
const recognizer = await createRecognizer({
  store: await createIndexedDBCorrectionStore({ name: 'digits' }), // corrections survive reloads
  modelStore: await createIndexedDBModelStore({ name: 'digits' }), // so do retrained models
  retrainer,
});
element('status').textContent = `Ready (${recognizer.backend})`;

const pad = createDrawingPad(element('pad') as HTMLCanvasElement, {
  onChange: async (drawn) => {
    const prediction = drawn.isEmpty ? undefined : await recognizer.predict(drawn.getImageData());
    element('answer').textContent = prediction ? String(prediction.digit) : '';
  },
});

for (let digit = 0; digit <= 9; digit++) {
  const button = element('digits').appendChild(document.createElement('button'));
  button.textContent = String(digit);
  button.onclick = async () => {
    if (pad.isEmpty) return;
    await recognizer.correct(pad.getImageData(), digit); // counts from the next prediction on
    pad.clear();
  };
}

element('retrain').onclick = async () => {
  element('status').textContent = 'Retraining…';
  const { accepted, reason } = await recognizer.retrain(); // folds the corrections into the weights
  const result = accepted ? `now serving ${recognizer.modelVersion}` : `kept the model: ${reason}`;
  element('status').textContent = `Retrained in a worker (${retrainer.backend}), ${result}`;
};
