import type { StrokePoint } from './geometry.js';

/** One stroke: from pointer down to pointer up. */
export interface Stroke {
  /** Width at the nominal pressure, in CSS pixels. */
  width: number;
  /** Whether the width follows the pen's pressure. */
  pressure: boolean;
  points: StrokePoint[];
}

/** The strokes of a drawing, with the one being drawn, and undo. Pure data: no DOM. */
export interface StrokeHistory {
  /** Every stroke, oldest first, the one being drawn included (it is the last). */
  readonly strokes: readonly Stroke[];
  /** True while a stroke is being drawn. */
  readonly drawing: boolean;
  /** Starts a stroke at `point`; ends the one being drawn, if any. */
  begin(point: StrokePoint, width: number, pressure: boolean): Stroke;
  /** Adds `point` to the stroke being drawn and returns the point before it; `undefined` when not drawing. */
  extend(point: StrokePoint): StrokePoint | undefined;
  /** Ends the stroke being drawn; false if there was none. */
  end(): boolean;
  /** Removes the newest stroke (the one being drawn, if any); false when there is none. */
  undo(): boolean;
  /** Removes every stroke. */
  clear(): void;
}

export function createStrokeHistory(): StrokeHistory {
  const strokes: Stroke[] = [];
  let drawing = false;
  return {
    get strokes() {
      return strokes;
    },
    get drawing() {
      return drawing;
    },
    begin(point, width, pressure) {
      const stroke: Stroke = { width, pressure, points: [point] };
      strokes.push(stroke);
      drawing = true;
      return stroke;
    },
    extend(point) {
      const stroke = strokes.at(-1);
      if (!drawing || !stroke) return undefined;
      const previous = stroke.points.at(-1);
      // A pointer that did not move adds nothing but length to the stroke.
      if (
        previous &&
        previous.x === point.x &&
        previous.y === point.y &&
        previous.pressure === point.pressure
      )
        return undefined;
      stroke.points.push(point);
      return previous;
    },
    end() {
      const was = drawing;
      drawing = false;
      return was;
    },
    undo() {
      drawing = false;
      return strokes.pop() !== undefined;
    },
    clear() {
      strokes.length = 0;
      drawing = false;
    },
  };
}
