import { type StrokePoint, widthAt } from './geometry.js';
import type { Stroke } from './strokes.js';

/** The part of a 2D context the pad draws with (a plain object in tests). */
export type PadContext = Pick<
  CanvasRenderingContext2D,
  | 'setTransform'
  | 'clearRect'
  | 'fillRect'
  | 'beginPath'
  | 'moveTo'
  | 'lineTo'
  | 'arc'
  | 'stroke'
  | 'fill'
  | 'fillStyle'
  | 'strokeStyle'
  | 'lineWidth'
  | 'lineCap'
  | 'lineJoin'
>;

/** How the pad paints. */
export interface PadStyle {
  color: string;
  background: 'white' | 'transparent';
  pixelRatio: number;
}

const pointWidth = (stroke: Stroke, point: StrokePoint) =>
  stroke.pressure ? widthAt(stroke.width, point.pressure) : stroke.width;

/** A round dot: what a tap leaves, and the start of every stroke. */
export function drawDot(ctx: PadContext, stroke: Stroke, point: StrokePoint, style: PadStyle): void {
  ctx.fillStyle = style.color;
  ctx.beginPath();
  ctx.arc(point.x, point.y, pointWidth(stroke, point) / 2, 0, 2 * Math.PI);
  ctx.fill();
}

/**
 * The piece of `stroke` from `from` to `to`, with round caps so pieces join smoothly. Drawn piece
 * by piece, so a stroke's width can follow the pressure along it.
 */
export function drawSegment(
  ctx: PadContext,
  stroke: Stroke,
  from: StrokePoint,
  to: StrokePoint,
  style: PadStyle,
): void {
  ctx.strokeStyle = style.color;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  ctx.lineWidth = (pointWidth(stroke, from) + pointWidth(stroke, to)) / 2;
  ctx.beginPath();
  ctx.moveTo(from.x, from.y);
  ctx.lineTo(to.x, to.y);
  ctx.stroke();
}

/** Paints the background and every stroke anew on a `width`x`height` backing store. */
export function repaint(
  ctx: PadContext,
  strokes: readonly Stroke[],
  style: PadStyle,
  size: { width: number; height: number },
): void {
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, size.width, size.height);
  if (style.background === 'white') {
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, size.width, size.height);
  }
  // Strokes are kept in CSS pixels; the transform maps them onto the device pixels.
  ctx.setTransform(style.pixelRatio, 0, 0, style.pixelRatio, 0, 0);
  for (const stroke of strokes) {
    const [first, ...rest] = stroke.points;
    if (!first) continue;
    drawDot(ctx, stroke, first, style);
    let previous = first;
    for (const point of rest) {
      drawSegment(ctx, stroke, previous, point, style);
      previous = point;
    }
  }
}
