import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  describeCorrectionStoreContract,
  describeModelStoreContract,
  dropSchema,
  expectCode,
  freshSchema,
  sampleArtifacts,
  sampleCorrection,
  testDatabase,
} from '@crazy-digits/test-utils';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresCorrectionStore, createPostgresModelStore } from '../src/index.js';

const database = await testDatabase();
if (database.skipReason) console.warn(`[postgres-adapter] skipping: ${database.skipReason}`);
const connectionString = database.connectionString ?? '';

describe.skipIf(database.skipReason !== undefined)('PostgreSQL stores', () => {
  describeCorrectionStoreContract('postgres', async () => {
    const schema = freshSchema();
    let store = await createPostgresCorrectionStore({ connectionString, schema });
    return {
      store,
      reopen: async () => {
        await store.close();
        store = await createPostgresCorrectionStore({ connectionString, schema });
        return store;
      },
      dispose: () => dropSchema(connectionString, schema),
    };
  });

  describeModelStoreContract('postgres', async () => {
    const schema = freshSchema();
    let store = await createPostgresModelStore({ connectionString, schema, keep: 3 });
    return {
      store,
      keep: 3,
      reopen: async () => {
        await store.close();
        store = await createPostgresModelStore({ connectionString, schema, keep: 3 });
        return store;
      },
      dispose: () => dropSchema(connectionString, schema),
    };
  });

  describe('on a shared database', () => {
    const schema = freshSchema();
    let pool: pg.Pool;
    beforeAll(() => {
      pool = new pg.Pool({ connectionString });
    });
    afterAll(async () => {
      await pool.end();
      await dropSchema(connectionString, schema);
    });

    it('creates the schema once when several instances start together', async () => {
      const stores = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          i % 2
            ? createPostgresCorrectionStore({ connectionString, schema })
            : createPostgresModelStore({ connectionString, schema }),
        ),
      );
      const { rows } = await pool.query(`SELECT version FROM ${schema}.migrations`);
      expect(rows).toEqual([{ version: 1 }]);
      await Promise.all(stores.map((store) => store.close()));
    });

    it('keeps stores of different names apart, and leaves a borrowed pool open on close', async () => {
      const a = await createPostgresCorrectionStore({ pool, schema, name: 'a' });
      const b = await createPostgresCorrectionStore({ pool, schema, name: 'b' });
      await a.add(sampleCorrection(1, { id: 'same-id' }));
      await b.add(sampleCorrection(2, { id: 'same-id' }));
      expect((await a.get('same-id'))?.label).toBe(1);
      expect((await b.get('same-id'))?.label).toBe(2);
      await a.clear();
      expect(await b.count()).toBe(1);
      await Promise.all([a.close(), b.close()]);
      expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    });

    it('lets two stores on one database see each other, and refuses a duplicate made elsewhere', async () => {
      const a = await createPostgresCorrectionStore({ connectionString, schema, name: 'shared' });
      const b = await createPostgresCorrectionStore({ connectionString, schema, name: 'shared' });
      const ids = await Promise.all([0, 1, 2].map((i) => a.add(sampleCorrection(i))));
      expect(await b.count()).toBe(3);
      await expectCode(b.add(sampleCorrection(5, { id: ids[0] ?? '' })), 'DUPLICATE_CORRECTION');
      await b.remove(ids[1] ?? '');
      expect((await a.list()).items.map((c) => c.id)).toEqual([ids[0], ids[2]]);
      const models = await createPostgresModelStore({ connectionString, schema, name: 'shared' });
      const others = await createPostgresModelStore({ connectionString, schema, name: 'shared' });
      const saved = await models.save(sampleArtifacts(1));
      expect((await others.current())?.version).toBe(saved.version);
      await Promise.all([a.close(), b.close(), models.close(), others.close()]);
    });
  });

  it('comes back whole from pg_dump and pg_restore into another database, as the README says', async () => {
    const schema = freshSchema('backup');
    const corrections = await createPostgresCorrectionStore({ connectionString, schema });
    const models = await createPostgresModelStore({ connectionString, schema });
    const ids = await Promise.all([0, 1, 2].map((i) => corrections.add(sampleCorrection(i))));
    await models.save(sampleArtifacts(1));
    const current = await models.save(sampleArtifacts(2));
    await Promise.all([corrections.close(), models.close()]);

    const dir = await mkdtemp(join(tmpdir(), 'crazy-digits-dump-'));
    const copy = new URL(connectionString);
    copy.pathname = `/${schema}_restored`;
    const admin = new pg.Client({ connectionString });
    await admin.connect();
    try {
      const dump = join(dir, 'crazy-digits.dump');
      execFileSync('pg_dump', [
        '--format=custom',
        `--schema=${schema}`,
        `--dbname=${connectionString}`,
        `--file=${dump}`,
      ]);
      await admin.query(`CREATE DATABASE ${schema}_restored`);
      execFileSync('pg_restore', [`--dbname=${copy.href}`, dump]);
      const restored = await createPostgresCorrectionStore({ connectionString: copy.href, schema });
      const restoredModels = await createPostgresModelStore({ connectionString: copy.href, schema });
      try {
        const items = (await restored.list()).items;
        expect(items.map((c) => c.id).sort()).toEqual([...ids].sort());
        for (const item of items) {
          const original = sampleCorrection(ids.indexOf(item.id));
          expect(item.label).toBe(original.label);
          expect(Array.from(item.image)).toEqual(Array.from(original.image));
        }
        expect((await restoredModels.current())?.version).toBe(current.version);
        expect((await restoredModels.list()).map((v) => v.version)).toHaveLength(2);
        const loaded = await restoredModels.load();
        expect(new Float32Array(loaded?.artifacts.weightData as ArrayBuffer)).toEqual(
          new Float32Array(sampleArtifacts(2).weightData as ArrayBuffer),
        );
      } finally {
        await Promise.all([restored.close(), restoredModels.close()]);
      }
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${schema}_restored`);
      await admin.end();
      await rm(dir, { recursive: true, force: true });
      await dropSchema(connectionString, schema);
    }
  });

  it('refuses bad options and an unreachable database with typed errors', async () => {
    await expectCode(
      createPostgresCorrectionStore({ connectionString, schema: 'Bad-Name' }),
      'INVALID_POSTGRES_OPTIONS',
    );
    await expectCode(createPostgresModelStore({ schema: 'x' }), 'INVALID_POSTGRES_OPTIONS');
    await expectCode(
      createPostgresCorrectionStore({ connectionString: 'postgres:///nothing?host=/nonexistent-socket-dir' }),
      'DATABASE_UNAVAILABLE',
    );
  });
});
