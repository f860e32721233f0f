/** The element with this id, checked to be of the expected kind: the page and the code agree or fail loudly. */
export function byId<T extends HTMLElement>(id: string, kind: { new (): T; readonly name: string }): T {
  const element = document.getElementById(id);
  if (!(element instanceof kind))
    throw new Error(`[crazy-digits demo] #${id} is missing or not a ${kind.name}`);
  return element;
}

/** A new element with attributes and children: `h('li', { class: 'x' }, 'text', child)`. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

/** `0.9374` → `'94%'`. */
export const percent = (fraction: number) => `${Math.round(fraction * 100)}%`;

/** A short local date and time for lists. */
export const when = (epochMs: number) =>
  new Date(epochMs).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
