import { copyFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { defineConfig, type Options } from 'tsup';

/**
 * A file the build copies into `dist/` unchanged, for code that loads it with
 * `new URL('./name', import.meta.url)` (bundlers then emit it with the app).
 */
export interface BuildAsset {
  /** A path relative to the package, or a module specifier resolved from it (`pkg/dist/file`). */
  from: string;
  /** Its path under `dist/`. */
  to: string;
}

/** Options of {@link packageBuild}: tsup's, plus the files to copy into `dist/`. */
export interface PackageBuildOptions extends Options {
  assets?: readonly BuildAsset[];
}

async function copyAssets(assets: readonly BuildAsset[]): Promise<void> {
  const packageDir = process.cwd(); // tsup runs in the package's folder
  const require = createRequire(join(packageDir, 'package.json'));
  for (const { from, to } of assets) {
    const source = from.startsWith('.') ? resolve(packageDir, from) : require.resolve(from);
    const target = join(packageDir, 'dist', to);
    await mkdir(dirname(target), { recursive: true });
    await copyFile(source, target);
  }
}

/**
 * The one build recipe every publishable package uses: ESM and CJS from `src/index.ts`, with
 * `.d.ts`/`.d.cts` beside them, and `assets` copied into `dist/` after each build. Kept to plain
 * options so a move to tsdown stays a rename.
 */
export function packageBuild({ assets = [], ...overrides }: PackageBuildOptions = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    platform: 'neutral',
    tsconfig: 'tsconfig.json',
    // CommonJS and IIFE have no `import.meta`: there `import.meta.url` is undefined (unless `shims` made it
    // the file's URL, for Node), which code resolving files against it guards against.
    esbuildOptions(options, { format }) {
      if (format !== 'esm' && options.define?.['import.meta.url'] === undefined)
        options.define = { ...options.define, 'import.meta.url': 'undefined' };
    },
    ...(assets.length > 0 ? { onSuccess: () => copyAssets(assets) } : {}),
    ...overrides,
  });
}
