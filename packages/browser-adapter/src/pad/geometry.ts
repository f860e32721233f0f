/** A point of a stroke, in the pad's CSS pixels from its top-left corner. */
export interface StrokePoint {
  x: number;
  y: number;
  /** Pen pressure 0–1; 0.5 where the device reports none (mouse, most touch screens). */
  pressure: number;
}

/** Where the canvas is on screen, as the DOM reports it. */
export interface CanvasBox {
  /** `getBoundingClientRect()` of the canvas: its border box, after CSS transforms. */
  rect: { left: number; top: number; width: number; height: number };
  /** `offsetWidth`/`offsetHeight`: the border box before transforms. */
  offsetWidth: number;
  offsetHeight: number;
  /** `clientLeft`/`clientTop`: the border widths. */
  clientLeft: number;
  clientTop: number;
}

/**
 * A pointer's viewport position (`clientX`, `clientY`) in the canvas's CSS pixels, measured from
 * the top-left of its content: undoes a CSS scale transform and skips the border, so the ink lands
 * under the pointer whatever the canvas's styling.
 */
export function toCanvasPoint(clientX: number, clientY: number, box: CanvasBox): { x: number; y: number } {
  const scaleX = box.offsetWidth > 0 ? box.rect.width / box.offsetWidth : 1;
  const scaleY = box.offsetHeight > 0 ? box.rect.height / box.offsetHeight : 1;
  return {
    x: (clientX - box.rect.left) / scaleX - box.clientLeft,
    y: (clientY - box.rect.top) / scaleY - box.clientTop,
  };
}

/**
 * The backing store for a canvas shown at `width`x`height` CSS pixels on a screen with
 * `pixelRatio` device pixels per CSS pixel: one canvas pixel per device pixel, so strokes are sharp.
 */
export function backingStoreSize(
  width: number,
  height: number,
  pixelRatio: number,
): { width: number; height: number } {
  return {
    width: Math.max(1, Math.round(width * pixelRatio)),
    height: Math.max(1, Math.round(height * pixelRatio)),
  };
}

/** Stroke width at a point: the base width at the nominal pressure 0.5, from half to 1.5 times it. */
export function widthAt(baseWidth: number, pressure: number): number {
  const clamped = Math.min(1, Math.max(0, Number.isFinite(pressure) ? pressure : 0.5));
  return baseWidth * (0.5 + clamped);
}
