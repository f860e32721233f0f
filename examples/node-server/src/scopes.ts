import { join } from 'node:path';
import {
  type BackendPreference,
  type CorrectionStore,
  createRecognizer,
  isCrazyDigitsError,
  type ModelStore,
  type Recognizer,
  type Retrainer,
} from '@crazy-digits/core';
import {
  createFileCorrectionStore,
  createFileModelStore,
  type StoreDamage,
} from '@crazy-digits/node-adapter';
import type { ChangeBatch, PostgresChangeFeed } from '@crazy-digits/postgres-adapter';
import type { FastifyBaseLogger } from 'fastify';
import type { Cluster } from './cluster.js';
import { HttpError } from './errors.js';
import { createLazyFileModelStore, deferredModelStore } from './lazy-model-store.js';

/** The global model, or one user's personalised one. */
export interface Scope {
  /** `undefined` for the global scope. */
  userId: string | undefined;
  recognizer: Recognizer;
  /** The version predictions are made with (for a user without versions of their own, the global one it started from). */
  modelVersion(): string;
}

export interface Scopes {
  /** Runs `work` with the scope of `userId` (the global one when `undefined`), loading it if needed. */
  use<T>(userId: string | undefined, work: (scope: Scope) => Promise<T>): Promise<T>;
  /** Per-user recognisers loaded now. */
  readonly activeUsers: number;
  /** The TensorFlow.js backend in use. */
  readonly backend: string;
  /**
   * With a database: resolves once every change other instances committed so far has taken
   * effect here (their corrections count, their current model is served). Without: at once.
   */
  sync(): Promise<void>;
  /** Unloads every recogniser and closes the stores. Wait for in-flight work first. */
  close(): Promise<void>;
}

export interface ScopesOptions {
  dataDir: string;
  retrainer: Retrainer;
  maxActiveUsers: number;
  keepVersions: number;
  backend: BackendPreference;
  maxImageSide: number;
  /** Where storage damage and failed clean-ups are reported. */
  log: FastifyBaseLogger;
  /** Keep everything in this database, shared with other instances, instead of under `dataDir`. */
  cluster?: Cluster;
}

interface UserEntry {
  ready: Promise<Scope>;
  /** Requests and jobs using it now: it is never unloaded while in use. */
  leases: number;
  /** The user has model versions of their own (else they are served the global model). */
  ownModel: boolean;
  /** It serves the global model as it was when loaded, and the global model has changed since. */
  stale: boolean;
  modelStore: ModelStore;
}

/**
 * One global recogniser, and a recogniser per active user kept in a least-recently-used map.
 * Corrections: one file store for the global scope, one shared by all users (each user's
 * recogniser sees only theirs, through core's `userId`). Models: the global store, and a store
 * per user under `models/users/<id>` that exists once that user's first retrain is accepted;
 * until then the user is served the global model.
 */
export async function openScopes(options: ScopesOptions): Promise<Scopes> {
  const dir = (...parts: string[]) => join(options.dataDir, ...parts);
  const { log } = options;
  const onDamage = (damage: StoreDamage) => log.error({ damage }, 'storage damage found and set aside');
  const { cluster } = options;
  let announceReady = () => {};
  const ready = new Promise<void>((resolve) => {
    announceReady = resolve;
  });
  // Followed from before anything is loaded, so no change made meanwhile is missed.
  const feed: PostgresChangeFeed | undefined = cluster
    ? await cluster.follow(
        async (batch) => {
          await ready;
          await apply(batch);
        },
        (error) => log.warn({ err: error }, 'change feed: connection lost or a change could not be applied'),
      )
    : undefined;
  const opened: Array<CorrectionStore | ModelStore> = [];
  const keep = <T extends CorrectionStore | ModelStore>(store: T): T => {
    opened.push(store);
    return store;
  };
  let globalCorrections: CorrectionStore;
  let userCorrections: CorrectionStore;
  let globalModels: ModelStore;
  try {
    globalCorrections = keep(
      cluster
        ? await cluster.correctionStore('global')
        : await createFileCorrectionStore({ dir: dir('corrections', 'global'), onDamage }),
    );
    userCorrections = keep(
      cluster
        ? await cluster.correctionStore('users')
        : await createFileCorrectionStore({ dir: dir('corrections', 'users'), onDamage }),
    );
    globalModels = keep(
      cluster
        ? await cluster.modelStore('global', options.keepVersions)
        : await createFileModelStore({ dir: dir('models', 'global'), keep: options.keepVersions, onDamage }),
    );
  } catch (error) {
    await feed?.close();
    await Promise.all(opened.map((store) => store.close().catch(() => {})));
    throw error;
  }
  const common = { retrainer: options.retrainer, backend: options.backend, maxSide: options.maxImageSide };
  let globalRecognizer: Recognizer;
  try {
    globalRecognizer = await createRecognizer({
      ...common,
      store: globalCorrections,
      modelStore: globalModels,
    });
  } catch (error) {
    await feed?.close();
    await Promise.all(opened.map((store) => store.close().catch(() => {})));
    throw error;
  }
  const globalScope: Scope = {
    userId: undefined,
    recognizer: globalRecognizer,
    modelVersion: () => globalRecognizer.modelVersion,
  };
  const users = new Map<string, UserEntry>();

  async function load(userId: string, modelStore: ModelStore, markOwn: () => void): Promise<Scope> {
    const own = await modelStore.current();
    // A user without versions of their own starts from the global model's current weights.
    const inherited = own ? undefined : await globalModels.load();
    const recognizer = await createRecognizer({
      ...common,
      store: userCorrections,
      userId,
      modelStore,
      ...(inherited ? { model: inherited.artifacts } : {}),
    });
    let ownModel = own !== undefined;
    const becomeOwn = () => {
      ownModel = true;
      markOwn();
    };
    if (ownModel) markOwn();
    recognizer.on('model-change', becomeOwn);
    return {
      userId,
      recognizer,
      // The recogniser calls weights given as artifacts 'custom': name the global version instead.
      modelVersion: () => (!ownModel && inherited ? inherited.info.version : recognizer.modelVersion),
    };
  }

  /** Never rejects: a store that fails to close is logged, not left to end the process. */
  async function unload(userId: string, entry: UserEntry) {
    if (users.get(userId) === entry) users.delete(userId);
    try {
      (await entry.ready).recognizer.dispose();
    } catch {
      // It failed to load: nothing to dispose.
    }
    await entry.modelStore.close().catch((error: unknown) => {
      log.warn({ err: error, userId }, "could not close a user's model store");
    });
  }

  /** Unloads least recently used idle recognisers until at most `limit` remain. */
  function evict(limit = options.maxActiveUsers) {
    for (const [userId, entry] of users) {
      if (users.size <= limit) return;
      if (entry.leases === 0) void unload(userId, entry);
    }
  }

  function acquire(userId: string): UserEntry {
    let entry = users.get(userId);
    if (entry?.stale && entry.leases === 0) {
      void unload(userId, entry);
      entry = undefined;
    }
    if (entry) {
      users.delete(userId); // re-inserted below: most recently used last
    } else {
      // Room for one more, or a refusal: recognisers in use are never unloaded, so a stream of
      // new users must not grow the map past the cap while they are busy.
      evict(options.maxActiveUsers - 1);
      if (users.size >= options.maxActiveUsers)
        throw new HttpError(503, 'TOO_MANY_ACTIVE_USERS', 'too many users are active; try again shortly', 1);
      const modelStore = cluster
        ? deferredModelStore(cluster.modelStore(`users/${userId}`, options.keepVersions))
        : createLazyFileModelStore({
            dir: dir('models', 'users', userId),
            keep: options.keepVersions,
            onDamage,
          });
      const created: UserEntry = {
        leases: 0,
        ownModel: false,
        stale: false,
        modelStore,
        ready: load(userId, modelStore, () => {
          created.ownModel = true;
        }),
      };
      created.ready.catch((error: unknown) => {
        log.warn({ err: error, userId }, "could not load a user's recogniser");
        if (users.get(userId) === created) users.delete(userId);
        modelStore.close().catch(() => {});
      });
      entry = created;
    }
    users.set(userId, entry);
    entry.leases++;
    evict();
    return entry;
  }

  globalRecognizer.on('model-change', () => {
    for (const entry of users.values()) if (!entry.ownModel) entry.stale = true;
  });

  /** Brings one recogniser up to date with another instance's writes; one that was unloaded meanwhile is skipped. */
  async function refresh(
    recognizer: Promise<Scope> | Scope,
    request?: { added: string[]; removed: string[] },
  ) {
    try {
      await (await recognizer).recognizer.refresh(request);
    } catch (error) {
      if (!isCrazyDigitsError(error, 'RECOGNIZER_DISPOSED')) throw error;
    }
  }

  /**
   * What another instance wrote, applied here: its corrections take effect in the global
   * recogniser or in the loaded recognisers of their users, and a new current model version is
   * served. Users not loaded now read everything when they are.
   */
  async function apply(batch: ChangeBatch) {
    const everyone = () => [globalScope, ...[...users.values()].map((entry) => entry.ready)];
    if (batch.type === 'reset') {
      for (const scope of everyone()) await refresh(scope);
      return;
    }
    const byStore = new Map<string, { added: string[]; removed: string[]; cleared: boolean }>();
    for (const change of batch.changes) {
      const entry = byStore.get(change.store) ?? { added: [], removed: [], cleared: false };
      byStore.set(change.store, entry);
      if (change.kind === 'added' && change.subject) entry.added.push(change.subject);
      if (change.kind === 'removed' && change.subject) entry.removed.push(change.subject);
      if (change.kind === 'cleared') entry.cleared = true;
    }
    for (const [store, { added, removed, cleared }] of byStore) {
      const request = cleared ? undefined : { added, removed };
      if (store === 'corrections:global' || store === 'models:global') await refresh(globalScope, request);
      else if (store === 'corrections:users')
        for (const entry of users.values()) await refresh(entry.ready, request);
      else if (store.startsWith('models:users/')) {
        const entry = users.get(store.slice('models:users/'.length));
        if (entry) await refresh(entry.ready, { added: [], removed: [] });
      }
    }
  }
  announceReady();

  return {
    get activeUsers() {
      return users.size;
    },
    backend: globalRecognizer.backend,
    async use(userId, work) {
      if (userId === undefined) return work(globalScope);
      const entry = acquire(userId);
      try {
        return await work(await entry.ready);
      } finally {
        entry.leases--;
        evict();
      }
    },
    async sync() {
      await feed?.sync();
    },
    async close() {
      await feed?.close();
      await Promise.all([...users].map(([userId, entry]) => unload(userId, entry)));
      globalRecognizer.dispose();
      await Promise.all([globalCorrections.close(), userCorrections.close(), globalModels.close()]);
    },
  };
}
