// Server-rendered pages of activities under the library's brand: the agenda (filters without
// JavaScript), the activity page with schema.org Event JSON-LD, and the registration and
// cancellation forms (POST-redirect-GET, CSRF, inline errors).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type FieldError } from '../../platform/errors.ts';
import type { Lang } from '../../platform/i18n.ts';
import { sendPage } from '../../platform/views/render.ts';
import { LoginRequired, csrfToken, verifyCsrf } from '../accounts/index.ts';
import { PortalPage, libraryUrl, portalInfo, type PortalInfo } from '../network/index.ts';
import { AUDIENCE_LABELS, FUNCTION_LABELS, KIND_LABELS, priceText, whenText } from './activities.labels.ts';
import { agendaQuery, feedFor } from './activities.routes.ts';
import * as activities from './activities.service.ts';
import { AUDIENCES, STATUTORY_FUNCTIONS, type Audience, type StatutoryFunction } from './activities.tables.ts';

const T = {
  agenda: { nl: 'Activiteiten', en: 'Activities' },
  intro: {
    nl: 'Lezingen, cursussen, spreekuren en meer in de bibliotheek en online. Vaak gratis.',
    en: 'Talks, courses, help desks and more, in the library and online. Often free.',
  },
  filters: { nl: 'Filter de agenda', en: 'Filter the calendar' },
  from: { nl: 'Vanaf', en: 'From' },
  to: { nl: 'Tot en met', en: 'Until' },
  audience: { nl: 'Voor wie', en: 'For whom' },
  fn: { nl: 'Bibliotheekfunctie', en: 'Library function' },
  where: { nl: 'Waar', en: 'Where' },
  price: { nl: 'Prijs', en: 'Price' },
  any: { nl: 'Alles', en: 'Any' },
  everywhere: { nl: 'Alle vestigingen en online', en: 'All branches and online' },
  online: { nl: 'Online', en: 'Online' },
  freeOnly: { nl: 'Alleen gratis', en: 'Free only' },
  paidOnly: { nl: 'Alleen betaald', en: 'Paid only' },
  apply: { nl: 'Toon activiteiten', en: 'Show activities' },
  none: { nl: 'Geen activiteiten gevonden. Probeer andere filters.', en: 'No activities found. Try other filters.' },
  count: { nl: (n: number) => `${n} activiteiten`, en: (n: number) => `${n} activities` },
  meetings: { nl: (n: number) => `cursus van ${n} bijeenkomsten`, en: (n: number) => `course of ${n} meetings` },
  full: { nl: 'Vol: wachtlijst', en: 'Full: waiting list' },
  seatsLeft: { nl: (n: number) => `Nog ${n} plaatsen`, en: (n: number) => `${n} seats left` },
  walkIn: { nl: 'Vrij binnenlopen', en: 'Walk in' },
  calendar: { nl: 'Agenda in uw eigen agenda-app (iCalendar)', en: 'Subscribe in your calendar app (iCalendar)' },
  addToCalendar: { nl: 'Zet in mijn agenda', en: 'Add to my calendar' },
  dates: { nl: 'Datum en tijd', en: 'Date and time' },
  place: { nl: 'Plaats', en: 'Place' },
  register: { nl: 'Aanmelden', en: 'Register' },
  email: { nl: 'Uw e-mailadres', en: 'Your e-mail address' },
  emailHint: { nl: 'Hier sturen wij de bevestiging naartoe.', en: 'We send the confirmation here.' },
  consent: {
    nl: 'Ik geef de bibliotheek toestemming mijn e-mailadres te gebruiken voor deze aanmelding. Zo krijg ik een gratis account.',
    en: 'I allow the library to use my e-mail address for this registration. This gives me a free account.',
  },
  chooseDate: { nl: 'Kies een datum', en: 'Choose a date' },
  send: { nl: 'Aanmelden', en: 'Register' },
  confirmed: { nl: 'U bent aangemeld. U krijgt een bevestiging per e-mail.', en: 'You are registered. You will receive a confirmation by e-mail.' },
  waitlisted: { nl: (n: string) => `Deze activiteit is vol. U staat op de wachtlijst op plaats ${n}. Komt er een plek vrij, dan krijgt u bericht.`, en: (n: string) => `This activity is full. You are number ${n} on the waiting list. We will let you know when a seat comes free.` },
  cancelled: { nl: 'U bent afgemeld.', en: 'Your registration is cancelled.' },
  mine: { nl: 'Uw aanmelding', en: 'Your registration' },
  cancel: { nl: 'Afmelden', en: 'Cancel registration' },
  onWaitlist: { nl: (n: number) => `U staat op de wachtlijst (plaats ${n}).`, en: (n: number) => `You are on the waiting list (number ${n}).` },
  haveSeat: { nl: 'U bent aangemeld.', en: 'You are registered.' },
  join: { nl: 'Deelnemen via deze link', en: 'Join through this link' },
  joinLater: { nl: 'De link om deel te nemen ziet u hier na uw aanmelding.', en: 'The joining link shows here once you are registered.' },
  cancelledActivity: { nl: 'Deze activiteit gaat niet door.', en: 'This activity has been cancelled.' },
  problem: { nl: 'Er is een probleem', en: 'There is a problem' },
  partner: { nl: 'In samenwerking met', en: 'In partnership with' },
  language: { nl: 'Taal', en: 'Language' },
  back: { nl: 'Alle activiteiten', en: 'All activities' },
  manage: { nl: 'Beheer activiteiten', en: 'Manage activities' },
  cancelTitle: { nl: 'Afmelden', en: 'Cancel registration' },
  cancelConfirm: { nl: 'Wilt u zich afmelden voor deze activiteit?', en: 'Do you want to cancel your registration for this activity?' },
};

const t = (lang: Lang) => <K extends { nl: string; en: string }>(x: K) => x[lang];

export function ErrorSummary({ lang, errors }: { lang: Lang; errors: { field: string | null; text: string }[] }) {
  if (!errors.length) return null;
  return (
    <div class="eb-error-summary" role="alert" aria-labelledby="error-summary-title" tabindex={-1}>
      <h2 id="error-summary-title" class="utrecht-heading-2">{T.problem[lang]}</h2>
      <ul class="utrecht-unordered-list">
        {errors.map((e) => <li class="utrecht-unordered-list__item">{e.field ? <a class="utrecht-link" href={`#${e.field}`}>{e.text}</a> : e.text}</li>)}
      </ul>
    </div>
  );
}

export function errorsOf(error: AppError, lang: Lang): { field: string | null; text: string }[] {
  if (error.fields.length) return error.fields.map((f: FieldError) => ({ field: f.field, text: f.message[lang] }));
  return [{ field: null, text: error.text[lang] }];
}

function one<T extends string>(value: unknown, allowed: readonly T[]): T | undefined {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : undefined;
}

function dateParam(value: unknown): string | undefined {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : undefined;
}

function agendaPage(portal: PortalInfo, entries: activities.AgendaEntry[], branches: { slug: string; name: string }[], q: Record<string, string | undefined>, staff: boolean) {
  const { lang, base } = portal;
  const tt = t(lang);
  const select = (id: string, label: string, options: [string, string][], value: string | undefined) => (
    <div class="utrecht-form-field">
      <label class="utrecht-form-label" for={id}>{label}</label>
      <select class="utrecht-select utrecht-select--html-select" id={id} name={id}>
        <option value="">{tt(T.any)}</option>
        {options.map(([v, l]) => <option value={v} selected={value === v}>{l}</option>)}
      </select>
    </div>
  );
  return (
    <PortalPage portal={portal} title={tt(T.agenda)} nav="activities" description={tt(T.intro)}>
      <h1 class="utrecht-heading-1">{tt(T.agenda)}</h1>
      <p class="utrecht-paragraph eb-lead">{tt(T.intro)}</p>
      {staff ? <p class="utrecht-paragraph"><a class="utrecht-link" href={`${base}/beheer/activiteiten`}>{tt(T.manage)}</a></p> : null}
      <form class="eb-filters" method="get" action={`${base}/activiteiten`} aria-labelledby="filters-title">
        <h2 id="filters-title" class="utrecht-heading-2">{tt(T.filters)}</h2>
        <div class="eb-filters__grid">
          <div class="utrecht-form-field">
            <label class="utrecht-form-label" for="from">{tt(T.from)}</label>
            <input class="utrecht-textbox utrecht-textbox--html-input" type="date" id="from" name="from" value={q.from ?? ''} />
          </div>
          <div class="utrecht-form-field">
            <label class="utrecht-form-label" for="to">{tt(T.to)}</label>
            <input class="utrecht-textbox utrecht-textbox--html-input" type="date" id="to" name="to" value={q.to ?? ''} />
          </div>
          {select('audience', tt(T.audience), AUDIENCES.map((a) => [a, AUDIENCE_LABELS[a][lang]]), q.audience)}
          {select('function', tt(T.fn), STATUTORY_FUNCTIONS.map((f) => [f, FUNCTION_LABELS[f][lang]]), q.function)}
          {select('branch', tt(T.where), [['online', tt(T.online)], ...branches.map((b): [string, string] => [b.slug, b.name])], q.branch)}
          {select('free', tt(T.price), [['true', tt(T.freeOnly)], ['false', tt(T.paidOnly)]], q.free)}
        </div>
        <button class="utrecht-button utrecht-button--primary-action" type="submit">{tt(T.apply)}</button>
      </form>
      <h2 class="utrecht-heading-2" id="results">{T.count[lang](entries.length)}</h2>
      {entries.length ? (
        <ul class="eb-agenda" aria-labelledby="results">
          {entries.map((e) => (
            <li class="eb-agenda__item">
              <h3 class="utrecht-heading-3 eb-card__title"><a class="utrecht-link" href={`${base}/activiteiten/${e.id}`}>{e.title}</a></h3>
              <p class="eb-agenda__when">
                {/* a machine-readable date for assistive tech and search engines */}
                <time datetime={e.startsAt.toISOString()}>{whenText(lang, e.startsAt, e.endsAt)}</time>
                {e.kind === 'course' && e.sessionCount > 1 ? ` · ${T.meetings[lang](e.sessionCount)}` : ''}
              </p>
              <p class="eb-agenda__meta">
                {KIND_LABELS[e.kind][lang]} · {e.online ? tt(T.online) : e.branchName ?? e.location ?? ''} · {priceText(lang, e.priceCents)}
                {' · '}{!e.registrationRequired ? tt(T.walkIn)
                  : e.capacity === null ? '' : e.capacity - e.seatsTaken > 0 ? T.seatsLeft[lang](e.capacity - e.seatsTaken) : tt(T.full)}
              </p>
              <ul class="eb-tags" aria-label={tt(T.fn)}>
                {e.statutoryFunctions.map((f) => <li class="eb-tag">{FUNCTION_LABELS[f][lang]}</li>)}
              </ul>
            </li>
          ))}
        </ul>
      ) : <p class="utrecht-paragraph">{tt(T.none)}</p>}
      <p class="utrecht-paragraph"><a class="utrecht-link" href={`${base}/activiteiten.ics`}>{tt(T.calendar)}</a></p>
    </PortalPage>
  );
}

export function eventJsonLd(portal: PortalInfo, a: activities.ActivityDetail, url: string, home: string) {
  const upcoming = a.sessions.filter((s) => s.endsAt.getTime() > Date.now());
  const shown = upcoming.length ? upcoming : a.sessions;
  const first = shown[0];
  const place = a.online
    ? { '@type': 'VirtualLocation', url }
    : {
      '@type': 'Place',
      name: a.branchName ?? a.location ?? portal.library.name,
      ...(a.branchStreet ? {
        address: { '@type': 'PostalAddress', streetAddress: `${a.branchStreet} ${a.branchHouseNumber}`, postalCode: a.branchPostcode, addressLocality: a.branchCity, addressCountry: 'NL' },
      } : {}),
    };
  const seatsLeft = first && first.capacity !== null ? first.capacity - first.seatsTaken : null;
  const event = (s: { startsAt: Date; endsAt: Date }) => ({ startDate: s.startsAt.toISOString(), endDate: s.endsAt.toISOString() });
  return {
    '@context': 'https://schema.org',
    '@type': a.kind === 'course' ? 'EducationEvent' : 'Event',
    name: a.title,
    description: a.description || undefined,
    url,
    ...(first ? event(first) : {}),
    eventStatus: a.status === 'cancelled' ? 'https://schema.org/EventCancelled' : 'https://schema.org/EventScheduled',
    eventAttendanceMode: a.online ? 'https://schema.org/OnlineEventAttendanceMode' : 'https://schema.org/OfflineEventAttendanceMode',
    location: place,
    inLanguage: a.language,
    organizer: { '@type': 'Library', name: a.organiser.name, url: home },
    ...(a.partner ? { contributor: { '@type': 'Organization', name: a.partner } } : {}),
    isAccessibleForFree: a.priceCents === 0,
    offers: {
      '@type': 'Offer', url, price: (a.priceCents / 100).toFixed(2), priceCurrency: 'EUR',
      availability: seatsLeft !== null && seatsLeft <= 0 ? 'https://schema.org/SoldOut' : 'https://schema.org/InStock',
    },
    audience: a.audience.map((x) => ({ '@type': 'Audience', audienceType: AUDIENCE_LABELS[x].en })),
    keywords: a.statutoryFunctions.map((f) => FUNCTION_LABELS[f].nl).join(', '),
    ...(a.sessions.length > 1 ? { subEvent: shown.slice(1, 20).map((s) => ({ '@type': 'Event', name: a.title, ...event(s) })) } : {}),
  };
}

interface RegisterForm {
  email?: string;
  consent?: boolean;
  sessionId?: string;
  errors?: { field: string | null; text: string }[];
}

function activityPage(portal: PortalInfo, a: activities.ActivityDetail & { organiserId: string }, csrf: string, signedIn: boolean, notice: string | null, form: RegisterForm, url: string, home: string) {
  const { lang, base } = portal;
  const tt = t(lang);
  const errors = form.errors ?? [];
  const fieldError = (f: string) => errors.find((e) => e.field === f)?.text;
  const upcoming = a.sessions.filter((s) => s.status === 'scheduled' && s.endsAt.getTime() > Date.now());
  const live = a.mine.filter((r) => r.status !== 'cancelled');
  const bookable = a.status === 'published' && a.registrationRequired && upcoming.length > 0;
  const chooseSession = a.kind !== 'course' && upcoming.length > 1;
  return (
    <PortalPage portal={portal} title={a.title} nav="activities" description={a.description.slice(0, 160)} jsonLd={eventJsonLd(portal, a, url, home)}>
      <p class="eb-breadcrumb"><a class="utrecht-link" href={`${base}/activiteiten`}>{tt(T.back)}</a></p>
      <h1 class="utrecht-heading-1">{a.title}</h1>
      <ErrorSummary lang={lang} errors={errors} />
      {notice ? <div class="eb-notice" role="status"><p class="utrecht-paragraph">{notice}</p></div> : null}
      {a.status === 'cancelled' ? <p class="eb-state eb-state--closed">{tt(T.cancelledActivity)}</p> : null}
      {a.organiserId !== portal.library.id ? (
        <p class="utrecht-paragraph">{lang === 'nl' ? `Een online activiteit van ${a.organiser.name}, voor leden van alle bibliotheken.` : `An online activity by ${a.organiser.name}, open to members of every library.`}</p>
      ) : null}
      <p class="eb-agenda__meta">{KIND_LABELS[a.kind][lang]} · {priceText(lang, a.priceCents)}{a.audience.length ? ` · ${a.audience.map((x) => AUDIENCE_LABELS[x][lang]).join(', ')}` : ''}</p>
      {a.description.split(/\n{2,}/).filter(Boolean).map((p) => <p class="utrecht-paragraph">{p}</p>)}
      <ul class="eb-tags" aria-label={tt(T.fn)}>{a.statutoryFunctions.map((f) => <li class="eb-tag">{FUNCTION_LABELS[f][lang]}</li>)}</ul>
      <div class="eb-columns">
        <section aria-labelledby="dates">
          <h2 id="dates" class="utrecht-heading-2">{tt(T.dates)}</h2>
          <ul class="utrecht-unordered-list">
            {a.sessions.map((s) => <li class="utrecht-unordered-list__item"><time datetime={s.startsAt.toISOString()}>{whenText(lang, s.startsAt, s.endsAt)}</time></li>)}
          </ul>
          <p class="utrecht-paragraph"><a class="utrecht-link" href={`${base}/activiteiten/${a.id}/agenda.ics`}>{tt(T.addToCalendar)}</a></p>
        </section>
        <section aria-labelledby="place">
          <h2 id="place" class="utrecht-heading-2">{tt(T.place)}</h2>
          {a.online ? <p class="utrecht-paragraph">{tt(T.online)}</p> : null}
          {a.branchName ? (
            <p class="utrecht-paragraph">
              <a class="utrecht-link" href={`${base}/vestigingen/${a.branchSlug}`}>{a.branchName}</a>{a.room ? `, ${a.room}` : ''}<br />
              {a.branchStreet} {a.branchHouseNumber}, {a.branchPostcode} {a.branchCity}
            </p>
          ) : null}
          {a.location ? <p class="utrecht-paragraph">{a.location}</p> : null}
          {a.partner ? <p class="utrecht-paragraph">{tt(T.partner)}: {a.partner}</p> : null}
          {a.online && a.hasOnlineUrl ? (a.onlineUrl
            ? <p class="utrecht-paragraph"><a class="utrecht-link" href={a.onlineUrl} rel="noopener noreferrer">{tt(T.join)}</a></p>
            : <p class="utrecht-paragraph eb-muted">{tt(T.joinLater)}</p>) : null}
        </section>
      </div>
      {live.length ? (
        <section aria-labelledby="mine">
          <h2 id="mine" class="utrecht-heading-2">{tt(T.mine)}</h2>
          {live.map((r) => (
            <form method="post" action={`${base}/activiteiten/${a.id}/afmelden`} class="eb-form">
              <p class="utrecht-paragraph">
                <time datetime={r.startsAt.toISOString()}>{whenText(lang, r.startsAt, r.endsAt)}</time>:{' '}
                {r.status === 'waitlisted' ? T.onWaitlist[lang](r.waitlistPosition ?? 0) : tt(T.haveSeat)}
              </p>
              <input type="hidden" name="_csrf" value={csrf} />
              <input type="hidden" name="registrationId" value={r.id} />
              <button class="utrecht-button utrecht-button--secondary-action" type="submit">{tt(T.cancel)}</button>
            </form>
          ))}
        </section>
      ) : null}
      {bookable && !live.length ? (
        <section aria-labelledby="register">
          <h2 id="register" class="utrecht-heading-2">{tt(T.register)}</h2>
          <form class="eb-form" method="post" action={`${base}/activiteiten/${a.id}/aanmelden`} novalidate>
            <input type="hidden" name="_csrf" value={csrf} />
            {chooseSession ? (
              <fieldset class={`utrecht-form-fieldset ${fieldError('sessionId') ? 'utrecht-form-field--invalid' : ''}`} id="sessionId" aria-describedby={fieldError('sessionId') ? 'sessionId-error' : undefined}>
                <legend class="utrecht-form-fieldset__legend utrecht-form-label">{tt(T.chooseDate)}</legend>
                {fieldError('sessionId') ? <p class="utrecht-form-field-error-message" id="sessionId-error">{fieldError('sessionId')}</p> : null}
                {upcoming.map((s, i) => (
                  <div class="eb-choice">
                    <input type="radio" class="utrecht-radio-button" name="sessionId" id={`session-${i}`} value={s.id} checked={form.sessionId === s.id} />
                    <label for={`session-${i}`}>{whenText(lang, s.startsAt, s.endsAt)}{s.capacity !== null && s.seatsTaken >= s.capacity ? ` (${tt(T.full)})` : ''}</label>
                  </div>
                ))}
              </fieldset>
            ) : null}
            {!signedIn ? (
              <>
                <div class={`utrecht-form-field ${fieldError('email') ? 'utrecht-form-field--invalid' : ''}`}>
                  <label class="utrecht-form-label" for="email">{tt(T.email)}</label>
                  <p class="utrecht-form-field-description" id="email-hint">{tt(T.emailHint)}</p>
                  {fieldError('email') ? <p class="utrecht-form-field-error-message" id="email-error">{fieldError('email')}</p> : null}
                  <input class={`utrecht-textbox utrecht-textbox--html-input ${fieldError('email') ? 'utrecht-textbox--invalid' : ''}`}
                    id="email" name="email" type="email" autocomplete="email" value={form.email ?? ''} maxlength={254}
                    aria-describedby={fieldError('email') ? 'email-hint email-error' : 'email-hint'} aria-invalid={fieldError('email') ? 'true' : undefined} />
                </div>
                <div class={`utrecht-form-field ${fieldError('consent') ? 'utrecht-form-field--invalid' : ''}`}>
                  {fieldError('consent') ? <p class="utrecht-form-field-error-message" id="consent-error">{fieldError('consent')}</p> : null}
                  <div class="eb-choice">
                    <input type="checkbox" class="utrecht-checkbox" id="consent" name="consent" value="yes" checked={form.consent}
                      aria-describedby={fieldError('consent') ? 'consent-error' : undefined} aria-invalid={fieldError('consent') ? 'true' : undefined} />
                    <label for="consent">{tt(T.consent)}</label>
                  </div>
                </div>
              </>
            ) : null}
            <button class="utrecht-button utrecht-button--primary-action" type="submit">{tt(T.send)}</button>
          </form>
        </section>
      ) : null}
    </PortalPage>
  );
}

function myActivitiesPage(portal: PortalInfo, csrf: string, rows: Awaited<ReturnType<typeof activities.myRegistrations>>, notice: string | null) {
  const { lang, base } = portal;
  const title = lang === 'nl' ? 'Mijn activiteiten' : 'My activities';
  return (
    <PortalPage portal={portal} title={title} nav="account">
      <h1 class="utrecht-heading-1">{title}</h1>
      {notice ? <div class="eb-notice" role="status"><p class="utrecht-paragraph">{notice}</p></div> : null}
      {rows.length ? (
        <ul class="eb-agenda">
          {rows.map((r) => (
            <li class="eb-agenda__item">
              <h2 class="utrecht-heading-3 eb-card__title"><a class="utrecht-link" href={`${base}/activiteiten/${r.activityId}`}>{r.title}</a></h2>
              <p class="eb-agenda__when"><time datetime={r.startsAt.toISOString()}>{whenText(lang, r.startsAt, r.endsAt)}</time></p>
              <p class="eb-agenda__meta">{r.status === 'waitlisted' ? T.onWaitlist[lang](r.waitlistPosition ?? 0) : T.haveSeat[lang]}</p>
              {r.endsAt.getTime() > Date.now() && r.status !== 'attended' ? (
                <form method="post" action={`${base}/activiteiten/${r.activityId}/afmelden`}>
                  <input type="hidden" name="_csrf" value={csrf} />
                  <input type="hidden" name="registrationId" value={r.id} />
                  <input type="hidden" name="terug" value="mijn" />
                  <button class="utrecht-button utrecht-button--secondary-action" type="submit">{T.cancel[lang]}<span class="eb-visually-hidden">: {r.title}</span></button>
                </form>
              ) : null}
            </li>
          ))}
        </ul>
      ) : <p class="utrecht-paragraph">{lang === 'nl' ? 'U bent voor geen activiteiten aangemeld.' : 'You have not registered for any activities.'} <a class="utrecht-link" href={`${base}/activiteiten`}>{T.back[lang]}</a></p>}
    </PortalPage>
  );
}

function cancelByCodePage(portal: PortalInfo, a: activities.ActivityDetail, csrf: string, registrationId: string, code: string) {
  const { lang, base } = portal;
  return (
    <PortalPage portal={portal} title={T.cancelTitle[lang]} nav="activities">
      <h1 class="utrecht-heading-1">{T.cancelTitle[lang]}</h1>
      <p class="utrecht-paragraph">{a.title}</p>
      <form class="eb-form" method="post" action={`${base}/activiteiten/${a.id}/afmelden`}>
        <p class="utrecht-paragraph">{T.cancelConfirm[lang]}</p>
        <input type="hidden" name="_csrf" value={csrf} />
        <input type="hidden" name="registrationId" value={registrationId} />
        <input type="hidden" name="code" value={code} />
        <button class="utrecht-button utrecht-button--primary-action" type="submit">{T.cancel[lang]}</button>
      </form>
    </PortalPage>
  );
}

const str = (v: unknown) => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined);

async function renderActivity(req: FastifyRequest, reply: FastifyReply, id: string, form: RegisterForm = {}, status = 200) {
  const portal = portalInfo(req);
  const a = await activities.getActivity(req.ctx, portal.library.id, id);
  const q = req.query as Record<string, unknown>;
  const lang = portal.lang;
  const notice = req.method !== 'GET' ? null
    : q.aanmelding === 'confirmed' ? T.confirmed[lang]
      : q.aanmelding === 'waitlisted' ? T.waitlisted[lang](String(Number(q.plaats) || '?'))
        : q.afgemeld === '1' ? T.cancelled[lang] : null;
  const home = libraryUrl(req.ctx, portal.library.slug);
  const url = `${home}activiteiten/${a.id}`;
  const organiserHome = a.organiserId === portal.library.id ? home : libraryUrl(req.ctx, a.organiser.slug);
  return sendPage(reply, activityPage(portal, a, csrfToken(req, reply), req.ctx.actor.kind === 'account', notice, form, url, organiserHome), status);
}

function sendCalendar(reply: FastifyReply, text: string) {
  return reply.type('text/calendar; charset=utf-8').header('cache-control', 'public, max-age=300').send(text);
}

export function registerActivityPages(app: FastifyInstance): void {
  app.get('/:slug/activiteiten.ics', { schema: { hide: true } }, async (req, reply) => {
    const { library } = portalInfo(req);
    return sendCalendar(reply, await activities.calendarFeed(req.ctx, library.id, {}, feedFor(req.ctx, library)));
  });

  app.get('/:slug/vestigingen/:branch/activiteiten.ics', { schema: { hide: true } }, async (req, reply) => {
    const { library } = portalInfo(req);
    const { branch } = req.params as { branch: string };
    if (!/^[a-z0-9-]{1,80}$/.test(branch)) throw activities.notFound();
    return sendCalendar(reply, await activities.calendarFeed(req.ctx, library.id, { branchSlug: branch }, feedFor(req.ctx, library)));
  });

  app.get('/:slug/activiteiten/:id/agenda.ics', { schema: { hide: true } }, async (req, reply) => {
    const { library } = portalInfo(req);
    const { id } = req.params as { id: string };
    return sendCalendar(reply, await activities.calendarFeed(req.ctx, library.id, { activityId: id }, feedFor(req.ctx, library)));
  });

  app.get('/:slug/activiteiten', { schema: { hide: true } }, async (req, reply) => {
    const portal = portalInfo(req);
    const raw = req.query as Record<string, unknown>;
    const q = {
      from: dateParam(raw.from), to: dateParam(raw.to),
      audience: one<Audience>(raw.audience, AUDIENCES), function: one<StatutoryFunction>(raw.function, STATUTORY_FUNCTIONS),
      branch: typeof raw.branch === 'string' && /^[a-z0-9-]{1,80}$/.test(raw.branch) ? raw.branch : undefined,
      free: raw.free === 'true' ? 'true' : raw.free === 'false' ? 'false' : undefined,
    };
    const [entries, branches, staff] = await Promise.all([
      activities.agenda(req.ctx, portal.library.id, agendaQuery({ ...q, free: q.free === undefined ? undefined : q.free === 'true' })),
      activities.branchesOf(req.ctx, portal.library.id),
      activities.actorIsStaff(req.ctx, portal.library.id),
    ]);
    return sendPage(reply, agendaPage(portal, entries, branches, q, staff));
  });

  app.get('/:slug/activiteiten/:id', { schema: { hide: true } }, async (req, reply) => {
    const { id } = req.params as { id: string };
    return renderActivity(req, reply, id);
  });

  app.post('/:slug/activiteiten/:id/aanmelden', { schema: { hide: true } }, async (req, reply) => {
    verifyCsrf(req);
    const portal = portalInfo(req);
    const { id } = req.params as { id: string };
    const body = (req.body ?? {}) as Record<string, unknown>;
    const form: RegisterForm = { email: str(body.email)?.slice(0, 254), consent: str(body.consent) === 'yes', sessionId: str(body.sessionId) };
    try {
      const r = await activities.register(req.ctx, portal.library.id, id, {
        ...(form.sessionId ? { sessionId: form.sessionId } : {}),
        ...(req.ctx.actor.kind !== 'account' ? { email: form.email ?? '', consent: form.consent } : {}),
      });
      const qs = r.status === 'confirmed' ? 'aanmelding=confirmed' : `aanmelding=waitlisted&plaats=${r.position}`;
      return reply.redirect(`${portal.base}/activiteiten/${id}?${qs}`, 303);
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500 || error.status === 404) throw error;
      return renderActivity(req, reply, id, { ...form, errors: errorsOf(error, portal.lang) }, error.status);
    }
  });

  // The cancel link in a guest's confirmation mail: a GET shows a button, never cancels by itself.
  app.get('/:slug/activiteiten/:id/afmelden', { schema: { hide: true } }, async (req, reply) => {
    const portal = portalInfo(req);
    const { id } = req.params as { id: string };
    const q = req.query as Record<string, unknown>;
    const a = await activities.getActivity(req.ctx, portal.library.id, id);
    const r = str(q.r) ?? '';
    const code = str(q.code) ?? '';
    return sendPage(reply, cancelByCodePage(portal, a, csrfToken(req, reply), r.slice(0, 36), code.slice(0, 64)));
  });

  app.post('/:slug/activiteiten/:id/afmelden', { schema: { hide: true } }, async (req, reply) => {
    verifyCsrf(req);
    const portal = portalInfo(req);
    const { id } = req.params as { id: string };
    const body = (req.body ?? {}) as Record<string, unknown>;
    const code = str(body.code);
    try {
      await activities.cancelRegistration(req.ctx, portal.library.id, str(body.registrationId) ?? '', { activityId: id, ...(code ? { code } : {}) });
    } catch (error) {
      if (!(error instanceof AppError) || error.status !== 409) throw error;
      return renderActivity(req, reply, id, { errors: errorsOf(error, portal.lang) }, error.status);
    }
    if (str(body.terug) === 'mijn') return reply.redirect(`${portal.base}/mijn/activiteiten?afgemeld=1`, 303);
    return reply.redirect(`${portal.base}/activiteiten/${id}?afgemeld=1`, 303);
  });

  // "My activities" in the account pages (the accounts/membership modules own the rest of /mijn).
  app.get('/:slug/mijn/activiteiten', { schema: { hide: true } }, async (req, reply) => {
    const portal = portalInfo(req);
    if (req.ctx.actor.kind !== 'account') throw LoginRequired();
    const rows = await activities.myRegistrations(req.ctx, portal.library.id);
    const notice = (req.query as Record<string, unknown>).afgemeld === '1' ? T.cancelled[portal.lang] : null;
    return sendPage(reply, myActivitiesPage(portal, csrfToken(req, reply), rows, notice));
  });
}
