// Tenancy for reads in one round trip (architecture §6): a read-only use case that sends its
// statements in few messages — the search: its activities and titles together, then the titles on
// the page — without a transaction of its own.
//
// PostgreSQL runs a simple-protocol message of several statements as one implicit transaction. The
// message starts by switching to the application role and setting the tenant, both
// transaction-local as in `inTenant`, so row-level security binds every statement after it, and
// both are gone when the message ends: nothing stays on the connection, and no BEGIN or COMMIT
// costs a round trip of its own (each a wake-up of the server and of the app, about a sixth of a
// very common word's database time on the national benchmark). The simple protocol carries no
// parameters, so the values are written into the text (inline.ts: the same text the extended
// protocol would send, quoted). Every statement sees the data as of its own start, as it would in a
// READ COMMITTED transaction.
import { createQueryId, type Kysely, type RawBuilder } from 'kysely';
import pg from 'pg';
import { CAMEL_CASE, poolOf } from './connection.ts';
import type { Database } from './database.ts';
import { compileInline, literal } from './inline.ts';
import { APP_ROLE } from './tenant.ts';

type RowsOf<Q> = { [K in keyof Q]: Q[K] extends RawBuilder<infer R> ? R[] : never };

/**
 * Runs `queries` for library `libraryId` as the application role, in one message, and returns each
 * one's rows (column names camel-cased, as Kysely returns them). `settings`: more transaction-local
 * settings for these statements (e.g. no JIT). Only for reads: the statements commit together, but
 * nothing here retries or reports a partial failure — any error fails the whole message, and it
 * is rolled back.
 */
export async function tenantReads<Q extends readonly RawBuilder<unknown>[]>(
  db: Kysely<Database>, libraryId: string, queries: Q, settings: Record<string, string> = {},
): Promise<RowsOf<Q>> {
  const set = (name: string, value: string) => `set_config(${literal(name)}, ${literal(value)}, true)`;
  const preamble = `select ${[set('role', APP_ROLE), set('app.library_id', libraryId), ...Object.entries(settings).map(([k, v]) => set(k, v))].join(', ')}`;
  const texts = queries.map((q) => {
    const queryId = createQueryId();
    return compileInline(CAMEL_CASE.transformQuery({ node: q.toOperationNode(), queryId }), queryId);
  });
  const client = await poolOf(db).connect();
  let results: { rows: Record<string, unknown>[] }[];
  try {
    const answer = await client.query<Record<string, unknown>>([preamble, ...texts].join(';\n'));
    results = answer as unknown as { rows: Record<string, unknown>[] }[];
    client.release();
  } catch (e) {
    // an error of a statement leaves the connection as it was (the message's transaction is rolled
    // back); any other (the connection broke) leaves it unusable
    client.release(e instanceof pg.DatabaseError ? undefined : (e as Error));
    throw e;
  }
  // results[0] is the preamble's
  const rows = await Promise.all(results.slice(1).map(async (r) =>
    (await CAMEL_CASE.transformResult({ result: { rows: r.rows }, queryId: createQueryId() })).rows));
  return rows as RowsOf<Q>;
}
