import { describe, expect, it } from 'vitest';
import { backingStoreSize, toCanvasPoint, widthAt } from '../src/pad/geometry.js';
import { type PadContext, type PadStyle, repaint } from '../src/pad/render.js';
import { createStrokeHistory } from '../src/pad/strokes.js';

const at = (x: number, y: number, pressure = 0.5) => ({ x, y, pressure });

describe('stroke history', () => {
  it('records strokes point by point and reports the previous point for each segment', () => {
    const history = createStrokeHistory();
    expect(history.extend(at(1, 1))).toBeUndefined();
    history.begin(at(0, 0), 10, false);
    expect(history.drawing).toBe(true);
    expect(history.extend(at(3, 4))).toEqual(at(0, 0));
    expect(history.extend(at(3, 4))).toBeUndefined();
    expect(history.extend(at(6, 8))).toEqual(at(3, 4));
    expect(history.end()).toBe(true);
    expect(history.end()).toBe(false);
    expect(history.extend(at(9, 9))).toBeUndefined();
    expect(history.strokes).toEqual([{ width: 10, pressure: false, points: [at(0, 0), at(3, 4), at(6, 8)] }]);
  });

  it('undoes the newest stroke, even while it is drawn, and clears', () => {
    const history = createStrokeHistory();
    history.begin(at(0, 0), 10, false);
    history.end();
    history.begin(at(5, 5), 10, false);
    history.extend(at(6, 6));
    expect(history.undo()).toBe(true);
    expect(history.drawing).toBe(false);
    expect(history.strokes.map((s) => s.points[0])).toEqual([at(0, 0)]);
    expect(history.undo()).toBe(true);
    expect(history.undo()).toBe(false);
    history.begin(at(1, 1), 10, false);
    history.clear();
    expect(history.strokes).toEqual([]);
    expect(history.drawing).toBe(false);
  });
});

describe('pad geometry', () => {
  const box = {
    rect: { left: 100, top: 50, width: 284, height: 284 },
    offsetWidth: 284,
    offsetHeight: 284,
    clientLeft: 2,
    clientTop: 2,
  };

  it('maps viewport positions to the canvas content, skipping the border', () => {
    expect(toCanvasPoint(102, 52, box)).toEqual({ x: 0, y: 0 });
    expect(toCanvasPoint(242, 192, box)).toEqual({ x: 140, y: 140 });
  });

  it('undoes a CSS scale transform', () => {
    const scaled = { ...box, rect: { left: 100, top: 50, width: 142, height: 142 } };
    expect(toCanvasPoint(171, 121, scaled)).toEqual({ x: 140, y: 140 });
  });

  it('gives one backing-store pixel per device pixel', () => {
    expect(backingStoreSize(280, 200, 1)).toEqual({ width: 280, height: 200 });
    expect(backingStoreSize(280, 200, 2)).toEqual({ width: 560, height: 400 });
    expect(backingStoreSize(280, 200, 1.25)).toEqual({ width: 350, height: 250 });
    expect(backingStoreSize(0, 0, 3)).toEqual({ width: 1, height: 1 });
  });

  it('scales the width with pressure around the nominal 0.5', () => {
    expect(widthAt(16, 0.5)).toBe(16);
    expect(widthAt(16, 0)).toBe(8);
    expect(widthAt(16, 1)).toBe(24);
    expect(widthAt(16, 7)).toBe(24);
    expect(widthAt(16, Number.NaN)).toBe(16);
  });
});

describe('repaint', () => {
  function recordingContext() {
    const calls: string[] = [];
    const widths: number[] = [];
    const ctx: PadContext = {
      fillStyle: '',
      strokeStyle: '',
      lineCap: 'butt',
      lineJoin: 'miter',
      get lineWidth() {
        return widths.at(-1) ?? 1;
      },
      set lineWidth(width: number) {
        widths.push(width);
      },
      setTransform: (...args: unknown[]) => calls.push(`setTransform ${args.join(',')}`),
      clearRect: () => calls.push('clearRect'),
      fillRect: () => calls.push('fillRect'),
      beginPath: () => calls.push('beginPath'),
      moveTo: (x: number, y: number) => calls.push(`moveTo ${x},${y}`),
      lineTo: (x: number, y: number) => calls.push(`lineTo ${x},${y}`),
      arc: (x: number, y: number, r: number) => calls.push(`arc ${x},${y},${r}`),
      stroke: () => calls.push('stroke'),
      fill: () => calls.push('fill'),
    };
    return { ctx, calls, widths };
  }
  const style: PadStyle = { color: '#000', background: 'white', pixelRatio: 2 };

  it('paints the background, then each stroke as a dot and segments in CSS pixels', () => {
    const { ctx, calls } = recordingContext();
    const strokes = [{ width: 10, pressure: false, points: [at(1, 2), at(3, 4), at(5, 6)] }];
    repaint(ctx, strokes, style, { width: 560, height: 560 });
    expect(calls).toEqual([
      'setTransform 1,0,0,1,0,0',
      'clearRect',
      'fillRect',
      'setTransform 2,0,0,2,0,0',
      'beginPath',
      'arc 1,2,5',
      'fill',
      'beginPath',
      'moveTo 1,2',
      'lineTo 3,4',
      'stroke',
      'beginPath',
      'moveTo 3,4',
      'lineTo 5,6',
      'stroke',
    ]);
  });

  it('leaves a transparent background unpainted and follows the pressure when asked', () => {
    const { ctx, calls, widths } = recordingContext();
    const strokes = [{ width: 10, pressure: true, points: [at(0, 0, 0), at(1, 1, 1)] }];
    repaint(ctx, strokes, { ...style, background: 'transparent' }, { width: 10, height: 10 });
    expect(calls).not.toContain('fillRect');
    expect(calls).toContain('arc 0,0,2.5');
    expect(widths).toEqual([10]);
  });
});
