// Load with autocannon where each connection runs a sequence of dependent requests (a check-out,
// then the check-in of the copy it just checked out), with latencies and status codes per step.
// load.ts drives independent requests; this is for conversations. Each connection keeps its own
// context object across the steps of one round and starts a fresh one for the next round; a step
// whose `build` returns null (nothing to do, e.g. the check-out was refused) ends the round.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
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


export function loadSequence<C extends object>(options: {
  url: string;
  connections: number;
  seconds: number;
  steps: Step<C>[];
  /** A fresh context for each round of each connection. */
  context: () => C;
  /** Stop early (e.g. after a crash). */
  signal?: AbortSignal;
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

/**
 * Load at a fixed offered rate, evenly paced (open loop): round k (one pass through the steps) is
 * due at start + k × steps / rate, whether or not earlier rounds were answered, and takes one of
 * `connections` keep-alive connections. When all are busy it waits, and its first request's
 * latency counts from when it was due, so a server that falls behind shows it (no coordinated
 * omission). The following steps of a round are sent as soon as the previous one is answered and
 * timed from then. autocannon's overallRate is not used for this: it lets each second's quota go
 * out at once, and the bursts measure a queue, not the service time (seen 2026-11-29: at 500/s
 * against a server carrying ~1,300/s, p50 was as high as in the closed-loop run).
 */
export function pacedSequence<C extends object>(options: {
  url: string;
  connections: number;
  seconds: number;
  steps: Step<C>[];
  context: () => C;
  /** Requests per second offered (a round of n steps counts n). */
  rate: number;
  signal?: AbortSignal;
}): Promise<SequenceResult> {
  const stats: StepStats[] = options.steps.map((s) => ({ name: s.name, count: 0, statuses: new Map(), latencies: [] }));
  const all: number[] = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const base = new URL(options.url);
  const interval = (1000 * options.steps.length) / options.rate;
  let errors = 0;
  let timeouts = 0;

  const send = (spec: NonNullable<ReturnType<Step<C>['build']>>) => new Promise<{ status: number; body: string } | 'error' | 'timeout'>((resolve) => {
    const req = http.request({
      hostname: base.hostname, port: base.port, path: spec.path, method: spec.method, agent,
      headers: { ...spec.headers, ...(spec.body !== undefined ? { 'content-length': Buffer.byteLength(spec.body) } : {}) },
    }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', () => resolve('error'));
    });
    req.setTimeout(10_000, () => { req.destroy(); resolve('timeout'); });
    req.on('error', () => resolve('error'));
    req.end(spec.body);
  });

  const round = async (due: number) => {
    const context = options.context();
    let from = due;
    for (let i = 0; i < options.steps.length; i++) {
      const step = options.steps[i]!;
      const spec = step.build(context);
      if (!spec) return;
      const answer = await send(spec);
      const now = performance.now();
      if (answer === 'error') { errors++; return; }
      if (answer === 'timeout') { timeouts++; return; }
      const s = stats[i]!;
      s.count++;
      s.statuses.set(answer.status, (s.statuses.get(answer.status) ?? 0) + 1);
      s.latencies.push(now - from);
      all.push(now - from);
      step.onResponse?.(answer.status, answer.body, context);
      from = now;
    }
  };

  return new Promise((resolve) => {
    const started = performance.now();
    const end = started + options.seconds * 1000;
    const waiting: number[] = [];
    const inFlight = new Set<Promise<void>>();
    let nextDue = started;
    let stopped = false;
    const release = defer('paced load', async () => { stopped = true; });
    options.signal?.addEventListener('abort', () => { stopped = true; }, { once: true });
    const pump = () => {
      while (waiting.length && inFlight.size < options.connections) {
        const p = round(waiting.shift()!).finally(() => { inFlight.delete(p); pump(); });
        inFlight.add(p);
      }
    };
    const tick = () => {
      const now = performance.now();
      while (!stopped && nextDue <= now && nextDue < end) {
        waiting.push(nextDue);
        nextDue += interval;
      }
      pump();
      if (!stopped && nextDue < end) {
        setTimeout(tick, Math.max(0, Math.min(1, nextDue - performance.now())));
        return;
      }
      // every round that was due is sent, late ones too (their latency counts from when they were
      // due); then wait for the answers and report.
      const drain = () => {
        if (stopped) waiting.length = 0;
        if (waiting.length || inFlight.size) { setTimeout(drain, 5); return; }
        void release().then(() => {
          agent.destroy();
          for (const s of stats) s.latencies.sort((a, b) => a - b);
          all.sort((a, b) => a - b);
          // served per second: over the time until the last answer (a server that cannot keep up
          // finishes late, and its rate is then below the offered one)
          resolve({ seconds: Math.max(options.seconds, (performance.now() - started) / 1000), steps: stats, errors, timeouts, all });
        });
      };
      drain();
    };
    tick();
  });
}
