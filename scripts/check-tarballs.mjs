// Checks the publishable packages as a user gets them, from the tarballs `npm pack` makes: installs
// them with tfjs into a fresh project outside the repository, then
//   (a) imports and requires each package in Node and recognises digits on the wasm backend, and
//       renders the React bindings' drawing pad to HTML with the React the app installs;
//   (b) bundles a small app on core + browser-adapter with Vite and recognises digits drawn on the
//       drawing pad in headless Chromium, with the wasm binaries and the bundled weights loaded
//       from the build (skipped when no Chromium is found);
//   (c) holds the gzipped size of core + browser-adapter in that bundle to a budget, and of the
//       React bindings' module;
//   (d) holds the app's first load (what Chromium fetched before its first prediction) to a budget.
//   (e) runs the Vite quickstart (examples/vite-quickstart) on the dev server and from a build,
//       and holds the build's first load to the same budget;
//   (f) opens the script-tag example (examples/script-tag) on the IIFE build;
//   (g) runs a React app on the React bindings on Vite's dev server (React's development build,
//       where `StrictMode` mounts twice) and reads a digit drawn on its `<DigitPad>`;
//   (h) runs the quickstart README's code as pasted into Vite's vanilla-ts page, on the dev server
//       and from a build: it reads a drawn digit and learns a correction.
// Run after `npm run build`; it builds nothing itself. `--keep` leaves the temporary folder behind.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { crc32, deflateSync, gzipSync } from 'node:zlib';
import { describeFiles, FIRST_LOAD_BUDGET_GZIP_BYTES, firstLoadOf, recordFetches } from './first-load.mjs';

/**
 * Budget for core + browser-adapter in the app's bundle below, minified and gzipped (level 9), in
 * bytes: what the app's imports (recogniser, backend, drawing pad, IndexedDB store) pull in after
 * tree-shaking, without tfjs, idb, the bundled weights or the rehearsal digits (reported separately).
 * Measured at 22,304 bytes (Vite 8.3.8), then 25,954 with the batch-norm training kernels
 * (`useBackend('wasm')` installs the whole training kernel set, which the page's retrains use),
 * 29,439 before and 32,274 after `readNumber` (the number reader is part of every recogniser:
 * about 2.8 kB), 33,457 with the wasm binaries located without configuration, about 34,500 with
 * canvases, images, bitmaps and Blobs as inputs (about 1 kB), 34,999 with shapes labelled by runs
 * of ink, cut paths that pass under a stroke and widths per digit (9 bytes over until the
 * union-find's path compression was written as path halving; 34,981 once the RGBA intensity
 * was one function again), 34,994 with the `NOT_A_DIGIT` training label (35,013 until its
 * dataset error said "not 0–10" in fewer words), 35,188 with the correction memory's recent
 * readings (a user's own confident readings rival a correction: 326 bytes as first written, 188
 * once they were plain arrays), so raised to 35,200; then 35,383: specks by size and slivers a
 * cut leaves joined to a neighbour (126 bytes: a full stop and a 1x8 px sliver had been read as
 * digits), the user's readings compared only near a correction (25 bytes: 0.28 ms a prediction
 * saved) and background pixels skipped as 32-bit words (44 bytes: 0.13 ms an opaque canvas), so
 * raised to 35,400; then 35,513: a correction's rehearsal bound tested before its label agreement
 * (24 bytes: half the agreement checks, none allocating) and the user's readings in one flat
 * window (106 bytes: comparing them 0.125 → 0.042 ms a prediction near 10,000 corrections; plain
 * arrays with a two-sum loop, 20 bytes, took 0.117 ms), so raised to 35,520; then 35,745: the
 * user's counter-examples end a correction's reach (225 bytes: a bound per correction, kept through
 * adds and removes; 71 → 55 errors introduced in the checking writers' streams), so raised to
 * 35,760; then 35,784: a correction of a drawing the network was unsure of stops at the user's own
 * readings (39 bytes: a fourth standing, chosen from the network's confidence; 55 → 30 errors
 * introduced in the checking writers' streams), so raised to 35,800; then 36,051: the user's own
 * digits decide near copies (267 bytes: the readings window keeps every reading with a sure flag,
 * and the rule itself; the tuning writers' streams 38.5% → 58.5% fewer second-half errors), so
 * raised to 36,080; then 36,167: `Mean`'s gradient spreads dy / n with `broadcastTo` instead of
 * tfjs-core's JS fill of ones (87 bytes: one training thread 287–296 → 302–313 samples/s at batch
 * 64), so raised to 36,180; then 36,222: an incremental `retrain()` with nothing new (the served
 * weights trained on every correction in effect) rejects before training the same corrections
 * again (42 bytes), so raised to 36,230; then 36,238: a recogniser warms its retrainer at each
 * correction, so a worker and its backend start before the first consolidation (a page's first
 * worker retrain 7.0–7.9 s → 4.7–5.3 s in `browser-retrain`), so raised to 36,260; then 36,361:
 * yields in a browser through a `MessageChannel`, where a nested `setTimeout(0)` waits 4 ms (101
 * bytes: a worker retrain's validation 2.1–2.3 s → 1.8–2.2 s cold with 32-digit batches, which
 * end the page's 51–57 ms tasks), so raised to 36,380; then 36,620: the served weights sent to a
 * worker retrainer ahead of its first run, which makes its frozen outputs meanwhile, and new
 * weights' first pass in a task of its own (259 bytes: a page's first worker retrain 4.3–5.2 s →
 * 3.1–3.9 s, no 52–59 ms task at a run's end), so raised to 36,640. Raise it only deliberately,
 * in the change that needs it.
 */
const BROWSER_BUDGET_GZIP_BYTES = 36_640;

/**
 * Budget for the React bindings' ESM module (`dist/index.js`, as published), gzipped (level 9), in
 * bytes: the hook and the pad component, with core, the browser adapter and React left as imports.
 * Measured at 1,323 bytes.
 */
const REACT_BUDGET_GZIP_BYTES = 1_800;

const TFJS_VERSION = '4.22.0';
const PACKAGES = [
  '@crazy-digits/core',
  '@crazy-digits/node-adapter',
  '@crazy-digits/browser-adapter',
  '@crazy-digits/postgres-adapter',
  '@crazy-digits/react',
];
const repoRoot = fileURLToPath(new URL('../', import.meta.url));
/** The React the repository develops against, for the React bindings in the fresh project. */
const rootDevDependencies = JSON.parse(
  await readFile(join(repoRoot, 'package.json'), 'utf8'),
).devDependencies;
const REACT_PACKAGES = ['react', 'react-dom'].map((name) => `${name}@${rootDevDependencies[name]}`);
const keep = process.argv.includes('--keep');
const execFileAsync = promisify(execFile);
const failures = [];
const started = Date.now();

const log = (message) =>
  console.log(`[check:tarballs ${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`);
const fail = (message) => {
  failures.push(message);
  console.error(`  FAIL ${message}`);
};
const kB = (bytes) => `${(bytes / 1024).toFixed(1)} kB`;

/**
 * Runs a command; on failure the error carries its output. npm's script variables are dropped, so
 * a nested npm works on the temporary project and not on the repository that runs this script.
 */
async function run(command, args, { cwd, timeout = 120_000 } = {}) {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) =>
        !/^npm_(package_|lifecycle_|config_(local_prefix|prefix|workspaces?|include_workspace_root)$)/i.test(
          name,
        ),
    ),
  );
  try {
    return await execFileAsync(command, args, { cwd, env, timeout, maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    throw new Error(
      `\`${command} ${args.join(' ')}\` failed:\n${error.stdout ?? ''}${error.stderr ?? error.message}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Digits: each a few strokes in a 280x280 box, rasterised to PNG for Node and drawn with the mouse
// on the drawing pad in Chromium. Clear enough that any working model reads them right.

const SIDE = 280;
const LINE_WIDTH = 16;
const ellipse = (cx, cy, rx, ry, steps = 28) =>
  Array.from({ length: steps + 1 }, (_, i) => {
    const angle = (2 * Math.PI * i) / steps;
    return [cx + rx * Math.sin(angle), cy - ry * Math.cos(angle)];
  });
const DIGITS = {
  1: [
    [
      [140, 50],
      [140, 230],
    ],
  ],
  7: [
    [
      [85, 60],
      [195, 60],
      [125, 230],
    ],
  ],
  0: [ellipse(140, 140, 55, 85)],
};

function distanceToSegment(px, py, [ax, ay], [bx, by]) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy || 1)));
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}

/** An 8-bit grayscale PNG of the strokes, black ink on white, written with zlib alone. */
function digitPng(strokes) {
  const rows = [];
  for (let y = 0; y < SIDE; y++) {
    const row = Buffer.alloc(SIDE + 1); // filter byte 0, then one byte per pixel
    for (let x = 0; x < SIDE; x++) {
      let distance = Number.POSITIVE_INFINITY;
      for (const stroke of strokes) {
        for (let i = 1; i < stroke.length; i++) {
          distance = Math.min(distance, distanceToSegment(x + 0.5, y + 0.5, stroke[i - 1], stroke[i]));
        }
      }
      row[x + 1] = distance <= LINE_WIDTH / 2 ? 0 : 255;
    }
    rows.push(row);
  }
  const chunk = (type, data) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(SIDE, 0);
  header.writeUInt32BE(SIDE, 4);
  header.set([8, 0, 0, 0, 0], 8); // 8-bit, grayscale, deflate, no filter, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Compares `{ digit: { digit, confidence } }` predictions with the digits drawn. */
function checkPredictions(where, predictions) {
  for (const expected of Object.keys(DIGITS)) {
    const prediction = predictions[expected];
    const line = `${where}: drew ${expected}, predicted ${prediction?.digit} (confidence ${prediction?.confidence?.toFixed(3)})`;
    if (prediction?.digit === Number(expected)) console.log(`  ok   ${line}`);
    else fail(line);
  }
}

// ---------------------------------------------------------------------------------------------
// Pack and install.

async function packAndInstall(work) {
  for (const name of PACKAGES) {
    const dir = join(repoRoot, 'packages', name.split('/')[1]);
    if (!existsSync(join(dir, 'dist', 'index.js'))) {
      throw new Error(`${name} has no dist/: run \`npm run build\` first`);
    }
  }
  const tarballs = join(work, 'tarballs');
  await mkdir(tarballs);
  const { stdout } = await run(
    'npm',
    ['pack', '--json', '--pack-destination', tarballs, ...PACKAGES.flatMap((name) => ['-w', name])],
    { cwd: repoRoot },
  );
  const packed = JSON.parse(stdout);
  for (const { name, filename, size, unpackedSize, files } of packed) {
    const paths = files.map((file) => file.path);
    log(`packed ${filename}: ${kB(size)} (${kB(unpackedSize)} unpacked, ${paths.length} files)`);
    const stray = paths.filter(
      (path) => !path.startsWith('dist/') && !/^(package\.json|README\.md|LICENSE)$/.test(path),
    );
    if (stray.length > 0) fail(`${name} ships files outside dist/: ${stray.join(', ')}`);
    for (const expected of [
      'dist/index.js',
      'dist/index.cjs',
      'dist/index.d.ts',
      'dist/index.d.cts',
      'README.md',
    ]) {
      if (!paths.includes(expected)) fail(`${name}'s tarball lacks ${expected}`);
    }
  }

  const app = join(work, 'app');
  await mkdir(join(app, 'src'), { recursive: true });
  await writeFile(
    join(app, 'package.json'),
    `${JSON.stringify({ name: 'crazy-digits-tarball-check', private: true, type: 'module' }, null, 2)}\n`,
  );
  log(
    `installing the tarballs, tfjs and ${REACT_PACKAGES.join(', ')} into a fresh project (npm install --prefer-offline)`,
  );
  await run(
    'npm',
    [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      ...packed.map(({ filename }) => join(tarballs, filename)),
      `@tensorflow/tfjs@${TFJS_VERSION}`,
      `@tensorflow/tfjs-backend-wasm@${TFJS_VERSION}`,
      ...REACT_PACKAGES,
    ],
    { cwd: app, timeout: 150_000 },
  );
  // One copy of core, the tarball's: a second one nested under an adapter would break `instanceof`.
  const { stdout: tree } = await run('npm', ['ls', '--all', '--parseable', '@crazy-digits/core'], {
    cwd: app,
  });
  const copies = new Set(tree.split('\n').filter((line) => line.trim() !== ''));
  if (copies.size !== 1)
    fail(`expected one installed @crazy-digits/core, found ${copies.size}: ${[...copies].join(', ')}`);
  return app;
}

// ---------------------------------------------------------------------------------------------
// (a) Node: ESM import and CJS require of each package, and recognition on the wasm backend.

/**
 * The body both module formats run; `core`, the three adapters, the React bindings (`reactBindings`),
 * `React` and `ReactDOMServer` are in scope.
 */
const nodeCheckBody = `
const { readFile } = require('node:fs/promises');
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const expectExports = (label, module, names) => {
  const missing = names.filter((name) => typeof module[name] !== 'function');
  if (missing.length > 0) throw new Error(label + ' lacks exports: ' + missing.join(', '));
};
(async () => {
  expectExports('@crazy-digits/core', core, ['createRecognizer', 'useBackend', 'preprocess', 'createRetrainer', 'isCrazyDigitsError', 'CrazyDigitsError']);
  expectExports('@crazy-digits/node-adapter', nodeAdapter, ['createFileCorrectionStore', 'createFileModelStore', 'decodeImage', 'createWorkerThreadsRetrainer', 'createWorkerThreadsGradientPool']);
  expectExports('@crazy-digits/browser-adapter', browserAdapter, ['createDrawingPad', 'createIndexedDBCorrectionStore', 'createIndexedDBModelStore', 'createWorkerRetrainer', 'coordinateRetraining']);
  // The adapters' errors extend the installed core's base class: core is not bundled into them.
  if (!(new nodeAdapter.RetrainWorkerError('m') instanceof core.CrazyDigitsError)) throw new Error('node-adapter errors do not extend core.CrazyDigitsError');
  if (!(new browserAdapter.StorageQuotaExceededError('m') instanceof core.CrazyDigitsError)) throw new Error('browser-adapter errors do not extend core.CrazyDigitsError');
  expectExports('@crazy-digits/postgres-adapter', postgresAdapter, ['createPostgresCorrectionStore', 'createPostgresModelStore', 'createPostgresChangeFeed', 'createPostgresRetrainLock']);
  if (!(new postgresAdapter.DatabaseUnavailableError('m') instanceof core.CrazyDigitsError)) throw new Error('postgres-adapter errors do not extend core.CrazyDigitsError');
  expectExports('@crazy-digits/react', reactBindings, ['useRecognizer']);
  if (reactBindings.DigitPad?.$$typeof !== Symbol.for('react.forward_ref')) throw new Error('@crazy-digits/react lacks the DigitPad component');
  // Rendered by the React the app installed: one React, or hooks would throw here.
  const html = ReactDOMServer.renderToString(React.createElement(React.StrictMode, null, React.createElement(reactBindings.DigitPad, { width: 200 })));
  if (!/^<canvas[^>]*aria-label="Drawing pad for a digit"/.test(html)) throw new Error('<DigitPad> rendered ' + html);
  // worker_threads starts these by path, beside the entry.
  const dist = join('node_modules', '@crazy-digits', 'node-adapter', 'dist');
  for (const file of ['retrain-worker.js', 'retrain-worker.cjs', 'gradient-worker.js', 'gradient-worker.cjs']) {
    if (!existsSync(join(dist, file))) throw new Error('node-adapter lacks dist/' + file);
  }
  const recognizer = await core.createRecognizer({ backend: 'wasm' });
  const predictions = {};
  for (const [digit, file] of Object.entries(JSON.parse(process.argv[2]))) {
    const prediction = await recognizer.predict(await nodeAdapter.decodeImage(await readFile(file)));
    predictions[digit] = { digit: prediction.digit, confidence: prediction.confidence };
  }
  const result = { backend: recognizer.backend, modelVersion: recognizer.modelVersion, predictions };
  recognizer.dispose();
  console.log('RESULT ' + JSON.stringify(result));
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
`;

async function checkNode(app) {
  const pngs = {};
  for (const [digit, strokes] of Object.entries(DIGITS)) {
    pngs[digit] = join(app, `digit-${digit}.png`);
    await writeFile(pngs[digit], digitPng(strokes));
  }
  const variants = {
    'check-esm.mjs': [
      "import { createRequire } from 'node:module';",
      "import * as core from '@crazy-digits/core';",
      "import * as nodeAdapter from '@crazy-digits/node-adapter';",
      "import * as browserAdapter from '@crazy-digits/browser-adapter';",
      "import * as postgresAdapter from '@crazy-digits/postgres-adapter';",
      "import * as reactBindings from '@crazy-digits/react';",
      "import React from 'react';",
      "import ReactDOMServer from 'react-dom/server';",
      'const require = createRequire(import.meta.url);',
    ],
    'check-cjs.cjs': [
      "const core = require('@crazy-digits/core');",
      "const nodeAdapter = require('@crazy-digits/node-adapter');",
      "const browserAdapter = require('@crazy-digits/browser-adapter');",
      "const postgresAdapter = require('@crazy-digits/postgres-adapter');",
      "const reactBindings = require('@crazy-digits/react');",
      "const React = require('react');",
      "const ReactDOMServer = require('react-dom/server');",
    ],
  };
  for (const [file, header] of Object.entries(variants)) {
    const format = file.endsWith('.mjs') ? 'ESM import' : 'CJS require';
    await writeFile(join(app, file), `${header.join('\n')}\n${nodeCheckBody}`);
    try {
      const { stdout } = await run('node', [file, JSON.stringify(pngs)], { cwd: app });
      const line = stdout.split('\n').find((text) => text.startsWith('RESULT '));
      if (!line) throw new Error(`no result from ${file}:\n${stdout}`);
      const result = JSON.parse(line.slice('RESULT '.length));
      console.log(
        `  ok   Node ${format}: all five packages load, <DigitPad> renders (backend ${result.backend}, model ${result.modelVersion})`,
      );
      if (result.backend !== 'wasm') fail(`Node ${format}: ran on ${result.backend}, not wasm`);
      checkPredictions(`Node ${format}`, result.predictions);
    } catch (error) {
      fail(`Node ${format}: ${error.message}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// (b) and (c): a Vite app, bundled by the repository's Vite from the installed packages.

const indexHtml = `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><link rel="icon" href="data:," /><title>crazy-digits tarball check</title></head>
  <body style="margin: 0">
    <canvas id="pad" style="display: block; width: ${SIDE}px; height: ${SIDE}px"></canvas>
    <script type="module" src="./src/main.js"></script>
  </body>
</html>
`;

// The browser-adapter README's usage, with no Vite configuration and no `wasmPaths`: core finds
// the wasm binaries it ships.
const mainJs = `import { createRecognizer, useBackend } from '@crazy-digits/core';
import { createDrawingPad, createIndexedDBCorrectionStore } from '@crazy-digits/browser-adapter';

window.ready = (async () => {
  const backend = await useBackend('wasm');
  const store = await createIndexedDBCorrectionStore({ name: 'tarball-check' });
  const recognizer = await createRecognizer({ backend: 'wasm', store });
  const pad = createDrawingPad(document.getElementById('pad'));
  window.predictPad = async () => {
    const { digit, confidence } = await recognizer.predict(pad.getImageData());
    pad.clear();
    return { digit, confidence };
  };
  return { backend, modelVersion: recognizer.modelVersion };
})();
`;

/**
 * Chunks by package, so core + browser-adapter can be measured on their own. Higher priorities
 * capture modules first: tfjs (with its own dependencies) and idb before crazy-digits, whose group
 * would otherwise pull them in as its dependencies. The weights and rehearsal digits, imported
 * dynamically, keep chunks of their own.
 */
const chunkGroups = [
  { name: 'tfjs', test: /[\\/]node_modules[\\/](?!@crazy-digits[\\/]|idb[\\/])/, priority: 3 },
  { name: 'idb', test: /[\\/]node_modules[\\/]idb[\\/]/, priority: 2 },
  { name: 'crazy-digits', test: /[\\/]node_modules[\\/]@crazy-digits[\\/](?!.*\.generated)/, priority: 1 },
];

async function bundleApp(app) {
  await writeFile(join(app, 'index.html'), indexHtml);
  await writeFile(join(app, 'src', 'main.js'), mainJs);
  const { build } = await import('vite');
  log('bundling the app with Vite');
  await build({
    root: app,
    configFile: false,
    logLevel: 'warn',
    base: './',
    cacheDir: join(app, 'node_modules', '.vite'),
    build: {
      outDir: 'dist',
      emptyOutDir: true,
      target: 'es2022',
      chunkSizeWarningLimit: 8192,
      reportCompressedSize: false,
      rolldownOptions: {
        checks: { pluginTimings: false },
        output: { codeSplitting: { groups: chunkGroups } },
      },
    },
  });
  const assets = join(app, 'dist', 'assets');
  const sizes = [];
  for (const file of await readdir(assets)) {
    const bytes = await readFile(join(assets, file));
    sizes.push({ file, bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length });
  }
  return sizes;
}

function checkSizes(sizes) {
  const find = (pattern) => sizes.filter(({ file }) => pattern.test(file));
  const total = (list) => list.reduce((sum, { gzip }) => sum + gzip, 0);
  const describe = (list) =>
    list.length === 0
      ? 'not in the bundle'
      : list.map(({ file, bytes, gzip }) => `${file} ${kB(bytes)} min, ${kB(gzip)} gzip`).join('; ');
  const ours = find(/^crazy-digits-.*\.js$/);
  console.log('  bundle (minified; gzip -9):');
  console.log(`    core + browser-adapter: ${describe(ours)}`);
  console.log(
    `    bundled weights:        ${describe(find(/^bundled-(weights-.*\.bin|model\.generated-.*\.js)$/))}`,
  );
  console.log(`    rehearsal/validation set:  ${describe(find(/^rehearsal-set-.*\.bin$/))}`);
  console.log(`    idb:                    ${describe(find(/^idb-.*\.js$/))}`);
  console.log(`    tfjs:                   ${describe(find(/^tfjs-[^.]*\.js$/))}`);
  console.log(`    retrain worker:         ${describe(find(/worker.*\.js$/))}`);
  console.log(`    wasm binaries:          ${describe(find(/\.wasm$/))}`);
  console.log(`    app entry:              ${describe(find(/^index-.*\.js$/))}`);
  if (ours.length === 0) {
    fail('no core + browser-adapter chunk in the bundle: the chunk grouping in this script needs updating');
    return;
  }
  const measured = total(ours);
  const line = `core + browser-adapter: ${measured} bytes gzipped, budget ${BROWSER_BUDGET_GZIP_BYTES} bytes`;
  if (measured <= BROWSER_BUDGET_GZIP_BYTES) console.log(`  ok   ${line}`);
  else
    fail(
      `${line} (over by ${measured - BROWSER_BUDGET_GZIP_BYTES}; shrink it, or raise the budget in this script)`,
    );
}

/** The React bindings as published: their ESM module, which an app's bundler takes in whole. */
async function checkReactSize(app) {
  const module = await readFile(join(app, 'node_modules', '@crazy-digits', 'react', 'dist', 'index.js'));
  const gzip = gzipSync(module, { level: 9 }).length;
  const line = `@crazy-digits/react: ${kB(module.length)} min, ${gzip} bytes gzipped, budget ${REACT_BUDGET_GZIP_BYTES} bytes`;
  if (gzip <= REACT_BUDGET_GZIP_BYTES) console.log(`  ok   ${line}`);
  else fail(`${line} (over by ${gzip - REACT_BUDGET_GZIP_BYTES})`);
}

const MIME = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
};

/** Serves `root` on a free local port, as a static host would. */
async function serveStatic(root) {
  const server = createServer(async (request, response) => {
    const path = join(root, decodeURIComponent(new URL(request.url, 'http://x').pathname));
    try {
      if (relative(root, path).startsWith('..')) throw new Error('outside the root');
      const file = (await stat(path)).isDirectory() ? join(path, 'index.html') : path;
      const body = await readFile(file);
      response.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    close: () => new Promise((r) => server.close(r)),
  };
}

const chromiumPath = [
  process.env.CHROMIUM_PATH,
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
].find((path) => path && existsSync(path));

async function checkBrowser(app) {
  if (!chromiumPath) {
    console.log('  SKIP browser recognition: no Chromium found (install chromium or set CHROMIUM_PATH)');
    return;
  }
  const { chromium } = await import('playwright-core');
  const server = await serveStatic(join(app, 'dist'));
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 400, height: 400 } });
    const problems = [];
    const loaded = [];
    const fetches = recordFetches(page);
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on(
      'console',
      (message) => message.type() === 'error' && problems.push(`console error: ${message.text()}`),
    );
    page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()}`));
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
      else loaded.push(new URL(response.url()).pathname);
    });
    await page.goto(server.url);
    let timer;
    const ready = await Promise.race([
      page.evaluate(() => window.ready),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('the app did not start within 60 s')), 60_000);
      }),
    ]).finally(() => clearTimeout(timer));
    if (!loaded.some((path) => /\/assets\/tfjs-backend-wasm.*\.wasm$/.test(path))) {
      fail('Chromium: no .wasm file was loaded from the build');
    }
    if (!loaded.some((path) => /\/assets\/bundled-weights-.*\.bin$/.test(path))) {
      fail('Chromium: the bundled weights file was not loaded from the build');
    }
    // Core fetches its rehearsal digits once the page is idle after load, never before the app is ready.
    if (loaded.some((path) => /\/assets\/rehearsal-set-.*\.bin$/.test(path))) {
      fail('Chromium: the rehearsal digits were loaded by an app that never retrains');
    }
    console.log(`       assets loaded: ${loaded.filter((path) => path.startsWith('/assets/')).join(', ')}`);
    if (ready.backend !== 'wasm') fail(`Chromium: ran on ${ready.backend}, not wasm`);
    const box = await page.locator('#pad').boundingBox();
    const predictions = {};
    let firstLoad;
    for (const [digit, strokes] of Object.entries(DIGITS)) {
      for (const stroke of strokes) {
        const [first, ...rest] = stroke;
        await page.mouse.move(box.x + first[0], box.y + first[1]);
        await page.mouse.down();
        for (const [x, y] of rest) await page.mouse.move(box.x + x, box.y + y, { steps: 6 });
        await page.mouse.up();
      }
      predictions[digit] = await page.evaluate(() => window.predictPad());
      firstLoad ??= await fetches.fetched();
    }
    console.log(
      `  ok   Chromium: the bundled app started (backend ${ready.backend}, model ${ready.modelVersion})`,
    );
    checkPredictions('Chromium (drawing pad)', predictions);
    for (const problem of problems) fail(`Chromium: ${problem}`);
    return firstLoad;
  } catch (error) {
    fail(`Chromium: ${error.message}`);
  } finally {
    await browser.close();
    await server.close();
  }
}

// ---------------------------------------------------------------------------------------------
// (d) The first load: every file the page fetched before its first prediction (HTML, JavaScript,
// the wasm binary the backend chose, the weights), gzipped (level 9) as a static host serves
// them (scripts/first-load.mjs).

/**
 * Prints what `fetched` (everything a page fetched until its first prediction) weighs and holds
 * its first load to the budget; `where` names the page in the report.
 */
function checkFirstLoad(where, fetched) {
  if (!fetched) {
    console.log(`  SKIP ${where} first load: the page did not predict in Chromium (see above)`);
    return;
  }
  const { files, gzip, binUncompressed, afterLoad } = firstLoadOf(fetched);
  for (const line of describeFiles(files)) console.log(`    ${line}`);
  for (const line of describeFiles(afterLoad))
    console.log(`    (fetched at idle time, not counted: ${line})`);
  const line = `${where} first load: ${gzip} bytes gzipped in ${files.length} files (${binUncompressed} with the .bin files uncompressed), budget ${FIRST_LOAD_BUDGET_GZIP_BYTES} bytes`;
  if (gzip <= FIRST_LOAD_BUDGET_GZIP_BYTES) console.log(`  ok   ${line}`);
  else fail(`${line} (over by ${gzip - FIRST_LOAD_BUDGET_GZIP_BYTES})`);
}

// ---------------------------------------------------------------------------------------------
// (e) The quickstart (examples/vite-quickstart), copied into the fresh project and run as a user
//     runs it, with no Vite configuration at all: on Vite's dev server and from a production build
//     served by `vite preview`. In Chromium it must start on wasm (the `.wasm` files found with no
//     `wasmPaths`), read a drawn digit, learn a correction, and retrain in its Web Worker on wasm,
//     without a cpu fallback warning.

const QUICKSTART = join(repoRoot, 'examples', 'vite-quickstart');

/**
 * The quickstart's files in `app/quickstart/`, inside the project whose `node_modules` holds the
 * tarballs (no package.json of its own, so Vite's project root, and what its dev server may serve,
 * is `app/`, as in an app where the page is at the top).
 */
async function copyQuickstart(app) {
  const root = join(app, 'quickstart');
  await mkdir(join(root, 'src'), { recursive: true });
  for (const file of ['index.html', 'src/main.ts']) {
    await writeFile(join(root, file), await readFile(join(QUICKSTART, file)));
  }
  return root;
}

/** What `npx vite` and `npx vite build && npx vite preview` do in a project without a config file. */
const viteDefaults = (root) => ({
  root,
  configFile: false,
  logLevel: 'warn',
  server: { host: '127.0.0.1', port: 0 },
  preview: { host: '127.0.0.1', port: 0 },
});

/** Fails `where` for a cpu fallback among the page's warnings, and for each problem it had. */
function reportPage(where, warnings, problems) {
  const cpu = warnings.filter((text) => /cpu backend|backend wasm failed/i.test(text));
  if (cpu.length > 0) fail(`${where}: fell back to cpu: ${cpu.join(' | ')}`);
  for (const problem of problems) fail(`${where}: ${problem}`);
}

async function drawStrokes(page, strokes, selector = '#pad') {
  const box = await page.locator(selector).boundingBox();
  for (const stroke of strokes) {
    const [first, ...rest] = stroke;
    await page.mouse.move(box.x + first[0], box.y + first[1]);
    await page.mouse.down();
    for (const [x, y] of rest) await page.mouse.move(box.x + x, box.y + y, { steps: 6 });
    await page.mouse.up();
  }
}

/** Waits until `selector`'s text matches `pattern`, and returns that text. */
async function textMatching(page, selector, pattern, timeout) {
  const locator = page.locator(selector);
  await locator.filter({ hasText: pattern }).waitFor({ timeout });
  return locator.textContent();
}

/**
 * Drives the quickstart page at `url` as a user would; `where` names the run in the report.
 * Returns what the page fetched until its first prediction (`firstLoad`) and what it fetched after
 * that (`later`: at idle time, for the correction and for the retrain in its worker).
 */
async function driveQuickstart(browser, url, where) {
  const page = await browser.newPage({ viewport: { width: 600, height: 500 } });
  const fetches = recordFetches(page);
  let firstLoad;
  const problems = [];
  const warnings = [];
  const wasmLoaded = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    // The quickstart has no favicon, which browsers ask for anyway.
    if (message.type() === 'error' && !/favicon\.ico$/.test(message.location().url))
      problems.push(`console error: ${message.text()}`);
    if (message.type() === 'warning') warnings.push(message.text());
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
    else if (/\.wasm$/.test(new URL(response.url()).pathname))
      wasmLoaded.push(new URL(response.url()).pathname);
  });
  try {
    await page.goto(url);
    const status = await textMatching(page, '#status', /^Ready/, 90_000);
    if (status === 'Ready (wasm)') console.log(`  ok   ${where}: ${status}, with no configuration`);
    else fail(`${where}: the page says "${status}", not "Ready (wasm)"`);
    if (wasmLoaded.length === 0) fail(`${where}: no .wasm file was loaded`);
    else console.log(`       wasm loaded from: ${[...new Set(wasmLoaded)].join(', ')}`);

    const [digit, strokes] = ['7', DIGITS[7]];
    const taught = '4';
    await drawStrokes(page, strokes);
    const read = await textMatching(page, '#answer', /^\d$/, 30_000);
    firstLoad = await fetches.fetched();
    if (read === digit) console.log(`  ok   ${where}: drew ${digit}, the page read ${read}`);
    else fail(`${where}: drew ${digit}, the page read ${read}`);
    await page.locator('#digits button', { hasText: taught }).click();
    await page.waitForFunction(() => document.getElementById('answer')?.textContent === '', null, {
      timeout: 30_000,
    });
    await drawStrokes(page, strokes);
    const after = await textMatching(page, '#answer', /^\d$/, 30_000);
    if (after === taught)
      console.log(`  ok   ${where}: corrected it to ${taught}; drawn again, it reads ${after}`);
    else fail(`${where}: corrected the drawing to ${taught}, drawn again it reads ${after}`);

    await page.locator('#retrain').click();
    const retrained = await textMatching(page, '#status', /^Retrained/, 180_000);
    if (/^Retrained in a worker \(wasm\)/.test(retrained)) console.log(`  ok   ${where}: ${retrained}`);
    else fail(`${where}: ${retrained} (expected the worker on wasm)`);

    reportPage(where, warnings, problems);
  } catch (error) {
    fail(`${where}: ${error.message}${problems.length > 0 ? ` (${problems.join('; ')})` : ''}`);
  } finally {
    await page.close();
  }
  if (!firstLoad) return {};
  const firstPaths = new Set(firstLoad.map(({ path }) => path));
  return { firstLoad, later: (await fetches.fetched()).filter(({ path }) => !firstPaths.has(path)) };
}

/**
 * Serves the Vite app in `root` as `npx vite` does, then builds it and serves the build as
 * `npx vite preview` does, calling `drive(browser, url, how)` in a fresh Chromium for each
 * (`how`: 'vite dev' or 'vite build'); `label` names the app in the log.
 */
async function onDevAndBuild(root, label, launchChromium, drive) {
  const { build, createServer, preview } = await import('vite');
  log(`${label} on the Vite dev server`);
  const dev = await createServer(viteDefaults(root));
  await dev.listen();
  let browser = await launchChromium();
  try {
    if (browser) await drive(browser, dev.resolvedUrls.local[0], 'vite dev');
  } finally {
    await browser?.close();
    await dev.close();
  }
  log(`${label} built with \`vite build\`, served by \`vite preview\``);
  await build(viteDefaults(root));
  const served = await preview(viteDefaults(root));
  browser = await launchChromium();
  try {
    if (browser) await drive(browser, served.resolvedUrls.local[0], 'vite build');
  } finally {
    await browser?.close();
    await served.close();
  }
}

async function checkQuickstart(app, launchChromium) {
  const root = await copyQuickstart(app);
  await onDevAndBuild(root, '(e) the quickstart', launchChromium, async (browser, url, how) => {
    const where = `quickstart, ${how}`;
    const { firstLoad, later } = await driveQuickstart(browser, url, where);
    if (how !== 'vite build') return;
    checkFirstLoad(where, firstLoad);
    for (const line of describeFiles(later ?? [])) console.log(`    (fetched later, not counted: ${line})`);
  });
}

// ---------------------------------------------------------------------------------------------
// (h) The quickstart's README code itself, as a reader pastes it: the README's `ts` block as
//     `src/main.ts` of Vite's vanilla-ts page (`<div id="app">`), on the dev server and from a
//     build. A drawn 7 must be read, and read as 4 once corrected to 4 with the page's buttons.

/** The first `ts` code block of the quickstart's README. */
async function readmeCode() {
  const readme = await readFile(join(QUICKSTART, 'README.md'), 'utf8');
  const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!code) throw new Error('examples/vite-quickstart/README.md has no ts code block');
  return code;
}

async function driveReadmeCode(browser, url, where) {
  const page = await browser.newPage({ viewport: { width: 600, height: 500 } });
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/favicon\.ico$/.test(message.location().url))
      problems.push(`console error: ${message.text()}`);
  });
  const answer = () => page.locator('#app p').textContent();
  try {
    await page.goto(url);
    // The buttons are made once the recogniser is ready.
    await page.locator('#app div button').nth(9).waitFor({ timeout: 90_000 });
    await drawStrokes(page, DIGITS[7], '#app canvas');
    await page.locator('#app p').filter({ hasText: /^\d$/ }).waitFor({ timeout: 30_000 });
    const read = await answer();
    if (read === '7') console.log(`  ok   ${where}: drew 7, the page read ${read}`);
    else fail(`${where}: drew 7, the page read ${read}`);
    await page.locator('#app div button', { hasText: /^4$/ }).click();
    await page.waitForFunction(() => document.querySelector('#app p')?.textContent === '', null, {
      timeout: 30_000,
    });
    await drawStrokes(page, DIGITS[7], '#app canvas');
    await page.locator('#app p').filter({ hasText: /^\d$/ }).waitFor({ timeout: 30_000 });
    const after = await answer();
    if (after === '4') console.log(`  ok   ${where}: corrected it to 4; drawn again, it reads ${after}`);
    else fail(`${where}: corrected the drawing to 4, drawn again it reads ${after}`);
    for (const problem of problems) fail(`${where}: ${problem}`);
  } catch (error) {
    fail(`${where}: ${error.message}${problems.length > 0 ? ` (${problems.join('; ')})` : ''}`);
  } finally {
    await page.close();
  }
}

async function checkReadmeCode(app, launchChromium) {
  const root = join(app, 'readme-quickstart');
  await mkdir(join(root, 'src'), { recursive: true });
  await writeFile(
    join(root, 'index.html'),
    '<!doctype html>\n<html lang="en">\n  <body>\n    <div id="app"></div>\n    <script type="module" src="/src/main.ts"></script>\n  </body>\n</html>\n',
  );
  await writeFile(join(root, 'src', 'main.ts'), await readmeCode());
  await onDevAndBuild(root, "(h) the quickstart README's code", launchChromium, (browser, url, how) =>
    driveReadmeCode(browser, url, `README code, ${how}`),
  );
}

/** Headless Chromium, or undefined (with a SKIP line) when there is none. */
async function launchChromium() {
  if (!chromiumPath) {
    console.log('  SKIP Chromium checks: no Chromium found (install chromium or set CHROMIUM_PATH)');
    return undefined;
  }
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
    ],
  });
}

// ---------------------------------------------------------------------------------------------
// (f) The script-tag example (examples/script-tag/index.html), as it is, on the IIFE build: its
//     CDN URLs are answered from the fresh project's node_modules (the packed tarballs and tfjs),
//     so nothing is fetched from the network.

const CDN_PATH = /^\/npm\/((?:@[^/]+\/)?[^@/]+)@[^/]+\/(.+)$/;

/** Answers `https://cdn.jsdelivr.net/npm/<name>@<version>/<path>` with `<path>` of the installed `<name>`. */
async function answerCdnFromNodeModules(page, app, served) {
  await page.route('https://cdn.jsdelivr.net/npm/**', async (route) => {
    const match = CDN_PATH.exec(new URL(route.request().url()).pathname);
    const file = match && join(app, 'node_modules', match[1], match[2]);
    if (!file || !existsSync(file)) return route.fulfill({ status: 404 });
    served.push(`${match[1]}/${match[2]}`);
    return route.fulfill({
      body: await readFile(file),
      contentType: MIME[extname(file)] ?? 'application/octet-stream',
    });
  });
}

async function checkScriptTag(app, launchChromium) {
  log('(f) the script-tag example on the IIFE build');
  const root = join(app, 'script-tag');
  await mkdir(root, { recursive: true });
  await writeFile(
    join(root, 'index.html'),
    await readFile(join(repoRoot, 'examples', 'script-tag', 'index.html')),
  );
  const browser = await launchChromium();
  if (!browser) return;
  const server = await serveStatic(root);
  const where = 'script tag';
  const problems = [];
  const warnings = [];
  const served = [];
  try {
    const page = await browser.newPage({ viewport: { width: 600, height: 500 } });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
      if (message.type() === 'warning') warnings.push(message.text());
    });
    await answerCdnFromNodeModules(page, app, served);
    await page.goto(server.url);
    const status = await textMatching(page, '#status', /^\(on /, 90_000);
    if (status === '(on wasm)') console.log(`  ok   ${where}: the recogniser runs ${status}`);
    else fail(`${where}: the page says "${status}", not "(on wasm)"`);
    if (!served.some((path) => path.endsWith('.wasm'))) fail(`${where}: no .wasm file was loaded`);
    console.log(`       from the "CDN": ${served.join(', ')}`);
    await drawStrokes(page, DIGITS[7]);
    const read = await textMatching(page, '#answer', /^\d$/, 30_000);
    if (read === '7') console.log(`  ok   ${where}: drew 7, the page read ${read}`);
    else fail(`${where}: drew 7, the page read ${read}`);
    reportPage(where, warnings, problems);
  } catch (error) {
    fail(`${where}: ${error.message}${problems.length > 0 ? ` (${problems.join('; ')})` : ''}`);
  } finally {
    await browser.close();
    await server.close();
  }
}

// ---------------------------------------------------------------------------------------------
// (g) A React app on the React bindings: `useRecognizer()` with no options and `<DigitPad>` in
//     `StrictMode`, written without JSX so that Vite needs no plugin, on the dev server (React's
//     development build, where StrictMode mounts every component twice).

const reactAppHtml = `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><link rel="icon" href="data:," /><title>crazy-digits React check</title></head>
  <body style="margin: 0"><div id="root"></div><script type="module" src="/src/main.js"></script></body>
</html>
`;

const reactAppJs = `import { DigitPad, useRecognizer } from '@crazy-digits/react';
import { createElement as h, StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';

function App() {
  const { recognizer, status, error } = useRecognizer();
  const [answer, setAnswer] = useState('');
  const read = async (pad) =>
    setAnswer(pad.isEmpty || !recognizer ? '' : String((await recognizer.predict(pad.getImageData())).digit));
  return h(
    'main',
    null,
    h('div', { id: 'pad', style: { width: '${SIDE}px', height: '${SIDE}px' } },
      h(DigitPad, { onChange: read, style: { display: 'block' } })),
    h('output', { id: 'status' }, recognizer ? 'Ready (' + recognizer.backend + ')' : status + (error ? ': ' + error.message : '')),
    h('output', { id: 'answer' }, answer),
  );
}

createRoot(document.getElementById('root')).render(h(StrictMode, null, h(App)));
`;

async function checkReactApp(app, launchChromium) {
  log('(g) a React app with <DigitPad> and useRecognizer in StrictMode, on the Vite dev server');
  const root = join(app, 'react-app');
  await mkdir(join(root, 'src'), { recursive: true });
  await writeFile(join(root, 'index.html'), reactAppHtml);
  await writeFile(join(root, 'src', 'main.js'), reactAppJs);
  const browser = await launchChromium();
  if (!browser) return;
  const { createServer } = await import('vite');
  const dev = await createServer(viteDefaults(root));
  await dev.listen();
  const where = 'React app, vite dev';
  const problems = [];
  try {
    const page = await browser.newPage({ viewport: { width: 600, height: 500 } });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    await page.goto(dev.resolvedUrls.local[0]);
    const status = await textMatching(page, '#status', /^(Ready|error)/, 90_000);
    if (status === 'Ready (wasm)') console.log(`  ok   ${where}: ${status}`);
    else fail(`${where}: the page says "${status}", not "Ready (wasm)"`);
    await drawStrokes(page, DIGITS[7]);
    const read = await textMatching(page, '#answer', /^\d$/, 30_000);
    if (read === '7') console.log(`  ok   ${where}: drew 7 on <DigitPad>, the page read ${read}`);
    else fail(`${where}: drew 7 on <DigitPad>, the page read ${read}`);
    for (const problem of problems) fail(`${where}: ${problem}`);
  } catch (error) {
    fail(`${where}: ${error.message}${problems.length > 0 ? ` (${problems.join('; ')})` : ''}`);
  } finally {
    await browser.close();
    await dev.close();
  }
}

// ---------------------------------------------------------------------------------------------

const work = await mkdtemp(join(tmpdir(), 'crazy-digits-tarballs-'));
try {
  log(`packing into ${work}`);
  const app = await packAndInstall(work);
  log('(a) Node: ESM and CJS entry points, recognition on wasm');
  await checkNode(app);
  log('(c) bundle size');
  const sizes = await bundleApp(app);
  checkSizes(sizes);
  await checkReactSize(app);
  log('(b) Chromium: the bundled app');
  const firstLoad = await checkBrowser(app);
  log('(d) first load');
  checkFirstLoad('the app', firstLoad);
  await checkQuickstart(app, launchChromium);
  await checkScriptTag(app, launchChromium);
  await checkReactApp(app, launchChromium);
  await checkReadmeCode(app, launchChromium);
} catch (error) {
  fail(error.message);
} finally {
  if (keep) log(`kept ${work}`);
  else await rm(work, { recursive: true, force: true });
}

if (failures.length > 0) {
  console.error(
    `\ncheck:tarballs failed (${failures.length}):\n${failures.map((f) => `  - ${f}`).join('\n')}`,
  );
  process.exit(1);
}
log('all tarball checks passed');
