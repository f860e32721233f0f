import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import type { ViteDevServer } from 'vite';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const source = (path: string) => join(repoRoot, path);

/**
 * The Chromium binary browser tests run in: `$CHROMIUM_PATH`, else the first of the usual
 * system locations that exists; `undefined` when there is none, and browser tests skip.
 */
export const chromiumPath: string | undefined = [
  process.env.CHROMIUM_PATH,
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
].find((path): path is string => path !== undefined && path !== '' && existsSync(path));

/** Why browser tests are skipped, for their titles. */
export const noChromiumReason = 'skipped: no Chromium binary found (install chromium or set CHROMIUM_PATH)';

/** A test page to serve. */
export interface BrowserPageOptions {
  /**
   * The page's files by path from its root, at least `index.html`. Scripts may be TypeScript and
   * import the workspace packages (`@crazy-digits/core`, `@crazy-digits/browser-adapter`), which
   * resolve to their sources, as in the unit tests.
   */
  files: Record<string, string>;
  /** Browser context options, e.g. `{ deviceScaleFactor: 2, hasTouch: true }`. */
  context?: BrowserContextOptions;
  /**
   * More import aliases for the page's scripts, from a specifier to an absolute file path: lets a
   * page import a repository module (a test's shared helper) by name, resolved as in the repository.
   */
  aliases?: Record<string, string>;
  /**
   * Chromium command-line switches to launch with in place of the default `--disable-gpu` (e.g.
   * `['--enable-unsafe-swiftshader']` for software WebGL, or `[]` to let Chromium use a GPU it
   * finds). The switches that keep a test browser quiet are always added.
   */
  gpuArgs?: string[];
}

/** A page served by Vite and open in headless Chromium. */
export interface BrowserHarness {
  /** The open page, already at `url` and loaded. */
  page: Page;
  /** Where `index.html` is served. */
  url: string;
  /** Uncaught errors of the page so far; a test can check it is empty. */
  errors: Error[];
  /**
   * Where the page can fetch `@tensorflow/tfjs-backend-wasm`'s `.wasm` files: a URL prefix ending
   * in `/`, for `useBackend('wasm', { wasmPaths })` and `createWorkerRetrainer({ wasmPaths })`.
   * Without it the wasm backend looks beside the script that loads it, where Vite serves nothing.
   */
  wasmPaths: string;
  /** Closes the browser, stops the server and removes the page's files. */
  close(): Promise<void>;
}

/** The installed tfjs wasm backend's `dist/` folder, as the dev server serves it (`/@fs/…/`). */
function wasmFilesUrl(): string {
  const manifest = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json');
  return `/@fs${join(dirname(manifest), 'dist')}/`;
}

/**
 * Serves `files` with a Vite dev server on a free local port and opens them in headless Chromium
 * (`chromiumPath`; check it first and skip when it is `undefined`). Starting a server and a
 * browser is slow: open one harness per test file, not one per test. Vite and Playwright are
 * loaded here, not when test-utils is imported, so other tests never pay for them.
 */
export async function openBrowserPage(options: BrowserPageOptions): Promise<BrowserHarness> {
  if (!chromiumPath) throw new Error(`${noChromiumReason}`);
  const [{ chromium }, { createServer }] = await Promise.all([import('playwright-core'), import('vite')]);
  const root = await mkdtemp(join(tmpdir(), 'crazy-digits-page-'));
  let server: ViteDevServer | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close().catch(() => {});
    await server?.close().catch(() => {});
    await rm(root, { recursive: true, force: true });
  };
  try {
    for (const [path, text] of Object.entries(options.files)) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), text);
    }
    server = await createServer({
      configFile: false,
      root,
      logLevel: 'error',
      // Outside the page's temporary root, so that only the first run pre-bundles tfjs and idb.
      cacheDir: join(tmpdir(), 'crazy-digits-vite-cache'),
      resolve: {
        alias: {
          // Subpaths first: an alias also matches every path below its name.
          '@crazy-digits/core/store-kit': source('packages/core/src/store-kit.ts'),
          '@crazy-digits/core/training': source('packages/core/src/training.ts'),
          '@crazy-digits/core': source('packages/core/src/index.ts'),
          '@crazy-digits/browser-adapter': source('packages/browser-adapter/src/index.ts'),
          ...options.aliases,
        },
      },
      server: { host: '127.0.0.1', port: 0, hmr: false, watch: null, fs: { allow: [repoRoot, root] } },
    });
    await server.listen();
    const url = server.resolvedUrls?.local[0];
    if (!url) throw new Error('the Vite dev server has no local URL');
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        '--headless',
        '--no-sandbox',
        ...(options.gpuArgs ?? ['--disable-gpu']),
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const page = await (await browser.newContext(options.context)).newPage();
    const errors: Error[] = [];
    page.on('pageerror', (error) => errors.push(error));
    await page.goto(url);
    return { page, url, errors, wasmPaths: wasmFilesUrl(), close };
  } catch (error) {
    await close();
    throw error;
  }
}
