import { CrazyDigitsError } from '../errors/index.js';
import { InvalidImageError, type RgbaImage } from '../preprocess/index.js';
import { assertDimensions } from '../preprocess/validate.js';

/*
 * Each member is the DOM class when the program's type definitions declare it (the DOM library,
 * `"lib": ["DOM"]`), and `never` where they do not: a Node project without the DOM library sees
 * neither an error nor an `any` in `RecognizerInput`, only the inputs that exist for it.
 */

/**
 * What a browser (or a worker) hands `predict` directly, read at the size it is drawn at:
 *
 * - `HTMLCanvasElement` and `OffscreenCanvas`: the backing store's pixels (`canvas.width` x
 *   `canvas.height`, not the CSS size), read through its 2D context, or copied through a 2D
 *   canvas when it has another kind of context (a WebGL canvas needs `preserveDrawingBuffer: true`
 *   to keep its pixels after it is shown);
 * - `ImageBitmap`: its pixels (a closed bitmap is an `InvalidImageError`); a `<video>`'s current
 *   frame is read as `createImageBitmap(video)`;
 * - `HTMLImageElement`: its natural size, once loaded; an image still loading or that failed to
 *   load (a broken `src`, not an image) is an `InvalidImageError` — `await image.decode()` first;
 * - `ImageData`: as any `{ data, width, height }` of RGBA bytes;
 * - `Blob` and `File` (a PNG, JPEG, WebP…): decoded with `createImageBitmap`; one that does not
 *   decode is an `InvalidImageError`. Where there is no `createImageBitmap` (Node), decode the
 *   bytes with `decodeImage` from `@crazy-digits/node-adapter` instead.
 *
 * A canvas that reads as blank is an `EmptyImageError`, as blank pixels are; sides over the
 * recogniser's `maxSide` are an `ImageTooLargeError` before any pixel is read (for a `Blob`,
 * once it is decoded). Reading a canvas tainted by a cross-origin image is an `InvalidImageError`.
 */
export type DomImageSource =
  | (typeof globalThis extends { HTMLCanvasElement: { prototype: infer T } } ? T : never)
  | (typeof globalThis extends { OffscreenCanvas: { prototype: infer T } } ? T : never)
  | (typeof globalThis extends { ImageBitmap: { prototype: infer T } } ? T : never)
  | (typeof globalThis extends { HTMLImageElement: { prototype: infer T } } ? T : never)
  | (typeof globalThis extends { ImageData: { prototype: infer T } } ? T : never)
  | (typeof globalThis extends { Blob: { prototype: infer T } } ? T : never);

/** How Node users turn bytes into pixels, for the messages that need it. */
export const NODE_DECODING = 'in Node, predict(await decodeImage(bytes)) with @crazy-digits/node-adapter';

const isInstance = (value: object, name: string) => {
  const type: unknown = Reflect.get(globalThis, name);
  return typeof type === 'function' && value instanceof type;
};

/** `getImageData` of a 2D context, a cross-origin refusal made an `InvalidImageError`. */
function readBack(context: CanvasRenderingContext2D, width: number, height: number): RgbaImage {
  try {
    return context.getImageData(0, 0, width, height);
  } catch (cause) {
    throw new InvalidImageError('the image cannot be read: a cross-origin image without CORS?', { cause });
  }
}

/** Draws a source at its natural size on a blank 2D canvas (an `OffscreenCanvas` where there is one) and reads it. */
function drawAndRead(source: CanvasImageSource, width: number, height: number): RgbaImage {
  let canvas: OffscreenCanvas | HTMLCanvasElement | undefined;
  if (typeof OffscreenCanvas === 'function') canvas = new OffscreenCanvas(width, height);
  else if (typeof document === 'object') {
    canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
  }
  const context = canvas?.getContext('2d', { willReadFrequently: true }) as CanvasRenderingContext2D | null;
  if (!context) throw new CrazyDigitsError('CANVAS_UNAVAILABLE', 'no 2D canvas to read the image with');
  try {
    context.drawImage(source, 0, 0);
  } catch (cause) {
    throw new InvalidImageError('the image cannot be drawn', { cause });
  }
  return readBack(context, width, height);
}

async function readBlob(blob: Blob, maxSide: number): Promise<RgbaImage> {
  if (typeof createImageBitmap !== 'function') {
    throw new InvalidImageError(`no createImageBitmap here to decode a Blob; ${NODE_DECODING}`);
  }
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob);
  } catch (cause) {
    throw new InvalidImageError(`the Blob (${blob.type || 'no type'}, ${blob.size} bytes) is not an image`, {
      cause,
    });
  }
  try {
    return readSized(bitmap, bitmap.width, bitmap.height, maxSide);
  } finally {
    bitmap.close();
  }
}

/** Reads a source once its size is checked: nothing is drawn or read of one too large or too small. */
function readSized(
  source: CanvasImageSource,
  width: number,
  height: number,
  maxSide: number,
  read = () => drawAndRead(source, width, height),
): RgbaImage {
  assertDimensions(width, height, maxSide);
  return read();
}

/**
 * The RGBA pixels of a DOM image source, or `undefined` when `input` is none (an `ImageData` is
 * left to `preprocess`, as the `{ data, width, height }` it is). Sources are found by what they
 * have, so one from another realm (an iframe) or node-canvas's canvas counts too. Everything but
 * a `Blob` is read before this returns: the pixels of the moment of the call.
 */
export function readDomSource(input: object, maxSide: number): RgbaImage | Promise<RgbaImage> | undefined {
  if (isInstance(input, 'Blob')) return readBlob(input as Blob, maxSide);
  const source = input as Partial<HTMLCanvasElement & HTMLImageElement & ImageBitmap>;
  if (isInstance(input, 'ImageBitmap')) {
    if (!source.width) throw new InvalidImageError('the ImageBitmap has been closed');
    return readSized(input as ImageBitmap, source.width, source.height ?? 0, maxSide);
  }
  if (typeof source.getContext === 'function') {
    const canvas = input as HTMLCanvasElement;
    return readSized(canvas, canvas.width, canvas.height, maxSide, () => {
      let context: unknown;
      try {
        // A canvas with a 2D context hands back that one (the settings only apply to a new one).
        context = canvas.getContext('2d', { willReadFrequently: true });
      } catch (cause) {
        throw new InvalidImageError('the canvas cannot be read', { cause });
      }
      // A WebGL or bitmap-renderer canvas has no 2D context: copied through one.
      return (context as Partial<CanvasRenderingContext2D> | null)?.getImageData
        ? readBack(context as CanvasRenderingContext2D, canvas.width, canvas.height)
        : drawAndRead(canvas, canvas.width, canvas.height);
    });
  }
  if ('naturalWidth' in input) {
    if (!source.complete)
      throw new InvalidImageError('the image is still loading: await image.decode() first');
    if (!source.naturalWidth) throw new InvalidImageError('the image failed to load or decode');
    return readSized(input as HTMLImageElement, source.naturalWidth, source.naturalHeight ?? 0, maxSide);
  }
  return undefined;
}
