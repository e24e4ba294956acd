// `npm run bench [name...]`: runs the named benchmarks, or all of them, one after another.
// Each benchmark is bench/<name>.bench.ts exporting `run()`; it prints its own table with ratios
// against a floor measured in the same run (STYLE.md, Habits). Everything a benchmark starts
// (servers, PostgreSQL, temp folders) is released after it, on failure and on Ctrl-C.
// Exit code: 0 when every target is met, 1 when one is missed or a benchmark fails, 2 for an
// unknown name.
import { releaseAll, releaseAllSync } from './support/cleanup.ts';

export interface BenchResult {
  /** Every target of the benchmark met. */
  ok: boolean;
}

type Bench = () => Promise<{ run: () => Promise<BenchResult> }>;

/** Adding a benchmark is one line here. */
const BENCHMARKS: Record<string, Bench> = {
  foundation: () => import('./foundation.bench.ts'),
  membership: () => import('./membership.bench.ts'),
  activities: () => import('./activities.bench.ts'),
  'activity-search': () => import('./activity-search.bench.ts'),
  catalogue: () => import('./catalogue.bench.ts'),
  marc: () => import('./marc.bench.ts'),
  lending: () => import('./lending.bench.ts'),
};

const names = process.argv.slice(2);
const unknown = names.filter((n) => !(n in BENCHMARKS));
if (unknown.length) {
  process.stderr.write(`unknown benchmark: ${unknown.join(', ')} (known: ${Object.keys(BENCHMARKS).join(', ')})\n`);
  process.exit(2);
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    process.stderr.write(`\n${signal}: stopping and cleaning up…\n`);
    void releaseAll().finally(() => process.exit(130));
  });
}
process.on('exit', releaseAllSync);

let ok = true;
for (const name of names.length ? names : Object.keys(BENCHMARKS)) {
  process.stdout.write(`\n== ${name} ==\n`);
  try {
    const bench = await BENCHMARKS[name]!();
    const result = await bench.run();
    if (!result.ok) ok = false;
  } catch (error) {
    ok = false;
    process.stderr.write(`bench ${name} failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  } finally {
    await releaseAll();
  }
  if (interrupted) break;
}
process.exit(ok ? 0 : 1);
