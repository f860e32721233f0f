import { describeModelStoreContract } from '@crazy-digits/test-utils';
import { createMemoryModelStore } from '../src/index.js';

describeModelStoreContract('memory', async () => ({
  store: createMemoryModelStore({ keep: 3 }),
  keep: 3,
  dispose: async () => {},
}));
