import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { markdownPages, ROOT } from './figures.js';

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchors(page: string): Set<string> {
  const text = readFileSync(new URL(page, ROOT), 'utf8').replace(/```[\s\S]*?```/g, '');
  const seen = new Map<string, number>();
  const found = new Set<string>();
  for (const [, heading = ''] of text.matchAll(/^#{1,6} (.+)$/gm)) {
    const base = slug(heading);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    found.add(count === 0 ? base : `${base}-${count}`);
  }
  return found;
}

/** Relative links of a page (outside code) that lead nowhere: a missing file or heading. */
function brokenLinks(page: string): string[] {
  const text = readFileSync(new URL(page, ROOT), 'utf8')
    .replace(/```[\s\S]*?```/g, '')
    .replace(/`[^`\n]*`/g, '');
  const broken: string[] = [];
  for (const [, target = ''] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z]+:/i.test(target)) continue;
    const [path = '', anchor] = target.split('#', 2);
    const file =
      path === '' ? page : new URL(path, new URL(page, ROOT)).pathname.slice(new URL(ROOT).pathname.length);
    if (!existsSync(new URL(file, ROOT))) broken.push(target);
    else if (anchor && file.endsWith('.md') && !anchors(file).has(anchor)) broken.push(target);
  }
  return broken;
}

describe('links between the docs', () => {
  it.each(markdownPages())('%s links only to files and headings that exist', (page) => {
    expect(brokenLinks(page)).toEqual([]);
  });
});
