// The librarian's activity pages in the staff area of the portal: overview, create and edit
// forms, publish/unpublish/cancel/duplicate buttons, the registration list with CSV export, and
// check-in at the door (from the list, or by typing/scanning the code of the confirmation).
// Every page and form calls a service that checks the staff role inside the tenant transaction.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ComponentChildren } from 'preact';
import { AppError } from '../../platform/errors.ts';
import type { Lang } from '../../platform/i18n.ts';
import { sendPage } from '../../platform/views/render.ts';
import { csrfToken, verifyCsrf } from '../accounts/index.ts';
import { PortalPage, portalInfo, type PortalInfo } from '../network/index.ts';
import { AUDIENCE_LABELS, FUNCTION_LABELS, KIND_LABELS, whenText } from './activities.labels.ts';
import { ActivityInvalid } from './activities.errors.ts';
import { ErrorSummary, errorsOf } from './activities.pages.tsx';
import * as activities from './activities.service.ts';
import { ACTIVITY_KINDS, AUDIENCES, STATUTORY_FUNCTIONS, type ActivityKind, type Audience, type StatutoryFunction } from './activities.tables.ts';
import { amsterdamParts, amsterdamToUtc } from './amsterdam-time.ts';
import { registrationsCsv } from './registrations-csv.ts';

const T = {
  overview: { nl: 'Activiteiten beheren', en: 'Manage activities' },
  create: { nl: 'Nieuwe activiteit', en: 'New activity' },
  edit: { nl: 'Activiteit bewerken', en: 'Edit activity' },
  import: { nl: 'Importeren uit een iCalendar-bestand of -feed', en: 'Import from an iCalendar file or feed' },
  title: { nl: 'Titel', en: 'Title' },
  kind: { nl: 'Soort', en: 'Kind' },
  description: { nl: 'Beschrijving', en: 'Description' },
  audience: { nl: 'Voor wie', en: 'For whom' },
  functions: { nl: 'Bibliotheekfuncties (minstens één)', en: 'Library functions (at least one)' },
  branch: { nl: 'Vestiging', en: 'Branch' },
  noBranch: { nl: 'Geen vestiging (online of elders)', en: 'No branch (online or elsewhere)' },
  room: { nl: 'Zaal', en: 'Room' },
  location: { nl: 'Andere locatie', en: 'Other location' },
  online: { nl: 'Online activiteit', en: 'Online activity' },
  onlineUrl: { nl: 'Deelnamelink (alleen zichtbaar voor aangemelde deelnemers)', en: 'Joining link (only shown to registered participants)' },
  partner: { nl: 'Partnerorganisatie', en: 'Partner organisation' },
  relatedTitles: {
    nl: 'Over deze boeken (plak de link van elke titelpagina, één per regel)',
    en: 'About these books (paste the link of each title page, one per line)',
  },
  price: { nl: 'Prijs in euro (0 = gratis)', en: 'Price in euros (0 = free)' },
  capacity: { nl: 'Aantal plaatsen per datum (leeg = onbeperkt)', en: 'Seats per date (empty = no limit)' },
  registrationRequired: { nl: 'Aanmelden verplicht', en: 'Registration required' },
  cutoff: { nl: 'Aanmelden en afmelden sluit (minuten voor de start)', en: 'Registration and cancellation close (minutes before the start)' },
  sessions: { nl: 'Data en tijden', en: 'Dates and times' },
  sessionsHint: { nl: 'Eén per regel, bijvoorbeeld: 2026-03-10 19:30-21:00', en: 'One per line, for example: 2026-03-10 19:30-21:00' },
  save: { nl: 'Opslaan', en: 'Save' },
  saved: { nl: 'Opgeslagen.', en: 'Saved.' },
  status: { nl: 'Status', en: 'Status' },
  statuses: { draft: { nl: 'Concept', en: 'Draft' }, published: { nl: 'Gepubliceerd', en: 'Published' }, cancelled: { nl: 'Gaat niet door', en: 'Cancelled' } },
  publish: { nl: 'Publiceren', en: 'Publish' },
  unpublish: { nl: 'Terug naar concept', en: 'Unpublish' },
  cancelActivity: { nl: 'Laten vervallen', en: 'Cancel activity' },
  duplicate: { nl: 'Kopiëren (een week later)', en: 'Duplicate (a week later)' },
  registrations: { nl: 'Aanmeldingen', en: 'Registrations' },
  csv: { nl: 'Download als CSV', en: 'Download as CSV' },
  when: { nl: 'Datum', en: 'Date' },
  name: { nl: 'Naam', en: 'Name' },
  email: { nl: 'E-mail', en: 'E-mail' },
  state: { nl: 'Status', en: 'Status' },
  checkIn: { nl: 'Inchecken', en: 'Check in' },
  checkedIn: { nl: 'Ingecheckt', en: 'Checked in' },
  byCode: { nl: 'Inchecken met de code uit de bevestiging (of scan de QR-code)', en: 'Check in with the code from the confirmation (or scan the QR code)' },
  code: { nl: 'Code', en: 'Code' },
  counts: { nl: 'Per datum', en: 'Per date' },
  registered: { nl: 'Aangemeld', en: 'Registered' },
  waitlisted: { nl: 'Wachtlijst', en: 'Waiting list' },
  attended: { nl: 'Aanwezig', en: 'Attended' },
  cancelled: { nl: 'Afgemeld', en: 'Cancelled' },
  capacityCol: { nl: 'Plaatsen', en: 'Seats' },
  none: { nl: 'Nog geen activiteiten.', en: 'No activities yet.' },
  noRegs: { nl: 'Nog geen aanmeldingen.', en: 'No registrations yet.' },
  actions: { nl: 'Acties', en: 'Actions' },
  checkedInMsg: { nl: 'Ingecheckt.', en: 'Checked in.' },
  regStatus: { confirmed: { nl: 'aangemeld', en: 'registered' }, waitlisted: { nl: 'wachtlijst', en: 'waiting list' }, cancelled: { nl: 'afgemeld', en: 'cancelled' }, attended: { nl: 'aanwezig', en: 'attended' } } as Record<string, { nl: string; en: string }>,
};

const str = (v: unknown) => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined);
const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);

export interface ActivityForm {
  kind: string; title: string; description: string; audience: string[]; statutoryFunctions: string[]; branch: string;
  room: string; location: string; online: boolean; onlineUrl: string; partner: string; price: string; capacity: string;
  registrationRequired: boolean; cutoffMinutes: string; sessions: string; relatedTitles: string;
}

export function formFromBody(body: Record<string, unknown>): ActivityForm {
  return {
    kind: str(body.kind) ?? 'event', title: str(body.title) ?? '', description: str(body.description) ?? '',
    audience: list(body.audience), statutoryFunctions: list(body.statutoryFunctions), branch: str(body.branch) ?? '',
    room: str(body.room) ?? '', location: str(body.location) ?? '', online: str(body.online) === 'yes', onlineUrl: str(body.onlineUrl) ?? '',
    partner: str(body.partner) ?? '', price: str(body.price) ?? '0', capacity: str(body.capacity) ?? '',
    registrationRequired: str(body.registrationRequired) === 'yes', cutoffMinutes: str(body.cutoffMinutes) ?? '0', sessions: str(body.sessions) ?? '',
    relatedTitles: str(body.relatedTitles) ?? '',
  };
}

function formFromActivity(a: activities.ActivityDetail): ActivityForm {
  return {
    kind: a.kind, title: a.title, description: a.description, audience: a.audience, statutoryFunctions: a.statutoryFunctions,
    branch: a.branchSlug ?? '', room: a.room ?? '', location: a.location ?? '', online: a.online, onlineUrl: a.onlineUrl ?? '',
    partner: a.partner ?? '', price: (a.priceCents / 100).toFixed(2).replace('.', ','), capacity: a.sessions[0]?.capacity?.toString() ?? '',
    registrationRequired: a.registrationRequired, cutoffMinutes: String(a.cutoffMinutes),
    sessions: a.sessions.map((s) => `${amsterdamParts(s.startsAt).date} ${amsterdamParts(s.startsAt).time}-${amsterdamParts(s.endsAt).time}`).join('\n'),
    relatedTitles: a.relatedTitleIds.join('\n'),
  };
}

const EMPTY: ActivityForm = {
  kind: 'event', title: '', description: '', audience: [], statutoryFunctions: [], branch: '', room: '', location: '', online: false,
  onlineUrl: '', partner: '', price: '0', capacity: '', registrationRequired: true, cutoffMinutes: '0', sessions: '', relatedTitles: '',
};

/** "2026-03-10 19:30-21:00" per line (Amsterdam wall clock); an end before the start is the next day. */
export function parseSessions(text: string): { startsAt: Date; endsAt: Date }[] | null {
  const out: { startsAt: Date; endsAt: Date }[] = [];
  for (const line of text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean)) {
    const m = /^(\d{4}-\d{2}-\d{2})\s+(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})$/.exec(line);
    if (!m) return null;
    const pad = (x: string) => x.padStart(5, '0');
    const startsAt = amsterdamToUtc(m[1]!, pad(m[2]!));
    let endsAt = amsterdamToUtc(m[1]!, pad(m[3]!));
    if (!startsAt || !endsAt) return null;
    if (endsAt <= startsAt) endsAt = new Date(endsAt.getTime() + 86_400_000);
    out.push({ startsAt, endsAt });
  }
  return out;
}

/** Form → service input; problems a form can have beyond the service's own checks are thrown per field. */
export function inputFromForm(f: ActivityForm): activities.ActivityInput {
  const problems: { field: string; nl: string; en: string }[] = [];
  const sessions = parseSessions(f.sessions);
  if (!sessions) problems.push({ field: 'sessions', nl: 'Schrijf elke datum als 2026-03-10 19:30-21:00, één per regel.', en: 'Write each date as 2026-03-10 19:30-21:00, one per line.' });
  const priceMatch = /^\s*(\d{1,5})(?:[.,](\d{1,2}))?\s*$/.exec(f.price || '0');
  if (!priceMatch) problems.push({ field: 'price', nl: 'Vul een bedrag in, bijvoorbeeld 0 of 3,50.', en: 'Enter an amount, for example 0 or 3.50.' });
  const capacity = f.capacity.trim() === '' ? null : /^\d{1,6}$/.test(f.capacity.trim()) ? Number(f.capacity.trim()) : NaN;
  if (Number.isNaN(capacity)) problems.push({ field: 'capacity', nl: 'Vul een aantal plaatsen in, of laat het leeg.', en: 'Enter a number of seats, or leave it empty.' });
  const cutoff = /^\d{1,5}$/.test(f.cutoffMinutes.trim()) ? Number(f.cutoffMinutes.trim()) : NaN;
  if (Number.isNaN(cutoff)) problems.push({ field: 'cutoffMinutes', nl: 'Vul een aantal minuten in.', en: 'Enter a number of minutes.' });
  // a librarian pastes title page links (…/titels/<id>) or bare ids: the id is what counts
  const relatedLines = f.relatedTitles.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const relatedTitleIds = relatedLines.map((l) => /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i.exec(l)?.[0]);
  if (relatedTitleIds.some((id) => !id)) {
    problems.push({ field: 'relatedTitles', nl: 'Plak op elke regel de link van een titelpagina.', en: 'Paste the link of a title page on every line.' });
  }
  const input: activities.ActivityInput = {
    kind: (ACTIVITY_KINDS as readonly string[]).includes(f.kind) ? (f.kind as ActivityKind) : ('?' as ActivityKind),
    title: f.title, description: f.description,
    audience: f.audience.filter((a): a is Audience => (AUDIENCES as readonly string[]).includes(a)),
    statutoryFunctions: f.statutoryFunctions.filter((x): x is StatutoryFunction => (STATUTORY_FUNCTIONS as readonly string[]).includes(x)),
    branchSlug: f.branch || null, branchId: null, room: f.room || null, location: f.location || null,
    online: f.online, onlineUrl: f.onlineUrl || null, partner: f.partner || null,
    priceCents: priceMatch ? Number(priceMatch[1]) * 100 + Number((priceMatch[2] ?? '0').padEnd(2, '0')) : 0,
    capacity: Number.isNaN(capacity) ? null : capacity, registrationRequired: f.registrationRequired,
    cutoffMinutes: Number.isNaN(cutoff) ? 0 : cutoff, sessions: sessions ?? [],
    relatedTitleIds: relatedTitleIds.filter((id): id is string => !!id),
  };
  const more = activities.activityProblems(input)
    .map((p) => (p.field === 'relatedTitleIds' ? { ...p, field: 'relatedTitles' } : p))
    .filter((p) => !problems.some((q) => q.field === p.field));
  if (problems.length || more.length) throw ActivityInvalid([...problems, ...more]);
  return input;
}

function Field({ id, label, error, hint, children }: { id: string; label: string; error?: string; hint?: string; children: ComponentChildren }) {
  return (
    <div class={`utrecht-form-field ${error ? 'utrecht-form-field--invalid' : ''}`}>
      <label class="utrecht-form-label" for={id}>{label}</label>
      {hint ? <p class="utrecht-form-field-description" id={`${id}-hint`}>{hint}</p> : null}
      {error ? <p class="utrecht-form-field-error-message" id={`${id}-error`}>{error}</p> : null}
      {children}
    </div>
  );
}

function described(id: string, error?: string, hint?: string) {
  const ids = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return { 'aria-describedby': ids || undefined, 'aria-invalid': error ? ('true' as const) : undefined };
}

function Checkboxes({ id, legend, name, options, checked, error }: { id: string; legend: string; name: string; options: [string, string][]; checked: string[]; error?: string }) {
  return (
    <fieldset class={`utrecht-form-fieldset ${error ? 'utrecht-form-field--invalid' : ''}`} id={id} aria-describedby={error ? `${id}-error` : undefined}>
      <legend class="utrecht-form-fieldset__legend utrecht-form-label">{legend}</legend>
      {error ? <p class="utrecht-form-field-error-message" id={`${id}-error`}>{error}</p> : null}
      {options.map(([value, label], i) => (
        <div class="eb-choice">
          <input type="checkbox" class="utrecht-checkbox" id={`${id}-${i}`} name={name} value={value} checked={checked.includes(value)} />
          <label for={`${id}-${i}`}>{label}</label>
        </div>
      ))}
    </fieldset>
  );
}

function activityFormPage(portal: PortalInfo, csrf: string, form: ActivityForm, branches: { slug: string; name: string }[], action: string, heading: string, errors: { field: string | null; text: string }[], notice?: string) {
  const { lang } = portal;
  const tt = (x: { nl: string; en: string }) => x[lang];
  const err = (f: string) => errors.find((e) => e.field === f)?.text;
  const text = (id: keyof ActivityForm, label: string, opts: { type?: string; hint?: string; max?: number } = {}) => (
    <Field id={id} label={label} error={err(id)} hint={opts.hint}>
      <input class={`utrecht-textbox utrecht-textbox--html-input ${err(id) ? 'utrecht-textbox--invalid' : ''}`} id={id} name={id}
        type={opts.type ?? 'text'} value={String(form[id])} maxlength={opts.max ?? 200} {...described(id, err(id), opts.hint)} />
    </Field>
  );
  return (
    <PortalPage portal={portal} title={heading}>
      <p class="eb-breadcrumb"><a class="utrecht-link" href={`${portal.base}/beheer/activiteiten`}>{tt(T.overview)}</a></p>
      <h1 class="utrecht-heading-1">{heading}</h1>
      {notice ? <div class="eb-notice" role="status"><p class="utrecht-paragraph">{notice}</p></div> : null}
      <ErrorSummary lang={lang} errors={errors} />
      <form class="eb-form" method="post" action={action} novalidate>
        <input type="hidden" name="_csrf" value={csrf} />
        <Field id="kind" label={tt(T.kind)} error={err('kind')}>
          <select class="utrecht-select utrecht-select--html-select" id="kind" name="kind">
            {ACTIVITY_KINDS.map((k) => <option value={k} selected={form.kind === k}>{KIND_LABELS[k][lang]}</option>)}
          </select>
        </Field>
        {text('title', tt(T.title))}
        <Field id="description" label={tt(T.description)} error={err('description')}>
          <textarea class="utrecht-textarea utrecht-textarea--html-textarea" id="description" name="description" rows={6} maxlength={10000} {...described('description', err('description'))}>{form.description}</textarea>
        </Field>
        <Checkboxes id="statutoryFunctions" legend={tt(T.functions)} name="statutoryFunctions" checked={form.statutoryFunctions} error={err('statutoryFunctions')}
          options={STATUTORY_FUNCTIONS.map((f) => [f, FUNCTION_LABELS[f][lang]])} />
        <Checkboxes id="audience" legend={tt(T.audience)} name="audience" checked={form.audience} error={err('audience')}
          options={AUDIENCES.map((a) => [a, AUDIENCE_LABELS[a][lang]])} />
        <Field id="sessions" label={tt(T.sessions)} error={err('sessions')} hint={tt(T.sessionsHint)}>
          <textarea class="utrecht-textarea utrecht-textarea--html-textarea" id="sessions" name="sessions" rows={4} maxlength={8000} {...described('sessions', err('sessions'), 'x')}>{form.sessions}</textarea>
        </Field>
        <Field id="branch" label={tt(T.branch)} error={err('branch')}>
          <select class="utrecht-select utrecht-select--html-select" id="branch" name="branch">
            <option value="">{tt(T.noBranch)}</option>
            {branches.map((b) => <option value={b.slug} selected={form.branch === b.slug}>{b.name}</option>)}
          </select>
        </Field>
        {text('room', tt(T.room), { max: 120 })}
        {text('location', tt(T.location), { max: 300 })}
        <div class="eb-choice">
          <input type="checkbox" class="utrecht-checkbox" id="online" name="online" value="yes" checked={form.online} />
          <label for="online">{tt(T.online)}</label>
        </div>
        {text('onlineUrl', tt(T.onlineUrl), { type: 'url', max: 500 })}
        {text('partner', tt(T.partner))}
        <Field id="relatedTitles" label={tt(T.relatedTitles)} error={err('relatedTitles')}>
          <textarea class="utrecht-textarea utrecht-textarea--html-textarea" id="relatedTitles" name="relatedTitles" rows={3} maxlength={4000} {...described('relatedTitles', err('relatedTitles'))}>{form.relatedTitles}</textarea>
        </Field>
        {text('price', tt(T.price), { max: 10 })}
        {text('capacity', tt(T.capacity), { max: 7 })}
        <div class="eb-choice">
          <input type="checkbox" class="utrecht-checkbox" id="registrationRequired" name="registrationRequired" value="yes" checked={form.registrationRequired} />
          <label for="registrationRequired">{tt(T.registrationRequired)}</label>
        </div>
        {text('cutoffMinutes', tt(T.cutoff), { max: 5 })}
        <button class="utrecht-button utrecht-button--primary-action" type="submit">{tt(T.save)}</button>
      </form>
    </PortalPage>
  );
}

function StatusButton({ portal, csrf, id, status, label }: { portal: PortalInfo; csrf: string; id: string; status: string; label: string }) {
  return (
    <form class="eb-inline-form" method="post" action={`${portal.base}/beheer/activiteiten/${id}/status`}>
      <input type="hidden" name="_csrf" value={csrf} />
      <input type="hidden" name="status" value={status} />
      <button class="utrecht-button utrecht-button--secondary-action" type="submit">{label}</button>
    </form>
  );
}

function overviewPage(portal: PortalInfo, csrf: string, entries: activities.AgendaEntry[]) {
  const { lang, base } = portal;
  const tt = (x: { nl: string; en: string }) => x[lang];
  return (
    <PortalPage portal={portal} title={tt(T.overview)}>
      <h1 class="utrecht-heading-1">{tt(T.overview)}</h1>
      <p class="utrecht-paragraph">
        <a class="utrecht-link" href={`${base}/beheer/activiteiten/nieuw`}>{tt(T.create)}</a>
        {' · '}<a class="utrecht-link" href={`${base}/beheer/activiteiten/importeren`}>{tt(T.import)}</a>
      </p>
      {entries.length ? (
        <div class="eb-table-wrap">
          <table class="utrecht-table">
            <caption class="utrecht-table__caption">{tt(T.overview)}</caption>
            <thead class="utrecht-table__header">
              <tr class="utrecht-table__row">
                <th class="utrecht-table__header-cell" scope="col">{tt(T.title)}</th>
                <th class="utrecht-table__header-cell" scope="col">{tt(T.when)}</th>
                <th class="utrecht-table__header-cell" scope="col">{tt(T.status)}</th>
                <th class="utrecht-table__header-cell" scope="col">{tt(T.registered)}</th>
                <th class="utrecht-table__header-cell" scope="col">{tt(T.actions)}</th>
              </tr>
            </thead>
            <tbody class="utrecht-table__body">
              {entries.map((e) => (
                <tr class="utrecht-table__row">
                  <th class="utrecht-table__header-cell" scope="row"><a class="utrecht-link" href={`${base}/activiteiten/${e.id}`}>{e.title}</a></th>
                  <td class="utrecht-table__cell">{whenText(lang, e.startsAt, e.endsAt)}</td>
                  <td class="utrecht-table__cell">{T.statuses[e.status][lang]}</td>
                  <td class="utrecht-table__cell">{e.seatsTaken}{e.capacity !== null ? ` / ${e.capacity}` : ''}{e.waitlisted ? ` (+${e.waitlisted})` : ''}</td>
                  <td class="utrecht-table__cell">
                    <a class="utrecht-link" href={`${base}/beheer/activiteiten/${e.id}/bewerken`}>{tt(T.edit)}<span class="eb-visually-hidden">: {e.title}</span></a>{' · '}
                    <a class="utrecht-link" href={`${base}/beheer/activiteiten/${e.id}/aanmeldingen`}>{tt(T.registrations)}<span class="eb-visually-hidden">: {e.title}</span></a>{' '}
                    {e.status !== 'published' ? <StatusButton portal={portal} csrf={csrf} id={e.id} status="published" label={tt(T.publish)} />
                      : <StatusButton portal={portal} csrf={csrf} id={e.id} status="draft" label={tt(T.unpublish)} />}
                    {e.status !== 'cancelled' ? <StatusButton portal={portal} csrf={csrf} id={e.id} status="cancelled" label={tt(T.cancelActivity)} /> : null}
                    <form class="eb-inline-form" method="post" action={`${base}/beheer/activiteiten/${e.id}/kopieren`}>
                      <input type="hidden" name="_csrf" value={csrf} />
                      <button class="utrecht-button utrecht-button--secondary-action" type="submit">{tt(T.duplicate)}</button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : <p class="utrecht-paragraph">{tt(T.none)}</p>}
    </PortalPage>
  );
}

type RegList = Awaited<ReturnType<typeof activities.listRegistrations>>;

const M = {
  title: { nl: 'Bericht aan alle aangemelde deelnemers', en: 'Message to everyone registered' },
  subject: { nl: 'Onderwerp', en: 'Subject' },
  body: { nl: 'Bericht', en: 'Message' },
  send: { nl: 'Versturen', en: 'Send' },
  sent: { nl: (n: string) => `Bericht verstuurd aan ${n} personen.`, en: (n: string) => `Message sent to ${n} people.` },
};

function registrationsPage(portal: PortalInfo, csrf: string, data: RegList, notice: string | null, errors: { field: string | null; text: string }[]) {
  const { lang, base } = portal;
  const tt = (x: { nl: string; en: string }) => x[lang];
  const a = data.activity;
  const path = `${base}/beheer/activiteiten/${a.id}`;
  return (
    <PortalPage portal={portal} title={`${tt(T.registrations)}: ${a.title}`}>
      <p class="eb-breadcrumb"><a class="utrecht-link" href={`${base}/beheer/activiteiten`}>{tt(T.overview)}</a></p>
      <h1 class="utrecht-heading-1">{tt(T.registrations)}: {a.title}</h1>
      {notice ? <div class="eb-notice" role="status"><p class="utrecht-paragraph">{notice}</p></div> : null}
      <ErrorSummary lang={lang} errors={errors} />
      <p class="utrecht-paragraph"><a class="utrecht-link" href={`${path}/aanmeldingen.csv`}>{tt(T.csv)}</a></p>
      <table class="utrecht-table">
        <caption class="utrecht-table__caption">{tt(T.counts)}</caption>
        <thead class="utrecht-table__header"><tr class="utrecht-table__row">
          {[T.when, T.capacityCol, T.registered, T.waitlisted, T.attended, T.cancelled].map((h) => <th class="utrecht-table__header-cell" scope="col">{tt(h)}</th>)}
        </tr></thead>
        <tbody class="utrecht-table__body">
          {data.sessions.map((s) => (
            <tr class="utrecht-table__row">
              <th class="utrecht-table__header-cell" scope="row">{whenText(lang, s.startsAt, s.endsAt)}</th>
              <td class="utrecht-table__cell">{s.capacity ?? '–'}</td>
              <td class="utrecht-table__cell">{s.seatsTaken}</td>
              <td class="utrecht-table__cell">{s.waitlisted}</td>
              <td class="utrecht-table__cell">{s.attended}</td>
              <td class="utrecht-table__cell">{s.cancelled}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form class="eb-form" method="post" action={`${path}/inchecken`}>
        <input type="hidden" name="_csrf" value={csrf} />
        <div class="utrecht-form-field">
          <label class="utrecht-form-label" for="code">{tt(T.byCode)}</label>
          <input class="utrecht-textbox utrecht-textbox--html-input" id="code" name="code" type="text" autocomplete="off" maxlength={64} />
        </div>
        <button class="utrecht-button utrecht-button--primary-action" type="submit">{tt(T.checkIn)}</button>
      </form>
      <section aria-labelledby="message">
        <h2 id="message" class="utrecht-heading-2">{tt(M.title)}</h2>
        <form class="eb-form" method="post" action={`${path}/bericht`}>
          <input type="hidden" name="_csrf" value={csrf} />
          <div class="utrecht-form-field">
            <label class="utrecht-form-label" for="subject">{tt(M.subject)}</label>
            <input class="utrecht-textbox utrecht-textbox--html-input" id="subject" name="subject" type="text" maxlength={200} />
          </div>
          <div class="utrecht-form-field">
            <label class="utrecht-form-label" for="body">{tt(M.body)}</label>
            <textarea class="utrecht-textarea utrecht-textarea--html-textarea" id="body" name="body" rows={4} maxlength={5000} />
          </div>
          <button class="utrecht-button utrecht-button--secondary-action" type="submit">{tt(M.send)}</button>
        </form>
      </section>
      {data.registrations.length ? (
        <div class="eb-table-wrap">
          <table class="utrecht-table">
            <caption class="utrecht-table__caption">{tt(T.registrations)}</caption>
            <thead class="utrecht-table__header"><tr class="utrecht-table__row">
              {[T.name, T.email, T.when, T.state, T.checkIn].map((h) => <th class="utrecht-table__header-cell" scope="col">{tt(h)}</th>)}
            </tr></thead>
            <tbody class="utrecht-table__body">
              {data.registrations.map((r) => {
                const who = r.givenName ? `${r.givenName} ${r.familyName}` : r.email ?? '–';
                return (
                  <tr class="utrecht-table__row">
                    <th class="utrecht-table__header-cell" scope="row">{r.givenName ? who : '–'}</th>
                    <td class="utrecht-table__cell">{r.email ?? '–'}</td>
                    <td class="utrecht-table__cell">{whenText(lang, r.startsAt, r.startsAt).split(',')[0]}</td>
                    <td class="utrecht-table__cell">{(T.regStatus[r.status] ?? { nl: r.status, en: r.status })[lang]}{r.waitlistPosition ? ` (${r.waitlistPosition})` : ''}</td>
                    <td class="utrecht-table__cell">
                      {r.status === 'confirmed' ? (
                        <form class="eb-inline-form" method="post" action={`${path}/inchecken`}>
                          <input type="hidden" name="_csrf" value={csrf} />
                          <input type="hidden" name="registrationId" value={r.id} />
                          <button class="utrecht-button utrecht-button--secondary-action" type="submit">{tt(T.checkIn)}<span class="eb-visually-hidden">: {who}</span></button>
                        </form>
                      ) : r.status === 'attended' ? tt(T.checkedIn) : ''}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : <p class="utrecht-paragraph">{tt(T.noRegs)}</p>}
    </PortalPage>
  );
}

type ImportForm = { calendar: string; url: string; statutoryFunctions: string[]; publish: boolean };

function importPage(portal: PortalInfo, csrf: string, form: ImportForm, errors: { field: string | null; text: string }[], report: activities.ImportReport | null) {
  const { lang, base } = portal;
  const tt = (x: { nl: string; en: string }) => x[lang];
  const err = (f: string) => errors.find((e) => e.field === f)?.text;
  const R = {
    imported: { nl: (n: number) => `${n} activiteiten geïmporteerd`, en: (n: number) => `${n} activities imported` },
    skipped: { nl: (n: number) => `${n} overgeslagen`, en: (n: number) => `${n} skipped` },
    file: { nl: 'Inhoud van het iCalendar-bestand (.ics)', en: 'Contents of the iCalendar file (.ics)' },
    fileHint: { nl: 'Open het bestand in een teksteditor en plak de inhoud hier. Of geef hieronder het adres van een feed.', en: 'Open the file in a text editor and paste its contents here. Or give the address of a feed below.' },
    url: { nl: 'Of: adres van een iCalendar-feed', en: 'Or: address of an iCalendar feed' },
    urlHint: { nl: 'Een http- of https-adres, bijvoorbeeld de export-link van uw oude agenda. Wij halen het één keer op.', en: 'An http or https address, for example the export link of your old agenda. We fetch it once.' },
    publish: { nl: 'Meteen publiceren (anders als concept)', en: 'Publish at once (otherwise as drafts)' },
    go: { nl: 'Importeren', en: 'Import' },
    sessions: { nl: 'data', en: 'dates' },
  };
  return (
    <PortalPage portal={portal} title={tt(T.import)}>
      <p class="eb-breadcrumb"><a class="utrecht-link" href={`${base}/beheer/activiteiten`}>{tt(T.overview)}</a></p>
      <h1 class="utrecht-heading-1">{tt(T.import)}</h1>
      <ErrorSummary lang={lang} errors={errors} />
      {report ? (
        <section aria-labelledby="report" role="status">
          <h2 id="report" class="utrecht-heading-2">{R.imported[lang](report.imported.length)}, {R.skipped[lang](report.skipped.length)}</h2>
          {report.imported.length ? (
            <ul class="utrecht-unordered-list">
              {report.imported.map((i) => <li class="utrecht-unordered-list__item"><a class="utrecht-link" href={`${base}/beheer/activiteiten/${i.id}/bewerken`}>{i.title}</a> ({i.sessions} {R.sessions[lang]})</li>)}
            </ul>
          ) : null}
          {report.skipped.length ? (
            <ul class="utrecht-unordered-list">
              {report.skipped.map((p) => <li class="utrecht-unordered-list__item">{p.title ?? p.uid ?? '–'}: {p.reason}</li>)}
            </ul>
          ) : null}
        </section>
      ) : null}
      <form class="eb-form" method="post" action={`${base}/beheer/activiteiten/importeren`} novalidate>
        <input type="hidden" name="_csrf" value={csrf} />
        <Field id="calendar" label={R.file[lang]} hint={R.fileHint[lang]} error={err('calendar')}>
          <textarea class="utrecht-textarea utrecht-textarea--html-textarea" id="calendar" name="calendar" rows={10} {...described('calendar', err('calendar'), 'x')}>{form.calendar}</textarea>
        </Field>
        <Field id="url" label={R.url[lang]} hint={R.urlHint[lang]} error={err('url')}>
          <input class={`utrecht-textbox utrecht-textbox--html-input ${err('url') ? 'utrecht-textbox--invalid' : ''}`} id="url" name="url" type="url"
            inputmode="url" maxlength={2000} value={form.url} {...described('url', err('url'), 'x')} />
        </Field>
        <Checkboxes id="statutoryFunctions" legend={tt(T.functions)} name="statutoryFunctions" checked={form.statutoryFunctions} error={err('statutoryFunctions')}
          options={STATUTORY_FUNCTIONS.map((f) => [f, FUNCTION_LABELS[f][lang]])} />
        <div class="eb-choice">
          <input type="checkbox" class="utrecht-checkbox" id="publish" name="publish" value="yes" checked={form.publish} />
          <label for="publish">{R.publish[lang]}</label>
        </div>
        <button class="utrecht-button utrecht-button--primary-action" type="submit">{R.go[lang]}</button>
      </form>
    </PortalPage>
  );
}

async function showForm(req: FastifyRequest, reply: FastifyReply, form: ActivityForm, action: string, heading: string, errors: { field: string | null; text: string }[] = [], status = 200, notice?: string) {
  const portal = portalInfo(req);
  const branches = await activities.branchesOf(req.ctx, portal.library.id);
  return sendPage(reply, activityFormPage(portal, csrfToken(req, reply), form, branches, action, heading, errors, notice), status);
}

function formError(error: unknown, lang: Lang) {
  if (error instanceof AppError && error.status === 422) return errorsOf(error, lang);
  throw error;
}

export function registerStaffPages(app: FastifyInstance): void {
  const base = '/:slug/beheer/activiteiten';

  app.get(base, { schema: { hide: true } }, async (req, reply) => {
    const portal = portalInfo(req);
    const entries = await activities.staffAgenda(req.ctx, portal.library.id);
    return sendPage(reply, overviewPage(portal, csrfToken(req, reply), entries));
  });

  app.get(`${base}/importeren`, { schema: { hide: true } }, async (req, reply) => {
    const portal = portalInfo(req);
    await activities.staffAgenda(req.ctx, portal.library.id); // the policy check, before showing a form
    return sendPage(reply, importPage(portal, csrfToken(req, reply), { calendar: '', url: '', statutoryFunctions: [], publish: false }, [], null));
  });

  // The report is the answer to this upload (nothing to bookmark or re-submit by refreshing:
  // a second run skips what was imported), so it is shown directly rather than redirected to.
  app.post(`${base}/importeren`, { schema: { hide: true } }, async (req, reply) => {
    verifyCsrf(req);
    const portal = portalInfo(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const form: ImportForm = { calendar: str(body.calendar) ?? '', url: str(body.url) ?? '', statutoryFunctions: list(body.statutoryFunctions), publish: str(body.publish) === 'yes' };
    try {
      const report = await activities.importFromSource(req.ctx, portal.library.id, { calendar: form.calendar, url: form.url }, {
        statutoryFunctions: form.statutoryFunctions.filter((x): x is StatutoryFunction => (STATUTORY_FUNCTIONS as readonly string[]).includes(x)),
        publish: form.publish,
      });
      return sendPage(reply, importPage(portal, csrfToken(req, reply), { ...form, calendar: '', url: '' }, [], report));
    } catch (error) {
      return sendPage(reply, importPage(portal, csrfToken(req, reply), form, formError(error, portal.lang), null), 422);
    }
  });

  app.get(`${base}/nieuw`, { schema: { hide: true } }, async (req, reply) => {
    const portal = portalInfo(req);
    await activities.staffAgenda(req.ctx, portal.library.id); // the policy check, before showing a form
    return showForm(req, reply, EMPTY, `${portal.base}/beheer/activiteiten/nieuw`, T.create[portal.lang]);
  });

  app.post(`${base}/nieuw`, { schema: { hide: true } }, async (req, reply) => {
    verifyCsrf(req);
    const portal = portalInfo(req);
    const form = formFromBody((req.body ?? {}) as Record<string, unknown>);
    try {
      const { id } = await activities.createActivity(req.ctx, portal.library.id, inputFromForm(form));
      return reply.redirect(`${portal.base}/beheer/activiteiten/${id}/bewerken?opgeslagen=1`, 303);
    } catch (error) {
      return showForm(req, reply, form, `${portal.base}/beheer/activiteiten/nieuw`, T.create[portal.lang], formError(error, portal.lang), 422);
    }
  });

  app.get(`${base}/:id/bewerken`, { schema: { hide: true } }, async (req, reply) => {
    const portal = portalInfo(req);
    const { id } = req.params as { id: string };
    const a = await activities.activityForEdit(req.ctx, portal.library.id, id);
    const saved = (req.query as Record<string, unknown>).opgeslagen === '1' ? T.saved[portal.lang] : undefined;
    return showForm(req, reply, formFromActivity(a), `${portal.base}/beheer/activiteiten/${id}/bewerken`, T.edit[portal.lang], [], 200, saved);
  });

  app.post(`${base}/:id/bewerken`, { schema: { hide: true } }, async (req, reply) => {
    verifyCsrf(req);
    const portal = portalInfo(req);
    const { id } = req.params as { id: string };
    const form = formFromBody((req.body ?? {}) as Record<string, unknown>);
    try {
      await activities.updateActivity(req.ctx, portal.library.id, id, inputFromForm(form));
      return reply.redirect(`${portal.base}/beheer/activiteiten/${id}/bewerken?opgeslagen=1`, 303);
    } catch (error) {
      return showForm(req, reply, form, `${portal.base}/beheer/activiteiten/${id}/bewerken`, T.edit[portal.lang], formError(error, portal.lang), 422);
    }
  });

  app.post(`${base}/:id/status`, { schema: { hide: true } }, async (req, reply) => {
    verifyCsrf(req);
    const portal = portalInfo(req);
    const { id } = req.params as { id: string };
    const status = str((req.body as Record<string, unknown>)?.status);
    if (status !== 'published' && status !== 'draft' && status !== 'cancelled') return reply.redirect(`${portal.base}/beheer/activiteiten`, 303);
    await activities.setStatus(req.ctx, portal.library.id, id, status);
    return reply.redirect(`${portal.base}/beheer/activiteiten`, 303);
  });

  app.post(`${base}/:id/kopieren`, { schema: { hide: true } }, async (req, reply) => {
    verifyCsrf(req);
    const portal = portalInfo(req);
    const { id } = req.params as { id: string };
    const copy = await activities.duplicateActivity(req.ctx, portal.library.id, id);
    return reply.redirect(`${portal.base}/beheer/activiteiten/${copy.id}/bewerken`, 303);
  });

  app.get(`${base}/:id/aanmeldingen`, { schema: { hide: true } }, async (req, reply) => {
    const portal = portalInfo(req);
    const { id } = req.params as { id: string };
    const data = await activities.listRegistrations(req.ctx, portal.library.id, id);
    const q = req.query as Record<string, unknown>;
    const notice = q.ingecheckt === '1' ? T.checkedInMsg[portal.lang]
      : typeof q.verstuurd === 'string' && /^\d{1,6}$/.test(q.verstuurd) ? M.sent[portal.lang](q.verstuurd) : null;
    return sendPage(reply, registrationsPage(portal, csrfToken(req, reply), data, notice, []));
  });

  app.get(`${base}/:id/aanmeldingen.csv`, { schema: { hide: true } }, async (req, reply) => {
    const portal = portalInfo(req);
    const { id } = req.params as { id: string };
    const data = await activities.listRegistrations(req.ctx, portal.library.id, id, 'export');
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="aanmeldingen.csv"')
      .header('cache-control', 'no-store').send(registrationsCsv(data.registrations));
  });

  app.post(`${base}/:id/bericht`, { schema: { hide: true } }, async (req, reply) => {
    verifyCsrf(req);
    const portal = portalInfo(req);
    const { id } = req.params as { id: string };
    const body = (req.body ?? {}) as Record<string, unknown>;
    try {
      const { sent } = await activities.messageRegistrants(req.ctx, portal.library.id, id, { subject: str(body.subject) ?? '', body: str(body.body) ?? '' });
      return reply.redirect(`${portal.base}/beheer/activiteiten/${id}/aanmeldingen?verstuurd=${sent}`, 303);
    } catch (error) {
      const errors = formError(error, portal.lang);
      const data = await activities.listRegistrations(req.ctx, portal.library.id, id);
      return sendPage(reply, registrationsPage(portal, csrfToken(req, reply), data, null, errors), 422);
    }
  });

  app.post(`${base}/:id/inchecken`, { schema: { hide: true } }, async (req, reply) => {
    verifyCsrf(req);
    const portal = portalInfo(req);
    const { id } = req.params as { id: string };
    const body = (req.body ?? {}) as Record<string, unknown>;
    const registrationId = str(body.registrationId);
    const code = str(body.code)?.trim();
    try {
      await activities.checkIn(req.ctx, portal.library.id, id, registrationId ? { registrationId } : { code: code ?? '' });
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500 || error.status === 401 || error.status === 403) throw error;
      const data = await activities.listRegistrations(req.ctx, portal.library.id, id);
      return sendPage(reply, registrationsPage(portal, csrfToken(req, reply), data, null, errorsOf(error, portal.lang)), error.status);
    }
    return reply.redirect(`${portal.base}/beheer/activiteiten/${id}/aanmeldingen?ingecheckt=1`, 303);
  });
}
