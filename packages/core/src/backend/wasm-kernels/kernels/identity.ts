/**
 * Identity, and Cast to the tensor's own dtype — the stock wasm kernels copy the tensor.
 * tfjs-core clones every tensor a gradient will need (saveTensorsForBackwardMode, customGrad)
 * and gradients cast float32 to float32 (Relu, Square, moments), so a training step of the
 * compact model copied about 65 activation-sized tensors. Tensors are immutable, so the output
 * can share the input's buffer with a reference count, as the cpu and webgl backends do for
 * Identity and the stock wasm Reshape already does. Strings and real casts go to stock.
 */
import { Cast, type DataType, Identity, type TensorInfo } from '@tensorflow/tfjs';
import { type BackendWasm, input, stockKernel, wasmKernel } from '../wasm.js';

function share(backend: BackendWasm, x: TensorInfo): TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape.slice(), dtype: x.dtype };
}

export const identity = wasmKernel<Record<string, never>>((args) => {
  const x = input(args.inputs, 'x');
  if (x.dtype === 'string') return stockKernel(Identity)(args as never);
  return share(args.backend, x);
});

export const cast = wasmKernel<{ dtype: DataType }>((args) => {
  const x = input(args.inputs, 'x');
  if (x.dtype === 'string' || x.dtype !== args.attrs.dtype) return stockKernel(Cast)(args as never);
  return share(args.backend, x);
});

export const identityConfig = { kernelName: Identity, kernelFunc: identity };
export const castConfig = { kernelName: Cast, kernelFunc: cast };
