import { packageBuild } from '../../tsup.base.js';

export default packageBuild({
  // The workers are files of their own: `worker_threads` starts them by path, beside index.js.
  entry: {
    index: 'src/index.ts',
    'gradient-worker': 'src/training/gradient-worker.ts',
    'retrain-worker': 'src/retrain/retrain-worker.ts',
  },
  platform: 'node',
  // The CommonJS build finds the worker file through `import.meta.url`, which needs the shim.
  shims: true,
  // Options marked @internal (test hooks) stay out of the published types.
  dts: { entry: 'src/index.ts', compilerOptions: { stripInternal: true } },
});
