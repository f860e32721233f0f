import { CrazyDigitsError } from '@crazy-digits/core';
import { backingStoreSize, type StrokePoint, toCanvasPoint } from './geometry.js';
import { drawDot, drawSegment, type PadStyle, repaint } from './render.js';
import { createStrokeHistory } from './strokes.js';

/** Options for {@link createDrawingPad}. */
export interface DrawingPadOptions {
  /**
   * Stroke width in CSS pixels at normal pressure. Default 16, which on a pad of about 280 px
   * gives strokes as thick, relative to the digit, as MNIST's.
   */
  lineWidth?: number;
  /**
   * Let a pen's pressure vary the width (from half to 1.5 times `lineWidth`). Default true. Mice
   * and most touch screens report no pressure and draw at `lineWidth`.
   */
  pressure?: boolean;
  /** Ink colour, any CSS colour. Default `'#000'`. Keep it dark on the white background. */
  color?: string;
  /**
   * `'white'` (the default): an opaque white canvas with dark ink; `'transparent'`: ink on
   * transparent pixels, for pads laid over other content. `predict` reads both.
   */
  background?: 'white' | 'transparent';
  /**
   * Canvas pixels per CSS pixel. Default `window.devicePixelRatio` (at least 1), so strokes are
   * sharp on high-DPI screens.
   */
  pixelRatio?: number;
  /** Called after every change: a stroke finished, an undo, a clear. */
  onChange?: (pad: DrawingPad) => void;
}

/** A drawing surface on a `<canvas>`; see {@link createDrawingPad}. */
export interface DrawingPad {
  /** True when there is nothing drawn. */
  readonly isEmpty: boolean;
  /** The number of strokes drawn (and not undone). */
  readonly strokeCount: number;
  /** Removes every stroke. */
  clear(): void;
  /** Removes the newest stroke; false when there was none. */
  undo(): boolean;
  /**
   * The canvas's pixels, as `predict(image)` and `correct(image, digit)` take them: RGBA, dark ink
   * on white (or on transparent pixels with `background: 'transparent'`), at the backing-store
   * size (the CSS size times the pixel ratio).
   */
  getImageData(): ImageData;
  /** Calls `listener` after every change, like the `onChange` option; returns the unsubscribe function. */
  subscribe(listener: (pad: DrawingPad) => void): () => void;
  /**
   * Matches the backing store to the canvas's displayed size and the pixel ratio again, and
   * repaints. Called on its own when the canvas is resized (where `ResizeObserver` exists); call it
   * after moving the page to a screen with another pixel ratio.
   */
  resize(): void;
  /** Removes every listener the pad added and stops observing the canvas. The drawing stays. */
  destroy(): void;
}

/** The canvas has no 2D context (one of another kind was already taken, or it is not a canvas). */
export class CanvasUnavailableError extends CrazyDigitsError<'CANVAS_UNAVAILABLE'> {
  constructor() {
    super('CANVAS_UNAVAILABLE', 'the canvas has no 2D rendering context');
  }
}

const devicePixelRatio = () => Math.max(1, globalThis.devicePixelRatio || 1);

/**
 * Turns a `<canvas>` into a pad to draw a digit on with a mouse, a finger or a pen (pointer
 * events; one pointer at a time). Framework-free: create it when the canvas is in the page and
 * `destroy()` it when the canvas goes away.
 *
 * @example
 * ```ts
 * const pad = createDrawingPad(document.querySelector('canvas')!, {
 *   onChange: async (pad) => {
 *     if (!pad.isEmpty) show(await recognizer.predict(pad.getImageData()));
 *   },
 * });
 * ```
 */
export function createDrawingPad(canvas: HTMLCanvasElement, options: DrawingPadOptions = {}): DrawingPad {
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) throw new CanvasUnavailableError();
  const ctx = context;
  const lineWidth = options.lineWidth ?? 16;
  const usePressure = options.pressure ?? true;
  const style: PadStyle = {
    color: options.color ?? '#000',
    background: options.background ?? 'white',
    pixelRatio: options.pixelRatio ?? devicePixelRatio(),
  };
  const history = createStrokeHistory();
  const listeners = new Set<(pad: DrawingPad) => void>();
  if (options.onChange) listeners.add(options.onChange);
  // The displayed size in CSS pixels; the attributes' size until the canvas is laid out.
  let cssSize = { width: canvas.width, height: canvas.height };
  let activePointer: number | undefined;
  const previousTouchAction = canvas.style.touchAction;

  const emit = () => {
    for (const listener of listeners) listener(pad);
  };

  const pointOf = (event: PointerEvent): StrokePoint => {
    const { x, y } = toCanvasPoint(event.clientX, event.clientY, {
      rect: canvas.getBoundingClientRect(),
      offsetWidth: canvas.offsetWidth,
      offsetHeight: canvas.offsetHeight,
      clientLeft: canvas.clientLeft,
      clientTop: canvas.clientTop,
    });
    return { x, y, pressure: usePressure ? event.pressure : 0.5 };
  };

  function onPointerDown(event: PointerEvent): void {
    if (activePointer !== undefined || (event.pointerType === 'mouse' && event.button !== 0)) return;
    event.preventDefault();
    activePointer = event.pointerId;
    try {
      // Keeps the stroke going when the pointer leaves the canvas mid-stroke.
      canvas.setPointerCapture(event.pointerId);
    } catch {
      // Synthetic events have no active pointer to capture.
    }
    const point = pointOf(event);
    const stroke = history.begin(point, lineWidth, usePressure);
    drawDot(ctx, stroke, point, style);
  }

  function onPointerMove(event: PointerEvent): void {
    if (event.pointerId !== activePointer) return;
    const stroke = history.strokes.at(-1);
    if (!stroke) return;
    // Coalesced events carry every position the pointer went through since the last frame.
    const coalesced = typeof event.getCoalescedEvents === 'function' ? event.getCoalescedEvents() : [];
    for (const each of coalesced.length > 0 ? coalesced : [event]) {
      const point = pointOf(each);
      const previous = history.extend(point);
      if (previous) drawSegment(ctx, stroke, previous, point, style);
    }
  }

  function onPointerEnd(event: PointerEvent): void {
    if (event.pointerId !== activePointer) return;
    activePointer = undefined;
    if (history.end()) emit();
  }

  function resize(): void {
    // A canvas not laid out (display: none) keeps its last size.
    if (canvas.clientWidth > 0 && canvas.clientHeight > 0)
      cssSize = { width: canvas.clientWidth, height: canvas.clientHeight };
    const backing = backingStoreSize(cssSize.width, cssSize.height, style.pixelRatio);
    if (canvas.width !== backing.width || canvas.height !== backing.height) {
      canvas.width = backing.width;
      canvas.height = backing.height;
      // A canvas sized only by its attributes now shows larger: pin its CSS size to what it was.
      if (canvas.clientWidth > 0 && canvas.clientWidth !== cssSize.width)
        canvas.style.width = `${cssSize.width}px`;
      if (canvas.clientHeight > 0 && canvas.clientHeight !== cssSize.height)
        canvas.style.height = `${cssSize.height}px`;
    }
    repaint(ctx, history.strokes, style, backing);
  }

  const observer =
    typeof ResizeObserver === 'function'
      ? new ResizeObserver(() => {
          if (canvas.clientWidth !== cssSize.width || canvas.clientHeight !== cssSize.height) resize();
        })
      : undefined;

  const pad: DrawingPad = {
    get isEmpty() {
      return history.strokes.length === 0;
    },
    get strokeCount() {
      return history.strokes.length;
    },
    clear() {
      activePointer = undefined;
      history.clear();
      repaint(ctx, history.strokes, style, canvas);
      emit();
    },
    undo() {
      activePointer = undefined;
      if (!history.undo()) return false;
      repaint(ctx, history.strokes, style, canvas);
      emit();
      return true;
    },
    getImageData() {
      return ctx.getImageData(0, 0, canvas.width, canvas.height);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    resize,
    destroy() {
      canvas.removeEventListener('pointerdown', onPointerDown);
      canvas.removeEventListener('pointermove', onPointerMove);
      canvas.removeEventListener('pointerup', onPointerEnd);
      canvas.removeEventListener('pointercancel', onPointerEnd);
      canvas.removeEventListener('lostpointercapture', onPointerEnd);
      observer?.disconnect();
      canvas.style.touchAction = previousTouchAction;
      listeners.clear();
      activePointer = undefined;
    },
  };

  // Without this, a finger on the canvas scrolls or zooms the page instead of drawing.
  canvas.style.touchAction = 'none';
  canvas.addEventListener('pointerdown', onPointerDown);
  canvas.addEventListener('pointermove', onPointerMove);
  canvas.addEventListener('pointerup', onPointerEnd);
  canvas.addEventListener('pointercancel', onPointerEnd);
  canvas.addEventListener('lostpointercapture', onPointerEnd);
  observer?.observe(canvas);
  resize();
  return pad;
}
