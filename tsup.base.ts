import { defineConfig, type Options } from 'tsup';

/**
 * The one build recipe every publishable package uses: ESM and CJS from `src/index.ts`, with
 * `.d.ts`/`.d.cts` beside them. Kept to plain options so a move to tsdown stays a rename.
 */
export function packageBuild(overrides: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    platform: 'neutral',
    tsconfig: 'tsconfig.json',
    ...overrides,
  });
}
