import { byId, h } from './dom.js';

export type ToastKind = 'info' | 'success' | 'warning' | 'error';

const SHOWN_MS = { info: 5000, success: 5000, warning: 10_000, error: 12_000 } as const;

/**
 * Shows a short message in the corner (read out by screen readers: the container is a polite
 * live region, errors are alerts). It goes away on its own or with its dismiss button.
 */
export function toast(message: string, kind: ToastKind = 'info'): void {
  const container = byId('toasts', HTMLDivElement);
  const dismiss = h('button', { type: 'button', class: 'toast-dismiss', 'aria-label': 'Dismiss' }, '×');
  const item = h(
    'div',
    {
      class: 'toast',
      'data-kind': kind,
      'data-testid': 'toast',
      ...(kind === 'error' ? { role: 'alert' } : {}),
    },
    h('span', {}, message),
    dismiss,
  );
  const remove = () => item.remove();
  dismiss.addEventListener('click', remove);
  container.append(item);
  setTimeout(remove, SHOWN_MS[kind]);
}
