import { createWorkerRetrainer } from '@crazy-digits/browser-adapter';
import type { Retrainer } from '@crazy-digits/core';
import { wasmPaths } from './backend.js';

/** The retrainer the demo consolidates with, and how to describe it on the page. */
export interface DemoRetrainer {
  retrainer: Retrainer;
  /** Where consolidation runs, e.g. "in a Web Worker (wasm backend)". */
  describe(): string;
}

/**
 * What folds corrections into the weights: the one place the demo picks it. A Web Worker with
 * its own TensorFlow.js, so training never blocks drawing and predicting on the page.
 */
export function createDemoRetrainer(): DemoRetrainer {
  const retrainer = createWorkerRetrainer({ wasmPaths });
  return {
    retrainer,
    describe: () =>
      retrainer.backend === undefined ? 'in a Web Worker' : `in a Web Worker (${retrainer.backend} backend)`,
  };
}
