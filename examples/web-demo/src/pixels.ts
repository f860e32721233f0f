import { type PreprocessedImage, toImageData } from '@crazy-digits/core';

/** Paints a 28x28 MNIST-style image (white ink on black) onto a 28x28 canvas. */
export function paintDigit(canvas: HTMLCanvasElement, pixels: PreprocessedImage['pixels']): void {
  const context = canvas.getContext('2d');
  if (!context) return;
  const image = toImageData({ pixels });
  const target = context.createImageData(image.width, image.height);
  target.data.set(image.data);
  context.putImageData(target, 0, 0);
}

let scratch: HTMLCanvasElement | undefined;

/** A 28x28 MNIST-style image as a PNG data URL, for `<img>` thumbnails. */
export function digitDataUrl(pixels: PreprocessedImage['pixels']): string {
  scratch ??= Object.assign(document.createElement('canvas'), { width: 28, height: 28 });
  paintDigit(scratch, pixels);
  return scratch.toDataURL('image/png');
}
