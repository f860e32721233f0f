import { CrazyDigitsError } from '../errors/index.js';
import { ImageTooLargeError, InvalidImageError, type RgbaImage } from '../preprocess/index.js';
import { MIN_SIDE } from '../preprocess/validate.js';

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
 * - `ImageBitmap`: its pixels (a closed bitmap is an `InvalidImageError`);
 * - `HTMLImageElement`: its natural size, once loaded; an image still loading or that failed to
 *   load (a broken `src`, not an image) is an `InvalidImageError` — `await image.decode()` first;
 * - `HTMLVideoElement`: the current frame, at the video's natural size, once it has one;
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
  | (typeof globalThis extends { HTMLVideoElement: { prototype: infer T } } ? T : never)
  | (typeof globalThis extends { ImageData: { prototype: infer T } } ? T : never)
  | (typeof globalThis extends { Blob: { prototype: infer T } } ? T : never);

/** The little of a 2D context that reading pixels takes. */
interface PixelContext {
  drawImage(source: CanvasImageSource, x: number, y: number): void;
  getImageData(x: number, y: number, width: number, height: number): ImageData;
}

/** A DOM source recognised by what it has, so that one from another realm (an iframe) counts too. */
type Source =
  | { kind: 'canvas'; source: { width: number; height: number; getContext: (...args: unknown[]) => unknown } }
  | { kind: 'bitmap'; source: ImageBitmap }
  | { kind: 'image'; source: HTMLImageElement }
  | { kind: 'video'; source: HTMLVideoElement }
  | { kind: 'blob'; source: Blob };

const hasFunction = (value: object, name: string) =>
  typeof (value as Record<string, unknown>)[name] === 'function';
const hasNumber = (value: object, name: string) =>
  typeof (value as Record<string, unknown>)[name] === 'number';

const isInstance = <T>(value: unknown, name: string): value is T => {
  const type: unknown = Reflect.get(globalThis, name);
  return typeof type === 'function' && value instanceof type;
};

/**
 * The DOM source `input` is, or `undefined` for anything else (an `ImageData` is read as the
 * `{ data, width, height }` it is, by `preprocess`).
 */
export function domSourceOf(input: unknown): Source | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  if (isInstance<Blob>(input, 'Blob')) return { kind: 'blob', source: input };
  if (isInstance<ImageBitmap>(input, 'ImageBitmap')) return { kind: 'bitmap', source: input };
  if ('data' in input) return undefined;
  if (hasFunction(input, 'getContext') && hasNumber(input, 'width') && hasNumber(input, 'height'))
    return { kind: 'canvas', source: input as Extract<Source, { kind: 'canvas' }>['source'] };
  if (hasNumber(input, 'naturalWidth') && 'complete' in input)
    return { kind: 'image', source: input as HTMLImageElement };
  if (hasNumber(input, 'videoWidth') && hasNumber(input, 'readyState'))
    return { kind: 'video', source: input as HTMLVideoElement };
  return undefined;
}

/** Refuses a size no digit fits in, or over the limit, before any pixel is read or drawn. */
function checkSize(width: number, height: number, maxSide: number, what: string): void {
  if (width > maxSide || height > maxSide) throw new ImageTooLargeError(width, height, maxSide);
  if (!(width >= MIN_SIDE && height >= MIN_SIDE)) {
    throw new InvalidImageError(
      `${what} is ${width}x${height} px; the smallest accepted is ${MIN_SIDE}x${MIN_SIDE}`,
    );
  }
}

/** A blank 2D canvas of this size to draw a source on and read back: an `OffscreenCanvas` where there is one. */
function scratchContext(width: number, height: number): PixelContext {
  const settings = { willReadFrequently: true };
  let context: unknown = null;
  if (typeof OffscreenCanvas === 'function') {
    context = new OffscreenCanvas(width, height).getContext('2d', settings);
  } else if (typeof document === 'object' && document !== null) {
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    context = canvas.getContext('2d', settings);
  } else {
    throw new CrazyDigitsError(
      'CANVAS_UNAVAILABLE',
      'reading an image element, bitmap or Blob needs a 2D canvas (OffscreenCanvas or document), and there is none here',
    );
  }
  if (!context) throw new CrazyDigitsError('CANVAS_UNAVAILABLE', 'a 2D canvas context could not be created');
  return context as PixelContext;
}

/** `getImageData` of a whole context, with the browser's refusals made typed errors. */
function readBack(context: PixelContext, width: number, height: number, what: string): RgbaImage {
  let pixels: ImageData;
  try {
    pixels = context.getImageData(0, 0, width, height);
  } catch (cause) {
    const tainted = cause instanceof Error && cause.name === 'SecurityError';
    throw new InvalidImageError(
      tainted
        ? `${what} cannot be read: it holds a cross-origin image loaded without CORS (crossOrigin="anonymous" and an Access-Control-Allow-Origin header)`
        : `${what} cannot be read`,
      { cause },
    );
  }
  return { data: pixels.data, width: pixels.width, height: pixels.height };
}

/** Draws a source at its natural size on a blank canvas of that size and reads it back. */
function drawAndRead(source: CanvasImageSource, width: number, height: number, what: string): RgbaImage {
  const context = scratchContext(width, height);
  try {
    context.drawImage(source, 0, 0);
  } catch (cause) {
    throw new InvalidImageError(`${what} cannot be drawn`, { cause });
  }
  return readBack(context, width, height, what);
}

function readCanvas(canvas: Extract<Source, { kind: 'canvas' }>['source'], maxSide: number): RgbaImage {
  const { width, height } = canvas;
  checkSize(width, height, maxSide, 'the canvas');
  let context: unknown;
  try {
    // A canvas with a 2D context hands back that context (the settings only apply to a new one).
    context = canvas.getContext('2d', { willReadFrequently: true });
  } catch (cause) {
    throw new InvalidImageError(
      'the canvas cannot be read (its control was transferred to an OffscreenCanvas?)',
      {
        cause,
      },
    );
  }
  if (context !== null && typeof context === 'object' && hasFunction(context, 'getImageData')) {
    return readBack(context as PixelContext, width, height, 'the canvas');
  }
  // A WebGL, WebGPU or bitmap-renderer canvas: copied through a 2D one.
  return drawAndRead(canvas as unknown as CanvasImageSource, width, height, 'the canvas');
}

async function readBlob(blob: Blob, maxSide: number): Promise<RgbaImage> {
  if (typeof createImageBitmap !== 'function') {
    throw new InvalidImageError(
      'a Blob is decoded with createImageBitmap, which this environment lacks; in Node, decode its bytes with decodeImage from @crazy-digits/node-adapter: predict(await decodeImage(new Uint8Array(await blob.arrayBuffer())))',
    );
  }
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob);
  } catch (cause) {
    throw new InvalidImageError(
      `the Blob (${blob.type || 'no type'}, ${blob.size} bytes) is not an image this browser can decode`,
      { cause },
    );
  }
  try {
    checkSize(bitmap.width, bitmap.height, maxSide, 'the decoded Blob');
    return drawAndRead(bitmap, bitmap.width, bitmap.height, 'the decoded Blob');
  } finally {
    bitmap.close();
  }
}

/**
 * The RGBA pixels of a DOM image source. Everything but a `Blob` is read synchronously, so the
 * pixels are those of the moment of the call, whatever is drawn after it.
 */
export function readDomSource(found: Source, maxSide: number): RgbaImage | Promise<RgbaImage> {
  switch (found.kind) {
    case 'canvas':
      return readCanvas(found.source, maxSide);
    case 'bitmap': {
      const { width, height } = found.source;
      if (width === 0 && height === 0) throw new InvalidImageError('the ImageBitmap has been closed');
      checkSize(width, height, maxSide, 'the ImageBitmap');
      return drawAndRead(found.source, width, height, 'the ImageBitmap');
    }
    case 'image': {
      const image = found.source;
      if (!image.complete) {
        throw new InvalidImageError(
          'the image has not finished loading: await image.decode() (or its load event) before reading it',
        );
      }
      if (image.naturalWidth === 0 || image.naturalHeight === 0) {
        throw new InvalidImageError(
          `the image failed to load or decode (${image.currentSrc ? 'a broken or non-image source' : 'no source'})`,
        );
      }
      checkSize(image.naturalWidth, image.naturalHeight, maxSide, 'the image');
      return drawAndRead(image, image.naturalWidth, image.naturalHeight, 'the image');
    }
    case 'video': {
      const video = found.source;
      // HAVE_CURRENT_DATA: a frame to draw.
      if (video.readyState < 2 || video.videoWidth === 0) {
        throw new InvalidImageError('the video has no frame yet: wait for its loadeddata event');
      }
      checkSize(video.videoWidth, video.videoHeight, maxSide, 'the video frame');
      return drawAndRead(video, video.videoWidth, video.videoHeight, 'the video frame');
    }
    case 'blob':
      return readBlob(found.source, maxSide);
  }
}
