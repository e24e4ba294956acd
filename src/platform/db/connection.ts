// One pg.Pool interface over both engines: the embedded PGlite (through its node-postgres bridge,
// a pool of exactly one connection) and a PostgreSQL server. Kysely sits on top of either.
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { CamelCasePlugin, Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './database.ts';

// Dates come back as ISO strings (not shifted to the process time zone); timestamps as Date.
pg.types.setTypeParser(1082, (v: string) => v); // date
pg.types.setTypeParser(20, (v: string) => Number(v)); // int8: counts fit comfortably in a double

export type Engine = 'pglite' | 'postgres';

export interface Db {
  engine: Engine;
  pool: pg.Pool;
  kysely: Kysely<Database>;
  close(): Promise<void>;
}

export interface OpenOptions {
  databaseUrl: string | null;
  /** PGlite data folder; `memory://` for a throwaway database. */
  dataDir?: string;
  /** Start PGlite from a dump made by `dumpDataDir` (test template) instead of an empty folder. */
  loadDataDir?: Blob;
  poolSize?: number;
}

export async function openDatabase(options: OpenOptions): Promise<Db> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10 });
    // A broken idle connection must not crash the process; the next query reports the error.
    pool.on('error', () => {});
    return wrap('postgres', pool, async () => pool.end());
  }
  const dataDir = options.dataDir ?? 'memory://';
  if (!dataDir.startsWith('memory://')) fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  const pglite = await PGlite.create({
    dataDir,
    extensions: { pg_trgm, unaccent },
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
  });
  const pool = new pg.Pool(createPgConfig(pglite));
  return wrap('pglite', pool, async () => {
    await pool.end();
    await pglite.close();
  }, pglite);
}

/** The one column-name mapping of every Kysely here (snake_case in SQL, camelCase in TypeScript). */
export const CAMEL_CASE = new CamelCasePlugin();

const pools = new WeakMap<Kysely<Database>, pg.Pool>();

/** The pool under a database's Kysely (tenant-reads.ts sends messages Kysely cannot: several statements). */
export function poolOf(kysely: Kysely<Database>): pg.Pool {
  const pool = pools.get(kysely);
  if (!pool) throw new Error('not a Kysely opened by openDatabase');
  return pool;
}

function wrap(engine: Engine, pool: pg.Pool, close: () => Promise<void>, pglite?: PGlite): Db & { pglite?: PGlite } {
  const kysely = new Kysely<Database>({
    dialect: new PostgresDialect({ pool }),
    plugins: [CAMEL_CASE],
  });
  pools.set(kysely, pool);
  let closed = false;
  return {
    engine,
    pool,
    kysely,
    ...(pglite ? { pglite } : {}),
    async close() {
      if (closed) return;
      closed = true;
      await close();
    },
  };
}
