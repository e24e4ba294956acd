// eenbieb <command>: the platform's command line. Configuration comes from the environment
// (see README); a bad value is reported in one line with exit code 1.
import { build } from './app.ts';
import { ConfigError, loadConfig, type Config } from './platform/config.ts';
import { describeDatabase, openConfigured } from './platform/db/open.ts';
import { migrateToLatest } from './platform/db/migrate.ts';
import { openApiText } from './platform/http/openapi.ts';
import { listLibraries, routePostcode, seedDemoNetwork, seedReferenceData } from './modules/network/index.ts';
import { seedDemoMembership } from './modules/membership/index.ts';
import { ensureDemoMember, ensureStaffAccount, seedDemoStaff, type GrantableRole } from './modules/membership/staff-admin.ts';
import { exportMarcXml, importMarcRecords, readMarcFile, seedDemoCatalogue, seedMarcTestRecords, type RecordProblem } from './modules/catalogue/index.ts';
import { STATUTORY_FUNCTIONS, importFromSource, seedDemoActivities, type StatutoryFunction } from './modules/activities/index.ts';
import type { Db } from './platform/db/connection.ts';
import { seedDemoLending, seedDemoMember } from './modules/lending/index.ts';
import { registerClient } from './modules/accounts/oidc/index.ts';
import { AppError } from './platform/errors.ts';
import { systemCtx } from './platform/context.ts';
import { prepareDatabase, serve } from './server.ts';
import { addKiosk, seedDemoKiosk } from './modules/lending/sip2/index.ts';
import { JOBS, isJobName, runJobOnce } from './jobs.ts';
import { runWorker } from './worker.ts';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HELP = `Usage: eenbieb <command> [options]

Commands:
  serve                 migrate, seed on first start, and serve the platform (npm start)
  migrate               run pending database migrations
  seed [--no-demo]      load the CBS reference data and, into an empty network, the demo libraries,
                        the demo catalogue and the MARC 21 test records (test/fixtures/marc21)
  libraries             list the libraries of the network
  job <name>            run a background job once, now (serve and worker run them on schedule):
${Object.entries(JOBS).map(([name, j]) => `                          ${name.padEnd(30)} ${j.about}`).join('\n')}
  worker                run the background jobs on pg-boss without the web server (PostgreSQL);
                        serve runs them too
  staff add <email> --library <slug> --role <desk|librarian|library_admin|network_staff|municipality_viewer>
        [--municipality GMxxxx]
                        create a staff account (password from EENBIEB_STAFF_PASSWORD) or grant a role
  kiosk add --library <slug> --branch <branch-slug> --login <name> [--institution <AO>] [--utf8]
                        register a self-service kiosk (SIP2); its password is shown once
  route <postcode>      show which library serves a postcode
  activities import --library <slug> (--file <calendar.ics> | --url <feed URL>) --function <f>[,<f>...]
        [--kind event|course|service] [--publish] [--allow-private-addresses]
                        import an agenda from iCalendar: recurring events expand, broken events are
                        listed and skipped; --allow-private-addresses lets --url reach loopback and
                        private networks (development; default refused)
  import marc <file> (--library <slug> | --national) [--verbose]
                        import MARC 21 records (ISO 2709 in UTF-8 or MARC-8, or MARCXML): national
                        titles, or a library's local titles with its copies from 852/949/952;
                        re-importing updates by identifier; prints a per-record error report
  export marc (--title <id> [--library <slug>] | --library <slug> [--query <q>]) [--out <file>]
                        write MARCXML: one title, the library's set (its copies and local titles)
                        or the titles it can see that match a search; stdout without --out
  oidc-client add --name <name> --redirect-uri <url> [--redirect-uri <url> ...]
        [--scope library,membership_active,age_group,profile,email] [--public]
                        register a digital service for single sign-on (OpenID Connect client);
                        --public: an app without a secret (PKCE), else the secret is shown once
  openapi [--write|--check]
                        print the OpenAPI document, write it to openapi.json, or check it is current
  help                  show this help

Configuration is read from the environment: DATABASE_URL, DATA_DIR, PORT, HOST, PUBLIC_URL,
LOG_LEVEL, HOST_LIBRARIES, RATE_LIMIT_PER_MINUTE, BODY_LIMIT_BYTES, SEED_DEMO, TRUST_PROXY,
SHUTDOWN_TIMEOUT_MS, DATABASE_POOL_SIZE, NODE_ENV, OUTBOUND_PRIVATE_ADDRESSES, SIP2_PORT, SIP2_HOST,
SIP2_TLS_CERT, SIP2_TLS_KEY, SIP2_IDLE_TIMEOUT_SECONDS. See README.md.
`;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = (line: string) => process.stdout.write(`${line}\n`);

async function withDb<T>(config: Config, fn: (db: Awaited<ReturnType<typeof openConfigured>>) => Promise<T>): Promise<T> {
  const db = await openConfigured(config);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

export async function main(argv: string[]): Promise<number> {
  const [command = 'help', ...args] = argv;
  if (command === 'help' || command === '--help' || command === '-h') {
    out(HELP);
    return 0;
  }
  const config = loadConfig();
  switch (command) {
    case 'serve':
      await serve(config);
      return -1; // keep running
    case 'migrate':
      return withDb(config, async (db) => {
        const applied = await migrateToLatest(db.kysely);
        out(applied.length ? `applied: ${applied.join(', ')}` : `up to date (${describeDatabase(config)})`);
        return 0;
      });
    case 'seed':
      return withDb(config, async (db) => {
        await migrateToLatest(db.kysely);
        await seedReferenceData(db.kysely);
        out('CBS municipalities and postcode areas loaded');
        if (!args.includes('--no-demo')) {
          const n = await seedDemoNetwork(db.kysely);
          await seedDemoMembership(db.kysely);
          if (n) await seedDemoStaff(db.kysely);
          if (n) await seedDemoKiosk(db.kysely);
          out(n ? `demo network seeded: ${n} libraries` : 'the network already has libraries: demo not seeded');
          // demo catalogue (issue #4)
          const c = await seedDemoCatalogue(db.kysely);
          out(c.titles ? `demo catalogue seeded: ${c.titles} titles, ${c.items} copies` : 'the catalogue already has the demo titles');
          const l = await seedDemoLending(db.kysely);
          if (l.pools) out(`demo licence pools seeded: ${l.pools}`);
          const member = await ensureDemoMember(db.kysely, config);
          if (member) out(`demo member seeded: card ${member.cardNumber}, ${(await seedDemoMember(db.kysely, config, member)).loans} loans`);
          // the public MARC 21 test records (issue #4 item 3); too slow for the first start of serve
          const m = await seedMarcTestRecords(db.kysely, path.join(root, 'test/fixtures/marc21'));
          out(m ? `MARC test records: ${m.imported} titles from ${m.files} files (${m.failed} records reported, e.g. authority records and broken test records)` : 'the catalogue already has MARC titles: MARC test records not imported');
          // activities module: only into libraries that have no activities yet
          if (n) out(`demo activities seeded: ${await seedDemoActivities(db.kysely)}`);
        }
        return 0;
      });
    case 'libraries':
      return withDb(config, async (db) => {
        for (const l of await listLibraries(systemCtx(db.kysely, config, 'cli'))) {
          out(`${l.slug.padEnd(24)} ${l.name.padEnd(36)} ${l.municipalities.length} municipalities`);
        }
        return 0;
      });
    case 'staff': {
      const [sub, email] = args;
      const opt = (name: string) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : undefined; };
      if (sub !== 'add' || !email || !opt('library') || !opt('role')) { out('usage: eenbieb staff add <email> --library <slug> --role <role> [--municipality GMxxxx]'); return 2; }
      const roles: GrantableRole[] = ['desk', 'librarian', 'library_admin', 'network_staff', 'municipality_viewer'];
      if (!roles.includes(opt('role') as GrantableRole)) { out(`unknown role "${opt('role')}": one of ${roles.join(', ')}`); return 2; }
      const password = process.env.EENBIEB_STAFF_PASSWORD;
      if (!password) { out('set EENBIEB_STAFF_PASSWORD to the new account\'s password (12+ characters); it is not read from the command line'); return 2; }
      return withDb(config, async (db) => {
        const id = await ensureStaffAccount(db.kysely, { email, password, librarySlug: opt('library')!, role: opt('role') as GrantableRole, municipalityCode: opt('municipality') });
        out(`staff account ${id}: ${opt('role')} at ${opt('library')}`);
        return 0;
      });
    }
    // self-service kiosks speaking SIP2 (issue #6 item 9)
    case 'kiosk': {
      const opt = (name: string) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : undefined; };
      if (args[0] !== 'add' || !opt('library') || !opt('branch') || !opt('login')) {
        out('usage: eenbieb kiosk add --library <slug> --branch <branch-slug> --login <name> [--institution <AO>] [--utf8]');
        return 2;
      }
      return withDb(config, async (db) => {
        try {
          const k = await addKiosk(systemCtx(db.kysely, config, 'cli'), {
            librarySlug: opt('library')!, branchSlug: opt('branch')!, login: opt('login')!, institutionId: opt('institution'),
            encoding: args.includes('--utf8') ? 'utf8' : 'latin1',
          });
          out(`kiosk at ${k.kiosk.branchName} (${k.kiosk.libraryName})`);
          out(`login user id (CN):  ${k.cn}`);
          out(`login password (CO): ${k.password}   (shown only now: enter it in the kiosk)`);
          out(`institution id (AO): ${k.kiosk.institutionId}`);
          return 0;
        } catch (e) {
          if (e instanceof AppError) { out(e.text.en); return 2; }
          throw e;
        }
      });
    }
    case 'job': {
      const name = args[0] ?? '';
      if (!isJobName(name)) { out(`unknown job "${name}": one of ${Object.keys(JOBS).join(', ')}`); return 2; }
      return withDb(config, async (db) => {
        out(`${name}: ${await runJobOnce(name, db.kysely, config)}`);
        return 0;
      });
    }
    case 'worker':
      // embedded PGlite belongs to one process (the one that serves): it runs the jobs itself
      if (!config.databaseUrl) { out('eenbieb worker needs DATABASE_URL (a PostgreSQL server); on embedded PGlite, serve runs the jobs'); return 2; }
      return withDb(config, async (db) => {
        const applied = await migrateToLatest(db.kysely);
        if (applied.length) out(`migrations applied: ${applied.join(', ')}`);
        out(`Eenbieb worker on ${describeDatabase(config)}`);
        await runWorker(db, config, out);
        return 0;
      });
    case 'route':
      return withDb(config, async (db) => {
        try {
          const r = await routePostcode(systemCtx(db.kysely, config, 'cli'), args[0] ?? '');
          out(`${r.postcode}: ${r.municipality.name} (${r.municipality.code}) → ${r.library.name} ${r.library.url}`);
          return 0;
        } catch (e) {
          if (e instanceof AppError) { out(e.text.en); return 2; }
          throw e;
        }
      });
    case 'activities':
      return withDb(config, (db) => activitiesCommand(db, config, args, out));
    // MARC 21 import and export (issue 4 item 2)
    case 'import': {
      const opt = (name: string) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : undefined; };
      const [kind, file] = args;
      const slug = opt('library');
      const national = args.includes('--national');
      if (kind !== 'marc' || !file || file.startsWith('--') || (!slug) === !national) {
        out('usage: eenbieb import marc <file> (--library <slug> | --national) [--verbose]');
        return 2;
      }
      if (!fs.existsSync(file) || !fs.statSync(file).isFile()) { out(`cannot read ${file}: no such file`); return 1; }
      return withDb(config, async (db) => {
        let target: { kind: 'national' } | { kind: 'library'; libraryId: string } = { kind: 'national' };
        if (slug) {
          const library = await db.kysely.selectFrom('library').select('id').where('slug', '=', slug).executeTakeFirst();
          if (!library) { out(`unknown library "${slug}" (see eenbieb libraries)`); return 2; }
          target = { kind: 'library', libraryId: library.id };
        }
        const where = (p: RecordProblem) => `record ${p.record} (byte ${p.offset})${p.sourceId ? ` [${p.sourceId}]` : ''}`;
        let shownWarnings = 0;
        const verbose = args.includes('--verbose');
        const report = await importMarcRecords(db.kysely, readMarcFile(file), target, {
          onProblem: (kind, p) => {
            if (kind === 'failed') out(`failed: ${where(p)}: ${p.reason}`);
            else if (verbose || shownWarnings++ < 10) out(`warning: ${where(p)}: ${p.reason}`);
          },
        });
        if (!verbose && report.warningCount > 10) out(`… ${report.warningCount - 10} more warnings (--verbose shows them all)`);
        out(`${file}: ${report.read} records read; imported ${report.imported}, updated ${report.updated}, failed ${report.failedCount}` +
          `${report.warningCount ? `; ${report.warningCount} warnings` : ''}` +
          `${target.kind === 'library' ? `; copies imported ${report.items.imported}, updated ${report.items.updated}` : ''}`);
        // only a file of which nothing could be read is an error; bad records are in the report
        return report.read === 0 ? 1 : 0;
      });
    }
    case 'export': {
      const opt = (name: string) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : undefined; };
      const titleId = opt('title');
      const slug = opt('library');
      if (args[0] !== 'marc' || (!titleId && !slug) || (!!titleId && !!opt('query'))) {
        out('usage: eenbieb export marc (--title <id> [--library <slug>] | --library <slug> [--query <q>]) [--out <file>]');
        return 2;
      }
      return withDb(config, async (db) => {
        let library: { id: string; name: string } | undefined;
        if (slug) {
          library = await db.kysely.selectFrom('library').select(['id', 'name']).where('slug', '=', slug).executeTakeFirst();
          if (!library) { out(`unknown library "${slug}" (see eenbieb libraries)`); return 2; }
        }
        const target = opt('out');
        const sink: NodeJS.WritableStream = target ? fs.createWriteStream(target) : process.stdout;
        let records = 0;
        try {
          for await (const piece of exportMarcXml(db.kysely, config, { library, titleId, query: opt('query') })) {
            if (piece.startsWith('  <record>')) records++;
            if (!sink.write(piece)) await new Promise<void>((resolve) => { sink.once('drain', () => resolve()); });
          }
        } catch (e) {
          if (e instanceof AppError) { process.stderr.write(`${e.text.en}\n`); return 2; }
          throw e;
        } finally {
          if (target) await new Promise<void>((resolve) => { sink.end(() => resolve()); });
        }
        process.stderr.write(`${records} MARCXML records written${target ? ` to ${target}` : ''}\n`);
        return 0;
      });
    }
    // single sign-on for digital services (issue 3 item 8)
    case 'oidc-client': {
      const opt = (name: string) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : undefined; };
      const redirectUris = args.flatMap((a, i) => (a === '--redirect-uri' && args[i + 1] ? [args[i + 1]!] : []));
      if (args[0] !== 'add' || !opt('name') || !redirectUris.length) {
        out('usage: eenbieb oidc-client add --name <name> --redirect-uri <url> [--scope library,membership_active,...] [--public]');
        return 2;
      }
      return withDb(config, async (db) => {
        try {
          const c = await registerClient(systemCtx(db.kysely, config, 'cli'), {
            name: opt('name')!, redirectUris, scopes: opt('scope')?.split(',').map((s) => s.trim()).filter(Boolean), public: args.includes('--public'),
          });
          out(`client_id:     ${c.clientId}`);
          if (c.clientSecret) out(`client_secret: ${c.clientSecret}   (shown only now: store it in the service)`);
          else out('public client: no secret, PKCE (S256) required');
          out(`scopes:        ${c.scopes.join(' ')}`);
          out(`issuer:        ${config.publicUrl}/oidc`);
          return 0;
        } catch (e) {
          if (e instanceof AppError) { out(e.fields.length ? e.fields.map((f) => f.message.en).join('\n') : e.text.en); return 2; }
          throw e;
        }
      });
    }
    case 'openapi': {
      const db = await prepareDatabase({ ...config, databaseUrl: null, dataDir: 'memory://', seedDemo: false }, () => {});
      try {
        const app = await build({ ...config, logLevel: 'silent' }, db);
        await app.ready();
        const text = openApiText(app);
        await app.close();
        const file = path.join(root, 'openapi.json');
        if (args.includes('--write')) { fs.writeFileSync(file, text); out(`wrote ${file}`); return 0; }
        if (args.includes('--check')) {
          const same = fs.existsSync(file) && fs.readFileSync(file, 'utf8') === text;
          out(same ? 'openapi.json is current' : 'openapi.json is out of date: run npm run openapi');
          return same ? 0 : 1;
        }
        process.stdout.write(text);
        return 0;
      } finally {
        await db.close();
      }
    }
    default:
      out(`unknown command "${command}"\n`);
      out(HELP);
      return 2;
  }
}

/** `eenbieb activities import …` (exported for its test, which runs it on a test database). */
export async function activitiesCommand(db: Db, config: Config, args: string[], print: (line: string) => void): Promise<number> {
  const opt = (name: string) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : undefined; };
  const usage = 'usage: eenbieb activities import --library <slug> (--file <calendar.ics> | --url <feed URL>) --function <f>[,<f>...] [--kind event|course|service] [--publish] [--allow-private-addresses]';
  const slug = opt('library');
  const file = opt('file');
  const url = opt('url');
  const functions = (opt('function') ?? '').split(',').map((f) => f.trim()).filter(Boolean);
  const kind = opt('kind') ?? 'event';
  if (args[0] !== 'import' || !slug || (file === undefined) === (url === undefined) || !functions.length) { print(usage); return 2; }
  const unknown = functions.filter((f) => !(STATUTORY_FUNCTIONS as readonly string[]).includes(f));
  if (unknown.length) { print(`unknown statutory function ${unknown.join(', ')}: one of ${STATUTORY_FUNCTIONS.join(', ')}`); return 2; }
  if (!['event', 'course', 'service'].includes(kind)) { print('--kind is event, course or service'); return 2; }
  const library = await db.kysely.selectFrom('library').select('id').where('slug', '=', slug).executeTakeFirst();
  if (!library) { print(`no library "${slug}"`); return 2; }
  let calendar: string | undefined;
  if (file !== undefined) {
    try {
      calendar = fs.readFileSync(file, 'utf8');
    } catch (e) {
      print(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
      return 2;
    }
  }
  const ctx = systemCtx(db.kysely, { ...config, outboundPrivateAddresses: config.outboundPrivateAddresses || args.includes('--allow-private-addresses') }, 'cli');
  try {
    const report = await importFromSource(ctx, library.id, { calendar, url }, {
      statutoryFunctions: functions as StatutoryFunction[], kind: kind as 'event' | 'course' | 'service', publish: args.includes('--publish'),
    });
    for (const i of report.imported) print(`imported  ${i.title} (${i.sessions} ${i.sessions === 1 ? 'session' : 'sessions'}) ${i.id}`);
    for (const p of report.skipped) print(`skipped   ${p.title ?? p.uid ?? '(no title)'}: ${p.reason}`);
    print(`${report.imported.length} imported, ${report.skipped.length} skipped`);
    return 0;
  } catch (e) {
    if (e instanceof AppError) { print(e.text.en); return 1; }
    throw e;
  }
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  main(process.argv.slice(2)).then(
    (code) => { if (code >= 0) process.exit(code); },
    (error) => {
      if (error instanceof ConfigError) {
        process.stderr.write(`eenbieb: configuration error: ${error.message}\n`);
      } else {
        process.stderr.write(`eenbieb: ${error instanceof Error ? error.message : String(error)}\n`);
      }
      process.exit(1);
    },
  );
}
