import { createDrawingPad } from '@crazy-digits/browser-adapter';
import { isCrazyDigitsError, type Recognizer } from '@crazy-digits/core';
import { createCorrectionsPanel } from './corrections-panel.js';
import { createDigitButtons, flash } from './digit-buttons.js';
import { byId, percent } from './dom.js';
import { createNumberMode, type NumberMode } from './number-mode.js';
import { createPredictionView } from './prediction-view.js';
import { type DemoEngine, RETRAIN_AFTER } from './recognizer.js';
import { toast } from './toasts.js';
import { createTrainingView } from './training-view.js';
import { createVersionsPanel } from './versions-panel.js';

/** Quiet time after a stroke before predicting, so a digit drawn in several strokes is read once. */
const PREDICT_DELAY_MS = 150;

const PHASES = {
  preparing: 'Preparing',
  training: 'Training',
  validating: 'Checking the new version',
} as const;

type Mode = 'digit' | 'number';

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Wires the page to a recogniser on `engine`. */
export async function startApp(engine: DemoEngine): Promise<void> {
  const padCanvas = byId('pad', HTMLCanvasElement);
  const view = createPredictionView();
  const consolidate = byId('consolidate', HTMLButtonElement);
  const retrainBox = byId('retrain', HTMLDivElement);
  const retrainBar = byId('retrain-bar', HTMLProgressElement);
  const retrainLabel = byId('retrain-label', HTMLLabelElement);
  const training = createTrainingView();

  let recognizer: Recognizer = await engine.open();
  let unsubscribe: (() => void)[] = [];

  const corrections = createCorrectionsPanel({
    store: engine.store,
    remove: (id) => recognizer.removeCorrection(id),
    reload: reopen,
  });
  const versions = createVersionsPanel(() => recognizer);

  // Every change of the drawing gets a new revision; a prediction is shown only for the current one.
  let revision = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const pad = createDrawingPad(padCanvas, {
    onChange: () => {
      revision++;
      padCanvas.dataset.revision = String(revision);
      if (timer !== undefined) clearTimeout(timer);
      if (pad.isEmpty) {
        view.clear('Cleared. Draw a digit to see what the model thinks it is.');
        markSettled();
      } else {
        timer = setTimeout(() => void predict(), PREDICT_DELAY_MS);
      }
    },
  });

  /** Tells tests (and styles) which drawing the shown prediction belongs to. */
  const markSettled = () => {
    byId('verdict', HTMLDivElement).dataset.revision = String(revision);
  };

  async function predict(note?: (digit: number) => string): Promise<void> {
    const asked = revision;
    if (pad.isEmpty) return;
    try {
      // The pad's canvas as it is now: core reads its pixels before the first await.
      const prediction = await recognizer.predict(padCanvas);
      if (asked !== revision) return;
      view.show(prediction, note?.(prediction.digit));
    } catch (error) {
      if (asked !== revision) return;
      if (isCrazyDigitsError(error, 'EMPTY_IMAGE')) view.clear('Nothing to read yet: draw a bit more.');
      else view.clear(`Could not read the drawing: ${errorText(error)}`);
    }
    markSettled();
  }

  async function correctAs(label: number): Promise<void> {
    if (pad.isEmpty) {
      toast('Draw a digit first, then tap what it is.', 'info');
      return;
    }
    try {
      await recognizer.correct(padCanvas, label);
    } catch (error) {
      toast(`Could not store the correction: ${errorText(error)}`, 'error');
      return;
    }
    await predict((digit) =>
      digit === label
        ? `Got it: that's a ${label}. Stored, and it counts from now on.`
        : `Stored as a ${label}, but this drawing still reads as ${digit}.`,
    );
    await corrections.refresh();
  }

  const buttons = createDigitButtons(
    byId('digit-buttons', HTMLDivElement),
    (digit) => void correctAs(digit),
    {
      testId: 'correct',
      keys: true,
    },
  );
  byId('clear', HTMLButtonElement).addEventListener('click', () => pad.clear());
  byId('undo', HTMLButtonElement).addEventListener('click', () => pad.undo());

  // Digit or number mode: one shows the square pad and its prediction, the other the wide pad and its reading.
  let mode: Mode = 'digit';
  let numbers: NumberMode | undefined;
  const layout = byId('app', HTMLElement);
  const modeButtons = {
    digit: byId('mode-digit', HTMLButtonElement),
    number: byId('mode-number', HTMLButtonElement),
  };
  const digitCards = ['draw-card', 'result-card', 'correct-card'].map((id) => byId(id, HTMLElement));
  const numberCard = byId('number-card', HTMLElement);

  function setMode(next: Mode): void {
    mode = next;
    layout.dataset.mode = next;
    for (const card of digitCards) card.hidden = next !== 'digit';
    numberCard.hidden = next !== 'number';
    for (const [name, button] of Object.entries(modeButtons))
      button.setAttribute('aria-pressed', String(name === next));
    // Made once its card is shown, so that its strokes' width can follow the pad's displayed size.
    if (next === 'number')
      numbers ??= createNumberMode({
        recognizer: () => recognizer,
        delay: PREDICT_DELAY_MS,
        corrected: () => corrections.refresh(),
      });
    const hash = next === 'number' ? '#number' : '';
    if (location.hash !== hash)
      history.replaceState(null, '', `${location.pathname}${location.search}${hash}`);
  }
  modeButtons.digit.addEventListener('click', () => setMode('digit'));
  modeButtons.number.addEventListener('click', () => setMode('number'));
  window.addEventListener('hashchange', () => setMode(location.hash === '#number' ? 'number' : 'digit'));

  /** Reads the drawing of each mode again: new weights, a correction removed, a new recogniser. */
  const rereadAll = async () => {
    await Promise.all([pad.isEmpty ? undefined : predict(), numbers?.refresh()]);
  };

  document.addEventListener('keydown', (event) => {
    const target = event.target;
    if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || event.altKey) return;
    const active = mode === 'number' ? numbers?.pad : pad;
    if (event.key === 'Escape') {
      if (mode === 'number') numbers?.escape();
      else pad.clear();
    } else if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'z') {
      event.preventDefault();
      active?.undo();
    } else if (/^[0-9]$/.test(event.key) && !event.ctrlKey && !event.metaKey) {
      if (mode === 'number') {
        // In number mode a key corrects the digit whose choice is open, if any.
        if (numbers?.key(Number(event.key))) event.preventDefault();
        return;
      }
      event.preventDefault();
      flash(buttons[Number(event.key)]);
      void correctAs(Number(event.key));
    }
  });

  consolidate.addEventListener('click', () => {
    recognizer.retrain().catch((error: unknown) => {
      // Failures are reported by the 'retrain-failed' listener; an empty store is not a failure.
      if (isCrazyDigitsError(error, 'NO_CORRECTIONS'))
        toast('Nothing new to consolidate: make a correction first.');
    });
  });

  const runtime = byId('runtime', HTMLElement);
  const describeRuntime = () => {
    runtime.textContent = `TensorFlow.js ${recognizer.backend} backend; consolidation ${engine.retrainer.describe()}`;
  };

  const retrainDone = () => {
    consolidate.disabled = false;
    retrainBox.hidden = true;
    describeRuntime();
  };

  /** Shows what the recogniser does in the background: consolidation and model switches. */
  function subscribe(): (() => void)[] {
    return [
      recognizer.on('retrain-start', ({ corrections: n }) => {
        consolidate.disabled = true;
        retrainBox.hidden = false;
        retrainBar.value = 0;
        retrainLabel.textContent = `Consolidating ${n} correction${n === 1 ? '' : 's'}…`;
        training.start();
      }),
      recognizer.on('retrain-progress', (progress) => {
        const { phase, fraction } = progress;
        retrainBar.value = fraction;
        retrainLabel.textContent = `${PHASES[phase]}… ${percent(fraction)}`;
        training.progress(progress);
      }),
      recognizer.on('retrain-finished', (outcome) => {
        retrainDone();
        training.finished(outcome);
        toast(
          `Consolidated ${outcome.corrections} corrections: now serving ${outcome.version} ` +
            `(held-out accuracy ${percent(outcome.metrics.accuracy)}).`,
          'success',
        );
      }),
      recognizer.on('retrain-rejected', (outcome) => {
        retrainDone();
        training.finished(outcome);
        toast(
          `The new version was rejected: ${outcome.reason ?? 'it did not pass the validation gate'}. ` +
            'The current model stays; your corrections still count.',
          'warning',
        );
      }),
      recognizer.on('retrain-failed', ({ error }) => {
        retrainDone();
        if (isCrazyDigitsError(error, 'NO_CORRECTIONS') || isCrazyDigitsError(error, 'RECOGNIZER_DISPOSED'))
          return;
        toast(`Consolidation failed: ${errorText(error)}. The current model stays.`, 'error');
      }),
      recognizer.on('model-change', () => {
        void versions.refresh();
        // The same drawing, read by the new weights.
        void rereadAll();
      }),
      recognizer.on('correction-removed', () => void rereadAll()),
    ];
  }

  /** A new recogniser on the same stores, so that imported or deleted corrections take effect. */
  async function reopen() {
    for (const stop of unsubscribe) stop();
    recognizer.dispose();
    recognizer = await engine.open();
    unsubscribe = subscribe();
    retrainDone();
    await versions.refresh();
    await rereadAll();
  }

  unsubscribe = subscribe();
  const kept = engine.store.persistent && engine.modelStore.persistent;
  const persistence = byId('persistence', HTMLElement);
  persistence.dataset.persistent = String(kept);
  persistence.textContent = kept
    ? 'in this browser (IndexedDB), across reloads'
    : 'persistent: false. This browser refused storage: corrections last until the tab closes';
  describeRuntime();
  byId('policy-note', HTMLParagraphElement).textContent =
    `Every ${RETRAIN_AFTER} corrections are consolidated into the model's weights in the background. ` +
    'A new version is served only if it passes the validation gate (no loss of accuracy on held-out digits).';
  await Promise.all([corrections.refresh(), versions.refresh()]);
  setMode(location.hash === '#number' ? 'number' : 'digit');
}
