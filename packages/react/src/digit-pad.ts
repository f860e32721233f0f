import {
  CanvasUnavailableError,
  createDrawingPad,
  type DrawingPad,
  type DrawingPadOptions,
} from '@crazy-digits/browser-adapter';
import { type CSSProperties, createElement, forwardRef, useEffect, useImperativeHandle, useRef } from 'react';

/** What a ref on {@link DigitPad} gives: the drawing pad's reading and editing methods. */
export type DigitPadHandle = Pick<DrawingPad, 'isEmpty' | 'strokeCount' | 'clear' | 'undo' | 'getImageData'>;

/** Props of {@link DigitPad}. */
export interface DigitPadProps extends Omit<DrawingPadOptions, 'onChange'> {
  /**
   * Called after every change: a stroke finished, an undo, a clear. A new function on every
   * render is fine: the latest one is called, and the drawing is kept.
   */
  onChange?: (pad: DrawingPad) => void;
  /** Width in CSS pixels. Default 280. Resizing keeps the drawing. */
  width?: number;
  /** Height in CSS pixels. Default 280. */
  height?: number;
  className?: string;
  /** Styles for the canvas; `width` and `height` come from the props of that name. */
  style?: CSSProperties;
  /** What assistive technology announces. Default `'Drawing pad for a digit'`. */
  'aria-label'?: string;
}

/**
 * A `<canvas>` to draw a digit on, with the browser adapter's drawing pad (mouse, touch and pen;
 * sharp on high-DPI screens). Its pixels go straight into `recognizer.predict`.
 *
 * `lineWidth`, `pressure`, `color`, `background` and `pixelRatio` are the pad's options: changing
 * one starts a new, empty drawing. A ref gives {@link DigitPadHandle} (`clear`, `undo`,
 * `getImageData`…).
 *
 * @example
 * ```tsx
 * <DigitPad onChange={(pad) => !pad.isEmpty && recognizer?.predict(pad.getImageData()).then(show)} />
 * ```
 */
export const DigitPad = forwardRef<DigitPadHandle, DigitPadProps>(function DigitPad(props, ref) {
  const { onChange, width = 280, height = 280, className, style } = props;
  const { lineWidth, pressure, color, background, pixelRatio } = props;
  const canvas = useRef<HTMLCanvasElement | null>(null);
  const pad = useRef<DrawingPad | undefined>(undefined);
  // The pad calls whatever is here now, so a new callback never means a new (empty) pad.
  const latestOnChange = useRef(onChange);
  useEffect(() => {
    latestOnChange.current = onChange;
  });

  useEffect(() => {
    if (!canvas.current) return;
    const created = createDrawingPad(canvas.current, {
      ...(lineWidth === undefined ? {} : { lineWidth }),
      ...(pressure === undefined ? {} : { pressure }),
      ...(color === undefined ? {} : { color }),
      ...(background === undefined ? {} : { background }),
      ...(pixelRatio === undefined ? {} : { pixelRatio }),
      onChange: (changed) => latestOnChange.current?.(changed),
    });
    pad.current = created;
    return () => {
      created.destroy();
      if (pad.current === created) pad.current = undefined;
    };
  }, [lineWidth, pressure, color, background, pixelRatio]);

  useImperativeHandle(
    ref,
    () => ({
      get isEmpty() {
        return pad.current?.isEmpty ?? true;
      },
      get strokeCount() {
        return pad.current?.strokeCount ?? 0;
      },
      clear: () => pad.current?.clear(),
      undo: () => pad.current?.undo() ?? false,
      getImageData: () => {
        // Only before the first effect or after unmounting: there is no pad to read.
        if (!pad.current) throw new CanvasUnavailableError();
        return pad.current.getImageData();
      },
    }),
    [],
  );

  // Only the CSS size is set: the pad sizes the backing store (CSS size times the pixel ratio).
  return createElement('canvas', {
    ref: canvas,
    className,
    style: { ...style, width, height },
    'aria-label': props['aria-label'] ?? 'Drawing pad for a digit',
  });
});
