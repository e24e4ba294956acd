// PostgreSQL for a benchmark: the server in DATABASE_URL when set, otherwise a throwaway server
// started here (initdb into a temp folder, loopback only) and removed again at the end. Either
// way the benchmark gets a fresh database of its own, dropped when it is released.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { defer } from './cleanup.ts';
import { processTreeCpuSeconds } from './cpu.ts';
import { LOOPBACK, freePort } from './net.ts';

export interface PostgresServer {
  /** Connection URL of the server's `postgres` database (for CREATE/DROP DATABASE). */
  adminUrl: string;
  /** `throwaway` when started here; `external` for DATABASE_URL. */
  origin: 'throwaway' | 'external';
  version: string;
  /** Pid of the postmaster when started here (its backends are its children), for CPU accounting. */
  postmasterPid: number | null;
  /** Data folder of a throwaway server kept after the run (`keep`), to reuse or remove it later. */
  dataDir?: string;
}

function pgBin(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const base = '/usr/lib/postgresql';
  const versions = fs.existsSync(base) ? fs.readdirSync(base).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(a) - Number(b)) : [];
  const latest = versions.at(-1);
  if (!latest) throw new Error('no PostgreSQL server binaries in /usr/lib/postgresql: set DATABASE_URL or PG_BIN');
  return path.join(base, latest, 'bin');
}

function run(file: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (e) => { clearTimeout(timer); reject(e); });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`${path.basename(file)} ${args[0] ?? ''} failed (${signal ?? `exit ${code}`}): ${output.trim().split('\n').slice(-5).join(' | ')}`));
    });
  });
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Server settings for a throwaway server (`-c name=value`); a server in DATABASE_URL keeps its own. */
export type ServerSettings = Record<string, string>;

async function startThrowaway(settings: ServerSettings, keep: boolean): Promise<PostgresServer> {
  const bin = pgBin();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eenbieb-bench-pg-'));
  const removeDir = () => fs.rmSync(dir, { recursive: true, force: true });
  const data = path.join(dir, 'data');
  const port = await freePort();
  // initdb and the server refuse to run as root: run them as the postgres user then.
  const asRoot = process.getuid?.() === 0;
  const cmd = (file: string, args: string[]): [string, string[]] =>
    asRoot ? ['su', ['postgres', '-c', [path.join(bin, file), ...args].map(quote).join(' ')]] : [path.join(bin, file), args];
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    fs.chownSync(dir, uid, gid);
  }
  const ctl = (args: string[], timeoutMs: number) => run(...cmd('pg_ctl', ['-D', data, ...args]), timeoutMs);
  let started = false;
  const stop = async () => {
    try {
      // a terminal's Ctrl-C reaches the server too, which then stops by itself
      if (started && fs.existsSync(path.join(data, 'postmaster.pid'))) await ctl(['-m', 'fast', '-w', '-t', '30', 'stop'], 40_000);
    } finally {
      removeDir();
    }
  };
  const stopSync = () => {
    try {
      if (started && fs.existsSync(path.join(data, 'postmaster.pid'))) execFileSync(...cmd('pg_ctl', ['-D', data, '-m', 'immediate', '-w', '-t', '10', 'stop']), { stdio: 'ignore', timeout: 15_000 });
    } finally {
      removeDir();
    }
  };
  // kept: the server goes on running after the benchmark (stop it with `pg_ctl -D <dir>/data stop`)
  if (!keep) defer(`PostgreSQL in ${dir}`, stop, stopSync);

  await run(...cmd('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C.UTF-8']), 120_000);
  started = true; // from here on a stop is attempted (pg_ctl stop is harmless if start failed)
  await ctl([
    '-l', path.join(dir, 'server.log'),
    '-o', [`-k ${dir} -p ${port} -c listen_addresses=${LOOPBACK} -c max_connections=200`,
      ...Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`)].join(' '),
    '-w', '-t', '60', 'start',
  ], 90_000);
  const adminUrl = `postgres://postgres@${LOOPBACK}:${port}/postgres`;
  const pid = Number(fs.readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  return {
    adminUrl, origin: 'throwaway', version: await serverVersion(adminUrl), postmasterPid: Number.isFinite(pid) ? pid : null,
    ...(keep ? { dataDir: data } : {}),
  };
}

async function admin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function serverVersion(adminUrl: string): Promise<string> {
  return admin(adminUrl, async (c) => (await c.query<{ v: string }>(`select current_setting('server_version') as v`)).rows[0]!.v);
}

/**
 * A server for a benchmark. `keep`: a throwaway server is left running (and its data folder in
 * place) after the run, so a benchmark can reuse what it generated (see catalogue.bench.ts).
 */
export async function startPostgres(settings: ServerSettings = {}, options: { keep?: boolean } = {}): Promise<PostgresServer> {
  for (const [k, v] of Object.entries(settings)) {
    if (!/^[a-z_.]+$/.test(k) || !/^[A-Za-z0-9_.]+$/.test(v)) throw new Error(`unsafe server setting ${k}=${v}`);
  }
  const url = process.env.DATABASE_URL;
  if (!url) return startThrowaway(settings, options.keep ?? false);
  return { adminUrl: url, origin: 'external', version: await serverVersion(url), postmasterPid: null };
}

/**
 * A server already running (a kept throwaway one) at `url`, used as it is. Its postmaster pid is
 * read from its data folder when that is on this machine and readable, for CPU accounting.
 */
export async function existingPostgres(url: string): Promise<PostgresServer> {
  const pid = await admin(url, async (c) => {
    try {
      const dir = (await c.query<{ d: string }>(`select current_setting('data_directory') as d`)).rows[0]!.d;
      const n = Number(fs.readFileSync(path.join(dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      return Number.isFinite(n) ? n : null;
    } catch {
      return null;
    }
  });
  return { adminUrl: url, origin: 'external', version: await serverVersion(url), postmasterPid: pid };
}

/** Creates an empty database `name` (dropping a leftover of the same name) and returns its URL. */
export async function createDatabase(server: PostgresServer, name: string, options: { keep?: boolean } = {}): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsafe database name ${name}`);
  await admin(server.adminUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${name}`);
  });
  if (!options.keep) defer(`database ${name}`, () => admin(server.adminUrl, async (c) => { await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`); }));
  const u = new URL(server.adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

/** CPU seconds used so far by the postmaster and its backends, when the server was started here. */
export function postgresCpuSeconds(server: PostgresServer): number | null {
  return server.postmasterPid ? processTreeCpuSeconds(server.postmasterPid) : null;
}

/** Server settings that record statement statistics, nested ones too (a benchmark's BENCH_PG_STATS=1). */
export const STATEMENT_STATS: ServerSettings = {
  shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track_planning': 'on', 'pg_stat_statements.track': 'all',
};

/** The statements that took the most database time so far (a server started with STATEMENT_STATS). */
export async function printStatementStats(url: string, log: (line: string) => void) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query('create extension if not exists pg_stat_statements');
    const { rows } = await c.query<{ calls: string; plan: string; exec: string; total: string; query: string }>(`
      select calls, round((total_plan_time / calls)::numeric, 2) as plan, round((mean_exec_time)::numeric, 2) as exec,
             round(((total_plan_time + total_exec_time) / 1000)::numeric, 1) as total, left(regexp_replace(query, '\\s+', ' ', 'g'), 110) as query
      from pg_stat_statements where calls > 0 and query not ilike '%bench_vocab%' and query not ilike 'insert into%'
      order by total_plan_time + total_exec_time desc limit 12`);
    log('');
    log('database time by statement (pg_stat_statements): calls, plan ms and execution ms per call, total s');
    for (const r of rows) log(`${String(r.calls).padStart(8)} ${String(r.plan).padStart(7)} ${String(r.exec).padStart(8)} ${String(r.total).padStart(7)}  ${r.query}`);
  } finally {
    await c.end();
  }
}
