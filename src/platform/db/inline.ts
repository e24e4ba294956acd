// Queries with their values written into the text, for the simple query protocol (tenant-reads.ts),
// which carries no parameters.
//
// Exactly what the extended protocol would have sent, quoted: node-postgres sends every parameter
// as text of unspecified type (its prepareValue), and PostgreSQL types an untyped parameter from
// its context just as it types a quoted literal of unspecified type ('…'). So `${v}::uuid[]`,
// `limit ${n}` or a function argument read the same value either way, and the planner sees the
// same constants (an unnamed statement is planned with its parameters' values).
import { createRequire } from 'node:module';
import { PostgresQueryCompiler, type CompiledQuery, type RootOperationNode } from 'kysely';

const require = createRequire(import.meta.url);
// node-postgres's own conversion of a parameter to its text (arrays, dates, JSON): the very text
// the extended protocol sends
const { prepareValue } = require('pg/lib/utils.js') as { prepareValue: (value: unknown) => string | Buffer | null };

/**
 * A value as an SQL literal of unspecified type. Quotes are doubled; a value holding a backslash is
 * written as an escape string (E'…') with the backslashes doubled, so it reads the same whatever
 * standard_conforming_strings says. NUL cannot travel in a query text (nor as text in a parameter).
 */
export function literal(value: unknown): string {
  const text = prepareValue(value);
  if (text === null) return 'NULL';
  if (typeof text !== 'string') throw new TypeError('binary values cannot be written into a query text');
  if (text.includes('\u0000')) throw new RangeError('a value with a NUL character cannot be written into a query text');
  const quoted = text.replaceAll("'", "''");
  return text.includes('\\') ? `E'${quoted.replaceAll('\\', '\\\\')}'` : `'${quoted}'`;
}

/** Kysely's PostgreSQL compiler, writing each value in place (as `literal`) instead of as $n. */
class InlineCompiler extends PostgresQueryCompiler {
  protected override appendValue(value: unknown): void {
    this.append(literal(value));
  }
}

/** The query (its operation node, plugins applied) as one text without parameters. */
export function compileInline(node: RootOperationNode, queryId: CompiledQuery['queryId']): string {
  const compiled = new InlineCompiler().compileQuery(node, queryId);
  if (compiled.parameters.length) throw new Error('a parameter was left in an inlined query');
  return compiled.sql;
}
