import type { Correction, CorrectionStore } from '@crazy-digits/core';
import { byId, h, when } from './dom.js';
import { digitDataUrl } from './pixels.js';
import { toast } from './toasts.js';

/** How many thumbnails the panel shows (the newest); the count and the export cover all. */
const SHOWN = 60;

/** What the panel acts through. */
export interface CorrectionsPanelOptions {
  store: CorrectionStore;
  /** Removes one correction from the store and from effect (`recognizer.removeCorrection`). */
  remove(id: string): Promise<boolean>;
  /** Called after corrections were imported or deleted in bulk, so that they take (or stop taking) effect. */
  reload(): Promise<void>;
}

export interface CorrectionsPanel {
  /** Re-reads the store: the count and the thumbnails. */
  refresh(): Promise<void>;
}

/** The newest `limit` corrections, newest first, and how many there are. */
async function newest(store: CorrectionStore, limit: number) {
  const kept: Correction[] = [];
  let total = 0;
  for await (const correction of store.iterate()) {
    total++;
    kept.push(correction);
    if (kept.length > limit) kept.shift();
  }
  return { items: kept.reverse(), total };
}

export function createCorrectionsPanel(options: CorrectionsPanelOptions): CorrectionsPanel {
  const { store } = options;
  const count = byId('corrections-count', HTMLSpanElement);
  const list = byId('corrections-list', HTMLUListElement);
  const empty = byId('corrections-empty', HTMLParagraphElement);
  const more = byId('corrections-more', HTMLParagraphElement);
  const fileInput = byId('import-file', HTMLInputElement);

  const item = (correction: Correction) => {
    const label = String(correction.label);
    const was = correction.predicted ? ` (read as ${correction.predicted.digit})` : '';
    const remove = h(
      'button',
      {
        type: 'button',
        class: 'thumb-delete',
        'data-testid': 'delete-correction',
        'aria-label': `Delete the correction to ${label}${was}, made ${when(correction.createdAt)}`,
      },
      '×',
    );
    remove.addEventListener('click', () => {
      void removeOne(correction.id, remove);
    });
    return h(
      'li',
      { class: 'thumb', 'data-id': correction.id, 'data-label': label, 'data-testid': 'correction' },
      h('img', {
        src: digitDataUrl(correction.image),
        width: '56',
        height: '56',
        alt: `Drawing corrected to ${label}${was}`,
      }),
      h('span', { class: 'thumb-label', 'aria-hidden': 'true' }, label),
      remove,
    );
  };

  async function refresh() {
    const { items, total } = await newest(store, SHOWN);
    count.textContent = String(total);
    list.replaceChildren(...items.map(item));
    empty.hidden = total > 0;
    more.hidden = total <= SHOWN;
    more.textContent = `Showing the newest ${SHOWN} of ${total}.`;
  }

  async function removeOne(id: string, button: HTMLButtonElement) {
    // Keep the keyboard where it was: on the next thumbnail's delete button, else the previous one.
    const position = [...list.children].indexOf(button.closest('li') ?? button);
    try {
      await options.remove(id);
    } catch (error) {
      toast(`Could not delete the correction: ${String(error)}`, 'error');
    }
    await refresh();
    const buttons = list.querySelectorAll<HTMLButtonElement>('.thumb-delete');
    (buttons[Math.min(position, buttons.length - 1)] ?? byId('export', HTMLButtonElement)).focus();
  }

  byId('export', HTMLButtonElement).addEventListener('click', async () => {
    try {
      const blob = await new Response(store.export()).blob();
      const link = h('a', {
        href: URL.createObjectURL(new Blob([blob], { type: 'application/x-ndjson' })),
        download: `crazy-digits-corrections-${new Date().toISOString().slice(0, 10)}.ndjson`,
      });
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    } catch (error) {
      toast(`Could not export the corrections: ${String(error)}`, 'error');
    }
  });

  byId('import', HTMLButtonElement).addEventListener('click', () => fileInput.click());
  fileInput.addEventListener('change', async () => {
    const file = fileInput.files?.[0];
    fileInput.value = '';
    if (!file) return;
    try {
      const { imported, skipped } = await store.import(file.stream());
      await options.reload();
      await refresh();
      toast(
        `Imported ${imported} correction${imported === 1 ? '' : 's'}` +
          (skipped > 0 ? ` (${skipped} already here, skipped).` : '.'),
        'success',
      );
    } catch (error) {
      toast(
        `Could not import ${file.name}: ${error instanceof Error ? error.message : String(error)}`,
        'error',
      );
    }
  });

  byId('delete-all', HTMLButtonElement).addEventListener('click', async () => {
    if (!window.confirm('Delete every correction? Export them first if you may want them back.')) return;
    try {
      await store.clear();
      await options.reload();
      await refresh();
      toast('Deleted every correction.', 'success');
    } catch (error) {
      toast(`Could not delete the corrections: ${String(error)}`, 'error');
    }
  });

  return { refresh };
}
