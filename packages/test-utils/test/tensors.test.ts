import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectNoLeakedTensors } from '../src/index.js';

describe('expectNoLeakedTensors', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('passes through the result of tidy work', async () => {
    const sum = await expectNoLeakedTensors(() =>
      tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)).dataSync()[0]),
    );
    expect(sum).toBe(3);
  });

  it('throws when work leaks a tensor', async () => {
    let leaked: tf.Tensor | undefined;
    await expect(
      expectNoLeakedTensors(() => {
        leaked = tf.ones([2]);
      }),
    ).rejects.toThrow(/leaked 1/);
    leaked?.dispose();
  });

  it('throws when work disposes a tensor it did not create', async () => {
    const outside = tf.ones([2]);
    await expect(expectNoLeakedTensors(() => outside.dispose())).rejects.toThrow(/over-disposed 1/);
  });
});
