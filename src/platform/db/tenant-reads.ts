// Tenancy for reads in one round trip (architecture §6): a read-only use case that sends its
// statements in few messages, without a transaction of its own — the search sends its activities
// and its title candidates together.
//
// PostgreSQL runs a simple-protocol message of several statements as one implicit transaction. The
// message starts by switching to the application role and setting the tenant, both
// transaction-local as in `inTenant`, so row-level security binds every statement after it, and
// both are gone when the message ends: nothing stays on the connection, and no BEGIN or COMMIT
// costs a round trip of its own (each a wake-up of a server backend and of the app; on the national
// benchmark a quarter of a core sat idle while searches waited on them). The simple protocol
// carries no parameters, so the values are written into the text (inline.ts: the same text the
// extended protocol would send, quoted). Every statement sees the data as of its own start, as it
// would in a READ COMMITTED transaction.
import { createHash } from 'node:crypto';
import { createQueryId, PostgresQueryCompiler, type Kysely, type RawBuilder } from 'kysely';
import type pg from 'pg';
import { CAMEL_CASE, poolOf } from './connection.ts';
import type { Database } from './database.ts';
import { compileInline, literal } from './inline.ts';
import { APP_ROLE } from './tenant.ts';

/**
 * A query to run as a prepared statement of the connection (`prepared`): parsed and analysed once
 * per connection, then planned as its `plan` says. `custom` (the default) plans each execution for
 * its values: the planner then sees how common a search's words are. `generic` plans once per
 * connection and reuses the plan (no planning at all after the first run): only for a statement
 * whose shape already fixes its access paths, so that no value could make another plan better.
 */
export interface Prepared<R> {
  prepared: RawBuilder<R>;
  plan: PlanMode;
}

export type PlanMode = 'custom' | 'generic';

/** Marks a query that runs often in the same shape (a search statement) for `Prepared`. */
export function prepared<R>(query: RawBuilder<R>, plan: PlanMode = 'custom'): Prepared<R> {
  return { prepared: query, plan };
}

export type Query = RawBuilder<unknown> | Prepared<unknown>;
export type RowsOf<Q> = { [K in keyof Q]: Q[K] extends RawBuilder<infer R> ? R[] : Q[K] extends Prepared<infer R> ? R[] : never };

/**
 * The statements each session has prepared, by name, with when each was last used. Keyed by the
 * client's connection, the session itself: PGlite's pool hands out new clients over its one
 * session, which keeps what earlier clients prepared.
 */
const preparedOn = new WeakMap<object, Map<string, number>>();
/** A session whose prepared statements are unknown after a failed message: it drops them all first. */
const unsure = new WeakSet<object>();
const sessionOf = (client: pg.PoolClient) => (client as unknown as { connection: object }).connection;
/** Prepared statements a connection keeps at most; the least recently used goes first. */
const PREPARED_PER_CONNECTION = 64;
let tick = 0;

/** The statements of a message for `client`: PREPARE (once per connection) and EXECUTE, or the text itself. */
function statementsFor(client: pg.PoolClient, queries: readonly Query[]): { texts: string[]; results: number[] } {
  const texts: string[] = [];
  const results: number[] = [];
  const session = sessionOf(client);
  let known = preparedOn.get(session);
  if (!known || unsure.has(session)) {
    if (known) texts.push('DEALLOCATE ALL');
    known = new Map();
    preparedOn.set(session, known);
    unsure.delete(session);
  }
  // the plan mode of the executions that follow in this message (plan_cache_mode, transaction-local)
  let mode: PlanMode | null = null;
  for (const q of queries) {
    const queryId = createQueryId();
    if (!('prepared' in q)) {
      results.push(texts.push(compileInline(CAMEL_CASE.transformQuery({ node: q.toOperationNode(), queryId }), queryId)));
      continue;
    }
    const compiled = new PostgresQueryCompiler().compileQuery(CAMEL_CASE.transformQuery({ node: q.prepared.toOperationNode(), queryId }), queryId);
    const name = `eenbieb_${createHash('sha1').update(compiled.sql).digest('hex').slice(0, 24)}`;
    if (!known.has(name)) {
      if (known.size >= PREPARED_PER_CONNECTION) {
        const [oldest] = [...known].reduce((a, b) => (b[1] < a[1] ? b : a));
        known.delete(oldest);
        texts.push(`DEALLOCATE ${oldest}`);
      }
      texts.push(`PREPARE ${name} AS ${compiled.sql}`);
    }
    known.set(name, ++tick);
    if (q.plan !== mode) {
      texts.push(`select set_config('plan_cache_mode', 'force_${q.plan}_plan', true)`);
      mode = q.plan;
    }
    results.push(texts.push(compiled.parameters.length ? `EXECUTE ${name}(${compiled.parameters.map(literal).join(', ')})` : `EXECUTE ${name}`));
  }
  // results: each query's place among the message's statements after the preamble (1-based)
  return { texts, results };
}

/**
 * Runs `queries` for library `libraryId` as the application role, in one message, and returns each
 * one's rows (column names camel-cased, as Kysely returns them). `settings`: more transaction-local
 * settings for these statements (e.g. no JIT). Only for reads: the statements commit together, but
 * nothing here retries or reports a partial failure — any error fails the whole message, and it
 * is rolled back.
 */
export async function tenantReads<Q extends readonly Query[]>(
  db: Kysely<Database>, libraryId: string, queries: Q, settings: Record<string, string> = {},
): Promise<RowsOf<Q>> {
  const set = (name: string, value: string) => `set_config(${literal(name)}, ${literal(value)}, true)`;
  const preamble = `select ${[set('role', APP_ROLE), set('app.library_id', libraryId), ...Object.entries(settings).map(([k, v]) => set(k, v))].join(', ')}`;
  let answer: { rows: Record<string, unknown>[] }[] | undefined;
  let places: number[] = [];
  for (let attempt = 1; !answer; attempt++) {
    const client = await poolOf(db).connect();
    try {
      const { texts, results } = statementsFor(client, queries);
      places = results;
      answer = await client.query<Record<string, unknown>>([preamble, ...texts].join(';\n')) as unknown as { rows: Record<string, unknown>[] }[];
      client.release();
    } catch (e) {
      // An error of a statement leaves the session as it was (the message's transaction is rolled
      // back), except that a PREPARE before it stays (prepared statements are not transactional):
      // the next message drops them all. Any other error (the connection broke) leaves it unusable.
      unsure.add(sessionOf(client));
      // (PGlite's errors are not node-postgres's class: a statement's error is told by its SQLSTATE)
      const code = (e as { code?: unknown }).code;
      const statementError = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
      client.release(statementError ? undefined : (e as Error));
      // the session's prepared statements were not what this process thought (a statement prepared
      // already, or gone): once more, after dropping them all — reads may run twice
      if (!(code === '42P05' || code === '26000') || attempt > 1) throw e;
    }
  }
  // answer[0] is the preamble's; PREPARE and DEALLOCATE answer no rows
  const rows = await Promise.all(places.map(async (i) =>
    (await CAMEL_CASE.transformResult({ result: { rows: answer[i]!.rows }, queryId: createQueryId() })).rows));
  return rows as RowsOf<Q>;
}
