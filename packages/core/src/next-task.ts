type Schedule = (callback: () => void) => void;

/**
 * How {@link nextTask} reaches the next task in `scope` (the global object, or a test's stand-in):
 * Node's `setImmediate` where there is one, since `setTimeout(0)` waits at least a millisecond
 * there, which adds up over a retrain's yields; else (a page, a worker) a message to a channel of
 * our own, which is a new task at once where a nested `setTimeout(0)` waits at least 4 ms, a third
 * of a retrain's validation at one yield per batch; `setTimeout(0)` only where neither exists.
 * Read off the object rather than named: core is typed without Node's globals.
 */
export function taskScheduler(scope: object): Schedule {
  const immediate: unknown = Reflect.get(scope, 'setImmediate');
  if (typeof immediate === 'function') return (callback) => immediate.call(scope, callback);
  const Channel: unknown = Reflect.get(scope, 'MessageChannel');
  if (typeof Channel === 'function') {
    const channel: MessageChannel = new (Channel as typeof MessageChannel)();
    const waiting: (() => void)[] = [];
    channel.port1.onmessage = () => waiting.shift()?.();
    return (callback) => {
      waiting.push(callback);
      channel.port2.postMessage(undefined);
    };
  }
  const timeout = Reflect.get(scope, 'setTimeout') as (callback: () => void, ms: number) => unknown;
  return (callback) => timeout.call(scope, callback, 0);
}

const schedule = taskScheduler(globalThis);

/**
 * Hands the thread back between batches and training steps, so predictions, I/O and abort
 * signals are served meanwhile (how: {@link taskScheduler}).
 */
export const nextTask = (): Promise<void> => new Promise((resolve) => schedule(resolve));
