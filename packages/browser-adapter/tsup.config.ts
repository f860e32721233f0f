import { packageBuild } from '../../tsup.base.js';

export default packageBuild({
  // The retrain worker is a file of its own beside index.js: `createWorkerRetrainer` starts it with
  // `new Worker(new URL('./retrain-worker.js', import.meta.url))`, which bundlers follow.
  entry: { index: 'src/index.ts', 'retrain-worker': 'src/worker/retrain-worker.ts' },
  dts: { entry: 'src/index.ts' },
});
