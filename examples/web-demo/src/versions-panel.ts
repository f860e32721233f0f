import type { Recognizer } from '@crazy-digits/core';
import { byId, h, percent, when } from './dom.js';
import { toast } from './toasts.js';

export interface VersionsPanel {
  /** Re-reads the model store and the served version. */
  refresh(): Promise<void>;
}

/** The served version, the kept versions (newest first), rollback and reset. */
export function createVersionsPanel(recognizer: () => Recognizer): VersionsPanel {
  const current = byId('model-version', HTMLElement);
  const list = byId('versions-list', HTMLOListElement);
  const empty = byId('versions-empty', HTMLParagraphElement);
  const rollbackButton = byId('rollback', HTMLButtonElement);

  /** Runs a model switch, reporting failures; the 'model-change' event refreshes the panel. */
  const attempt = async (what: string, action: () => Promise<string | undefined>) => {
    try {
      const version = await action();
      if (version === undefined) toast('There is no earlier version to roll back to.', 'info');
      else toast(`${what}: now serving version ${version}.`, 'success');
    } catch (error) {
      toast(`${what} failed: ${error instanceof Error ? error.message : String(error)}`, 'error');
    }
  };

  rollbackButton.addEventListener('click', () => attempt('Rolled back', () => recognizer().rollback()));
  byId('reset-model', HTMLButtonElement).addEventListener('click', () =>
    attempt('Reset to the shipped model', () => recognizer().resetModel()),
  );

  async function refresh() {
    const served = recognizer().modelVersion;
    current.textContent = served;
    const versions = (await recognizer().versions()).reverse();
    empty.hidden = versions.length > 0;
    const servedAt = versions.findIndex((v) => v.version === served);
    // Newest first: an earlier version exists when the served one is not the last in the list.
    rollbackButton.disabled = servedAt < 0 || servedAt === versions.length - 1;
    list.replaceChildren(
      ...versions.map((v) => {
        const isServed = v.version === served;
        const accuracy = v.metrics?.heldOutAccuracy;
        const details = [
          when(v.createdAt),
          v.note,
          accuracy === undefined ? undefined : `held-out accuracy ${percent(accuracy)}`,
        ]
          .filter(Boolean)
          .join(' · ');
        const action = isServed
          ? h('span', { class: 'badge' }, 'serving')
          : h('button', { type: 'button', 'aria-label': `Serve version ${v.version}` }, 'Serve');
        action.addEventListener('click', () => {
          if (!isServed) void attempt('Switched version', () => recognizer().rollback(v.version));
        });
        return h(
          'li',
          { 'data-testid': 'version', ...(isServed ? { 'aria-current': 'true' } : {}) },
          h('code', {}, v.version),
          h('span', { class: 'version-details' }, details),
          action,
        );
      }),
    );
  }

  return { refresh };
}
