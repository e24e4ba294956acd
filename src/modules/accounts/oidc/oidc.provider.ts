// Eenbieb as an OpenID Connect provider (oidc-provider, pinned): authorization code flow with
// PKCE, discovery, JWKS, userinfo and revocation under /oidc. Keys come from the database
// (oidc.keys.ts), storage is PostgreSQL (oidc.adapter.ts), clients are those registered by
// network staff (oidc.clients.ts), and login and consent are our own branded pages
// (oidc.pages.tsx) because the provider's built-in pages use inline scripts and styles that our
// Content-Security-Policy refuses.
import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type Provider from 'oidc-provider';
import type { Config } from '../../../platform/config.ts';
import type { Database } from '../../../platform/db/database.ts';
import { inNetwork } from '../../../platform/db/tenant.ts';
import { adapterFor } from './oidc.adapter.ts';
import { memberClaims } from './oidc.claims.ts';
import { hashClientSecret, OIDC_SCOPES, SCOPE_CLAIMS } from './oidc.clients.ts';
import { hashToken, isSecure, loadSession, sessionCookieName } from '../session.ts';
import { loadOrCreateKeys } from './oidc.keys.ts';
import { providerPageHtml } from './oidc.pages.tsx';

export const OIDC_PREFIX = '/oidc';
export const INTERACTION_PREFIX = '/oidc-interaction';

/** Minimal view of the provider's Koa context in the callbacks below. */
interface KoaCtx { type: string; body: string; get(name: string): string; status: number }
interface OidcKoaCtx { oidc: { session: { accountId?: string } }; cookies: { get(name: string, options?: { signed?: boolean }): string | undefined; set(name: string, value: string | null, options?: Record<string, unknown>): void } }

function langOf(ctx: KoaCtx): 'nl' | 'en' {
  return /(?:^|;\s*)eb_lang=en(?:;|$)/.test(ctx.get('cookie')) ? 'en' : 'nl';
}

function simpleHtml(ctx: KoaCtx, title: { nl: string; en: string }, lines: { nl: string; en: string }[], formHtml = '') {
  ctx.type = 'html';
  ctx.body = providerPageHtml(langOf(ctx), title, lines, formHtml);
}

export async function createProvider(config: Config, db: Kysely<Database>): Promise<Provider> {
  // imported here, not at start-up: oidc-provider prints an "unsupported runtime" warning on
  // Node 20 (it works; the end-to-end test keeps it honest) that commands without SSO need not show
  const { default: OidcProvider, interactionPolicy } = await import('oidc-provider');
  const { Check } = interactionPolicy;
  const policy = interactionPolicy.base();
  // The library session is the one that counts: signing out of the portal (a shared computer in
  // a branch) also ends single sign-on, and the services never see another person's account.
  policy.get('login')!.checks.push(new Check('library_session', 'the library session ended or is someone else\'s', 'login_required', async (ctx: OidcKoaCtx) => {
    const accountId = ctx.oidc.session.accountId;
    if (!accountId) return Check.NO_NEED_TO_PROMPT; // the built-in no_session check asks for login
    const token = ctx.cookies.get(sessionCookieName(config), { signed: false });
    const session = token && token.length <= 100 ? await loadSession(db, token) : null;
    return session?.accountId === accountId ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT;
  }));
  const keys = await inNetwork(db, (tx) => loadOrCreateKeys(tx));
  const provider = new OidcProvider(`${config.publicUrl}${OIDC_PREFIX}`, {
    adapter: adapterFor(db),
    clients: [],
    async findAccount(_ctx: unknown, sub: string) {
      const claims = await memberClaims(db, sub);
      if (!claims) return undefined;
      // the provider filters these down to the granted scopes and claims
      return { accountId: sub, claims: async () => claims };
    },
    claims: Object.fromEntries(Object.entries(SCOPE_CLAIMS).map(([k, v]) => [k, [...v]])),
    scopes: OIDC_SCOPES,
    // a library's own front-end may name the library so the login page carries its brand
    extraParams: ['library'],
    jwks: { keys: keys.signing },
    cookies: {
      keys: keys.cookie,
      names: { session: 'eb_oidc_session', interaction: 'eb_oidc_interaction', resume: 'eb_oidc_resume' },
      long: { signed: true, httpOnly: true, sameSite: 'lax' },
      short: { signed: true, httpOnly: true, sameSite: 'lax' },
    },
    features: {
      devInteractions: { enabled: false },
      userinfo: { enabled: true },
      revocation: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx: KoaCtx, form: string) {
          simpleHtml(ctx, { nl: 'Uitloggen', en: 'Sign out' }, [{ nl: 'Wilt u uitloggen bij de bibliotheek? Dan bent u ook uitgelogd op de website van de bibliotheek.', en: 'Do you want to sign out of the library? You will then also be signed out of the library website.' }],
            `${form}<button class="utrecht-button utrecht-button--primary-action" type="submit" form="op.logoutForm" value="yes" name="logout">${langOf(ctx) === 'nl' ? 'Ja, uitloggen' : 'Yes, sign out'}</button> <button class="utrecht-button utrecht-button--secondary-action" type="submit" form="op.logoutForm">${langOf(ctx) === 'nl' ? 'Nee, ingelogd blijven' : 'No, stay signed in'}</button>`);
        },
        async postLogoutSuccessSource(ctx: KoaCtx) {
          simpleHtml(ctx, { nl: 'U bent uitgelogd', en: 'You are signed out' }, []);
        },
      },
    },
    // PKCE for every client, public or confidential (OAuth 2.1)
    pkce: { required: () => true },
    interactions: { policy, url: (_ctx: unknown, interaction: { uid: string }) => `${INTERACTION_PREFIX}/${interaction.uid}` },
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 3600,
      Session: 14 * 86_400,
      Grant: 365 * 86_400,
    },
    // browsers may call the token and userinfo endpoints only from a client's own origin
    clientBasedCORS(_ctx: unknown, origin: string, client: { redirectUris: string[] }) {
      return client.redirectUris.some((u) => { try { return new URL(u).origin === origin; } catch { return false; } });
    },
    async renderError(ctx: KoaCtx, out: { error?: string; error_description?: string }) {
      simpleHtml(ctx, { nl: 'Inloggen bij de dienst lukt niet', en: 'Signing in to the service failed' }, [
        { nl: 'Ga terug naar de dienst en probeer het opnieuw.', en: 'Go back to the service and try again.' },
        { nl: `Foutcode: ${out.error ?? 'onbekend'}`, en: `Error code: ${out.error ?? 'unknown'}` },
      ]);
    },
  });
  provider.proxy = config.trustProxy;
  // Signing out at a service ("yes, sign me out") ends the library session too: the library
  // session is what single sign-on rests on (see the library_session check above).
  provider.on('end_session.success', (ctx: OidcKoaCtx & { oidc: { params: { logout?: string } } }) => {
    if (!ctx.oidc.params.logout) return;
    const name = sessionCookieName(config);
    const token = ctx.cookies.get(name, { signed: false });
    try {
      ctx.cookies.set(name, null, { path: '/', signed: false, httpOnly: true, sameSite: 'lax', secure: isSecure(config) });
    } catch { /* a secure cookie on a plain-http request (proxy not trusted): the row is deleted anyway */ }
    if (token) void inNetwork(db, (tx) => tx.deleteFrom('session').where('idHash', '=', hashToken(token)).execute()).catch(() => {});
  });
  // A confidential client's stored "secret" is the SHA-256 of the real one (see clientMetadata):
  // hash what the client sends and compare in constant time.
  provider.Client.prototype.compareClientSecret = function compare(actual: string) {
    const a = Buffer.from(hashClientSecret(String(actual ?? '')));
    const b = Buffer.from(String(this.clientSecret ?? ''));
    return a.length === b.length && crypto.timingSafeEqual(a, b);
  };
  return provider;
}
