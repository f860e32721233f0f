/**
 * One-cycle learning rate: a linear warm-up to `peak` over the first `warmup` fraction of the
 * steps, then a cosine decay to zero. It lets a batch-normalised net train fast with plain
 * momentum SGD and end in a flat minimum, which matters more than the optimizer for accuracy.
 */
export function oneCycleLearningRate(step: number, totalSteps: number, peak: number, warmup = 0.15): number {
  const warmupSteps = Math.max(1, Math.round(totalSteps * warmup));
  if (step < warmupSteps) return (peak * (step + 1)) / warmupSteps;
  const progress = (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
  return 0.5 * peak * (1 + Math.cos(Math.PI * Math.min(1, progress)));
}
