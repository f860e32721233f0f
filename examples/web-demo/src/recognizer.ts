import { createIndexedDBCorrectionStore, createIndexedDBModelStore } from '@crazy-digits/browser-adapter';
import { type CorrectionStore, createRecognizer, type ModelStore, type Recognizer } from '@crazy-digits/core';
import { startBackend } from './backend.js';
import { createDemoRetrainer, type DemoRetrainer } from './retrainer.js';

/** The IndexedDB database the demo keeps corrections and model versions in. */
export const DATABASE = 'crazy-digits-demo';

/** Consolidate after every 5 corrections, once no correction has come for 2 s. */
export const RETRAIN_AFTER = 5;

/** The stores, backend and retrainer one page keeps for its lifetime; recognisers come and go on them. */
export interface DemoEngine {
  store: CorrectionStore;
  modelStore: ModelStore;
  backend: string;
  retrainer: DemoRetrainer;
  /** A recogniser on the engine's stores: what is in the stores now takes effect. */
  open(): Promise<Recognizer>;
}

export async function startEngine(): Promise<DemoEngine> {
  const [backend, store, modelStore] = await Promise.all([
    startBackend(),
    createIndexedDBCorrectionStore({ name: DATABASE }),
    createIndexedDBModelStore({ name: DATABASE }),
  ]);
  const retrainer = createDemoRetrainer();
  return {
    store,
    modelStore,
    backend,
    retrainer,
    open: () =>
      createRecognizer({
        backend: backend === 'wasm' || backend === 'cpu' ? backend : 'auto',
        store,
        modelStore,
        retrainer: retrainer.retrainer,
        retrain: { afterCorrections: RETRAIN_AFTER },
      }),
  };
}
