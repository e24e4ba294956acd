// The background worker: the platform's jobs (src/jobs.ts) on pg-boss. `serve` starts it beside the
// web server; `eenbieb worker` runs it alone (more capacity, or jobs away from the web processes).
import type { Config } from './platform/config.ts';
import type { Db } from './platform/db/connection.ts';
import { startJobRunner, type JobRunner, type JobRunnerOptions } from './platform/jobs.ts';
import { JOBS } from './jobs.ts';

export function startWorker(db: Db, config: Config, options: JobRunnerOptions): Promise<JobRunner> {
  return startJobRunner(db, config, JOBS, options);
}

/** `eenbieb worker`: runs the jobs until SIGTERM/SIGINT, then stops gracefully. */
export async function runWorker(db: Db, config: Config, log: (line: string) => void): Promise<void> {
  const runner = await startWorker(db, config, { log });
  log(`worker started: ${Object.keys(JOBS).length} jobs scheduled (${Object.keys(JOBS).join(', ')})`);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log(`${signal} received: letting running jobs finish`);
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  await runner.stop();
}
