// Load with autocannon where each connection runs a sequence of dependent requests (a check-out,
// then the check-in of the copy it just checked out), with latencies and status codes per step.
// load.ts drives independent requests; this is for conversations. Each connection keeps its own
// context object across the steps of one round and starts a fresh one for the next round; a step
// whose `build` returns null (nothing to do, e.g. the check-out was refused) ends the round.
import autocannon from 'autocannon';
import { defer } from './cleanup.ts';

export interface Step<C> {
  name: string;
  build: (context: C) => { method: 'GET' | 'POST'; path: string; headers?: Record<string, string>; body?: string } | null;
  /** Sees the answer before the next step of the same connection is built. */
  onResponse?: (status: number, body: string, context: C) => void;
}

export interface StepStats {
  name: string;
  count: number;
  /** Answers per status code. */
  statuses: Map<number, number>;
  /** Response times in ms, sorted ascending. */
  latencies: number[];
}

export interface SequenceResult {
  seconds: number;
  steps: StepStats[];
  errors: number;
  timeouts: number;
  /** Every response time (ms) of every step, sorted ascending. */
  all: number[];
}

/** The q-quantile (0..1) of sorted values, nearest rank. */
export function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export function loadSequence<C extends object>(options: {
  url: string;
  connections: number;
  seconds: number;
  steps: Step<C>[];
  /** A fresh context for each round of each connection. */
  context: () => C;
  /** Stop early (e.g. after a crash). */
  signal?: AbortSignal;
  /** Requests per second over all connections (autocannon's overallRate); none: as fast as answered. */
  rate?: number;
}): Promise<SequenceResult> {
  const stats: StepStats[] = options.steps.map((s) => ({ name: s.name, count: 0, statuses: new Map(), latencies: [] }));
  // The step whose answer was just recorded: autocannon calls onResponse and then emits 'response'
  // (with the response time) synchronously for the same answer.
  let answered: StepStats | null = null;
  // autocannon clones `initialContext` per round; the round's context is created lazily by the first step.
  const requests: autocannon.RequestSpec[] = options.steps.map((step, i) => ({
    setupRequest: (request, ctx: Record<string, unknown>) => {
      if (i === 0) ctx.round = options.context();
      const built = step.build(ctx.round as C);
      return built ? { ...request, ...built } : (null as unknown as typeof request);
    },
    onResponse: (status: number, body: string, ctx: Record<string, unknown>) => {
      const s = stats[i]!;
      s.count++;
      s.statuses.set(status, (s.statuses.get(status) ?? 0) + 1);
      answered = s;
      step.onResponse?.(status, body, ctx.round as C);
    },
  }));
  return new Promise((resolve, reject) => {
    let release: (() => Promise<void>) | undefined;
    const started = performance.now();
    const all: number[] = [];
    const instance = autocannon({
      url: options.url,
      connections: options.connections,
      duration: options.seconds,
      timeout: 10,
      requests,
      ...(options.rate ? { overallRate: options.rate } : {}),
    }, (error, result) => {
      void release?.();
      if (error) return reject(error);
      for (const s of stats) s.latencies.sort((a, b) => a - b);
      all.sort((a, b) => a - b);
      resolve({ seconds: (performance.now() - started) / 1000, steps: stats, errors: result.errors, timeouts: result.timeouts, all });
    });
    instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
      answered?.latencies.push(responseTime);
      all.push(responseTime);
      answered = null;
    });
    release = defer('autocannon run', () => instance.stop());
    options.signal?.addEventListener('abort', () => instance.stop(), { once: true });
  });
}
