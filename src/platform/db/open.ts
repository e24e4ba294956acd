// Opens the configured database and brings it up to date: migrations, CBS reference data (first
// time) and, when asked, the demo network. Used by `serve`, `migrate` and `seed`.
import type { Config } from '../config.ts';
import { openDatabase, type Db } from './connection.ts';

export function openConfigured(config: Config): Promise<Db> {
  return openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: config.databasePoolSize,
  });
}

/** What the CLI prints about where the data lives, without credentials. */
export function describeDatabase(config: Config): string {
  if (!config.databaseUrl) return `embedded PGlite in ${config.dataDir}`;
  const u = new URL(config.databaseUrl);
  return `PostgreSQL at ${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
}
