// Background jobs on pg-boss (architecture: "jobs: pg-boss 10 on the same pool"). Modules define
// jobs (a cron schedule and a function of a context); this runner creates one pg-boss queue per job,
// schedules it, and works it. pg-boss keeps its own tables in the schema `pgboss` of the same
// database and talks to it through our pool (its `db` adapter), so jobs and requests share one
// set of connections and one configuration.
//
// Several processes may run the runner (every `serve`, and any `eenbieb worker`): pg-boss's cron
// monitor makes one process queue each scheduled run, and the queues use the `stately` policy (at
// most one run waiting and one active), so a slow run never piles up copies of itself. The jobs
// themselves are written to be safe in parallel anyway (`eenbieb job <name>` may run beside them).
//
// Embedded PGlite: pg-boss runs there too, through the same adapter. PGlite is one connection in
// this process, so pg-boss's queries simply queue behind a request's transaction on the pool; its
// advisory locks and SKIP LOCKED fetches work as on a server (tested in worker.db.test.ts). What
// PGlite cannot offer is more than one process, which it never has.
import PgBoss from 'pg-boss';
import type { Config } from './config.ts';
import { systemCtx, type Ctx } from './context.ts';
import type { Db } from './db/connection.ts';

export interface JobDefinition {
  /** Cron expression (minute hour day month weekday), Europe/Amsterdam time. */
  cron: string;
  /** One line for the CLI's help. */
  about: string;
  /** Runs once over every library; returns how many things it did (for the log). */
  run(ctx: Ctx): Promise<number>;
}

export type JobRegistry = Record<string, JobDefinition>;

export const JOB_SCHEMA = 'pgboss';
export const JOB_TIME_ZONE = 'Europe/Amsterdam';

export interface JobRunnerOptions {
  log: (line: string) => void;
  /** Create the cron schedules and take part in cron monitoring (default true). */
  schedule?: boolean;
  /** How often each queue is polled for work; periodic jobs need no haste (default 10 s). */
  pollingIntervalSeconds?: number;
}

export interface JobRunner {
  /** Queues a run of a job now; null when a run is already waiting (the stately policy). */
  trigger(name: string): Promise<string | null>;
  /** A run's state ('created', 'active', 'completed', 'failed', …) and output ({ done: n }). */
  job(name: string, id: string): Promise<{ state: string; output: unknown } | null>;
  /** Graceful stop: no new work is fetched; active runs may finish within `timeoutMs`. */
  stop(timeoutMs?: number): Promise<void>;
}

export async function startJobRunner(db: Db, config: Config, jobs: JobRegistry, options: JobRunnerOptions): Promise<JobRunner> {
  const { log } = options;
  const schedule = options.schedule ?? true;
  const boss = new PgBoss({
    // our pool: pg-boss never opens connections of its own (and on PGlite it could not)
    db: { executeSql: async (text: string, values?: unknown[]) => db.pool.query(text, values) },
    schema: JOB_SCHEMA,
    schedule,
    supervise: true,
    // finished runs are history worth a week; failed ones the same
    deleteAfterDays: 7,
  });
  // errors of pg-boss's own loops (a lost connection) are reported; it retries by itself
  boss.on('error', (e: Error) => log(`jobs: ${e.message}`));
  await boss.start();

  for (const [name, def] of Object.entries(jobs)) {
    // a failed run is retried twice a minute apart; a run still active after 30 minutes is
    // considered dead (process killed) and may run again
    const queue = { name, policy: 'stately' as const, retryLimit: 2, retryDelay: 60, expireInSeconds: 30 * 60 };
    await boss.createQueue(name, queue);
    await boss.updateQueue(name, queue);
    if (schedule) await boss.schedule(name, def.cron, {}, { tz: JOB_TIME_ZONE });
    await boss.work(name, { pollingIntervalSeconds: options.pollingIntervalSeconds ?? 10, batchSize: 1 }, async () => {
      const done = await def.run(systemCtx(db.kysely, config, name));
      if (done) log(`job ${name}: ${done}`);
      return { done };
    });
  }
  if (schedule) {
    // a job removed from the code must not keep being queued by an old schedule
    for (const s of await boss.getSchedules() as { name: string }[]) {
      if (!(s.name in jobs)) await boss.unschedule(s.name);
    }
  }

  let stopped = false;
  return {
    async trigger(name) {
      if (!(name in jobs)) throw new Error(`unknown job ${name}`);
      return boss.send(name, {});
    },
    async job(name, id) {
      const j = await boss.getJobById(name, id, { includeArchive: true });
      return j ? { state: j.state, output: j.output } : null;
    },
    async stop(timeoutMs = config.shutdownTimeoutMs) {
      if (stopped) return;
      stopped = true;
      await boss.stop({ graceful: true, wait: true, timeout: Math.max(1000, timeoutMs) });
    },
  };
}
