// Pages of membership under the library's brand: sign-up, sign-in, "Mijn bibliotheek" and the
// staff area. Every form works without JavaScript: POST, then redirect (PRG), errors inline.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type FieldError } from '../../platform/errors.ts';
import { say, type Lang } from '../../platform/i18n.ts';
import { Csrf, ErrorSummary, Field, Notice } from '../../platform/views/forms.tsx';
import { sendPage } from '../../platform/views/render.ts';
import { code128Svg } from '../../shared/code128.ts';
import { parsePostcode } from '../../shared/postcode.ts';
import { csrfToken, verifyCsrf } from '../accounts/index.ts';
import * as accounts from '../accounts/accounts.service.ts';
import { resetUrlFor } from '../accounts/accounts.routes.ts';
import { clearSessionCookie, deviceLabel, setSessionCookie } from '../accounts/session.ts';
import { PortalPage, portalInfo, routePostcode, type PortalInfo } from '../network/index.ts';
import { formatCard } from './card.ts';
import * as membership from './membership.service.ts';

type Body = Record<string, string | undefined>;
const euro = (cents: number, lang: Lang) => new Intl.NumberFormat(lang === 'nl' ? 'nl-NL' : 'en-GB', { style: 'currency', currency: 'EUR' }).format(cents / 100);

const CONSENT_TEXT: Record<membership.ConsentPurpose, { nl: string; en: string; purposeNl: string; purposeEn: string }> = {
  reading_history: { nl: 'Bewaar mijn leengeschiedenis', en: 'Keep my reading history', purposeNl: 'Zo kunt u later terugzien wat u hebt gelezen. Zonder toestemming wissen wij na het terugbrengen de koppeling met u.', purposeEn: 'So you can look back at what you read. Without consent we remove the link to you after you return an item.' },
  reading_advice: { nl: 'Persoonlijk leesadvies', en: 'Personal reading advice', purposeNl: 'Wij gebruiken wat u leent om boeken voor u uit te zoeken.', purposeEn: 'We use what you borrow to pick books for you.' },
  newsletter: { nl: 'Nieuwsbrief', en: 'Newsletter', purposeNl: 'Af en toe een e-mail over activiteiten en nieuwe boeken.', purposeEn: 'An occasional e-mail about activities and new books.' },
  research: { nl: 'Anoniem onderzoek', en: 'Anonymous research', purposeNl: 'Uw gebruik telt mee in onderzoek naar bibliotheekgebruik, zonder dat u herkenbaar bent.', purposeEn: 'Your use counts in research on library use, without you being identifiable.' },
};

/** The four consents, each with its purpose in plain language (sign-up and Mijn bibliotheek). */
function ConsentFieldset({ lang, legend, granted }: { lang: Lang; legend: string; granted: (p: membership.ConsentPurpose) => boolean }) {
  return (
    <fieldset class="eb-fieldset">
      <legend>{legend}</legend>
      {membership.CONSENT_PURPOSES.map((purpose) => (
        <div class="eb-choice">
          <input type="checkbox" name={`consent_${purpose}`} id={`consent_${purpose}`} value="yes" checked={granted(purpose)} aria-describedby={`consent_${purpose}-why`} />
          <span>
            <label for={`consent_${purpose}`}>{lang === 'nl' ? CONSENT_TEXT[purpose].nl : CONSENT_TEXT[purpose].en}</label>
            <span class="eb-muted" id={`consent_${purpose}-why`}> — {lang === 'nl' ? CONSENT_TEXT[purpose].purposeNl : CONSENT_TEXT[purpose].purposeEn}</span>
          </span>
        </div>
      ))}
    </fieldset>
  );
}

function signInUrl(portal: PortalInfo): string {
  return `${portal.base}/inloggen`;
}

// ---------- sign-up ----------

async function signUpPage(req: FastifyRequest, reply: FastifyReply, form: Body, errors: FieldError[] = [], message?: string, status = 200) {
  const portal = portalInfo(req);
  const { lang, library } = portal;
  const s = say(lang);
  const postcode = form.postcode ?? '';
  let route: Awaited<ReturnType<typeof routePostcode>> | null = null;
  let routeError: string | null = null;
  if (postcode) {
    try {
      route = await routePostcode(req.ctx, postcode);
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      routeError = e.text[lang];
    }
  }
  const plans = route && route.library.slug === library.slug ? await membership.listPlans(req.ctx, library.id) : [];
  const token = csrfToken(req, reply);
  return sendPage(reply, (
    <PortalPage portal={portal} title={s('Lid worden', 'Join the library')} nav="account">
      <h1 class="utrecht-heading-1">{s('Lid worden', 'Join the library')}</h1>
      <ErrorSummary errors={errors} lang={lang} message={message} />
      {!route ? (
        <form class="eb-form" method="get" action={`${portal.base}/aanmelden`} novalidate>
          <p class="utrecht-paragraph">{s('U wordt lid bij de bibliotheek van uw gemeente. Begin met uw postcode.', 'You join the library of your municipality. Start with your postcode.')}</p>
          <Field name="postcode" label={s('Uw postcode', 'Your postcode')} lang={lang} required value={postcode} autocomplete="postal-code" maxlength={10}
            hint={s('Bijvoorbeeld 3511 AB', 'For example 3511 AB')} errors={routeError ? [{ field: 'postcode', message: { nl: routeError, en: routeError } }] : []} />
          <button class="utrecht-button utrecht-button--primary-action" type="submit">{s('Verder', 'Continue')}</button>
        </form>
      ) : route.library.slug !== library.slug ? (
        <section aria-labelledby="other-library">
          <h2 class="utrecht-heading-2" id="other-library">{route.library.name}</h2>
          <p class="utrecht-paragraph">{s(
            `Uw gemeente ${route.municipality.name} valt onder ${route.library.name}. U wordt lid bij de bibliotheek van uw eigen gemeente; daar kunt u ook alles van deze bibliotheek gebruiken.`,
            `Your municipality ${route.municipality.name} is served by ${route.library.name}. You join the library of your own municipality.`)}</p>
          <p class="utrecht-paragraph"><a class="utrecht-link" href={`${route.library.url}aanmelden?postcode=${encodeURIComponent(postcode)}`}>{s(`Lid worden bij ${route.library.name}`, `Join ${route.library.name}`)}</a></p>
        </section>
      ) : (
        <form class="eb-form" method="post" action={`${portal.base}/aanmelden`} novalidate>
          <Csrf token={token} />
          <Notice><p class="utrecht-paragraph">{s(
            `Uw gemeente ${route.municipality.name} valt onder ${library.name}. Daarom wordt u hier lid.`,
            `Your municipality ${route.municipality.name} is served by ${library.name}. That is why you join here.`)}</p></Notice>
          <input type="hidden" name="postcode" value={postcode} />
          <fieldset class="eb-fieldset" id="plan">
            <legend>{s('Kies uw abonnement', 'Choose your plan')}</legend>
            <p class="utrecht-paragraph">{s('Elk abonnement met lenen geeft ook toegang tot alle e-books en luisterboeken van de online bibliotheek.', 'Every plan with borrowing also gives access to all e-books and audiobooks of the online library.')}</p>
            {errors.some((e) => e.field === 'plan') ? <p class="utrecht-form-field-error-message">{errors.find((e) => e.field === 'plan')!.message[lang]}</p> : null}
            {plans.map((p) => (
              <div class="eb-choice">
                <input type="radio" name="plan" id={`plan-${p.code}`} value={p.code} checked={form.plan === p.code} />
                <label for={`plan-${p.code}`}>
                  <strong>{lang === 'nl' ? p.nameNl : p.nameEn}</strong>{' — '}
                  {p.yearlyFeeCents ? s(`${euro(p.yearlyFeeCents, lang)} per jaar`, `${euro(p.yearlyFeeCents, lang)} a year`) : s('gratis', 'free')}
                  {p.kind === 'lending'
                    ? s(`; ${p.maxPhysicalLoans} boeken en ${p.maxDigitalLoans} e-books tegelijk`, `; ${p.maxPhysicalLoans} books and ${p.maxDigitalLoans} e-books at a time`)
                    : s('; activiteiten, leesadvies en open digitale inhoud, zonder lenen', '; activities, reading advice and open digital content, no borrowing')}
                </label>
              </div>
            ))}
          </fieldset>
          <Field name="givenName" label={s('Voornaam', 'First name')} lang={lang} required value={form.givenName} autocomplete="given-name" errors={errors} maxlength={100} />
          <Field name="familyName" label={s('Achternaam', 'Last name')} lang={lang} required value={form.familyName} autocomplete="family-name" errors={errors} maxlength={100} />
          <Field name="email" label={s('E-mailadres', 'E-mail address')} lang={lang} required type="email" value={form.email} autocomplete="email" errors={errors} maxlength={254} />
          <Field name="password" label={s('Wachtwoord', 'Password')} lang={lang} required type="password" autocomplete="new-password" errors={errors}
            hint={s('Minstens 12 tekens. Een zin van een paar woorden is sterk en makkelijk te onthouden.', 'At least 12 characters. A sentence of a few words is strong and easy to remember.')} />
          <fieldset class="eb-fieldset">
            <legend>{s('Alleen nodig als u boeken wilt lenen', 'Only needed if you want to borrow')}</legend>
            <Field name="birthDate" label={s('Geboortedatum', 'Date of birth')} lang={lang} type="date" value={form.birthDate} autocomplete="bday" errors={errors} hint={s('Voor het jeugdabonnement en de leeftijdsgrens.', 'For the youth plan and age limits.')} />
            <Field name="street" label={s('Straat', 'Street')} lang={lang} value={form.street} autocomplete="address-line1" errors={errors} maxlength={120} />
            <Field name="houseNumber" label={s('Huisnummer', 'House number')} lang={lang} value={form.houseNumber} errors={errors} maxlength={20} />
            <Field name="city" label={s('Woonplaats', 'Town')} lang={lang} value={form.city} autocomplete="address-level2" errors={errors} maxlength={80} />
            <Field name="pin" label={s('Pincode voor de zelfservice-automaat', 'PIN for the self-service kiosk')} lang={lang} type="password" inputmode="numeric" autocomplete="off" errors={errors} maxlength={6} hint={s('4 tot 6 cijfers.', '4 to 6 digits.')} />
            {parsePostcode(postcode).ok && !(parsePostcode(postcode) as { letters: string | null }).letters
              ? <p class="utrecht-paragraph">{s('Om te lenen hebben wij uw volledige postcode nodig (met letters).', 'To borrow we need your full postcode (with letters).')}</p> : null}
          </fieldset>
          <Field name="phone" label={s('Telefoonnummer', 'Phone number')} lang={lang} type="tel" value={form.phone} autocomplete="tel" errors={errors} maxlength={30} />
          <ConsentFieldset lang={lang} legend={s('Waar geeft u toestemming voor? (mag u altijd veranderen)', 'What do you consent to? (you can always change this)')}
            granted={(p) => form[`consent_${p}`] === 'yes'} />
          <button class="utrecht-button utrecht-button--primary-action" type="submit">{s('Aanmelden', 'Sign up')}</button>
        </form>
      )}
    </PortalPage>
  ), status);
}

// ---------- sign-in ----------

function signInPage(req: FastifyRequest, reply: FastifyReply, form: Body, message?: string, status = 200) {
  const portal = portalInfo(req);
  const { lang } = portal;
  const s = say(lang);
  const token = csrfToken(req, reply);
  return sendPage(reply, (
    <PortalPage portal={portal} title={s('Inloggen', 'Sign in')} nav="account">
      <h1 class="utrecht-heading-1">{s('Inloggen', 'Sign in')}</h1>
      <ErrorSummary lang={lang} message={message} />
      <div class="eb-columns">
        <form class="eb-form" method="post" action={`${portal.base}/inloggen`} aria-labelledby="with-email">
          <h2 class="utrecht-heading-2" id="with-email">{s('Met e-mailadres', 'With e-mail address')}</h2>
          <Csrf token={token} />
          <input type="hidden" name="method" value="email" />
          {form.terug ? <input type="hidden" name="terug" value={form.terug} /> : null}
          <Field name="email" label={s('E-mailadres', 'E-mail address')} lang={lang} required type="email" value={form.email} autocomplete="username" maxlength={254} />
          <Field name="password" label={s('Wachtwoord', 'Password')} lang={lang} required type="password" autocomplete="current-password" />
          <button class="utrecht-button utrecht-button--primary-action" type="submit">{s('Inloggen', 'Sign in')}</button>
          <p class="utrecht-paragraph"><a class="utrecht-link" href={`${portal.base}/wachtwoord-vergeten`}>{s('Wachtwoord vergeten?', 'Forgot your password?')}</a></p>
        </form>
        <form class="eb-form" method="post" action={`${portal.base}/inloggen`} aria-labelledby="with-card">
          <h2 class="utrecht-heading-2" id="with-card">{s('Met pasnummer en pincode', 'With card number and PIN')}</h2>
          <Csrf token={token} />
          <input type="hidden" name="method" value="card" />
          {form.terug ? <input type="hidden" name="terug" value={form.terug} /> : null}
          <Field name="cardNumber" label={s('Pasnummer', 'Card number')} lang={lang} required value={form.cardNumber} inputmode="numeric" autocomplete="username" maxlength={20} />
          <Field name="pin" label={s('Pincode', 'PIN')} lang={lang} required type="password" inputmode="numeric" autocomplete="current-password" maxlength={6} />
          <button class="utrecht-button utrecht-button--primary-action" type="submit">{s('Inloggen', 'Sign in')}</button>
        </form>
      </div>
      <p class="utrecht-paragraph">{s('Nog geen lid?', 'Not a member yet?')} <a class="utrecht-link" href={`${portal.base}/aanmelden`}>{s('Word lid', 'Join')}</a></p>
    </PortalPage>
  ), status);
}

// ---------- Mijn bibliotheek ----------

async function myPage(req: FastifyRequest, reply: FastifyReply, flash?: string) {
  const portal = portalInfo(req);
  const { lang } = portal;
  const s = say(lang);
  const o = await membership.myOverview(req.ctx);
  const sessions = await accounts.listSessions(req.ctx, o.account.id);
  const token = csrfToken(req, reply);
  const consent = (p: membership.ConsentPurpose) => o.consents.find((c) => c.purpose === p)?.granted ?? false;
  return sendPage(reply, (
    <PortalPage portal={portal} title={s('Mijn bibliotheek', 'My library')} nav="account">
      <h1 class="utrecht-heading-1">{s('Mijn bibliotheek', 'My library')}</h1>
      {flash ? <Notice><p class="utrecht-paragraph">{flash}</p></Notice> : null}
      {!o.account.emailVerifiedAt ? <Notice><p class="utrecht-paragraph">{s('Bevestig nog uw e-mailadres met de link in de e-mail die wij u stuurden.', 'Please confirm your e-mail address with the link in the e-mail we sent you.')}</p></Notice> : null}
      {o.account.status === 'deleting' ? (
        <div class="utrecht-alert utrecht-alert--warning eb-alert" role="status">
          <p class="utrecht-paragraph">{s('Uw account wordt verwijderd 14 dagen na uw verzoek.', 'Your account will be deleted 14 days after your request.')}</p>
          <form method="post" action={`${portal.base}/mijn/verwijderen/annuleren`}><Csrf token={token} />
            <button class="utrecht-button utrecht-button--secondary-action" type="submit">{s('Toch niet verwijderen', 'Keep my account')}</button></form>
        </div>
      ) : null}
      {o.membership?.kind === 'lending' ? (
        <p class="utrecht-paragraph eb-lead"><a class="utrecht-link" href={`${portal.base}/mijn/leningen`}>{s('Mijn leningen, reserveringen en kosten', 'My loans, holds and charges')}</a></p>
      ) : null}
      <section aria-labelledby="card">
        <h2 class="utrecht-heading-2" id="card">{s('Abonnement en pas', 'Plan and card')}</h2>
        {o.membership ? (
          <>
            <dl class="eb-dl">
              <dt>{s('Abonnement', 'Plan')}</dt><dd>{lang === 'nl' ? o.membership.nameNl : o.membership.nameEn}</dd>
              <dt>{s('Pasnummer', 'Card number')}</dt><dd>{formatCard(o.membership.cardNumber)}</dd>
              {o.membership.validUntil ? <><dt>{s('Geldig tot', 'Valid until')}</dt><dd>{o.membership.validUntil}</dd></> : null}
              {o.membership.kind === 'lending' ? <><dt>{s('Tegelijk lenen', 'Borrow at a time')}</dt><dd>{s(`${o.membership.maxPhysicalLoans} boeken en ${o.membership.maxDigitalLoans} e-books of luisterboeken`, `${o.membership.maxPhysicalLoans} books and ${o.membership.maxDigitalLoans} e-books or audiobooks`)}</dd></> : null}
            </dl>
            <div class="eb-card-visual" dangerouslySetInnerHTML={{ __html: code128Svg(o.membership.cardNumber, { title: s(`Streepjescode van pasnummer ${o.membership.cardNumber}`, `Barcode of card number ${o.membership.cardNumber}`) }) }} />
          </>
        ) : <p class="utrecht-paragraph">{s('U hebt geen lidmaatschap.', 'You have no membership.')}</p>}
        {o.charges.filter((c) => !c.paidAt).length ? (
          <p class="utrecht-paragraph">{s('Nog te betalen aan de balie: ', 'Still to pay at the desk: ')}{o.charges.filter((c) => !c.paidAt).map((c) => `${c.description} (${euro(c.amountCents, lang)})`).join(', ')}</p>
        ) : null}
      </section>
      <section aria-labelledby="profile">
        <h2 class="utrecht-heading-2" id="profile">{s('Mijn gegevens', 'My details')}</h2>
        <dl class="eb-dl">
          <dt>{s('Naam', 'Name')}</dt><dd>{o.profile ? `${o.profile.givenName} ${o.profile.familyName}` : '—'}</dd>
          <dt>{s('E-mailadres', 'E-mail address')}</dt><dd>{o.account.email}</dd>
          {o.profile?.street ? <><dt>{s('Adres', 'Address')}</dt><dd>{o.profile.street} {o.profile.houseNumber}, {o.profile.postcode} {o.profile.city}</dd></> : null}
          {o.profile?.birthDate ? <><dt>{s('Geboortedatum', 'Date of birth')}</dt><dd>{o.profile.birthDate}</dd></> : null}
        </dl>
      </section>
      <section aria-labelledby="consents">
        <h2 class="utrecht-heading-2" id="consents">{s('Toestemmingen', 'Consents')}</h2>
        <form class="eb-form" method="post" action={`${portal.base}/mijn/toestemmingen`}>
          <Csrf token={token} />
          <ConsentFieldset lang={lang} legend={s('Waar geeft u toestemming voor?', 'What do you consent to?')} granted={consent} />
          <button class="utrecht-button utrecht-button--primary-action" type="submit">{s('Opslaan', 'Save')}</button>
        </form>
      </section>
      <section aria-labelledby="sessions">
        <h2 class="utrecht-heading-2" id="sessions">{s('Waar bent u ingelogd?', 'Where are you signed in?')}</h2>
        <ul class="utrecht-unordered-list">
          {sessions.map((x) => <li class="utrecht-unordered-list__item">{x.device} — {s('laatst actief', 'last active')} {x.lastSeenAt.toISOString().slice(0, 16).replace('T', ' ')}{x.idHash === req.session?.hash ? s(' (dit apparaat)', ' (this device)') : ''}</li>)}
        </ul>
        <form method="post" action={`${portal.base}/mijn/sessies/afmelden`}><Csrf token={token} />
          <button class="utrecht-button utrecht-button--secondary-action" type="submit">{s('Overal uitloggen', 'Sign out everywhere')}</button></form>
      </section>
      <section aria-labelledby="privacy">
        <h2 class="utrecht-heading-2" id="privacy">{s('Uw gegevens', 'Your data')}</h2>
        <p class="utrecht-paragraph"><a class="utrecht-link" href={`${portal.base}/mijn/gegevens.json`} download="mijn-gegevens.json">{s('Download alles wat wij over u bewaren (JSON)', 'Download everything we hold about you (JSON)')}</a></p>
        {o.account.status === 'active' ? (
          <form method="post" action={`${portal.base}/mijn/verwijderen`}><Csrf token={token} />
            <p class="utrecht-paragraph">{s('Na 14 dagen worden uw persoonsgegevens gewist. Tot die tijd kunt u dit terugdraaien.', 'After 14 days your personal data is erased. Until then you can undo this.')}</p>
            <button class="utrecht-button utrecht-button--secondary-action" type="submit">{s('Mijn account verwijderen', 'Delete my account')}</button></form>
        ) : null}
      </section>
      <form method="post" action={`${portal.base}/uitloggen`}><Csrf token={token} />
        <button class="utrecht-button utrecht-button--primary-action" type="submit">{s('Uitloggen', 'Sign out')}</button></form>
    </PortalPage>
  ));
}

function simplePage(req: FastifyRequest, reply: FastifyReply, title: string, paragraphs: string[], status = 200) {
  const portal = portalInfo(req);
  return sendPage(reply, (
    <PortalPage portal={portal} title={title} nav="account">
      <h1 class="utrecht-heading-1">{title}</h1>
      {paragraphs.map((p) => <p class="utrecht-paragraph">{p}</p>)}
    </PortalPage>
  ), status);
}

function consentsFrom(body: Body): Record<membership.ConsentPurpose, boolean> {
  return Object.fromEntries(membership.CONSENT_PURPOSES.map((p) => [p, body[`consent_${p}`] === 'yes'])) as Record<membership.ConsentPurpose, boolean>;
}

/**
 * Where to go after signing in: a page of this portal the visitor came from (`?terug=`), never
 * another site (an open redirect would let a phishing link borrow the library's address).
 */
export function returnPath(portal: PortalInfo, value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 500) return null;
  if (!value.startsWith(`${portal.base}/`) || value.startsWith('//') || /[\\\s]/.test(value)) return null;
  return value;
}

function signedIn(req: FastifyRequest, reply: FastifyReply): boolean {
  if (req.ctx.actor.kind === 'account') return true;
  void reply.redirect(`${signInUrl(portalInfo(req))}`, 303);
  return false;
}

export function registerMembershipPages(scope: FastifyInstance): void {
  scope.get('/:slug/aanmelden', async (req, reply) => signUpPage(req, reply, { postcode: String((req.query as Body).postcode ?? '').slice(0, 10) }));

  scope.post('/:slug/aanmelden', async (req, reply) => {
    verifyCsrf(req);
    const body = (req.body ?? {}) as Body;
    const portal = portalInfo(req);
    try {
      await membership.signUp(req.ctx, {
        postcode: body.postcode ?? '', plan: body.plan ?? '', email: body.email ?? '', password: body.password ?? '',
        givenName: body.givenName ?? '', familyName: body.familyName ?? '', birthDate: body.birthDate || undefined,
        street: body.street, houseNumber: body.houseNumber, city: body.city, phone: body.phone, pin: body.pin,
        consents: consentsFrom(body), language: portal.lang,
      }, portal.library.id, { verifyUrl: (lib, token) => membership.verifyLink(req.ctx, lib, token) });
      return reply.redirect(`${portal.base}/aanmelden/verstuurd`, 303);
    } catch (e) {
      if (!(e instanceof AppError) || e.status >= 500) throw e;
      // never echo secrets back into the form
      const { password: _p, pin: _n, ...keep } = body;
      return signUpPage(req, reply, keep, e.fields, e.fields.length ? undefined : e.text[portal.lang], e.status);
    }
  });

  scope.get('/:slug/aanmelden/verstuurd', async (req, reply) => {
    const s = say(req.lang);
    return simplePage(req, reply, s('Kijk in uw mail', 'Check your e-mail'), [
      s('Wij hebben u een e-mail gestuurd. Klik op de link in die e-mail om uw aanmelding af te ronden. De link werkt 48 uur.', 'We have sent you an e-mail. Click the link in it to complete your registration. The link works for 48 hours.'),
      s('Geen e-mail ontvangen? Kijk ook in uw map met ongewenste e-mail.', 'No e-mail? Also check your spam folder.'),
    ]);
  });

  scope.get('/:slug/mijn/bevestigen', async (req, reply) => {
    const s = say(req.lang);
    try {
      await accounts.verifyEmail(req.ctx, String((req.query as Body).token ?? ''));
      return simplePage(req, reply, s('E-mailadres bevestigd', 'E-mail address confirmed'), [s('Dank u wel. U kunt nu inloggen.', 'Thank you. You can now sign in.')]);
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      return simplePage(req, reply, s('Deze link werkt niet meer', 'This link no longer works'), [e.text[req.lang]], e.status);
    }
  });

  scope.get('/:slug/inloggen', async (req, reply) => signInPage(req, reply, { terug: returnPath(portalInfo(req), (req.query as Body).terug) ?? undefined }));

  scope.post('/:slug/inloggen', async (req, reply) => {
    verifyCsrf(req);
    const body = (req.body ?? {}) as Body;
    const portal = portalInfo(req);
    try {
      const device = deviceLabel(req.headers['user-agent']);
      const result = body.method === 'card'
        ? await accounts.loginWithCard(req.ctx, { cardNumber: body.cardNumber ?? '', pin: body.pin ?? '', clientIp: req.ip, device })
        : await accounts.loginWithPassword(req.ctx, { email: body.email ?? '', password: body.password ?? '', clientIp: req.ip, device });
      setSessionCookie(reply, req.ctx.config, result.token, result.expiresAt);
      return reply.redirect(returnPath(portal, body.terug) ?? `${portal.base}/mijn`, 303);
    } catch (e) {
      if (!(e instanceof AppError) || e.status >= 500) throw e;
      return signInPage(req, reply, { email: body.email, cardNumber: body.cardNumber, terug: returnPath(portal, body.terug) ?? undefined }, e.text[portal.lang], e.status);
    }
  });

  scope.post('/:slug/uitloggen', async (req, reply) => {
    verifyCsrf(req);
    if (req.session) await accounts.logout(req.ctx, req.session.hash);
    clearSessionCookie(reply, req.ctx.config);
    return reply.redirect(`${portalInfo(req).base}/`, 303);
  });

  scope.get('/:slug/mijn', async (req, reply) => {
    if (!signedIn(req, reply)) return reply;
    const flash = (req.query as Body).bericht;
    const s = say(req.lang);
    const messages: Record<string, string> = {
      toestemmingen: s('Uw toestemmingen zijn opgeslagen en gelden meteen.', 'Your consents are saved and apply at once.'),
      verwijderen: s('Uw account wordt over 14 dagen verwijderd.', 'Your account will be deleted in 14 days.'),
      behouden: s('Uw account blijft bestaan.', 'Your account is kept.'),
    };
    return myPage(req, reply, flash ? messages[flash] : undefined);
  });

  scope.post('/:slug/mijn/toestemmingen', async (req, reply) => {
    verifyCsrf(req);
    if (!signedIn(req, reply)) return reply;
    await membership.setConsents(req.ctx, consentsFrom((req.body ?? {}) as Body));
    return reply.redirect(`${portalInfo(req).base}/mijn?bericht=toestemmingen`, 303);
  });

  scope.post('/:slug/mijn/sessies/afmelden', async (req, reply) => {
    verifyCsrf(req);
    if (!signedIn(req, reply)) return reply;
    await accounts.logoutEverywhere(req.ctx, req.session!.accountId);
    clearSessionCookie(reply, req.ctx.config);
    return reply.redirect(`${portalInfo(req).base}/inloggen`, 303);
  });

  scope.get('/:slug/mijn/gegevens.json', async (req, reply) => {
    if (!signedIn(req, reply)) return reply;
    const data = await membership.exportMyData(req.ctx);
    return reply.header('content-disposition', 'attachment; filename="mijn-gegevens.json"').type('application/json; charset=utf-8').send(JSON.stringify(data, null, 2));
  });

  scope.post('/:slug/mijn/verwijderen', async (req, reply) => {
    verifyCsrf(req);
    if (!signedIn(req, reply)) return reply;
    await membership.requestDeletion(req.ctx);
    return reply.redirect(`${portalInfo(req).base}/mijn?bericht=verwijderen`, 303);
  });

  scope.post('/:slug/mijn/verwijderen/annuleren', async (req, reply) => {
    verifyCsrf(req);
    if (!signedIn(req, reply)) return reply;
    await membership.cancelDeletion(req.ctx);
    return reply.redirect(`${portalInfo(req).base}/mijn?bericht=behouden`, 303);
  });

  scope.get('/:slug/wachtwoord-vergeten', async (req, reply) => forgotPage(req, reply, {}));
  scope.post('/:slug/wachtwoord-vergeten', async (req, reply) => {
    verifyCsrf(req);
    const body = (req.body ?? {}) as Body;
    try {
      await accounts.requestPasswordReset(req.ctx, { email: body.email ?? '', resetUrl: resetUrlFor(req.ctx) });
    } catch (e) {
      if (!(e instanceof AppError) || e.status >= 500) throw e;
      return forgotPage(req, reply, body, e.fields, e.status);
    }
    const s = say(req.lang);
    return simplePage(req, reply, s('Kijk in uw mail', 'Check your e-mail'), [s('Als er een account bij dit e-mailadres hoort, hebben wij een link gestuurd om een nieuw wachtwoord te kiezen. De link werkt een uur.', 'If an account belongs to this address, we have sent a link to choose a new password. The link works for one hour.')]);
  });

  scope.get('/:slug/wachtwoord-herstellen', async (req, reply) => resetPage(req, reply, String((req.query as Body).token ?? '')));
  scope.post('/:slug/wachtwoord-herstellen', async (req, reply) => {
    verifyCsrf(req);
    const body = (req.body ?? {}) as Body;
    try {
      await accounts.resetPassword(req.ctx, { token: body.token ?? '', password: body.password ?? '' });
    } catch (e) {
      if (!(e instanceof AppError) || e.status >= 500) throw e;
      return resetPage(req, reply, body.token ?? '', e.fields.length ? e.fields : undefined, e.fields.length ? undefined : e.text[req.lang], e.status);
    }
    return reply.redirect(`${portalInfo(req).base}/inloggen`, 303);
  });
}

function forgotPage(req: FastifyRequest, reply: FastifyReply, form: Body, errors: FieldError[] = [], status = 200) {
  const portal = portalInfo(req);
  const s = say(portal.lang);
  return sendPage(reply, (
    <PortalPage portal={portal} title={s('Wachtwoord vergeten', 'Forgot password')} nav="account">
      <h1 class="utrecht-heading-1">{s('Wachtwoord vergeten', 'Forgot password')}</h1>
      <ErrorSummary errors={errors} lang={portal.lang} />
      <form class="eb-form" method="post" action={`${portal.base}/wachtwoord-vergeten`} novalidate>
        <Csrf token={csrfToken(req, reply)} />
        <Field name="email" label={s('E-mailadres', 'E-mail address')} lang={portal.lang} required type="email" value={form.email} autocomplete="email" errors={errors} maxlength={254} />
        <button class="utrecht-button utrecht-button--primary-action" type="submit">{s('Stuur mij een link', 'Send me a link')}</button>
      </form>
    </PortalPage>
  ), status);
}

function resetPage(req: FastifyRequest, reply: FastifyReply, token: string, errors: FieldError[] = [], message?: string, status = 200) {
  const portal = portalInfo(req);
  const s = say(portal.lang);
  return sendPage(reply, (
    <PortalPage portal={portal} title={s('Nieuw wachtwoord kiezen', 'Choose a new password')} nav="account">
      <h1 class="utrecht-heading-1">{s('Nieuw wachtwoord kiezen', 'Choose a new password')}</h1>
      <ErrorSummary errors={errors} lang={portal.lang} message={message} />
      <form class="eb-form" method="post" action={`${portal.base}/wachtwoord-herstellen`} novalidate>
        <Csrf token={csrfToken(req, reply)} />
        <input type="hidden" name="token" value={token} />
        <Field name="password" label={s('Nieuw wachtwoord', 'New password')} lang={portal.lang} required type="password" autocomplete="new-password" errors={errors}
          hint={s('Minstens 12 tekens. Daarna bent u overal uitgelogd.', 'At least 12 characters. You will then be signed out everywhere.')} />
        <button class="utrecht-button utrecht-button--primary-action" type="submit">{s('Opslaan', 'Save')}</button>
      </form>
    </PortalPage>
  ), status);
}
