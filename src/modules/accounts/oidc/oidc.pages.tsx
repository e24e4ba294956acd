// The provider's interaction pages in the member's library brand: sign in (e-mail and password,
// or straight through when already signed in to the portal) and consent, scope by scope. Both
// work without JavaScript, with CSRF tokens. The provider hands over with a redirect to
// /oidc-interaction/<uid> and takes back with the redirect to its resume URL.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ComponentChildren } from 'preact';
import type Provider from 'oidc-provider';
import type { InteractionDetails } from 'oidc-provider';
import { AppError } from '../../../platform/errors.ts';
import type { Lang } from '../../../platform/i18n.ts';
import { Csrf, ErrorSummary, Field } from '../../../platform/views/forms.tsx';
import { renderDocument, sendPage } from '../../../platform/views/render.ts';
import { NationalPage, PortalPage, findLibrary, type Library } from '../../network/index.ts';
import { Forbidden } from '../accounts.errors.ts';
import * as accounts from '../accounts.service.ts';
import { csrfToken, verifyCsrf } from '../csrf.ts';
import { deviceLabel, setSessionCookie } from '../session.ts';
import { inNetwork } from '../../../platform/db/tenant.ts';
import type { OidcScope } from './oidc.clients.ts';
import { InteractionExpired } from './oidc.errors.ts';

type Body = Record<string, string | undefined>;
type GetProvider = (req: FastifyRequest) => Promise<Provider>;
const t = (lang: Lang) => (nl: string, en: string) => (lang === 'nl' ? nl : en);

/** What the member shares, per scope, in plain language (B1). */
const SCOPE_TEXT: Record<OidcScope, { nl: string; en: string }> = {
  openid: { nl: 'Dat u lid bent van de bibliotheek, met een vast nummer voor deze dienst', en: 'That you are a library member, with a fixed number for this service' },
  library: { nl: 'Bij welke bibliotheek u lid bent', en: 'Which library you belong to' },
  membership_active: { nl: 'Of uw abonnement om te lenen geldig is', en: 'Whether your borrowing membership is valid' },
  age_group: { nl: 'Of u jonger of ouder bent dan 18 (niet uw geboortedatum)', en: 'Whether you are under or over 18 (not your date of birth)' },
  profile: { nl: 'Uw naam', en: 'Your name' },
  email: { nl: 'Uw e-mailadres', en: 'Your e-mail address' },
};

/** The provider's own pages (errors, sign-out) in the neutral national shell, without inline script or style. */
export function providerPageHtml(lang: Lang, title: { nl: string; en: string }, lines: { nl: string; en: string }[], formHtml = ''): string {
  return renderDocument(
    <NationalPage lang={lang} url="/" title={title[lang]}>
      <h1 class="utrecht-heading-1">{title[lang]}</h1>
      {lines.map((l) => <p class="utrecht-paragraph">{l[lang]}</p>)}
      {/* the provider's logout form: its own markup, built from escaped values */}
      {formHtml ? <div class="eb-form" dangerouslySetInnerHTML={{ __html: formHtml }} /> : null}
    </NationalPage>,
  );
}

async function details(provider: Provider, req: FastifyRequest, reply: FastifyReply): Promise<InteractionDetails> {
  let d: InteractionDetails;
  try {
    d = await provider.interactionDetails(req.raw, reply.raw);
  } catch {
    throw InteractionExpired();
  }
  if (d.uid !== (req.params as { uid: string }).uid) throw InteractionExpired();
  return d;
}

async function libraryOfAccount(req: FastifyRequest, accountId: string): Promise<Library | null> {
  const row = await inNetwork(req.ctx.db, (tx) => tx.selectFrom('account as a').innerJoin('library as l', 'l.id', 'a.homeLibraryId')
    .select('l.slug').where('a.id', '=', accountId).executeTakeFirst());
  return row ? findLibrary(req.ctx, row.slug) : null;
}

/**
 * The pages post to us and we answer with a redirect that ends at the client's redirect_uri.
 * Browsers apply the page's CSP form-action to that whole redirect chain, so these pages allow
 * the origin of this request's (already validated) redirect_uri besides 'self'.
 */
function allowFormRedirect(reply: FastifyReply, d: InteractionDetails): void {
  let origin: string;
  try { origin = new URL(String(d.params.redirect_uri)).origin; } catch { return; }
  const csp = reply.getHeader('content-security-policy');
  if (typeof csp === 'string') reply.header('content-security-policy', csp.replace("form-action 'self'", `form-action 'self' ${origin}`));
}

function Shell({ req, library, title, children }: { req: FastifyRequest; library: Library | null; title: string; children: ComponentChildren }) {
  return library
    ? <PortalPage portal={{ library, base: `/${library.slug}`, lang: req.lang, url: req.url }} title={title} nav="account">{children}</PortalPage>
    : <NationalPage lang={req.lang} url={req.url} title={title}>{children}</NationalPage>;
}

async function loginPage(req: FastifyRequest, reply: FastifyReply, d: InteractionDetails, clientName: string, form: Body = {}, message?: string, status = 200) {
  const s = t(req.lang);
  const hint = typeof d.params.library === 'string' ? await findLibrary(req.ctx, d.params.library) : null;
  const token = csrfToken(req, reply);
  allowFormRedirect(reply, d);
  const title = s(`Inloggen bij ${clientName}`, `Sign in to ${clientName}`);
  return sendPage(reply, (
    <Shell req={req} library={hint} title={title}>
      <h1 class="utrecht-heading-1">{title}</h1>
      <p class="utrecht-paragraph">{s(`${clientName} vraagt u in te loggen met uw bibliotheekaccount.`, `${clientName} asks you to sign in with your library account.`)}</p>
      <ErrorSummary lang={req.lang} message={message} />
      <form class="eb-form" method="post" action={`/oidc-interaction/${d.uid}/login`}>
        <Csrf token={token} />
        <Field name="email" label={s('E-mailadres', 'E-mail address')} lang={req.lang} required type="email" value={form.email} autocomplete="username" maxlength={254} />
        <Field name="password" label={s('Wachtwoord', 'Password')} lang={req.lang} required type="password" autocomplete="current-password" />
        <button class="utrecht-button utrecht-button--primary-action" type="submit">{s('Inloggen', 'Sign in')}</button>
      </form>
      <form method="post" action={`/oidc-interaction/${d.uid}/abort`}>
        <Csrf token={token} />
        <button class="utrecht-button utrecht-button--secondary-action" type="submit">{s('Annuleren en terug naar de dienst', 'Cancel and go back to the service')}</button>
      </form>
    </Shell>
  ), status);
}

async function consentPage(req: FastifyRequest, reply: FastifyReply, d: InteractionDetails, clientName: string) {
  const s = t(req.lang);
  const library = d.session ? await libraryOfAccount(req, d.session.accountId) : null;
  const missing = ((d.prompt.details.missingOIDCScope as string[] | undefined) ?? []).filter((x): x is OidcScope => x in SCOPE_TEXT);
  const token = csrfToken(req, reply);
  allowFormRedirect(reply, d);
  const title = s(`${clientName} wil gegevens van u gebruiken`, `${clientName} wants to use your details`);
  return sendPage(reply, (
    <Shell req={req} library={library} title={title}>
      <h1 class="utrecht-heading-1">{title}</h1>
      <p class="utrecht-paragraph">{s(
        `Als u toestemming geeft, krijgt ${clientName} van ${library?.name ?? 'de bibliotheek'} alleen dit te weten:`,
        `If you agree, ${clientName} gets only this from ${library?.name ?? 'the library'}:`)}</p>
      <ul class="utrecht-unordered-list" id="scopes">
        {missing.map((scope) => <li class="utrecht-unordered-list__item" data-scope={scope}>{SCOPE_TEXT[scope][req.lang]}</li>)}
      </ul>
      <p class="utrecht-paragraph">{s('U kunt deze toestemming later intrekken bij de bibliotheek.', 'You can withdraw this consent later at the library.')}</p>
      <form class="eb-form" method="post" action={`/oidc-interaction/${d.uid}/consent`}>
        <Csrf token={token} />
        <button class="utrecht-button utrecht-button--primary-action" type="submit" name="decision" value="allow">{s('Toestaan', 'Allow')}</button>{' '}
        <button class="utrecht-button utrecht-button--secondary-action" type="submit" name="decision" value="deny">{s('Niet toestaan', 'Do not allow')}</button>
      </form>
    </Shell>
  ));
}

async function clientName(provider: Provider, d: InteractionDetails): Promise<string> {
  const client = await provider.Client.find(String(d.params.client_id ?? ''));
  return client?.clientName ?? client?.clientId ?? '?';
}

export function registerInteractionPages(app: FastifyInstance, getProvider: GetProvider): void {
  app.get('/oidc-interaction/:uid', async (req, reply) => {
    const provider = await getProvider(req);
    const d = await details(provider, req, reply);
    const name = await clientName(provider, d);
    if (d.prompt.name === 'login') {
      // already signed in to the portal: single sign-on, unless the service asks to sign in again
      const forced = String(d.params.prompt ?? '').split(' ').includes('login') || d.prompt.reasons.includes('max_age');
      if (req.ctx.actor.kind === 'account' && !forced) {
        const to = await provider.interactionResult(req.raw, reply.raw, { login: { accountId: req.ctx.actor.accountId } }, { mergeWithLastSubmission: false });
        return reply.redirect(to, 303);
      }
      return loginPage(req, reply, d, name);
    }
    if (d.prompt.name === 'consent') return consentPage(req, reply, d, name);
    throw InteractionExpired();
  });

  app.post('/oidc-interaction/:uid/login', async (req, reply) => {
    verifyCsrf(req);
    const provider = await getProvider(req);
    const d = await details(provider, req, reply);
    if (d.prompt.name !== 'login') throw InteractionExpired();
    const body = (req.body ?? {}) as Body;
    let signedIn: accounts.SignedIn;
    try {
      signedIn = await accounts.loginWithPassword(req.ctx, { email: body.email ?? '', password: body.password ?? '', clientIp: req.ip, device: deviceLabel(req.headers['user-agent']) });
    } catch (e) {
      if (!(e instanceof AppError) || e.status >= 500) throw e;
      return loginPage(req, reply, d, await clientName(provider, d), { email: body.email }, e.text[req.lang], e.status);
    }
    // signed in to the portal too: the next service signs in without a password
    setSessionCookie(reply, req.ctx.config, signedIn.token, signedIn.expiresAt);
    const to = await provider.interactionResult(req.raw, reply.raw, { login: { accountId: signedIn.accountId } }, { mergeWithLastSubmission: false });
    return reply.redirect(to, 303);
  });

  app.post('/oidc-interaction/:uid/consent', async (req, reply) => {
    verifyCsrf(req);
    const provider = await getProvider(req);
    const d = await details(provider, req, reply);
    if (d.prompt.name !== 'consent' || !d.session) throw InteractionExpired();
    // the person at the browser must be the person the provider signed in
    if (req.ctx.actor.kind === 'account' && req.ctx.actor.accountId !== d.session.accountId) throw Forbidden();
    if ((req.body as Body | undefined)?.decision !== 'allow') {
      const to = await provider.interactionResult(req.raw, reply.raw, { error: 'access_denied', error_description: 'End-User refused consent' }, { mergeWithLastSubmission: false });
      return reply.redirect(to, 303);
    }
    const grant = d.grantId
      ? (await provider.Grant.find(d.grantId)) ?? new provider.Grant({ accountId: d.session.accountId, clientId: String(d.params.client_id) })
      : new provider.Grant({ accountId: d.session.accountId, clientId: String(d.params.client_id) });
    const det = d.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
    if (det.missingOIDCScope?.length) grant.addOIDCScope(det.missingOIDCScope.join(' '));
    if (det.missingOIDCClaims?.length) grant.addOIDCClaims(det.missingOIDCClaims);
    for (const [resource, scopes] of Object.entries(det.missingResourceScopes ?? {})) grant.addResourceScope(resource, scopes.join(' '));
    const grantId = await grant.save();
    const to = await provider.interactionResult(req.raw, reply.raw, { consent: d.grantId ? {} : { grantId } }, { mergeWithLastSubmission: true });
    return reply.redirect(to, 303);
  });

  app.post('/oidc-interaction/:uid/abort', async (req, reply) => {
    verifyCsrf(req);
    const provider = await getProvider(req);
    await details(provider, req, reply);
    const to = await provider.interactionResult(req.raw, reply.raw, { error: 'access_denied', error_description: 'End-User aborted interaction' }, { mergeWithLastSubmission: false });
    return reply.redirect(to, 303);
  });
}
