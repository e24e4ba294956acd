// Child process that serves one benchmark target, so the load generator in the parent and the
// server under test do not share an event loop. `app`: the real platform (build() from app.ts)
// on DATABASE_URL; `bare`: Fastify with one route, the floor every result is compared with;
// `sql`: Fastify with one route that makes one indexed lookup through a pg.Pool of the app's size
// (DATABASE_POOL_SIZE), the floor of anything that needs the database.
// Tells the parent its port over IPC, answers CPU questions, and exits when the parent goes.
import { performance } from 'node:perf_hooks';
import Fastify, { type FastifyInstance } from 'fastify';
import pg from 'pg';
import { build } from '../../src/app.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { openConfigured } from '../../src/platform/db/open.ts';

export type ServerKind = 'app' | 'bare' | 'sql';

export type ToChild = { type: 'stats' } | { type: 'stop' };
export type FromChild =
  | { type: 'listening'; port: number }
  | { type: 'stats'; cpuMicros: number; elu: { idle: number; active: number } };

async function start(kind: ServerKind): Promise<{ app: FastifyInstance; close: () => Promise<void> }> {
  if (kind === 'bare') {
    const app = Fastify();
    app.get('/', async () => ({ hello: 'world' }));
    return { app, close: () => app.close() };
  }
  if (kind === 'sql') {
    if (!process.env.DATABASE_URL) throw new Error('the sql floor of a benchmark needs DATABASE_URL');
    const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DATABASE_POOL_SIZE || 10) });
    const app = Fastify();
    // a member by card: the unique (library_id, card_number) index, one round trip
    app.get<{ Params: { library: string; card: string } }>('/lookup/:library/:card', async (req) => {
      const { rows } = await pool.query('SELECT account_id, status FROM membership WHERE library_id = $1 AND card_number = $2', [req.params.library, req.params.card]);
      return rows[0] ?? {};
    });
    return { app, close: async () => { await app.close(); await pool.end(); } };
  }
  const config = loadConfig({
    ...process.env,
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL || 'silent',
    RATE_LIMIT_PER_MINUTE: '0',
    HOST: '127.0.0.1',
    PORT: '0',
    PUBLIC_URL: 'http://127.0.0.1',
  });
  if (!config.databaseUrl) throw new Error('the app server of a benchmark needs DATABASE_URL');
  const db = await openConfigured(config);
  const app = await build(config, db);
  return { app, close: async () => { await app.close(); await db.close(); } };
}

const kind = process.argv[2] as ServerKind;
if (!process.send || !['app', 'bare', 'sql'].includes(kind)) {
  process.stderr.write('server-child.ts is started by the benchmarks (fork with IPC), with kind app, bare or sql\n');
  process.exit(2);
}
const send = (message: FromChild) => process.send!(message);

const { app, close } = await start(kind);
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
send({ type: 'listening', port: typeof address === 'object' && address ? address.port : 0 });

process.on('message', (message: ToChild) => {
  if (message.type === 'stats') {
    const cpu = process.cpuUsage();
    const elu = performance.eventLoopUtilization();
    send({ type: 'stats', cpuMicros: cpu.user + cpu.system, elu: { idle: elu.idle, active: elu.active } });
  } else if (message.type === 'stop') {
    void close().finally(() => process.exit(0));
  }
});
// The parent went away (finished or crashed): never outlive it.
process.on('disconnect', () => process.exit(0));
