// Single sign-on for digital services: Eenbieb as an OpenID Connect provider. The provider is
// built on the first request that needs it (its issuer is the configured public URL, and its keys
// come from the database), once per app instance.
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import './oidc.tables.ts';
import { sql } from 'kysely';
import { inNetwork } from '../../../platform/db/tenant.ts';
import { registerPersonalDataSource } from '../../../platform/personal-data.ts';

// A member's single sign-on state (grants to services, provider sessions, tokens) is personal
// data: in the export, and deleted on erasure. The provider stores the account id in the payload.
registerPersonalDataSource({
  name: 'singleSignOn',
  tables: [],
  async collect(ctx, accountId) {
    const { rows } = await inNetwork(ctx.db, (tx) => sql<{ model: string; clientId: string | null; expiresAt: Date | null }>`
      select model, payload->>'clientId' as "clientId", expires_at as "expiresAt" from oidc_payload
      where payload->>'accountId' = ${accountId} order by model`.execute(tx));
    return rows;
  },
  async anonymise(ctx, accountId) {
    await inNetwork(ctx.db, (tx) => sql`delete from oidc_payload where payload->>'accountId' = ${accountId}`.execute(tx));
  },
});
import { registerInteractionPages } from './oidc.pages.tsx';
import { OIDC_PREFIX, createProvider } from './oidc.provider.ts';
import { oidcRoutes } from './oidc.routes.ts';

export { registerClient, OIDC_SCOPES, type NewClient, type RegisteredClient } from './oidc.clients.ts';

export async function oidcModule(app: FastifyInstance): Promise<void> {
  let built: Promise<{ provider: Provider; callback: ReturnType<Provider['callback']> }> | null = null;
  const instance = (req: FastifyRequest) => {
    built ??= createProvider(req.ctx.config, req.ctx.db)
      .then((provider) => ({ provider, callback: provider.callback() }))
      .catch((e: unknown) => { built = null; throw e; });
    return built;
  };

  // The provider speaks plain Node http: hand it the raw request and response under /oidc. Its
  // body parser needs the unread request stream, so this scope parses no bodies.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, _payload, done) => done(null));
    scope.all(`${OIDC_PREFIX}/*`, { schema: { hide: true } }, async (req, reply) => {
      const { callback } = await instance(req);
      const raw = req.raw as IncomingMessage & { originalUrl?: string };
      // our security headers (CSP, nosniff, …) also cover the provider's answers
      for (const [name, value] of Object.entries(reply.getHeaders())) {
        if (value !== undefined) reply.raw.setHeader(name, value as string | string[]);
      }
      // the provider derives its mount path from originalUrl minus url
      raw.originalUrl = raw.url;
      raw.url = raw.url!.slice(OIDC_PREFIX.length) || '/';
      reply.hijack();
      await callback(raw, reply.raw);
    });
  });
  registerInteractionPages(app, async (req) => (await instance(req)).provider);
  await oidcRoutes(app);
}
