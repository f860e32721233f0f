import * as tf from '@tensorflow/tfjs';

/**
 * Momentum SGD (Nesterov) that frees everything it holds. tfjs's `MomentumOptimizer.dispose()`
 * frees its momentum and accumulators but not the learning-rate scalar of its SGD base, so every
 * training run would leak a tensor.
 */
export class MomentumSgd extends tf.MomentumOptimizer {
  constructor(learningRate: number, momentum = 0.9) {
    super(learningRate, momentum, true);
  }

  override dispose(): void {
    super.dispose();
    if (!this.c.isDisposed) this.c.dispose();
  }
}
