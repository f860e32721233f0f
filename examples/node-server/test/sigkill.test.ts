import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { allCorrectionIds, dataUrl, digitPng, tempDir, testKeys } from './helpers.js';
import { startServerProcess } from './server-process.js';

describe('a server killed with SIGKILL', () => {
  it('keeps every correction it acknowledged with 201', { timeout: 90_000 }, async () => {
    const dir = await tempDir();
    const images = [0, 1, 2, 3].map((index) => dataUrl(digitPng(index)));
    const acknowledged: string[] = [];
    const { writer: key } = await testKeys(dir.path, ['writer']);
    try {
      const first = await startServerProcess(dir.path, { CORRECTIONS_PER_MINUTE: '1000000' });
      const exited = once(first.child, 'exit');
      let killed = false;
      const writer = async (worker: number) => {
        for (let i = 0; !killed; i++) {
          try {
            const response = await fetch(`${first.url}/api/corrections`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', ...key },
              body: JSON.stringify({ image: images[(worker + i) % images.length], label: i % 10 }),
            });
            if (response.status === 201) acknowledged.push((await response.json()).id);
          } catch {
            return; // the connection died with the server
          }
          if (acknowledged.length >= 40 && !killed) {
            killed = true;
            first.child.kill('SIGKILL');
          }
        }
      };
      await Promise.all([0, 1, 2, 3].map(writer));
      const [, signal] = await exited;
      expect(signal).toBe('SIGKILL');
      expect(acknowledged.length).toBeGreaterThanOrEqual(40);

      const second = await startServerProcess(dir.path, { CORRECTIONS_PER_MINUTE: '1000000' });
      try {
        const stored = await allCorrectionIds(async (url) =>
          (await fetch(`${second.url}${url}`, { headers: key })).json(),
        );
        const missing = acknowledged.filter((id) => !stored.includes(id));
        expect(missing).toEqual([]);
      } finally {
        const stopped = once(second.child, 'exit');
        second.child.kill('SIGTERM');
        // A graceful stop: in-flight requests finish, the stores close, exit code 0.
        expect((await stopped)[0]).toBe(0);
      }
    } finally {
      await dir.remove();
    }
  });
});
