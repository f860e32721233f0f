import { afterEach, beforeEach, it } from 'vitest';
import { expectCode } from './expect-code.js';

/** What every store has, whatever it keeps. */
interface Closable {
  close(): Promise<void>;
}

/** How a contract suite gets a store to test. */
export interface StoreHarness<Store> {
  /** A fresh, empty store. */
  store: Store;
  /**
   * Closes `store` and opens a new one on the same storage, as a restarted app would. Omit for
   * stores that keep nothing (the reopen tests are then skipped).
   */
  reopen?: () => Promise<Store>;
  /** Frees everything the harness made (files, databases). */
  dispose: () => Promise<void>;
}

/** The store one test of a contract suite works on. */
export interface StoreUnderTest<Store, Harness extends StoreHarness<Store>> {
  /** The harness made for this test. */
  readonly harness: Harness;
  /** This test's store: the harness's, or the one the last {@link reopen} opened. */
  readonly store: Store;
  /** Reopens the store through the harness, as a restarted app would, and makes it this test's. */
  reopen(): Promise<Store>;
}

/**
 * Gives every test in the enclosing `describe` a fresh harness from `setup`, and closes its store
 * and frees the harness after the test, whether it passed or not. (`setup`'s type names
 * `StoreHarness<Store>` so that TypeScript infers `Store` from the harness.)
 */
export function freshStorePerTest<Store extends Closable, Harness extends StoreHarness<Store>>(
  setup: () => Promise<Harness & StoreHarness<Store>>,
): StoreUnderTest<Store, Harness> {
  let harness: Harness | undefined;
  let store: Store | undefined;
  const made = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('a contract store is used outside a test');
    return value;
  };

  beforeEach(async () => {
    harness = await setup();
    store = harness.store;
  });

  afterEach(async () => {
    await store?.close();
    await harness?.dispose();
    harness = undefined;
    store = undefined;
  });

  return {
    get harness() {
      return made(harness);
    },
    get store() {
      return made(store);
    },
    async reopen() {
      const reopen = made(harness).reopen;
      if (!reopen) throw new Error('this harness cannot reopen its store');
      store = await reopen();
      return store;
    },
  };
}

/**
 * The test that a closed store refuses every call in `work` with `STORE_CLOSED`, and that closing
 * it again is fine.
 */
export function itRefusesWorkAfterClose<Store extends Closable>(
  current: StoreUnderTest<Store, StoreHarness<Store>>,
  work: ReadonlyArray<(store: Store) => Promise<unknown>>,
): void {
  it('refuses work after close, and closing twice is fine', async () => {
    const { store } = current;
    await store.close();
    await store.close();
    for (const call of work) await expectCode(call(store), 'STORE_CLOSED');
  });
}
