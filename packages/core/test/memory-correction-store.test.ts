import { describeCorrectionStoreContract } from '@crazy-digits/test-utils';
import { expect, it } from 'vitest';
import { createMemoryCorrectionStore } from '../src/index.js';

describeCorrectionStoreContract('memory', async () => ({
  store: createMemoryCorrectionStore(),
  dispose: async () => {},
}));

it('says the memory store is not persistent', () => {
  expect(createMemoryCorrectionStore().persistent).toBe(false);
});
