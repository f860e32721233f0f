import {
  dropSchema,
  freshSchema,
  sampleArtifacts,
  sampleCorrection,
  testDatabase,
} from '@crazy-digits/test-utils';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type Change,
  type ChangeBatch,
  createPostgresChangeFeed,
  createPostgresCorrectionStore,
  createPostgresModelStore,
  createPostgresRetrainLock,
  type PostgresChangeFeed,
} from '../src/index.js';

const database = await testDatabase();
const connectionString = database.connectionString ?? '';

describe.skipIf(database.skipReason !== undefined)('change feed and retrain lock', () => {
  let schema: string;
  let admin: pg.Pool;
  const closing: Array<{ close(): Promise<void> }> = [];
  const open = <T extends { close(): Promise<void> }>(thing: T): T => {
    closing.push(thing);
    return thing;
  };

  beforeAll(() => {
    admin = new pg.Pool({ connectionString });
  });
  afterAll(() => admin.end());
  afterEach(async () => {
    await Promise.all(closing.splice(0).map((thing) => thing.close()));
    await dropSchema(connectionString, schema);
  });

  async function feedOf(changes: Change[], extra: { after?: number } = {}): Promise<PostgresChangeFeed> {
    return open(
      await createPostgresChangeFeed({
        connectionString,
        schema,
        reconnectDelayMs: 20,
        ...extra,
        onChange: (batch: ChangeBatch) => {
          if (batch.type === 'changes') changes.push(...batch.changes);
        },
      }),
    );
  }

  it('tells one instance what another stored, removed and served, in order', async () => {
    schema = freshSchema();
    const store = open(await createPostgresCorrectionStore({ connectionString, schema, name: 'global' }));
    const before = await store.add(sampleCorrection(0));
    const changes: Change[] = [];
    const feed = await feedOf(changes);
    const other = open(await createPostgresCorrectionStore({ connectionString, schema, name: 'global' }));
    const models = open(await createPostgresModelStore({ connectionString, schema, name: 'global' }));
    const added = await other.add(sampleCorrection(1));
    await other.remove(before);
    const saved = await models.save(sampleArtifacts(1));
    // The NOTIFY alone brings them; sync() only waits for what is committed.
    await vi.waitFor(() => expect(changes).toHaveLength(3));
    expect(changes.map(({ store, kind, subject }) => ({ store, kind, subject }))).toEqual([
      { store: 'corrections:global', kind: 'added', subject: added },
      { store: 'corrections:global', kind: 'removed', subject: before },
      { store: 'models:global', kind: 'current', subject: saved.version },
    ]);
    const sequences = changes.map((c) => c.sequence);
    expect([...sequences].sort((a, b) => a - b)).toEqual(sequences);
    expect(await feed.sync()).toBe(sequences.at(-1));
  });

  it('reconnects after its connection is killed and catches up on what was written meanwhile', async () => {
    schema = freshSchema();
    const store = open(await createPostgresCorrectionStore({ connectionString, schema }));
    const changes: Change[] = [];
    const errors: unknown[] = [];
    const feed = open(
      await createPostgresChangeFeed({
        connectionString,
        schema,
        reconnectDelayMs: 20,
        onChange: (batch) => {
          if (batch.type === 'changes') changes.push(...batch.changes);
        },
        onError: (error) => errors.push(error),
      }),
    );
    expect(feed.connected).toBe(true);
    const first = await store.add(sampleCorrection(1));
    await vi.waitFor(() => expect(changes.map((c) => c.subject)).toEqual([first]));
    const { rows } = await admin.query<{ killed: boolean }>(
      `SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE query = $1`,
      [`LISTEN crazy_digits_${schema}`],
    );
    expect(rows).toEqual([{ killed: true }]);
    // Written while the feed may be away: it must come through the catch-up, not a NOTIFY.
    const during = await Promise.all([2, 3, 4].map((i) => store.add(sampleCorrection(i))));
    await vi.waitFor(() => expect(errors.length).toBeGreaterThan(0));
    await vi.waitFor(() => expect(feed.connected).toBe(true));
    const after = await store.add(sampleCorrection(5));
    await vi.waitFor(() => expect(changes.map((c) => c.subject)).toEqual([first, ...during, after]));
  });

  it('starts after a saved sequence number and rehearses what came later', async () => {
    schema = freshSchema();
    const store = open(await createPostgresCorrectionStore({ connectionString, schema }));
    await store.add(sampleCorrection(1));
    const seen: Change[] = [];
    const feed = await feedOf(seen);
    const mark = feed.sequence;
    const later = await store.add(sampleCorrection(2));
    const rehearsed: Change[] = [];
    const again = await feedOf(rehearsed, { after: mark });
    await again.sync();
    expect(rehearsed.map((c) => c.subject)).toEqual([later]);
  });

  it('runs a retrain asked of two instances once, and the later asker finds it done', async () => {
    schema = freshSchema();
    const a = open(await createPostgresRetrainLock({ connectionString, schema }));
    const b = open(await createPostgresRetrainLock({ connectionString, schema }));
    const store = open(await createPostgresCorrectionStore({ connectionString, schema }));
    await store.add(sampleCorrection(1));
    const askedA = await a.askedAt();
    const askedB = await b.askedAt();
    let runs = 0;
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const first = a.run('global', askedA, async ({ through }) => {
      runs++;
      await held;
      return through;
    });
    await vi.waitFor(() => expect(runs).toBe(1));
    const second = b.run('global', askedB, async () => {
      runs++;
    });
    release();
    expect(await first).toEqual({ ran: true, result: askedA });
    expect(await second).toEqual({ ran: false, through: askedA });
    expect(runs).toBe(1);
    // A correction after the last run: a new request runs again.
    await store.add(sampleCorrection(2));
    expect((await b.run('global', await b.askedAt(), async () => 'again')).ran).toBe(true);
    // Other scopes have locks of their own.
    expect((await a.run('user:ada', await a.askedAt(), async () => 'ada')).ran).toBe(true);
  });

  it('holds a scope against every retrain without covering any request', async () => {
    schema = freshSchema();
    const a = open(await createPostgresRetrainLock({ connectionString, schema }));
    const b = open(await createPostgresRetrainLock({ connectionString, schema }));
    const order: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const rollback = a.hold('global', async () => {
      order.push('rollback started');
      await held;
      order.push('rollback ended');
      return 'v1';
    });
    await vi.waitFor(() => expect(order).toEqual(['rollback started']));
    const retrain = b.run('global', await b.askedAt(), async () => {
      order.push('retrain');
    });
    // The retrain waits for the lock while the rollback holds it.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(order).toEqual(['rollback started']);
    release();
    expect(await rollback).toBe('v1');
    // Holding records no run: the retrain asked before still runs, after the rollback.
    expect((await retrain).ran).toBe(true);
    expect(order).toEqual(['rollback started', 'rollback ended', 'retrain']);
    // Another scope is not held.
    expect(await b.hold('user:ada', async () => 'ada')).toBe('ada');
  });

  it('leaves no lock behind when the retrainer holding it loses its connection', async () => {
    schema = freshSchema();
    const a = open(await createPostgresRetrainLock({ connectionString, schema }));
    const b = open(await createPostgresRetrainLock({ connectionString, schema }));
    let aborted: unknown;
    let started = false;
    const crashed = a.run('global', await a.askedAt(), async ({ signal }) => {
      started = true;
      await new Promise<void>((resolve) => {
        signal.addEventListener('abort', () => resolve());
      });
      aborted = signal.reason;
      throw signal.reason;
    });
    // Observed at once: the run may reject before the terminating query's own reply arrives.
    const outcome = crashed.then(
      () => undefined,
      (error: unknown) => error,
    );
    await vi.waitFor(() => expect(started).toBe(true));
    await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()
       AND classid = $1`,
      [0x6364_0003],
    );
    expect(await outcome).toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
    expect(aborted).toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
    expect((await b.run('global', await b.askedAt(), async () => 'mine')).ran).toBe(true);
  });
});
