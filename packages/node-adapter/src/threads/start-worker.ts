import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * The worker entry `name` beside the module at `here` (its `import.meta.url`): `.ts` when running
 * from sources (tests, tsx), `.cjs` or `.js` from the build, matching how that module was loaded.
 */
export function workerEntryBeside(here: string, name: string): URL {
  const extension = here.endsWith('.ts') ? '.ts' : here.endsWith('.cjs') ? '.cjs' : '.js';
  return new URL(`./${name}${extension}`, here);
}

/**
 * Starts one worker on `entry`. Node's `--import tsx` in a worker's `execArgv` does not apply to
 * the worker's own entry on Node 20, so a TypeScript entry is loaded by a bootstrap that
 * registers tsx first.
 */
export function startWorker(entry: URL, options: Pick<WorkerOptions, 'workerData'> = {}): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, options);
  // tsx's ESM API (its exports map puts it beside the CommonJS one `require.resolve` finds): its
  // `register()` is done once it returns, and its CommonJS twin cannot find its hooks in a worker.
  const api = createRequire(import.meta.url)
    .resolve('tsx/esm/api')
    .replace(/\.cjs$/, '.mjs');
  const bootstrap = `import(${JSON.stringify(pathToFileURL(api).href)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}
