import type { Output } from './io.js';

/** The reason a run stopped on Ctrl-C. */
export class InterruptedError extends Error {
  override name = 'InterruptedError';
  constructor() {
    super('interrupted');
  }
}

/**
 * An abort signal for a long run, fired by the first Ctrl-C (or by `external`, for tests and
 * embedding). The first Ctrl-C lets the run stop between steps and clean up; Node's default
 * handler is back for a second one, which ends the process at once. `dispose()` when done.
 */
export function interruptOnCtrlC(
  stderr: Output,
  external?: AbortSignal,
): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const abort = () => {
    if (!controller.signal.aborted) controller.abort(new InterruptedError());
  };
  const onSigint = () => {
    stderr.write('\nstopping after the current step (Ctrl-C again to quit at once)\n');
    abort();
  };
  process.once('SIGINT', onSigint);
  external?.addEventListener('abort', abort, { once: true });
  if (external?.aborted) abort();
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', onSigint);
      external?.removeEventListener('abort', abort);
    },
  };
}
