import * as tf from '@tensorflow/tfjs';

/**
 * Runs `work` and throws if it leaves more (or fewer) live tensors than it found.
 *
 * `work` must dispose everything it creates, including what it would return: return plain
 * values (numbers, arrays from `dataSync`) instead of tensors.
 */
export async function expectNoLeakedTensors<T>(work: () => T | Promise<T>): Promise<T> {
  const before = tf.memory().numTensors;
  const result = await work();
  const after = tf.memory().numTensors;
  if (after !== before) {
    throw new Error(
      `expected ${before} live tensors after the call, found ${after} (${after - before > 0 ? 'leaked' : 'over-disposed'} ${Math.abs(after - before)})`,
    );
  }
  return result;
}
