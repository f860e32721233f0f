import { packageBuild } from '../../tsup.base.js';

// Three entries share one copy of each module: `splitting` puts what they share in chunks, for
// CommonJS too, so an error class is the same class whichever entry it came through.
export default packageBuild({
  entry: ['src/index.ts', 'src/store-kit.ts', 'src/training.ts'],
  splitting: true,
});
