import { packageBuild } from '../../tsup.base.js';

export default packageBuild({
  // The gradient worker is a file of its own: `worker_threads` starts it by path, beside index.js.
  entry: { index: 'src/index.ts', 'gradient-worker': 'src/training/gradient-worker.ts' },
  platform: 'node',
  // The CommonJS build finds the worker file through `import.meta.url`, which needs the shim.
  shims: true,
  dts: { entry: 'src/index.ts' },
});
