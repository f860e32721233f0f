import { CrazyDigitsError, type CrazyDigitsErrorOptions } from '../../errors/index.js';

/** A gradient worker failed to start, threw, crashed or exited while training depended on it. */
export class GradientWorkerError extends CrazyDigitsError<'GRADIENT_WORKER_FAILED'> {
  /** Which worker of the pool (0-based). */
  readonly worker: number;

  constructor(worker: number, reason: string, options: CrazyDigitsErrorOptions = {}) {
    super('GRADIENT_WORKER_FAILED', `gradient worker ${worker} failed: ${reason}`, options);
    this.worker = worker;
  }
}

/** The gradient pool was disposed: it starts no more workers, and a run that was using it stops. */
export class GradientPoolDisposedError extends CrazyDigitsError<'GRADIENT_POOL_DISPOSED'> {
  constructor() {
    super('GRADIENT_POOL_DISPOSED', 'the gradient pool has been disposed');
  }
}

/** The model cannot be trained in parallel: it has several outputs, or weights that are not variables. */
export class UnsupportedParallelModelError extends CrazyDigitsError<'UNSUPPORTED_PARALLEL_MODEL'> {
  constructor(reason: string) {
    super('UNSUPPORTED_PARALLEL_MODEL', `this model cannot be trained with a gradient pool: ${reason}`);
  }
}
