import { createDrawingPad, type DrawingPad, type DrawingPadOptions } from './drawing-pad.js';

/** What a `stroke-end` event carries. */
export interface StrokeEndDetail {
  /** The pad's pixels after the stroke, as `predict(image)` and `correct(image, digit)` take them. */
  image: ImageData;
  /** Strokes now on the pad. */
  strokeCount: number;
}

/**
 * The `<digit-pad>` element: a drawing pad in a shadow root. Attributes (all optional):
 * `width` and `height` in CSS pixels (default 280; resizing keeps the drawing), `line-width`,
 * `color`, `background` (`white` or `transparent`) and `no-pressure`, as the pad's options
 * (changing one of these starts a new, empty drawing). Fires `stroke-end` (a
 * `CustomEvent<StrokeEndDetail>`) after every finished stroke.
 */
export interface DigitPadElement extends HTMLElement {
  /** True when there is nothing drawn. */
  readonly isEmpty: boolean;
  /** The number of strokes drawn (and not undone). */
  readonly strokeCount: number;
  /** Removes every stroke. */
  clear(): void;
  /** Removes the newest stroke; false when there was none. */
  undo(): boolean;
  /** The pad's pixels, as {@link DrawingPad.getImageData} gives them. */
  getImageData(): ImageData;
  addEventListener<K extends keyof DigitPadEventMap>(
    type: K,
    listener: (this: DigitPadElement, event: DigitPadEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions,
  ): void;
}

/** The events a `<digit-pad>` fires besides the usual element events. */
export interface DigitPadEventMap extends HTMLElementEventMap {
  'stroke-end': CustomEvent<StrokeEndDetail>;
}

declare global {
  interface HTMLElementTagNameMap {
    'digit-pad': DigitPadElement;
  }
}

const SIZE_ATTRIBUTES = ['width', 'height'];
const STROKE_ATTRIBUTES = ['line-width', 'color', 'background', 'no-pressure'];
const DEFAULT_SIZE = 280;

const cssPixels = (value: string | null) => {
  const parsed = value === null ? Number.NaN : Number.parseFloat(value);
  return Number.isFinite(parsed) && parsed > 0 ? parsed : DEFAULT_SIZE;
};

/** The pad's options from the element's attributes. */
function padOptions(element: HTMLElement): DrawingPadOptions {
  const lineWidth = Number.parseFloat(element.getAttribute('line-width') ?? '');
  const color = element.getAttribute('color');
  const background = element.getAttribute('background');
  return {
    ...(Number.isFinite(lineWidth) && lineWidth > 0 ? { lineWidth } : {}),
    ...(color ? { color } : {}),
    ...(background === 'transparent' || background === 'white' ? { background } : {}),
    pressure: !element.hasAttribute('no-pressure'),
  };
}

function createDigitPadClass(): CustomElementConstructor {
  return class extends HTMLElement implements Omit<DigitPadElement, 'addEventListener'> {
    static observedAttributes = [...SIZE_ATTRIBUTES, ...STROKE_ATTRIBUTES];
    readonly #canvas: HTMLCanvasElement;
    #pad: DrawingPad | undefined;
    #strokes = 0;

    constructor() {
      super();
      const root = this.attachShadow({ mode: 'open' });
      const style = document.createElement('style');
      style.textContent = ':host { display: inline-block; } canvas { display: block; }';
      this.#canvas = document.createElement('canvas');
      this.#canvas.setAttribute('part', 'canvas');
      root.append(style, this.#canvas);
    }

    get isEmpty() {
      return this.#pad?.isEmpty ?? true;
    }

    get strokeCount() {
      return this.#pad?.strokeCount ?? 0;
    }

    connectedCallback(): void {
      this.#applySize();
      // Kept while the element is moved around: the drawing survives a disconnect.
      if (!this.#pad) this.#startPad();
    }

    attributeChangedCallback(name: string, previous: string | null, value: string | null): void {
      if (previous === value || !this.#pad) return;
      if (SIZE_ATTRIBUTES.includes(name)) this.#applySize();
      else this.#startPad();
    }

    clear(): void {
      this.#pad?.clear();
    }

    undo(): boolean {
      return this.#pad?.undo() ?? false;
    }

    getImageData(): ImageData {
      return (this.#pad ?? this.#startPad()).getImageData();
    }

    #applySize(): void {
      // The pad follows the canvas's CSS size (a ResizeObserver), repainting its strokes.
      this.#canvas.style.width = `${cssPixels(this.getAttribute('width'))}px`;
      this.#canvas.style.height = `${cssPixels(this.getAttribute('height'))}px`;
    }

    #startPad(): DrawingPad {
      this.#pad?.destroy();
      this.#strokes = 0;
      this.#applySize();
      const pad = createDrawingPad(this.#canvas, {
        ...padOptions(this),
        onChange: (pad) => {
          // Undo and clear lower the count; only a finished stroke raises it.
          const finished = pad.strokeCount > this.#strokes;
          this.#strokes = pad.strokeCount;
          if (!finished) return;
          const detail: StrokeEndDetail = { image: pad.getImageData(), strokeCount: pad.strokeCount };
          this.dispatchEvent(new CustomEvent('stroke-end', { detail, bubbles: true, composed: true }));
        },
      });
      this.#pad = pad;
      return pad;
    }
  };
}

/**
 * Registers the `<digit-pad>` custom element (or the same element under `name`, which must contain
 * a hyphen) and returns its constructor. Safe to call more than once: when `name` is already
 * defined, nothing is registered and the element defined under it is returned.
 *
 * @example
 * ```ts
 * defineDigitPad();
 * const pad = document.querySelector('digit-pad')!;
 * pad.addEventListener('stroke-end', async (event) => show(await recognizer.predict(event.detail.image)));
 * ```
 */
export function defineDigitPad(name = 'digit-pad'): CustomElementConstructor {
  const defined = customElements.get(name);
  if (defined) return defined;
  const element = createDigitPadClass();
  customElements.define(name, element);
  return element;
}
