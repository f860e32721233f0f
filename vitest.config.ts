import { fileURLToPath } from 'node:url';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * Tests run against TypeScript sources: workspace packages resolve to their `src/index.ts`, so
 * `npm test` needs no build. Each package is one project, named after its folder.
 */
export default defineConfig({
  resolve: {
    alias: {
      // Subpaths first: an alias also matches every path below its name.
      '@crazy-digits/core/store-kit': source('./packages/core/src/store-kit.ts'),
      '@crazy-digits/core/training': source('./packages/core/src/training.ts'),
      '@crazy-digits/core': source('./packages/core/src/index.ts'),
      '@crazy-digits/node-adapter': source('./packages/node-adapter/src/index.ts'),
      '@crazy-digits/browser-adapter': source('./packages/browser-adapter/src/index.ts'),
      '@crazy-digits/postgres-adapter': source('./packages/postgres-adapter/src/index.ts'),
      '@crazy-digits/react': source('./packages/react/src/index.ts'),
      '@crazy-digits/test-utils': source('./packages/test-utils/src/index.ts'),
    },
  },
  test: {
    projects: [
      ...['core', 'node-adapter', 'browser-adapter', 'postgres-adapter', 'react', 'test-utils'].map(
        (name): TestProjectInlineConfiguration => ({
          extends: true,
          test: { name, root: `packages/${name}`, include: ['test/**/*.test.ts'] },
        }),
      ),
      {
        extends: true,
        // The docs' figures against bench/results, and the scripts that write them.
        test: { name: 'docs', root: 'scripts', include: ['*.test.ts'], typecheck: { enabled: false } },
      },
      {
        extends: true,
        test: {
          name: 'examples',
          root: 'examples',
          include: ['*/test/**/*.test.ts'],
          typecheck: { include: ['*/test/**/*.test-d.ts'], tsconfig: '../tsconfig.json' },
        },
      },
    ],
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: '../../tsconfig.json' },
    passWithNoTests: false,
  },
});
