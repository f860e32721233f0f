import * as tf from '@tensorflow/tfjs';

/**
 * Momentum SGD (Nesterov) with optional L2 weight decay, that frees everything it holds.
 *
 * tfjs's `MomentumOptimizer.dispose()` frees its momentum and accumulators but not the
 * learning-rate scalar of its SGD base, so every training run would leak a tensor.
 *
 * Weight decay is coupled (added to the gradient, as in the classic SGD recipes) and applies only
 * to the kernels of convolutions and dense layers (variables of rank 2 or more): decaying batch
 * norm's scale and offset or the biases only fights the normalisation.
 */
export class MomentumSgd extends tf.MomentumOptimizer {
  private readonly weightDecay: number;

  constructor(learningRate: number, momentum = 0.9, weightDecay = 0) {
    super(learningRate, momentum, true);
    if (!(weightDecay >= 0) || !Number.isFinite(weightDecay)) {
      throw new RangeError(`weightDecay must be a finite number ≥ 0, got ${weightDecay}`);
    }
    this.weightDecay = weightDecay;
  }

  override applyGradients(variableGradients: Parameters<tf.MomentumOptimizer['applyGradients']>[0]): void {
    if (this.weightDecay === 0) {
      super.applyGradients(variableGradients);
      return;
    }
    const named = Array.isArray(variableGradients)
      ? variableGradients
      : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor: tensor as tf.Tensor }));
    const created: tf.Tensor[] = [];
    const decayed = named.map(({ name, tensor }) => {
      const variable = tf.engine().registeredVariables[name];
      if (!variable || variable.rank < 2) return { name, tensor };
      const sum = tf.tidy(() => tf.add(tensor, tf.mul(variable, this.weightDecay)));
      created.push(sum);
      return { name, tensor: sum };
    });
    try {
      super.applyGradients(decayed);
    } finally {
      for (const tensor of created) tensor.dispose();
    }
  }

  override dispose(): void {
    super.dispose();
    if (!this.c.isDisposed) this.c.dispose();
  }
}
