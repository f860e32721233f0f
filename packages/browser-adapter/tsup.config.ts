import { packageBuild } from '../../tsup.base.js';

export default packageBuild({
  // The retrain worker is a file of its own beside index.js: `createWorkerRetrainer` starts it with
  // `new Worker(new URL('./retrain-worker.js', import.meta.url))`, which bundlers follow. It
  // imports this package by name (see the entry), which stays an import.
  entry: { index: 'src/index.ts', 'retrain-worker': 'src/worker/retrain-worker.ts' },
  external: ['@crazy-digits/browser-adapter'],
  dts: { entry: 'src/index.ts' },
});
