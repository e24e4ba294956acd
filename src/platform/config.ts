// Configuration comes from the environment only (twelve-factor). Every value is validated at
// start-up: a bad value stops the process with one clear line, never a stack trace.
import fs from 'node:fs';
import path from 'node:path';

export interface Config {
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  /** Public base URL of the platform, used in links that leave a request (mail, routing API). */
  publicUrl: string;
  /** PostgreSQL server; when absent the platform runs on embedded PGlite in `dataDir`. */
  databaseUrl: string | null;
  dataDir: string;
  /** Pool size for the PostgreSQL server engine (PGlite always has one connection). */
  databasePoolSize: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Own host names of libraries: host → library slug. The portal is then also served at `/`. */
  hostLibraries: Record<string, string>;
  /** Requests per minute per client address (0 switches rate limiting off, e.g. in benchmarks). */
  rateLimitPerMinute: number;
  bodyLimitBytes: number;
  /** Seed the demo network when the database holds no library yet. */
  seedDemo: boolean;
  /** Trust X-Forwarded-* headers (behind a reverse proxy). */
  trustProxy: boolean;
  shutdownTimeoutMs: number;
  /**
   * Let user-given URLs (calendar feeds to import) reach loopback and private addresses. Off by
   * default (SSRF); for tests and development against a local server only.
   */
  outboundPrivateAddresses: boolean;
  /** The SIP2 server for self-service kiosks (issue #6): off unless SIP2_PORT is set. */
  sip2: Sip2Config;
}

export interface Sip2Config {
  /** null: no SIP2 server. */
  port: number | null;
  host: string;
  /** TLS certificate and key (PEM files); both or neither. */
  tlsCert: string | null;
  tlsKey: string | null;
  /** A connection that sends nothing for this long is closed. */
  idleTimeoutMs: number;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

function url(name: string, raw: string, protocols: string[]): string {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a valid URL`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name} must start with ${protocols.join(' or ')}`);
  }
  return raw;
}

function readableFile(env: Env, name: string): string | null {
  const raw = env[name];
  if (raw === undefined || raw === '') return null;
  const file = path.resolve(raw);
  try {
    fs.accessSync(file, fs.constants.R_OK);
  } catch {
    throw new ConfigError(`${name} must name a readable file, got "${raw}"`);
  }
  return file;
}

function sip2Config(env: Env, host: string): Sip2Config {
  const tlsCert = readableFile(env, 'SIP2_TLS_CERT');
  const tlsKey = readableFile(env, 'SIP2_TLS_KEY');
  if ((tlsCert === null) !== (tlsKey === null)) throw new ConfigError('SIP2_TLS_CERT and SIP2_TLS_KEY must be set together');
  return {
    port: env.SIP2_PORT === undefined || env.SIP2_PORT === '' ? null : int(env, 'SIP2_PORT', 0, 0, 65535),
    host: env.SIP2_HOST || host,
    tlsCert,
    tlsKey,
    idleTimeoutMs: int(env, 'SIP2_IDLE_TIMEOUT_SECONDS', 600, 5, 86_400) * 1000,
  };
}

/** `HOST_LIBRARIES=www.bibliotheekutrecht.nl=utrecht,bieb.example=amsterdam` */
function hostMap(raw: string | undefined): Record<string, string> {
  const map: Record<string, string> = {};
  if (!raw) return map;
  for (const pair of raw.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^([a-z0-9.-]+(?::\d+)?)=([a-z0-9-]+)$/i.exec(pair);
    if (!match) throw new ConfigError(`HOST_LIBRARIES entry "${pair}" must look like host=library-slug`);
    map[match[1]!.toLowerCase()] = match[2]!.toLowerCase();
  }
  return map;
}

export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = oneOf(env, 'NODE_ENV', ['development', 'production', 'test'] as const, 'development');
  const port = int(env, 'PORT', 3000, 0, 65535);
  const host = env.HOST || '127.0.0.1';
  const databaseUrl = env.DATABASE_URL ? url('DATABASE_URL', env.DATABASE_URL, ['postgres:', 'postgresql:']) : null;
  const publicUrl = url(
    'PUBLIC_URL',
    (env.PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, ''),
    ['http:', 'https:'],
  );
  return {
    env: nodeEnv,
    host,
    port,
    publicUrl,
    databaseUrl,
    dataDir: path.resolve(env.DATA_DIR || 'data'),
    databasePoolSize: int(env, 'DATABASE_POOL_SIZE', 10, 1, 500),
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const,
      nodeEnv === 'test' ? 'silent' : 'info'),
    hostLibraries: hostMap(env.HOST_LIBRARIES),
    rateLimitPerMinute: int(env, 'RATE_LIMIT_PER_MINUTE', 600, 0, 10_000_000),
    bodyLimitBytes: int(env, 'BODY_LIMIT_BYTES', 256 * 1024, 1024, 100 * 1024 * 1024),
    seedDemo: bool(env, 'SEED_DEMO', true),
    trustProxy: bool(env, 'TRUST_PROXY', false),
    shutdownTimeoutMs: int(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    outboundPrivateAddresses: bool(env, 'OUTBOUND_PRIVATE_ADDRESSES', false),
    sip2: sip2Config(env, host),
  };
}

/** Configuration for tests: embedded defaults, overridable per test. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return { ...loadConfig({ NODE_ENV: 'test' }), ...overrides };
}
