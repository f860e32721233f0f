/**
 * Shared plumbing for kernels that compose stock wasm (XNNPACK-backed) kernels.
 *
 * Every kernel here runs *inside* another kernel's kernelFunc, so it must not
 * create tf.Tensors (that would re-enter the engine and leak into tidy
 * scopes). Instead we call stock kernelFuncs directly on TensorInfos and free
 * the intermediates with backend.disposeData.
 */
import {
  getKernel,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type TensorInfo,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export type { BackendWasm };
export type Inputs = Record<string, TensorInfo>;

/** kernelFunc signature narrowed to the wasm backend. */
export interface WasmKernelArgs<A> {
  inputs: Inputs;
  backend: BackendWasm;
  attrs: A;
}

/**
 * Stock kernel configs, captured the first time a name is seen (before any
 * override) so we can delegate to them and restore them. null = wasm had none.
 */
const stock = new Map<string, KernelConfig | null>();

/** The stock config for a kernel name (undefined if stock wasm has none). */
export function stockConfig(name: string): KernelConfig | undefined {
  if (!stock.has(name)) stock.set(name, getKernel(name, 'wasm') ?? null);
  return stock.get(name) ?? undefined;
}

export function stockKernel(name: string): KernelFunc {
  const config = stockConfig(name);
  if (!config) throw new Error(`stock wasm kernel ${name} is not registered`);
  return config.kernelFunc;
}

/** A kernel input by name; a missing one is a programming error in tfjs or in a kernel. */
export function input(inputs: Inputs, name: string): TensorInfo {
  const found = inputs[name];
  if (!found) throw new Error(`kernel input "${name}" is missing`);
  return found;
}

/** Runs a stock wasm kernel that returns a single output. */
export function run(
  name: string,
  backend: BackendWasm,
  inputs: Inputs,
  attrs: NamedAttrMap = {},
): TensorInfo {
  const out = stockKernel(name)({ inputs, backend, attrs });
  if (Array.isArray(out)) throw new Error(`${name} returned ${out.length} outputs, expected 1`);
  return out;
}

export function free(backend: BackendWasm, ...infos: TensorInfo[]): void {
  for (const t of infos) backend.disposeData(t.dataId);
}

export function size(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function transpose(backend: BackendWasm, x: TensorInfo, perm: number[]): TensorInfo {
  return run('Transpose', backend, { x }, { perm });
}

export function reshape(backend: BackendWasm, x: TensorInfo, shape: number[]): TensorInfo {
  return run('Reshape', backend, { x }, { shape });
}

/** Float32 view of a tensor on the wasm heap. Re-fetch after any allocation (the heap may grow). */
export function f32(backend: BackendWasm, t: TensorInfo): Float32Array {
  const view = backend.typedArrayFromHeap(t);
  if (!(view instanceof Float32Array)) throw new Error(`expected float32 tensor, got ${t.dtype}`);
  return view;
}

/** Narrows the untyped kernelFunc argument to our wasm signature. */
export function wasmKernel<A>(fn: (args: WasmKernelArgs<A>) => TensorInfo | TensorInfo[]): KernelFunc {
  return fn as unknown as KernelFunc;
}

/** Whole wasm heap as float32 (for native copyWithin/fill between tensors). Re-fetch after allocations. */
export function heapF32(backend: BackendWasm): Float32Array {
  return new Float32Array(backend.wasm.HEAPU8.buffer);
}

/** Element offset of a float32 tensor inside heapF32(). */
export function offsetF32(backend: BackendWasm, t: TensorInfo): number {
  const data = backend.dataIdMap.get(t.dataId);
  if (!data) throw new Error('tensor is not on the wasm backend');
  return data.memoryOffset / 4;
}
