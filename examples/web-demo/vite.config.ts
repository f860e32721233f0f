import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * The demo as a static site. `@crazy-digits/*` resolve to the packages' TypeScript sources, in
 * dev and in the build, so neither `npm start` nor `npm run build -w examples/web-demo` needs the
 * packages built first. `base: './'` makes every URL in the build relative: `dist/` works from
 * any static host and any sub-path.
 */
export default defineConfig({
  root: here('.'),
  base: './',
  resolve: {
    alias: {
      // Subpaths first: an alias also matches every path below its name.
      '@crazy-digits/core/store-kit': here('../../packages/core/src/store-kit.ts'),
      '@crazy-digits/core/training': here('../../packages/core/src/training.ts'),
      '@crazy-digits/core': here('../../packages/core/src/index.ts'),
      '@crazy-digits/browser-adapter': here('../../packages/browser-adapter/src/index.ts'),
    },
  },
  build: {
    outDir: here('dist'),
    emptyOutDir: true,
    target: 'es2022',
    // tfjs alone is over a megabyte minified; it is one cacheable file, not a mistake.
    chunkSizeWarningLimit: 4096,
  },
  // Pre-bundled at start-up rather than discovered on the first page load, which would reload the page.
  optimizeDeps: { include: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', 'idb'] },
  // A retrainer in a Web Worker imports tfjs and core: module workers keep that one graph.
  worker: { format: 'es' },
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173 },
});
