// The desk console in the staff area (/<slug>/beheer/balie): check out (card, then barcodes),
// check in with routing, member lookup (audited) with renewals, lost copies and payment, damaged
// copies, and the hold shelf, in-transit and pull lists. Built for keyboard-wedge scanners: a scan
// is the digits and Enter, so every scan field is a one-field form that submits on Enter, and the
// page after each scan puts the focus back in the barcode field (autofocus; no JavaScript).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ComponentChildren } from 'preact';
import { AppError, type FieldError } from '../../platform/errors.ts';
import { say, type Lang } from '../../platform/i18n.ts';
import { Csrf, Notice } from '../../platform/views/forms.tsx';
import { sendPage } from '../../platform/views/render.ts';
import { csrfToken, verifyCsrf } from '../accounts/index.ts';
import { PortalPage, portalInfo, type PortalInfo } from '../network/index.ts';
import { checkIn, checkOut, markDamaged, markLost, renew } from './circulation.service.ts';
import { assertDesk, deskLookup, holdShelf, inTransit, pullList } from './desk.service.ts';
import * as E from './lending.errors.ts';
import { day, euro } from './lending.pages.tsx';
import { noticeLib } from './lending.routes.ts';
import { DataTable } from './table.tsx';
import { copyTitle, holdCard, libraryBranches, type BranchOption } from './pages.service.ts';
import { accountByCard, payCharges, type PatronStatus } from './patron.service.ts';

type Q = Record<string, string | undefined>;
const CARD = /^[0-9]{14}$/;
const BARCODE = /^[0-9]{8,14}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const InvalidCard = () => E.MemberNotFound();
const InvalidAmount = E.AmountInvalid;

/** "2,50", "2.50", "€ 3" → cents; empty is 0. */
export function parseEuro(value: string | undefined): number | null {
  const v = (value ?? '').replace(/€|\s/g, '');
  if (!v) return 0;
  const m = /^(\d{1,5})(?:[.,](\d{1,2}))?$/.exec(v);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? '0').padEnd(2, '0'));
}

const digits = (v: string | undefined) => (v ?? '').replace(/\s/g, '');

/** Desk staff only: signed-out staff go to sign in (and come back), others get 403. */
async function desk(req: FastifyRequest, reply: FastifyReply): Promise<boolean> {
  const portal = portalInfo(req);
  if (req.ctx.actor.kind !== 'account') {
    void reply.redirect(`${portal.base}/inloggen?terug=${encodeURIComponent(req.url.split('?')[0]!)}`, 303);
    return false;
  }
  await assertDesk(req.ctx, portal.library.id);
  return true;
}

/** The branch the desk works at: chosen in the console (carried in the URL), else the first. */
function pickBranch(branches: BranchOption[], slug: string | undefined): BranchOption {
  return branches.find((b) => b.slug === slug) ?? branches[0]!;
}

interface DeskContext { portal: PortalInfo; branches: BranchOption[]; branch: BranchOption; token: string }

async function deskContext(req: FastifyRequest, reply: FastifyReply, slug: string | undefined): Promise<DeskContext> {
  const portal = portalInfo(req);
  const branches = await libraryBranches(req.ctx, portal.library.id);
  return { portal, branches, branch: pickBranch(branches, slug), token: csrfToken(req, reply) };
}

const SECTIONS = [
  ['', { nl: 'Uitlenen', en: 'Check out' }],
  ['/innemen', { nl: 'Innemen', en: 'Check in' }],
  ['/lid', { nl: 'Lid opzoeken', en: 'Find member' }],
  ['/reserveringsplank', { nl: 'Reserveringsplank', en: 'Hold shelf' }],
  ['/onderweg', { nl: 'Onderweg', en: 'In transit' }],
  ['/ophaallijst', { nl: 'Ophaallijst', en: 'Pull list' }],
] as const;

function DeskPage({ d, section, title, children }: { d: DeskContext; section: string; title: string; children: ComponentChildren }) {
  const { portal, branch, branches } = d;
  const { lang } = portal;
  const s = say(lang);
  const base = `${portal.base}/beheer/balie`;
  return (
    <PortalPage portal={portal} title={`${title} – ${s('Balie', 'Desk')} ${branch.name}`}>
      <h1 class="utrecht-heading-1">{title} <span class="eb-muted">– {branch.name}</span></h1>
      <nav class="eb-desk-nav" aria-label={s('Balie', 'Desk')}>
        <ul class="eb-desk-nav__list">
          {SECTIONS.map(([path, label]) => (
            <li><a class="utrecht-link" href={`${base}${path}?vestiging=${branch.slug}`} aria-current={path === section ? 'page' : undefined}>{label[lang]}</a></li>
          ))}
        </ul>
      </nav>
      {children}
      {branches.length > 1 ? (
        <form class="eb-form eb-desk-branch" method="get" action={`${base}${section}`}>
          <div class="utrecht-form-field">
            <label class="utrecht-form-label" for="vestiging">{s('Deze balie staat in vestiging', 'This desk is at branch')}</label>
            <select class="utrecht-select utrecht-select--html-select" id="vestiging" name="vestiging">
              {branches.map((b) => <option value={b.slug} selected={b.slug === branch.slug}>{b.name}</option>)}
            </select>
          </div>
          <button class="utrecht-button utrecht-button--secondary-action" type="submit">{s('Vestiging kiezen', 'Choose branch')}</button>
        </form>
      ) : null}
    </PortalPage>
  );
}

/** One scan field: label, error next to it, digits only, focused when the page opens if asked. */
function ScanField({ name, label, value, error, focus, hint }: { name: string; label: string; value?: string; error?: string | null; focus?: boolean; hint?: string }) {
  const describedBy = [hint ? `${name}-hint` : null, error ? `${name}-error` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`utrecht-form-field ${error ? 'utrecht-form-field--invalid' : ''}`}>
      <label class="utrecht-form-label" for={name}>{label}</label>
      {hint ? <p class="utrecht-form-field-description" id={`${name}-hint`}>{hint}</p> : null}
      {error ? <p class="utrecht-form-field-error-message" id={`${name}-error`}>{error}</p> : null}
      <input class={`utrecht-textbox utrecht-textbox--html-input ${error ? 'utrecht-textbox--invalid' : ''}`} id={name} name={name} type="text"
        inputmode="numeric" autocomplete="off" maxlength={20} value={value ?? ''} required autofocus={focus}
        aria-invalid={error ? 'true' : undefined} aria-describedby={describedBy} />
    </div>
  );
}

function fieldError(e: AppError | null | undefined, lang: Lang, field: string): string | null {
  if (!e) return null;
  const f = e.fields.find((x: FieldError) => x.field === field);
  return f ? f.message[lang] : e.text[lang];
}

function Blocks({ lang, st }: { lang: Lang; st: PatronStatus }) {
  const s = say(lang);
  if (!st.lending) return <p class="eb-state eb-state--closed">{E.NoLendingPlan().text[lang]}</p>;
  if (!st.blocks.length) return <p class="eb-state eb-state--open">{s('Mag lenen', 'May borrow')}</p>;
  return <p class="eb-state eb-state--closed">{s('Geblokkeerd: ', 'Blocked: ')}{E.MemberBlocked(st.blocks, st.owedCents).text[lang]}</p>;
}

function LoanTable({ lang, st, caption, actions }: { lang: Lang; st: PatronStatus; caption: string; actions?: (l: PatronStatus['loans'][number]) => ComponentChildren }) {
  const s = say(lang);
  if (!st.loans.length) return <p class="utrecht-paragraph">{s('Geen leningen.', 'No loans.')}</p>;
  return (
    <DataTable caption={caption} head={[s('Titel', 'Title'), s('Streepjescode', 'Barcode'), s('Terug op', 'Due'), ...(actions ? [s('Acties', 'Actions')] : [])]}>
      {st.loans.map((l) => (
        <tr class="utrecht-table__row">
          <th class="utrecht-table__header-cell" scope="row">{l.title}{l.kind === 'digital' ? s(' (digitaal)', ' (digital)') : ''}</th>
          <td class="utrecht-table__cell">{l.barcode ?? '—'}</td>
          <td class="utrecht-table__cell">{day(lang, l.dueAt)}{l.overdue ? <strong class="eb-state--closed">{s(' — te laat', ' — overdue')}</strong> : null}</td>
          {actions ? <td class="utrecht-table__cell">{actions(l)}</td> : null}
        </tr>
      ))}
    </DataTable>
  );
}

// ---------- check out ----------

async function checkOutPage(req: FastifyRequest, reply: FastifyReply, q: Q, errors: { card?: AppError; barcode?: AppError } = {}, status = 200) {
  const d = await deskContext(req, reply, q.vestiging);
  const { portal, branch, token } = d;
  const { lang } = portal;
  const s = say(lang);
  const card = digits(q.pas);
  let st: PatronStatus | null = null;
  let cardError = errors.card ?? null;
  if (card && !cardError) {
    try {
      if (!CARD.test(card)) throw InvalidCard();
      st = await deskLookup(req.ctx, portal.library.id, card);
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500 || error.status === 403) throw error;
      cardError = error;
      status = error.status;
    }
  }
  const done = st && q.uitgeleend ? st.loans.find((l) => l.barcode === q.uitgeleend) : null;
  const base = `${portal.base}/beheer/balie`;
  return sendPage(reply, (
    <DeskPage d={d} section="" title={s('Uitlenen', 'Check out')}>
      <form class="eb-form" method="get" action={base} role="search" aria-label={s('Lid kiezen', 'Choose member')}>
        <input type="hidden" name="vestiging" value={branch.slug} />
        <ScanField name="pas" label={s('Pasnummer', 'Card number')} value={card} error={cardError ? fieldError(cardError, lang, 'cardNumber') : null} focus={!st}
          hint={s('Scan de pas of typ het nummer en druk op Enter.', 'Scan the card or type the number and press Enter.')} />
        <button class="utrecht-button utrecht-button--secondary-action" type="submit">{st ? s('Ander lid', 'Other member') : s('Lid kiezen', 'Choose member')}</button>
      </form>
      {st ? (
        <section aria-labelledby="lid">
          <h2 class="utrecht-heading-2" id="lid">{st.displayName}</h2>
          <Blocks lang={lang} st={st} />
          {done ? <Notice><p class="utrecht-paragraph">{s(`Uitgeleend: ${done.title}. Terugbrengen op ${day(lang, done.dueAt)}.`, `Checked out: ${done.title}. Due on ${day(lang, done.dueAt)}.`)}</p></Notice> : null}
          <form class="eb-form" method="post" action={`${base}/uitlenen`}>
            <Csrf token={token} />
            <input type="hidden" name="vestiging" value={branch.slug} />
            <input type="hidden" name="pas" value={card} />
            <ScanField name="streepjescode" label={s('Streepjescode van het exemplaar', 'Barcode of the copy')} error={fieldError(errors.barcode, lang, 'barcode')} focus
              hint={s('Scan de exemplaren na elkaar; na elke scan staat de cursor weer hier.', 'Scan the copies one after another; after each scan the cursor is back here.')} />
            <button class="utrecht-button utrecht-button--primary-action" type="submit">{s('Uitlenen', 'Check out')}</button>
          </form>
          <LoanTable lang={lang} st={st} caption={s(`Leningen van ${st.displayName} (${st.loans.length})`, `Loans of ${st.displayName} (${st.loans.length})`)} />
          <p class="utrecht-paragraph"><a class="utrecht-link" href={`${base}/lid?vestiging=${branch.slug}&pas=${card}`}>{s('Reserveringen, kosten en meer van dit lid', 'Holds, charges and more of this member')}</a></p>
        </section>
      ) : null}
    </DeskPage>
  ), status);
}

// ---------- check in ----------

async function checkInPage(req: FastifyRequest, reply: FastifyReply, q: Q, errors: { barcode?: AppError; damaged?: AppError } = {}, status = 200) {
  const d = await deskContext(req, reply, q.vestiging);
  const { portal, branch, branches, token } = d;
  const { lang } = portal;
  const s = say(lang);
  const base = `${portal.base}/beheer/balie`;
  let result: ComponentChildren = null;
  if (q.ingenomen && BARCODE.test(q.ingenomen) && !errors.barcode) {
    const copy = await copyTitle(req.ctx, portal.library.id, q.ingenomen);
    const to = branches.find((b) => b.slug === q.naar)?.name ?? q.naar ?? '';
    const card = q.reservering && UUID.test(q.reservering) ? await holdCard(req.ctx, portal.library.id, q.reservering) : null;
    const days = Number(q.dagen ?? 0) || 0;
    const fine = Number(q.boete ?? 0) || 0;
    const where = q.route === 'hold_shelf'
      ? s(`Op de reserveringsplank leggen${card ? ` voor pas ${card}` : ''}.`, `Put it on the hold shelf${card ? ` for card ${card}` : ''}.`)
      : q.route === 'transit'
        ? s(`In transport naar ${to}${q.reservering ? ' (voor een reservering)' : ''}.`, `Send in transit to ${to}${q.reservering ? ' (for a hold)' : ''}.`)
        : s(`Terugzetten in de kast (${to}).`, `Put back on the shelf (${to}).`);
    result = copy ? (
      <div class="utrecht-alert utrecht-alert--ok eb-alert eb-routing" role="status">
        <p class="utrecht-paragraph"><strong>{copy.title}</strong> ({copy.barcode}){q.lening === '0' ? s(' — was niet uitgeleend', ' — was not on loan') : ''}</p>
        <p class="utrecht-paragraph eb-lead"><strong>{where}</strong></p>
        {days > 0 ? <p class="utrecht-paragraph">{s(`${days} ${days === 1 ? 'dag' : 'dagen'} te laat; boete ${euro(fine, lang)}.`, `${days} ${days === 1 ? 'day' : 'days'} late; fine ${euro(fine, lang)}.`)}</p> : null}
      </div>
    ) : null;
  }
  const notice = q.bericht === 'beschadigd' ? s('Het exemplaar is uit de roulatie gehaald voor herstel.', 'The copy is out of circulation for repair.') : null;
  return sendPage(reply, (
    <DeskPage d={d} section="/innemen" title={s('Innemen', 'Check in')}>
      {result}
      {notice ? <Notice><p class="utrecht-paragraph">{notice}</p></Notice> : null}
      <form class="eb-form" method="post" action={`${base}/innemen`}>
        <Csrf token={token} />
        <input type="hidden" name="vestiging" value={branch.slug} />
        <ScanField name="streepjescode" label={s('Streepjescode van het exemplaar', 'Barcode of the copy')} error={fieldError(errors.barcode, lang, 'barcode')} focus={!errors.damaged}
          hint={s('Scan de exemplaren na elkaar. De pagina zegt waar elk exemplaar heen moet.', 'Scan the copies one after another. The page says where each copy goes.')} />
        <button class="utrecht-button utrecht-button--primary-action" type="submit">{s('Innemen', 'Check in')}</button>
      </form>
      <section aria-labelledby="beschadigd">
        <h2 class="utrecht-heading-2" id="beschadigd">{s('Beschadigd teruggebracht', 'Returned damaged')}</h2>
        <form class="eb-form" method="post" action={`${base}/beschadigd`} novalidate>
          <Csrf token={token} />
          <input type="hidden" name="vestiging" value={branch.slug} />
          <ScanField name="beschadigd_streepjescode" label={s('Streepjescode', 'Barcode')} error={errors.damaged && errors.damaged.code !== E.AmountInvalid.code ? fieldError(errors.damaged, lang, 'barcode') : null} focus={!!errors.damaged} />
          <AmountField name="beschadigd_kosten" label={s('Kosten voor het lid in euro (leeg: geen)', 'Charge to the member in euros (empty: none)')} error={errors.damaged?.code === E.AmountInvalid.code ? errors.damaged.text[lang] : null} />
          <div class="utrecht-form-field">
            <label class="utrecht-form-label" for="beschadigd_pas">{s('Pasnummer van het lid (alleen bij kosten)', 'Card number of the member (only with a charge)')}</label>
            <input class="utrecht-textbox utrecht-textbox--html-input" id="beschadigd_pas" name="beschadigd_pas" type="text" inputmode="numeric" autocomplete="off" maxlength={20} />
          </div>
          <button class="utrecht-button utrecht-button--secondary-action" type="submit">{s('Uit de roulatie halen', 'Take out of circulation')}</button>
        </form>
      </section>
    </DeskPage>
  ), status);
}

function AmountField({ name, label, value, error }: { name: string; label: string; value?: string; error?: string | null }) {
  return (
    <div class={`utrecht-form-field ${error ? 'utrecht-form-field--invalid' : ''}`}>
      <label class="utrecht-form-label" for={name}>{label}</label>
      {error ? <p class="utrecht-form-field-error-message" id={`${name}-error`}>{error}</p> : null}
      <input class={`utrecht-textbox utrecht-textbox--html-input ${error ? 'utrecht-textbox--invalid' : ''}`} id={name} name={name} type="text" inputmode="decimal"
        autocomplete="off" maxlength={10} value={value ?? ''} aria-invalid={error ? 'true' : undefined} aria-describedby={error ? `${name}-error` : undefined} />
    </div>
  );
}

// ---------- member lookup ----------

async function memberPage(req: FastifyRequest, reply: FastifyReply, q: Q, error: { at: 'card' | 'pay' | string; e: AppError } | null = null, status = 200) {
  const d = await deskContext(req, reply, q.vestiging);
  const { portal, branch, token } = d;
  const { lang } = portal;
  const s = say(lang);
  const base = `${portal.base}/beheer/balie`;
  const card = digits(q.pas);
  let st: PatronStatus | null = null;
  let cardError = error?.at === 'card' ? error.e : null;
  if (card && !cardError) {
    try {
      if (!CARD.test(card)) throw InvalidCard();
      st = await deskLookup(req.ctx, portal.library.id, card);
    } catch (e) {
      if (!(e instanceof AppError) || e.status >= 500 || e.status === 403) throw e;
      cardError = e;
      status = e.status;
    }
  }
  const notice = q.bericht === 'betaald' ? s(`Betaald: ${euro(Number(q.bedrag) || 0, lang)}.`, `Paid: ${euro(Number(q.bedrag) || 0, lang)}.`)
    : q.bericht === 'verlengd' ? s('Verlengd.', 'Renewed.')
    : q.bericht === 'kwijt' ? s('Als kwijt geboekt.', 'Recorded as lost.') : null;
  const loanError = (id: string) => (error && error.at === id ? error.e.text[lang] : null);
  return sendPage(reply, (
    <DeskPage d={d} section="/lid" title={s('Lid opzoeken', 'Find member')}>
      <form class="eb-form" method="get" action={`${base}/lid`} role="search" aria-label={s('Lid opzoeken', 'Find member')}>
        <input type="hidden" name="vestiging" value={branch.slug} />
        <ScanField name="pas" label={s('Pasnummer', 'Card number')} value={card} error={cardError ? fieldError(cardError, lang, 'cardNumber') : null} focus={!st}
          hint={s('Elke inzage wordt vastgelegd.', 'Every look is recorded.')} />
        <button class="utrecht-button utrecht-button--primary-action" type="submit">{s('Opzoeken', 'Look up')}</button>
      </form>
      {st ? (
        <section aria-labelledby="lid">
          <h2 class="utrecht-heading-2" id="lid">{st.displayName}</h2>
          {notice ? <Notice><p class="utrecht-paragraph">{notice}</p></Notice> : null}
          {error && error.at !== 'card' && error.at !== 'pay' ? <div class="utrecht-alert utrecht-alert--error eb-alert" role="alert"><p class="utrecht-paragraph">{error.e.text[lang]}</p></div> : null}
          <Blocks lang={lang} st={st} />
          <dl class="eb-dl">
            <dt>{s('Pasnummer', 'Card number')}</dt><dd>{st.cardNumber}</dd>
            {st.validUntil ? <><dt>{s('Geldig tot', 'Valid until')}</dt><dd>{st.validUntil}</dd></> : null}
            <dt>{s('Tegelijk lenen', 'Limits')}</dt><dd>{s(`${st.limits.physical} boeken, ${st.limits.digital} digitaal, ${st.limits.holds} reserveringen`, `${st.limits.physical} books, ${st.limits.digital} digital, ${st.limits.holds} holds`)}</dd>
          </dl>
          <h3 class="utrecht-heading-3">{s('Leningen', 'Loans')}</h3>
          <LoanTable lang={lang} st={st} caption={s(`Leningen (${st.loans.length})`, `Loans (${st.loans.length})`)} actions={(l) => l.kind !== 'physical' ? null : (
            <>
              {loanError(l.id) ? <p class="utrecht-form-field-error-message" id={`lening-${l.id}-error`}>{loanError(l.id)}</p> : null}
              <form class="eb-inline-form" method="post" action={`${base}/verlengen`}>
                <Csrf token={token} />
                <input type="hidden" name="vestiging" value={branch.slug} />
                <input type="hidden" name="pas" value={st!.cardNumber} />
                <input type="hidden" name="lening" value={l.id} />
                <button class="utrecht-button utrecht-button--secondary-action" type="submit">{s('Verlengen', 'Renew')}<span class="eb-visually-hidden">: {l.title}</span></button>
              </form>{' '}
              <form class="eb-inline-form" method="post" action={`${base}/kwijt`}>
                <Csrf token={token} />
                <input type="hidden" name="vestiging" value={branch.slug} />
                <input type="hidden" name="pas" value={st!.cardNumber} />
                <input type="hidden" name="streepjescode" value={l.barcode ?? ''} />
                <label class="utrecht-form-label" for={`kosten-${l.id}`}>{s('Vervangingskosten (euro)', 'Replacement charge (euros)')}<span class="eb-visually-hidden">: {l.title}</span></label>{' '}
                <input class="utrecht-textbox utrecht-textbox--html-input eb-amount" id={`kosten-${l.id}`} name="kosten" type="text" inputmode="decimal" autocomplete="off" maxlength={10} />{' '}
                <button class="utrecht-button utrecht-button--secondary-action" type="submit">{s('Kwijt', 'Lost')}<span class="eb-visually-hidden">: {l.title}</span></button>
              </form>
            </>
          )} />
          <h3 class="utrecht-heading-3">{s('Reserveringen', 'Holds')}</h3>
          {st.holds.length ? (
            <ul class="utrecht-unordered-list">
              {st.holds.map((h) => (
                <li class="utrecht-unordered-list__item">{h.title} — {h.kind === 'digital' ? s('digitaal', 'digital') : h.pickupBranch}, {s('plaats', 'place')} {h.position}, {h.frozen ? s('gepauzeerd', 'paused') : h.status === 'ready' ? s(`klaar tot ${h.readyUntil ? day(lang, h.readyUntil) : ''}`, `ready until ${h.readyUntil ? day(lang, h.readyUntil) : ''}`) : h.status === 'in_transit' ? s('onderweg', 'in transit') : s('wacht', 'waiting')}</li>
              ))}
            </ul>
          ) : <p class="utrecht-paragraph">{s('Geen reserveringen.', 'No holds.')}</p>}
          <h3 class="utrecht-heading-3">{s('Kosten', 'Charges')}</h3>
          {st.charges.length ? (
            <>
              <ul class="utrecht-unordered-list">
                {st.charges.map((c) => <li class="utrecht-unordered-list__item">{c.description}: {euro(c.amountCents, lang)} ({day(lang, c.createdAt)})</li>)}
              </ul>
              <p class="utrecht-paragraph"><strong>{s('Totaal open', 'Total due')}: {euro(st.owedCents, lang)}</strong></p>
              <form class="eb-form" method="post" action={`${base}/betalen`} novalidate>
                <Csrf token={token} />
                <input type="hidden" name="vestiging" value={branch.slug} />
                <input type="hidden" name="pas" value={st.cardNumber} />
                <AmountField name="bedrag" label={s('Ontvangen bedrag in euro (hele posten, oudste eerst)', 'Amount received in euros (whole charges, oldest first)')}
                  value={(st.owedCents / 100).toFixed(2).replace('.', lang === 'nl' ? ',' : '.')} error={error?.at === 'pay' ? error.e.text[lang] : null} />
                <button class="utrecht-button utrecht-button--primary-action" type="submit">{s('Betaling vastleggen', 'Record payment')}</button>
              </form>
            </>
          ) : <p class="utrecht-paragraph">{s('Niets te betalen.', 'Nothing to pay.')}</p>}
        </section>
      ) : null}
    </DeskPage>
  ), status);
}

// ---------- lists ----------

function ListTable({ caption, head, rows, empty }: { caption: string; head: string[]; rows: ComponentChildren[][]; empty: string }) {
  if (!rows.length) return <p class="utrecht-paragraph">{empty}</p>;
  return (
    <DataTable caption={caption} head={head}>
      {rows.map((r) => <tr class="utrecht-table__row">{r.map((c, i) => i === 0 ? <th class="utrecht-table__header-cell" scope="row">{c}</th> : <td class="utrecht-table__cell">{c}</td>)}</tr>)}
    </DataTable>
  );
}

// ---------- routes ----------

function deskError(error: unknown): AppError {
  if (error instanceof AppError && error.status < 500 && error.status !== 401 && error.status !== 403) return error;
  throw error;
}

export function registerDeskPages(scope: FastifyInstance): void {
  const path = '/:slug/beheer/balie';
  const here = (req: FastifyRequest) => `${portalInfo(req).base}/beheer/balie`;

  scope.get(path, { schema: { hide: true } }, async (req, reply) => {
    if (!await desk(req, reply)) return reply;
    return checkOutPage(req, reply, req.query as Q);
  });

  scope.post(`${path}/uitlenen`, { schema: { hide: true } }, async (req, reply) => {
    verifyCsrf(req);
    if (!await desk(req, reply)) return reply;
    const portal = portalInfo(req);
    const body = (req.body ?? {}) as Q;
    const card = digits(body.pas);
    const barcode = digits(body.streepjescode);
    const branches = await libraryBranches(req.ctx, portal.library.id);
    const branch = pickBranch(branches, body.vestiging);
    try {
      if (!CARD.test(card)) return await checkOutPage(req, reply, { vestiging: branch.slug, pas: card }, { card: InvalidCard() }, 404);
      if (!BARCODE.test(barcode)) throw E.ItemUnknown();
      await checkOut(req.ctx, { library: noticeLib(req.ctx, portal.library), patron: { cardNumber: card }, barcode, branchId: branch.id, channel: 'desk' });
    } catch (error) {
      const e = deskError(error);
      if (e.code === E.MemberNotFound.code) return checkOutPage(req, reply, { vestiging: branch.slug, pas: card }, { card: e }, e.status);
      return checkOutPage(req, reply, { vestiging: branch.slug, pas: card }, { barcode: e }, e.status);
    }
    return reply.redirect(`${here(req)}?vestiging=${branch.slug}&pas=${card}&uitgeleend=${barcode}`, 303);
  });

  scope.get(`${path}/innemen`, { schema: { hide: true } }, async (req, reply) => {
    if (!await desk(req, reply)) return reply;
    return checkInPage(req, reply, req.query as Q);
  });

  scope.post(`${path}/innemen`, { schema: { hide: true } }, async (req, reply) => {
    verifyCsrf(req);
    if (!await desk(req, reply)) return reply;
    const portal = portalInfo(req);
    const body = (req.body ?? {}) as Q;
    const barcode = digits(body.streepjescode);
    const branch = pickBranch(await libraryBranches(req.ctx, portal.library.id), body.vestiging);
    let r;
    try {
      if (!BARCODE.test(barcode)) throw E.ItemUnknown();
      r = await checkIn(req.ctx, { library: noticeLib(req.ctx, portal.library), barcode, branchId: branch.id, channel: 'desk' });
    } catch (error) {
      const e = deskError(error);
      return checkInPage(req, reply, { vestiging: branch.slug }, { barcode: e }, e.status);
    }
    const to = (await libraryBranches(req.ctx, portal.library.id)).find((b) => b.id === r.destinationBranchId)?.slug ?? '';
    const params = new URLSearchParams({
      vestiging: branch.slug, ingenomen: r.barcode, route: r.routing, naar: to, lening: r.loanId ? '1' : '0',
      dagen: String(r.overdueDays), boete: String(r.fineCents), ...(r.holdId ? { reservering: r.holdId } : {}),
    });
    return reply.redirect(`${here(req)}/innemen?${params.toString()}`, 303);
  });

  scope.post(`${path}/beschadigd`, { schema: { hide: true } }, async (req, reply) => {
    verifyCsrf(req);
    if (!await desk(req, reply)) return reply;
    const portal = portalInfo(req);
    const body = (req.body ?? {}) as Q;
    const branch = pickBranch(await libraryBranches(req.ctx, portal.library.id), body.vestiging);
    const barcode = digits(body.beschadigd_streepjescode);
    const card = digits(body.beschadigd_pas);
    try {
      const fee = parseEuro(body.beschadigd_kosten);
      if (fee === null) throw InvalidAmount('beschadigd_kosten');
      if (!BARCODE.test(barcode)) throw E.ItemUnknown();
      if (card && !CARD.test(card)) throw InvalidCard();
      const accountId = card ? await accountByCard(req.ctx, portal.library.id, card) : null;
      await markDamaged(req.ctx, { library: noticeLib(req.ctx, portal.library), barcode, feeCents: fee, accountId });
    } catch (error) {
      const e = deskError(error);
      return checkInPage(req, reply, { vestiging: branch.slug }, { damaged: e }, e.status);
    }
    return reply.redirect(`${here(req)}/innemen?vestiging=${branch.slug}&bericht=beschadigd`, 303);
  });

  scope.get(`${path}/lid`, { schema: { hide: true } }, async (req, reply) => {
    if (!await desk(req, reply)) return reply;
    return memberPage(req, reply, req.query as Q);
  });

  scope.post(`${path}/verlengen`, { schema: { hide: true } }, async (req, reply) => {
    verifyCsrf(req);
    if (!await desk(req, reply)) return reply;
    const portal = portalInfo(req);
    const body = (req.body ?? {}) as Q;
    const q = { vestiging: body.vestiging, pas: digits(body.pas) };
    const loanId = body.lening ?? '';
    try {
      if (!UUID.test(loanId)) throw E.LoanNotFound();
      await renew(req.ctx, { library: noticeLib(req.ctx, portal.library), loanId });
    } catch (error) {
      const e = deskError(error);
      return memberPage(req, reply, q, { at: loanId, e }, e.status);
    }
    return reply.redirect(`${here(req)}/lid?vestiging=${encodeURIComponent(q.vestiging ?? '')}&pas=${q.pas}&bericht=verlengd`, 303);
  });

  scope.post(`${path}/kwijt`, { schema: { hide: true } }, async (req, reply) => {
    verifyCsrf(req);
    if (!await desk(req, reply)) return reply;
    const portal = portalInfo(req);
    const body = (req.body ?? {}) as Q;
    const q = { vestiging: body.vestiging, pas: digits(body.pas) };
    const barcode = digits(body.streepjescode);
    try {
      const fee = parseEuro(body.kosten);
      if (fee === null) throw InvalidAmount('kosten');
      if (!BARCODE.test(barcode)) throw E.ItemUnknown();
      await markLost(req.ctx, { library: noticeLib(req.ctx, portal.library), barcode, feeCents: fee });
    } catch (error) {
      const e = deskError(error);
      return memberPage(req, reply, q, { at: 'lost', e }, e.status);
    }
    return reply.redirect(`${here(req)}/lid?vestiging=${encodeURIComponent(q.vestiging ?? '')}&pas=${q.pas}&bericht=kwijt`, 303);
  });

  scope.post(`${path}/betalen`, { schema: { hide: true } }, async (req, reply) => {
    verifyCsrf(req);
    if (!await desk(req, reply)) return reply;
    const portal = portalInfo(req);
    const body = (req.body ?? {}) as Q;
    const q = { vestiging: body.vestiging, pas: digits(body.pas) };
    let paid;
    try {
      const amount = parseEuro(body.bedrag);
      if (!amount) throw InvalidAmount('bedrag');
      if (!CARD.test(q.pas)) throw InvalidCard();
      paid = await payCharges(req.ctx, { libraryId: portal.library.id, accountId: await accountByCard(req.ctx, portal.library.id, q.pas), amountCents: amount });
    } catch (error) {
      const e = deskError(error);
      return memberPage(req, reply, q, { at: 'pay', e }, e.status);
    }
    return reply.redirect(`${here(req)}/lid?vestiging=${encodeURIComponent(q.vestiging ?? '')}&pas=${q.pas}&bericht=betaald&bedrag=${paid.paidCents}`, 303);
  });

  scope.get(`${path}/reserveringsplank`, { schema: { hide: true } }, async (req, reply) => {
    if (!await desk(req, reply)) return reply;
    const d = await deskContext(req, reply, (req.query as Q).vestiging);
    const s = say(d.portal.lang);
    const entries = await holdShelf(req.ctx, d.portal.library.id, d.branch.id);
    return sendPage(reply, (
      <DeskPage d={d} section="/reserveringsplank" title={s('Reserveringsplank', 'Hold shelf')}>
        <ListTable caption={s(`Klaargelegd in ${d.branch.name}, eerst verlopen bovenaan`, `Set aside at ${d.branch.name}, earliest deadline first`)}
          head={[s('Titel', 'Title'), s('Streepjescode', 'Barcode'), s('Pasnummer', 'Card'), s('Ophalen tot', 'Pick up by'), s('Status', 'State')]}
          empty={s('De reserveringsplank is leeg.', 'The hold shelf is empty.')}
          rows={entries.map((e) => [e.title, e.barcode, e.cardNumber ?? '—', day(d.portal.lang, e.readyUntil),
            e.expired ? <strong class="eb-state--closed">{s('Verlopen: terugzetten of doorgeven', 'Expired: reshelve or pass on')}</strong> : s('Ligt klaar', 'Ready')])} />
      </DeskPage>
    ));
  });

  scope.get(`${path}/onderweg`, { schema: { hide: true } }, async (req, reply) => {
    if (!await desk(req, reply)) return reply;
    const d = await deskContext(req, reply, (req.query as Q).vestiging);
    const s = say(d.portal.lang);
    const entries = await inTransit(req.ctx, d.portal.library.id);
    return sendPage(reply, (
      <DeskPage d={d} section="/onderweg" title={s('Onderweg', 'In transit')}>
        <ListTable caption={s('Exemplaren in transport tussen vestigingen', 'Copies in transit between branches')}
          head={[s('Titel', 'Title'), s('Streepjescode', 'Barcode'), s('Van (thuisvestiging)', 'From (home branch)'), s('Naar', 'To'), s('Voor een reservering', 'For a hold')]}
          empty={s('Er is niets onderweg.', 'Nothing is in transit.')}
          rows={entries.map((e) => [e.title, e.barcode, e.fromBranch, e.toBranch, e.forHold ? s('ja', 'yes') : s('nee', 'no')])} />
      </DeskPage>
    ));
  });

  scope.get(`${path}/ophaallijst`, { schema: { hide: true } }, async (req, reply) => {
    if (!await desk(req, reply)) return reply;
    const d = await deskContext(req, reply, (req.query as Q).vestiging);
    const s = say(d.portal.lang);
    const entries = await pullList(req.ctx, d.portal.library.id, d.branch.id);
    return sendPage(reply, (
      <DeskPage d={d} section="/ophaallijst" title={s('Ophaallijst', 'Pull list')}>
        <p class="utrecht-paragraph">{s('Exemplaren in de kast waar iemand op wacht: pak ze en neem ze in, dan gaan ze naar de reservering.', 'Copies on the shelf that someone waits for: fetch them and check them in to send them to the hold.')}</p>
        <ListTable caption={s(`In de kast in ${d.branch.name}`, `On the shelf at ${d.branch.name}`)}
          head={[s('Titel', 'Title'), s('Streepjescode', 'Barcode'), s('Plaats', 'Shelf'), s('Wachtenden', 'Waiting')]}
          empty={s('Niets op te halen.', 'Nothing to fetch.')}
          rows={entries.map((e) => [e.title, e.barcode, e.shelf, String(e.waiting)])} />
      </DeskPage>
    ));
  });
}
