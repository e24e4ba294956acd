// What a benchmark started is stopped again, whatever happens: each resource registers how to
// release it; run.ts releases everything after each benchmark, on failure, and on Ctrl-C.
// A synchronous fallback covers an abrupt exit (an uncaught error), when no await is possible.
import type { ChildProcess } from 'node:child_process';

interface Task {
  name: string;
  release: () => Promise<void> | void;
  /** Best effort when the process is exiting and only synchronous work can happen. */
  releaseSync?: () => void;
}

const tasks: Task[] = [];

/** Registers a resource; the returned function releases it now (once). */
export function defer(name: string, release: Task['release'], releaseSync?: Task['releaseSync']): () => Promise<void> {
  const task: Task = { name, release, ...(releaseSync ? { releaseSync } : {}) };
  tasks.push(task);
  return async () => {
    const i = tasks.indexOf(task);
    if (i < 0) return;
    tasks.splice(i, 1);
    await task.release();
  };
}

/** Releases everything still registered, newest first; a failing release does not stop the rest. */
export async function releaseAll(): Promise<void> {
  while (tasks.length) {
    const task = tasks.pop()!;
    try {
      await task.release();
    } catch (error) {
      process.stderr.write(`bench: could not release ${task.name}: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
}

export function releaseAllSync(): void {
  while (tasks.length) {
    const task = tasks.pop()!;
    try {
      task.releaseSync?.();
    } catch {
      // exiting anyway
    }
  }
}

/** Stops a child: SIGTERM, then SIGKILL after `graceMs`. Resolves when it has exited. */
export function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Registers a child process so that it never outlives the benchmark. */
export function track(child: ChildProcess, name: string): () => Promise<void> {
  return defer(name, () => stopChild(child), () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
}
