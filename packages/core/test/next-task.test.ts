import { MessageChannel as NodeMessageChannel } from 'node:worker_threads';
import { describe, expect, it, vi } from 'vitest';
import { nextTask, taskScheduler } from '../src/next-task.js';

describe('nextTask', () => {
  it('resolves after the current task, behind what is already queued', async () => {
    const seen: string[] = [];
    setImmediate(() => seen.push('queued before'));
    const yielded = nextTask().then(() => seen.push('yielded'));
    await Promise.resolve();
    seen.push('same task');
    await yielded;
    expect(seen).toEqual(['same task', 'queued before', 'yielded']);
  });

  it("uses setImmediate where there is one (Node's)", () => {
    const setImmediate = vi.fn();
    const setTimeout = vi.fn();
    const callback = () => undefined;
    taskScheduler({ setImmediate, setTimeout, MessageChannel: NodeMessageChannel })(callback);
    expect(setImmediate).toHaveBeenCalledWith(callback);
    expect(setTimeout).not.toHaveBeenCalled();
  });

  it('posts to a message channel where there is no setImmediate, in order, never through setTimeout', async () => {
    const channels: NodeMessageChannel[] = [];
    class Channel extends NodeMessageChannel {
      constructor() {
        super();
        channels.push(this);
      }
    }
    const setTimeout = vi.fn();
    const schedule = taskScheduler({ MessageChannel: Channel, setTimeout });
    try {
      const order: number[] = [];
      await Promise.all(
        [1, 2, 3].map((n) => new Promise<void>((resolve) => schedule(() => resolve(void order.push(n))))),
      );
      expect(order).toEqual([1, 2, 3]);
      expect(channels).toHaveLength(1);
      expect(setTimeout).not.toHaveBeenCalled();
    } finally {
      for (const channel of channels) {
        channel.port1.close();
        channel.port2.close();
      }
    }
  });

  it('falls back to setTimeout(0) where there is neither', () => {
    const setTimeout = vi.fn();
    const callback = () => undefined;
    taskScheduler({ setTimeout })(callback);
    expect(setTimeout).toHaveBeenCalledWith(callback, 0);
  });
});
