// Digital services that sign members in (OpenID Connect clients), registered by network staff
// from the command line or the API. A public client (an app on a phone or in a browser) has no
// secret and must use PKCE; a confidential client gets a secret once, and only its SHA-256 is kept.
import crypto from 'node:crypto';
import type { Ctx } from '../../../platform/context.ts';
import { inNetwork } from '../../../platform/db/tenant.ts';
import type { FieldError } from '../../../platform/errors.ts';
import { Forbidden, LoginRequired, SecondFactorRequired } from '../accounts.errors.ts';
import { OidcClientInvalid } from './oidc.errors.ts';
import type { OidcClientTable } from './oidc.tables.ts';

/** What a member can share with a service, scope by scope (openid is the sign-in itself). */
export const SCOPE_CLAIMS = {
  openid: ['sub'],
  library: ['library'],
  membership_active: ['membership_active'],
  age_group: ['age_group'],
  profile: ['name', 'given_name', 'family_name'],
  email: ['email', 'email_verified'],
} as const;
export type OidcScope = keyof typeof SCOPE_CLAIMS;
export const OIDC_SCOPES = Object.keys(SCOPE_CLAIMS) as OidcScope[];
export const DEFAULT_SCOPES: OidcScope[] = ['openid', 'library', 'membership_active', 'age_group'];

export interface NewClient {
  name: string;
  redirectUris: string[];
  scopes?: string[];
  /** true: no secret, PKCE required (apps that cannot keep a secret). */
  public?: boolean;
}

export interface RegisteredClient {
  clientId: string;
  name: string;
  redirectUris: string[];
  scopes: OidcScope[];
  public: boolean;
  /** Shown once, for confidential clients only. */
  clientSecret?: string;
}

export function hashClientSecret(secret: string): string {
  return crypto.createHash('sha256').update(secret).digest('hex');
}

/** https, or http only on the loopback interface (development, native apps: RFC 8252 §7.3). */
function redirectUriProblem(raw: string): string | null {
  let u: URL;
  try { u = new URL(raw); } catch { return 'not a URL'; }
  if (u.hash || raw.includes('#')) return 'must not have a fragment';
  if (u.protocol === 'https:') return null;
  if (u.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname)) return null;
  return 'must use https (http only for localhost)';
}

function validate(input: NewClient): { fields: FieldError[]; scopes: OidcScope[] } {
  const fields: FieldError[] = [];
  const name = (input.name ?? '').trim();
  if (name.length < 1 || name.length > 120) fields.push({ field: 'name', message: { nl: 'Geef de dienst een naam van hoogstens 120 tekens.', en: 'Give the service a name of at most 120 characters.' } });
  const uris = input.redirectUris ?? [];
  if (uris.length < 1 || uris.length > 10) fields.push({ field: 'redirectUris', message: { nl: 'Geef 1 tot 10 terugkeeradressen (redirect URI).', en: 'Give 1 to 10 redirect URIs.' } });
  for (const uri of uris) {
    const problem = redirectUriProblem(uri);
    if (problem) fields.push({ field: 'redirectUris', message: { nl: `Terugkeeradres ${uri}: ${problem}`, en: `Redirect URI ${uri}: ${problem}` } });
  }
  const requested = input.scopes?.length ? input.scopes : DEFAULT_SCOPES;
  const unknown = requested.filter((s) => !(OIDC_SCOPES as string[]).includes(s));
  if (unknown.length) fields.push({ field: 'scopes', message: { nl: `Onbekende scope: ${unknown.join(', ')}. Kies uit ${OIDC_SCOPES.join(', ')}.`, en: `Unknown scope: ${unknown.join(', ')}. Choose from ${OIDC_SCOPES.join(', ')}.` } });
  // openid is the sign-in itself: every client has it
  const scopes = OIDC_SCOPES.filter((s) => s === 'openid' || requested.includes(s));
  return { fields, scopes };
}

/** Only the network registers services: the command line (system) or network staff with a second factor. */
function mayRegister(ctx: Ctx): string | null {
  const actor = ctx.actor;
  if (actor.kind === 'system') return null;
  if (actor.kind !== 'account') throw LoginRequired();
  if (!actor.network.some((r) => r.role === 'network_staff')) throw Forbidden();
  if (!actor.mfa) throw SecondFactorRequired();
  return actor.accountId;
}

export async function registerClient(ctx: Ctx, input: NewClient): Promise<RegisteredClient> {
  const createdBy = mayRegister(ctx);
  const { fields, scopes } = validate(input);
  if (fields.length) throw OidcClientInvalid(fields);
  const clientId = crypto.randomBytes(16).toString('base64url');
  const clientSecret = input.public ? undefined : crypto.randomBytes(32).toString('base64url');
  const name = input.name.trim();
  await inNetwork(ctx.db, (tx) => tx.insertInto('oidcClient').values({
    clientId, name, redirectUris: input.redirectUris, scopes, createdBy,
    secretHash: clientSecret ? hashClientSecret(clientSecret) : null,
  }).execute());
  return { clientId, name, redirectUris: input.redirectUris, scopes, public: !clientSecret, ...(clientSecret ? { clientSecret } : {}) };
}

/**
 * A client row as oidc-provider client metadata. For a confidential client the stored hash stands
 * in for the secret: the provider's secret comparison is replaced to hash what the client sends
 * (see oidc.provider.ts), and HMAC-signed tokens (which would need the secret itself) are off.
 */
export function clientMetadata(row: Pick<OidcClientTable, 'clientId' | 'name' | 'redirectUris' | 'scopes' | 'secretHash'>): Record<string, unknown> {
  return {
    client_id: row.clientId,
    client_name: row.name,
    redirect_uris: row.redirectUris,
    scope: row.scopes.join(' '),
    grant_types: ['authorization_code'],
    response_types: ['code'],
    id_token_signed_response_alg: 'RS256',
    ...(row.secretHash
      ? { token_endpoint_auth_method: 'client_secret_basic', client_secret: row.secretHash }
      : { token_endpoint_auth_method: 'none' }),
  };
}
