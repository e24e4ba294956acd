// Starts benchmark targets in child processes (see server-child.ts) and reads their CPU use.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopChild, track } from './cleanup.ts';
import type { FromChild, ServerKind, ToChild } from './server-child.ts';

const childFile = path.join(path.dirname(fileURLToPath(import.meta.url)), 'server-child.ts');

export interface ServerStats {
  /** CPU seconds (user + system) used by the process so far. */
  cpuSeconds: number;
  /** Event-loop time so far, in milliseconds. */
  elu: { idle: number; active: number };
}

export interface BenchServer {
  kind: ServerKind;
  url: string;
  stats(): Promise<ServerStats>;
  stop(): Promise<void>;
  /** Kills the process with SIGKILL (no shutdown at all, as in a crash); resolves when it is gone. */
  kill(): Promise<void>;
}

function next<T extends FromChild['type']>(child: ChildProcess, type: T, timeoutMs: number): Promise<Extract<FromChild, { type: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`${type} from the server process: no answer within ${timeoutMs / 1000} s`)), timeoutMs);
    const onMessage = (m: FromChild) => { if (m.type === type) done(null, m as Extract<FromChild, { type: T }>); };
    const onExit = (code: number | null) => done(new Error(`the server process exited (${code}) before ${type}`));
    function done(error: Error | null, value?: Extract<FromChild, { type: T }>) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(value!);
    }
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

export async function startServer(kind: ServerKind, env: Record<string, string> = {}): Promise<BenchServer> {
  const child = fork(childFile, [kind], {
    // BENCH_CPU_PROF=DIR: a V8 CPU profile of each app server, written to DIR when it stops (not after kill -9)
    execArgv: ['--import', 'tsx', ...(process.env.BENCH_CPU_PROF && kind === 'app' ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [])],
    env: { ...process.env, ...env },
    // the app's log lines (BENCH_LOG_LEVEL) go to /dev/null: writing them is part of the cost, reading is not
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const release = track(child, `${kind} server (pid ${child.pid})`);
  // (a loaded machine can take more than a minute to load and compile the app: BENCH_START_TIMEOUT_S)
  const { port } = await next(child, 'listening', 1000 * Number(process.env.BENCH_START_TIMEOUT_S || 60));
  const ask = (message: ToChild) => child.send(message);
  return {
    kind,
    url: `http://127.0.0.1:${port}`,
    async stats() {
      const reply = next(child, 'stats', 10_000);
      ask({ type: 'stats' });
      const { cpuMicros, elu } = await reply;
      return { cpuSeconds: cpuMicros / 1e6, elu };
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null && child.connected) {
        const exited = new Promise((r) => child.once('exit', r));
        ask({ type: 'stop' });
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([exited, new Promise((r) => { timer = setTimeout(r, 10_000); })]);
        clearTimeout(timer);
      }
      await stopChild(child);
      await release();
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
      }
      await release();
    },
  };
}
