import { fileURLToPath } from 'node:url';
import { useBackend } from '@crazy-digits/core';
import {
  type BrowserHarness,
  chromiumPath,
  noChromiumReason,
  openBrowserPage,
} from '@crazy-digits/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convGradients, type GradientCase, type GradientRun, gradientCase } from './conv-gradients.js';

declare global {
  interface Window {
    kernelPage: {
      gradients(
        example: GradientCase,
        wasmPaths: string,
      ): Promise<GradientRun & { backend: string; filterGradientKernel: boolean }>;
    };
  }
}

/** The page imports the same gradient code as this test, by an alias (its root has no node_modules). */
const PAGE = {
  'index.html': '<!doctype html><script type="module" src="/main.ts"></script>',
  'main.ts': `import { useBackend } from '@crazy-digits/core';
import { convGradients, kernelRegistered } from 'conv-gradients';

window.kernelPage = {
  async gradients(example, wasmPaths) {
    const backend = await useBackend('wasm', { wasmPaths });
    // Stock tfjs has no wasm Conv2DBackpropFilter: it is there because core registered its kernels.
    const filterGradientKernel = kernelRegistered('Conv2DBackpropFilter');
    return { ...convGradients(example), backend, filterGradientKernel };
  },
};
`,
};

/** Largest |a - b| over every gradient, by name. */
function largestDifference(got: Record<string, number[]>, want: Record<string, number[]>) {
  return Object.fromEntries(
    Object.entries(want).map(([name, values]) => {
      const other = got[name] ?? [];
      if (other.length !== values.length) return [name, Number.POSITIVE_INFINITY];
      return [name, Math.max(...values.map((v, i) => Math.abs(v - (other[i] ?? Number.NaN))))];
    }),
  );
}

describe.skipIf(!chromiumPath)(
  `wasm training kernels in Chromium (${chromiumPath ?? noChromiumReason})`,
  () => {
    let harness: BrowserHarness;

    beforeAll(async () => {
      harness = await openBrowserPage({
        files: PAGE,
        aliases: { 'conv-gradients': fileURLToPath(new URL('./conv-gradients.ts', import.meta.url)) },
      });
    }, 60_000);

    afterAll(async () => {
      expect(harness?.errors ?? []).toEqual([]);
      await harness?.close();
    });

    it('give the same gradients of a small conv net in the browser as in Node', async () => {
      const example = gradientCase(2024);
      await harness.page.waitForFunction(() => window.kernelPage !== undefined);
      const browser = await harness.page.evaluate(
        ([input, wasmPaths]) => window.kernelPage.gradients(input, wasmPaths),
        [example, harness.wasmPaths] as const,
      );
      await useBackend('wasm');
      const nodeWasm = convGradients(example);
      await useBackend('cpu');
      const nodeCpu = convGradients(example);

      expect(browser).toMatchObject({ backend: 'wasm', filterGradientKernel: true, leakedTensors: 0 });
      expect(nodeWasm.leakedTensors).toBe(0);
      expect(Object.keys(browser.gradients).sort()).toEqual(Object.keys(nodeCpu.gradients).sort());
      // The gradients are not trivially zero: each weight gets some signal.
      for (const values of Object.values(browser.gradients))
        expect(Math.max(...values.map(Math.abs))).toBeGreaterThan(1e-4);
      for (const reference of [nodeWasm, nodeCpu]) {
        expect(Math.abs(browser.loss - reference.loss)).toBeLessThanOrEqual(1e-4);
        for (const difference of Object.values(largestDifference(browser.gradients, reference.gradients)))
          expect(difference).toBeLessThanOrEqual(1e-4);
      }
    }, 60_000);
  },
);
