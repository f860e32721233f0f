import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { BackendUnavailableError } from './errors.js';
import { shippedWasmPaths, type WasmPaths } from './wasm-files.js';
import { registerWasmTrainingKernels } from './wasm-kernels/register.js';

/** A TensorFlow.js backend to run on, or `'auto'` to pick the fastest that works here. */
export type BackendPreference = 'auto' | 'tensorflow' | 'wasm' | 'webgl' | 'webgpu' | 'cpu';

/** Options for {@link useBackend}. */
export interface UseBackendOptions {
  /**
   * Where the wasm backend finds its `.wasm` files, passed to tfjs's `setWasmPaths`: a URL prefix
   * ending in `/`, or a map from file name to URL. Not needed with Vite, webpack 5, Rollup or
   * Parcel, which emit the copies this package ships and tell it where they are; needed with a
   * bundler that does not handle `new URL('./file', import.meta.url)`, or to load the files
   * from a CDN. Never needed in Node.
   */
  wasmPaths?: WasmPaths;
}

// A variable specifier keeps bundlers from trying to resolve these optional packages.
const TFJS_NODE = '@tensorflow/tfjs-node';
const TFJS_WEBGPU = '@tensorflow/tfjs-backend-webgpu';

/** Node exposes `process.versions.node`; browsers and workers do not (core has no Node types). */
function isNode(): boolean {
  const process: unknown = Reflect.get(globalThis, 'process');
  const versions: unknown =
    typeof process === 'object' && process !== null ? Reflect.get(process, 'versions') : undefined;
  return (
    typeof versions === 'object' && versions !== null && typeof Reflect.get(versions, 'node') === 'string'
  );
}

async function importOptional(specifier: string, backend: string): Promise<void> {
  try {
    await import(/* @vite-ignore */ specifier);
  } catch (error) {
    throw new BackendUnavailableError(backend, `could not load ${specifier} (is it installed?)`, {
      cause: error,
    });
  }
}

/**
 * The activation in progress. tfjs's `setBackend` resolves `false` for an initialisation that a
 * later call superseded, so two recognisers created at once (a server opening two scopes) would
 * fail the first: activations run one after another instead.
 */
let activating: Promise<unknown> = Promise.resolve();

function activate(name: string): Promise<string> {
  const next = activating.then(() => activateNow(name));
  activating = next.catch(() => undefined);
  return next;
}

async function activateNow(name: string): Promise<string> {
  if (tf.getBackend() === name) return name;
  let ready: boolean;
  try {
    ready = await tf.setBackend(name);
    // `false` also means another initialisation (a `tf.ready()` elsewhere) superseded this one:
    // a second attempt tells that apart from a backend that cannot start.
    if (!ready) ready = await tf.setBackend(name);
  } catch (error) {
    throw new BackendUnavailableError(name, 'it failed to initialise', { cause: error });
  }
  if (!ready) throw new BackendUnavailableError(name, 'it failed to initialise');
  await tf.ready();
  if (name === 'cpu') quietlyWarmCpu();
  return name;
}

/**
 * In Node, tfjs's cpu backend prints an "install the node backend" banner on its first write.
 * Its logger is silent under the `PROD` flag, so the first write happens with `PROD` on, and the
 * flag is then put back as it was: nothing about the caller's environment changes.
 */
function quietlyWarmCpu(): void {
  const env = tf.env();
  const wasProd = env.getBool('PROD');
  env.set('PROD', true);
  try {
    tf.tidy(() => tf.scalar(0));
  } finally {
    env.set('PROD', wasProd);
  }
}

/**
 * Tells tfjs where the `.wasm` files are, before the backend first initialises (later, paths
 * change nothing): the caller's `wasmPaths`, else in browsers the copies shipped beside this
 * module. Node reads tfjs's own files from `node_modules` and needs neither.
 */
function locateWasmFiles(wasmPaths: WasmPaths | undefined): void {
  if (tf.findBackend('wasm') !== null) return;
  const paths = wasmPaths ?? (isNode() ? undefined : shippedWasmPaths());
  if (paths !== undefined) setWasmPaths(paths);
}

let warnedOfCpu = false;

/** Once per page or process: `'auto'` landing on cpu is slow enough that it must not be silent. */
function warnOfCpuFallback(failures: readonly unknown[]): void {
  if (warnedOfCpu) return;
  warnedOfCpu = true;
  const describe = (failure: unknown): string =>
    failure instanceof Error
      ? failure.message + (failure.cause === undefined ? '' : ` (${describe(failure.cause)})`)
      : String(failure);
  const reasons = failures.map(describe).join('; ');
  console.warn(
    `[crazy-digits] running on the cpu backend, which predicts and trains far slower than wasm (${reasons}). ` +
      'If the wasm files cannot be found, pass `wasmPaths` (see useBackend).',
  );
}

async function useOne(
  preference: Exclude<BackendPreference, 'auto'>,
  options: UseBackendOptions,
): Promise<string> {
  switch (preference) {
    case 'tensorflow':
      await importOptional(TFJS_NODE, 'tensorflow');
      return activate('tensorflow');
    case 'webgpu':
      await importOptional(TFJS_WEBGPU, 'webgpu');
      return activate('webgpu');
    case 'wasm':
      locateWasmFiles(options.wasmPaths);
      registerWasmTrainingKernels();
      return activate('wasm');
    case 'webgl':
    case 'cpu':
      return activate(preference);
  }
}

/**
 * Selects the TensorFlow.js backend, registers what crazy-digits needs on it, and returns its
 * name.
 *
 * `'auto'` picks `'tensorflow'` (native, from `@tensorflow/tfjs-node`) in Node when that package
 * is installed and loads; otherwise `'wasm'` with this package's training kernels, which for a
 * model this small beats WebGL in browsers (no GPU upload per call) and trains hundreds of times
 * faster than `'cpu'`; `'cpu'` as a last resort, with a `console.warn` (once per page or process)
 * saying why. Explicit preferences fail with `BackendUnavailableError` rather than falling back.
 * tfjs's "install the node backend" banner is never printed.
 *
 * In browsers the wasm backend loads the `.wasm` files this package ships, which bundlers that
 * follow `new URL('./file', import.meta.url)` (Vite, webpack 5, Rollup, Parcel) emit with the
 * app; `options.wasmPaths` points it elsewhere.
 */
export async function useBackend(
  preference: BackendPreference = 'auto',
  options: UseBackendOptions = {},
): Promise<string> {
  if (preference !== 'auto') return useOne(preference, options);
  const candidates: Exclude<BackendPreference, 'auto'>[] = isNode()
    ? ['tensorflow', 'wasm', 'cpu']
    : ['wasm', 'cpu'];
  const failures: unknown[] = [];
  for (const candidate of candidates) {
    try {
      const name = await useOne(candidate, options);
      if (name === 'cpu') warnOfCpuFallback(failures);
      return name;
    } catch (error) {
      failures.push(error);
    }
  }
  throw new BackendUnavailableError('auto', 'no backend could be initialised', {
    cause: new AggregateError(failures),
  });
}
