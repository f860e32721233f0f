import { copyFile } from 'node:fs/promises';
import { packageBuild } from '../../tsup.base.js';

/**
 * Files that modules read from beside themselves (`new URL('./name.bin', import.meta.url)`). Every
 * module lands directly in dist/, so each file goes there, under the same name.
 */
const ASSETS = ['src/model/bundled-weights.bin', 'src/retrain/rehearsal-set.bin'];

// Three entries share one copy of each module: `splitting` puts what they share in chunks, for
// CommonJS too, so an error class is the same class whichever entry it came through. `shims`
// gives the CommonJS build an `import.meta.url` (its file's URL), which names those files.
export default packageBuild({
  entry: ['src/index.ts', 'src/store-kit.ts', 'src/training.ts'],
  splitting: true,
  shims: true,
  onSuccess: async () => {
    await Promise.all(ASSETS.map((path) => copyFile(path, `dist/${path.split('/').pop()}`)));
  },
});
