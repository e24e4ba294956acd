// The accounts module: one account per person in the network, sessions, CSRF and the actor of
// each request. Other modules use it only through what this file exports.
import type { FastifyInstance } from 'fastify';
import { loadSession, sessionToken, type LoadedSession } from './session.ts';
import './accounts.tables.ts';
import { accountsRoutes } from './accounts.routes.ts';
import { oidcModule } from './oidc/index.ts';

declare module 'fastify' {
  interface FastifyRequest {
    session: LoadedSession | null;
  }
}

export { csrfToken, verifyCsrf, CsrfFailed } from './csrf.ts';
export { LoginRequired, Forbidden, SecondFactorRequired } from './accounts.errors.ts';
export type { LoadedSession } from './session.ts';

export async function accountsModule(app: FastifyInstance): Promise<void> {
  app.decorateRequest('session', null);
  // Who is asking: a session cookie makes the request's actor that account.
  app.addHook('onRequest', async (req) => {
    const token = sessionToken(req, req.ctx.config);
    if (!token || token.length > 100) return;
    const session = await loadSession(req.ctx.db, token);
    if (!session) return;
    req.session = session;
    req.ctx.actor = {
      kind: 'account',
      accountId: session.accountId,
      homeLibraryId: session.homeLibraryId,
      sessionHash: session.hash,
      mfa: session.mfa,
      network: session.network,
    };
  });
  await accountsRoutes(app);

  // Single sign-on for digital services: OpenID Connect provider under /oidc (issue 3 item 8)
  await oidcModule(app);
}
