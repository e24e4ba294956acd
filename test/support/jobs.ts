// Test support for the job runner (pg-boss).
import type { JobRunner } from '../../src/platform/jobs.ts';

/**
 * Waits until a run has ended (completed or failed). pg-boss works asynchronously, so the test
 * waits for the state change it asserts on; the minute is a guard against a hang, not a timing.
 */
export async function ended(runner: JobRunner, name: string, id: string): Promise<{ state: string; output: unknown }> {
  for (let i = 0; i < 600; i++) {
    const j = await runner.job(name, id);
    if (j && ['completed', 'failed', 'cancelled'].includes(j.state)) return j;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`job ${name} ${id} did not end within a minute`);
}
