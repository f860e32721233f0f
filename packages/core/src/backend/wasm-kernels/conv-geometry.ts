/** Geometry shared by the conv gradient kernels (NHWC only, like the stock wasm Conv2D). */
import { backend_util, type TensorInfo } from '@tensorflow/tfjs';

export type PadAttr = 'valid' | 'same' | number | backend_util.ExplicitPadding;

export interface ConvGradAttrs {
  strides: number | [number, number];
  pad: PadAttr;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

export function convInfo(
  xShape: readonly number[],
  filterShape: readonly number[],
  attrs: ConvGradAttrs,
): backend_util.Conv2DInfo {
  if (attrs.dataFormat === 'NCHW') {
    throw new Error('wasm training kernels support NHWC only (stock wasm Conv2D does too)');
  }
  return backend_util.computeConv2DInfo(
    tuple4(xShape),
    tuple4(filterShape),
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
}

function tuple4(shape: readonly number[]): [number, number, number, number] {
  const [a, b, c, d] = shape;
  if (a === undefined || b === undefined || c === undefined || d === undefined || shape.length !== 4) {
    throw new Error(`expected a rank-4 shape, got [${shape.join(',')}]`);
  }
  return [a, b, c, d];
}

export function shape4(t: TensorInfo): [number, number, number, number] {
  return tuple4(t.shape);
}
