import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { BackendUnavailableError } from './errors.js';
import { registerWasmTrainingKernels } from './wasm-kernels/register.js';

/** A TensorFlow.js backend to run on, or `'auto'` to pick the fastest that works here. */
export type BackendPreference = 'auto' | 'tensorflow' | 'wasm' | 'webgl' | 'webgpu' | 'cpu';

/** Options for {@link useBackend}. */
export interface UseBackendOptions {
  /**
   * Where the wasm backend finds its `.wasm` files, passed to tfjs's `setWasmPaths`: a URL prefix
   * ending in `/`, or a map from file name to URL. Needed in browsers when a bundler does not
   * serve `@tensorflow/tfjs-backend-wasm/dist/*.wasm` beside the script; never needed in Node.
   */
  wasmPaths?:
    | string
    | Partial<
        Record<
          'tfjs-backend-wasm.wasm' | 'tfjs-backend-wasm-simd.wasm' | 'tfjs-backend-wasm-threaded-simd.wasm',
          string
        >
      >;
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

async function activate(name: string): Promise<string> {
  if (tf.getBackend() === name) return name;
  let ready: boolean;
  try {
    ready = await tf.setBackend(name);
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
      if (options.wasmPaths !== undefined) setWasmPaths(options.wasmPaths);
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
 * faster than `'cpu'`; `'cpu'` as a last resort. Explicit preferences fail with `BackendUnavailableError`
 * rather than falling back. tfjs's "install the node backend" banner is never printed.
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
      return await useOne(candidate, options);
    } catch (error) {
      failures.push(error);
    }
  }
  throw new BackendUnavailableError('auto', 'no backend could be initialised', {
    cause: new AggregateError(failures),
  });
}
