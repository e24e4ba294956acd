// Tenancy (architecture §6). Every data access of a request runs in a transaction that switches
// to the application role and sets the tenant, both transaction-local so nothing leaks into the
// next transaction on the same connection (PGlite has only one).
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './database.ts';

export const APP_ROLE = 'eenbieb_app';

export type Tx = Transaction<Database>;

/**
 * Runs `fn` in a transaction as the application role with `app.library_id` set. Row-level
 * security then shows and accepts only this library's rows.
 */
export async function inTenant<T>(db: Kysely<Database>, libraryId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (tx) => {
    // One round trip: set_config('role', …, true) is exactly SET LOCAL ROLE.
    await sql`select set_config('role', ${APP_ROLE}, true), set_config('app.library_id', ${libraryId}, true)`.execute(tx);
    return fn(tx);
  });
}

/**
 * The explicit network path: the application role with no tenant. Network tables are readable;
 * every library-level table shows nothing and accepts nothing (the policies fail closed).
 */
export async function inNetwork<T>(db: Kysely<Database>, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (tx) => {
    await sql`select set_config('role', ${APP_ROLE}, true)`.execute(tx);
    return fn(tx);
  });
}

/**
 * Moves an open tenant transaction to another library. Only for use cases that must change two
 * libraries atomically (a member moving house transfers their membership): row-level security
 * then applies to the new tenant for the rest of the transaction.
 */
export async function switchTenant(tx: Tx, libraryId: string): Promise<void> {
  await sql`select set_config('app.library_id', ${libraryId}, true)`.execute(tx);
}
