// build(config, db) → a Fastify instance with every module. It never listens: server.ts does,
// and tests call app.inject() or listen on an ephemeral port themselves.
import crypto from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from './platform/config.ts';
import type { Db } from './platform/db/connection.ts';
import { installErrorHandling } from './platform/http/error-handler.ts';
import { installIdempotency } from './platform/http/idempotency.ts';
import { installHealth } from './platform/http/health.ts';
import { installMetrics } from './platform/http/metrics.ts';
import { installOpenApi } from './platform/http/openapi.ts';
import { installApiDocs } from './platform/http/api-docs.tsx';
import { ProblemSchema } from './platform/http/problem-schema.ts';
import { installRequestContext } from './platform/http/request-context.ts';
import { requireDeclaredAuth } from './platform/http/route-auth.ts';
import { installSecurity } from './platform/http/security.ts';
import { loggerOptions } from './platform/logger.ts';
import { HOST_PORTAL, errorPage, networkModule } from './modules/network/index.ts';
import { accountsModule } from './modules/accounts/index.ts';
import { membershipModule } from './modules/membership/index.ts';
import { noticesModule } from './modules/notices/index.ts';
import { catalogueModule } from './modules/catalogue/index.ts';
import { discoveryModule } from './modules/discovery/index.ts';
import { activitiesModule } from './modules/activities/index.ts';
import { lendingModule } from './modules/lending/index.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Paths that belong to the platform, never to a library portal on its own host name. */
const PLATFORM_PATHS = /^\/(api|static|healthz|readyz|metrics|oidc|oidc-interaction|dev|inhoud)(\/|$|\?)/;

export interface BuildOptions {
  /** Replaces the logger destination (tests capture logs to check that no personal data leaks). */
  logStream?: NodeJS.WritableStream;
}

export async function build(config: Config, db: Db, options: BuildOptions = {}): Promise<FastifyInstance> {
  const logger = loggerOptions(config);
  const app = Fastify({
    logger: options.logStream && logger && typeof logger === 'object' ? { ...logger, stream: options.logStream } : logger,
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    genReqId: () => crypto.randomUUID(),
    requestIdHeader: false,
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: 200 },
    // Unknown body properties are an error for API clients, not silently dropped.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
    // A library on its own host name: serve its portal at `/` by prefixing the slug internally.
    rewriteUrl(req) {
      const url = req.url ?? '/';
      const host = (req.headers.host ?? '').toLowerCase();
      const slug = config.hostLibraries[host];
      if (!slug || PLATFORM_PATHS.test(url) || url === `/${slug}` || url.startsWith(`/${slug}/`) || url.startsWith(`/${slug}?`)) return url;
      (req as unknown as Record<symbol, unknown>)[HOST_PORTAL] = slug;
      return `/${slug}${url.startsWith('/') ? url : `/${url}`}`;
    },
  });

  requireDeclaredAuth(app);
  installIdempotency(app);
  app.addSchema(ProblemSchema);
  // before any route, so that every route lands in the OpenAPI document
  await installOpenApi(app);
  await installSecurity(app, config);
  installRequestContext(app, config, db.kysely);
  await accountsModule(app);
  installErrorHandling(app, errorPage);
  installMetrics(app);
  installHealth(app, db.kysely);

  await app.register(fastifyStatic, { root: path.join(root, 'web'), prefix: '/static/', maxAge: '1h' });
  await app.register(fastifyStatic, {
    root: path.join(root, 'node_modules/@utrecht/component-library-css/dist'),
    prefix: '/static/utrecht/',
    decorateReply: false,
    maxAge: '1d',
  });

  // Pages that modules after the foundation serve; until then the portal shows an honest notice.
  const installedPages = new Set<string>(['mijn', 'zoeken', 'activiteiten']);
  await networkModule(app, { installedPages });
  await membershipModule(app);
  noticesModule(app);
  await catalogueModule(app);
  await discoveryModule(app);
  await activitiesModule(app);
  await lendingModule(app);
  installApiDocs(app);
  return app;
}
