// Load generation with autocannon, in this process (the servers under test run in children).
import autocannon from 'autocannon';
import { defer } from './cleanup.ts';

export interface LoadOptions {
  /** Base URL of the server, e.g. http://127.0.0.1:41234 */
  url: string;
  /** One path, or several that the connections take in turn (e.g. rotating postcodes). */
  paths: string[];
  connections: number;
  seconds: number;
  /** Builds request i instead of GET paths (method, headers and body, e.g. logins or cookies). */
  request?: (i: number) => { method: 'GET' | 'POST'; path: string; headers?: Record<string, string>; body?: string };
  /** Every answer's status and latency in ms (for percentiles autocannon does not report, like p95). */
  onResponse?: (status: number, ms: number) => void;
  /** Collects every response time (ms), for percentiles autocannon does not report (p95). */
  latencies?: number[];
}

/** The q-quantile (0..1) of response times, nearest-rank. */
export function percentile(sorted: number[], q: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export function load(options: LoadOptions): Promise<autocannon.Result> {
  const { paths } = options;
  let i = 0;
  const build = options.request;
  const requests: autocannon.RequestSpec[] = build
    ? [{ setupRequest: (request) => ({ ...request, ...build(i++) }) }]
    : paths.length > 1
    ? [{ setupRequest: (request) => ({ ...request, method: 'GET', path: paths[i++ % paths.length]! }) }]
    : [{ method: 'GET', path: paths[0]! }];
  return new Promise((resolve, reject) => {
    let release: (() => Promise<void>) | undefined;
    const instance = autocannon({
      url: options.url,
      connections: options.connections,
      duration: options.seconds,
      timeout: 10,
      requests,
    }, (error, result) => {
      void release?.();
      if (error) reject(error);
      else resolve(result);
    });
    release = defer('autocannon run', () => instance.stop());
    const onResponse = options.onResponse;
    if (onResponse) instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => onResponse(status, ms));
    const latencies = options.latencies;
    if (latencies) instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => { latencies.push(responseTime); });
  });
}
