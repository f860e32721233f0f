import { h } from './dom.js';

/**
 * Ten buttons 0–9 appended to `container`, each calling `pick` with its digit: the one way the
 * page asks "which digit is it?", for a drawn digit and for one digit of a number.
 */
export function createDigitButtons(
  container: HTMLElement,
  pick: (digit: number) => void,
  options: { testId: string; keys?: boolean },
): HTMLButtonElement[] {
  const buttons = Array.from({ length: 10 }, (_, digit) => {
    const button = h(
      'button',
      {
        type: 'button',
        class: 'digit-button',
        'data-testid': `${options.testId}-${digit}`,
        'aria-label': `It is a ${digit}`,
        ...(options.keys ? { 'aria-keyshortcuts': String(digit) } : {}),
      },
      String(digit),
    );
    button.addEventListener('click', () => pick(digit));
    return button;
  });
  container.append(...buttons);
  return buttons;
}

/** Lights up a digit's button for a moment, when it was "pressed" with its key. */
export function flash(button: HTMLButtonElement | undefined): void {
  button?.classList.add('pressed');
  setTimeout(() => button?.classList.remove('pressed'), 200);
}
