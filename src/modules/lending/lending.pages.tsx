// The member's lending pages: "Mijn leningen" (loans physical and digital together, renewals with
// the refusal reason inline, reading links and early return, holds with pause and cancel, reading
// history with consent, charges) and the actions on a title page (reserve with a pickup branch,
// borrow digitally or join the queue). Forms post, then redirect (PRG); no JavaScript needed.
// A member borrows at their home library only (one membership).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import { AppError } from '../../platform/errors.ts';
import { say, type Lang } from '../../platform/i18n.ts';
import { Csrf, ErrorSummary, Notice } from '../../platform/views/forms.tsx';
import { sendPage } from '../../platform/views/render.ts';
import { csrfToken, verifyCsrf } from '../accounts/index.ts';
import { FORMAT_INFO, provideTitleActions, type FormatCode, type TitleDetail } from '../catalogue/index.ts';
import { PortalPage, portalInfo, type PortalInfo } from '../network/index.ts';
import { renew } from './circulation.service.ts';
import { accessFor } from './access.service.ts';
import { borrowDigital, returnDigital } from './digital.service.ts';
import { cancelHold, placeHold, setFrozen, type HoldView } from './holds.service.ts';
import * as E from './lending.errors.ts';
import { noticeLib } from './lending.routes.ts';
import { digitalOffers, libraryBranches } from './pages.service.ts';
import { myLending, readingHistory, type LoanView, type PatronStatus } from './patron.service.ts';
import { DataTable } from './table.tsx';

type Body = Record<string, string | undefined>;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const euro = (cents: number, lang: Lang) => new Intl.NumberFormat(lang === 'nl' ? 'nl-NL' : 'en-GB', { style: 'currency', currency: 'EUR' }).format(cents / 100);
const dayFormat = {
  nl: new Intl.DateTimeFormat('nl-NL', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/Amsterdam' }),
  en: new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/Amsterdam' }),
};
export const day = (lang: Lang, d: Date) => dayFormat[lang].format(d);
const formatLabel = (lang: Lang, format: string) => FORMAT_INFO[format as FormatCode]?.label[lang] ?? format;

/**
 * The coded refusal behind a code carried through a redirect (renew all, title actions), rebuilt
 * from the error catalogue with what the page knows (limits, renewals, blocks) so the member reads
 * the same sentence the API and the kiosk give. Unknown codes are ignored.
 */
export function refusal(code: string, status: PatronStatus | null, renewals = 0): AppError | null {
  const limits = status?.limits ?? { physical: 0, digital: 0, holds: 0 };
  switch (code) {
    case E.RenewalRefusedHolds.code: return E.RenewalRefusedHolds();
    case E.RenewalLimitReached.code: return E.RenewalLimitReached(renewals);
    case E.RenewalNotDigital.code: return E.RenewalNotDigital();
    case E.MemberBlocked.code: return E.MemberBlocked(status?.blocks ?? [], status?.owedCents ?? 0);
    case E.NoLendingPlan.code: return E.NoLendingPlan();
    case E.LoanNotFound.code: return E.LoanNotFound();
    case E.HoldLimitReached.code: return E.HoldLimitReached(limits.holds);
    case E.DigitalLimitReached.code: return E.DigitalLimitReached(limits.digital);
    case E.LoanLimitReached.code: return E.LoanLimitReached(limits.physical);
    case E.AlreadyHeld.code: return E.AlreadyHeld();
    case E.AlreadyBorrowed.code: return E.AlreadyBorrowed();
    case E.NotSuppliable.code: return E.NotSuppliable();
    case E.BranchUnknown.code: return E.BranchUnknown();
    case E.NotDigital.code: return E.NotDigital();
    case E.NotHomeLibrary.code: return E.NotHomeLibrary();
    case E.MemberNotFound.code: return E.MemberNotFound();
    default: return null;
  }
}

/** A coded refusal a member can act on (shown inline); anything else is not ours to show. */
function memberRefusal(error: unknown): AppError {
  if (error instanceof AppError && error.code.startsWith('LENDING_') && error.status < 500) return error;
  throw error;
}

function signInHref(portal: PortalInfo, back: string): string {
  return `${portal.base}/inloggen?terug=${encodeURIComponent(back)}`;
}

/** The signed-in member of this library, or a redirect to sign in (and back here afterwards). */
function homeMember(req: FastifyRequest, reply: FastifyReply, back: string): string | null {
  const portal = portalInfo(req);
  if (req.ctx.actor.kind !== 'account') {
    void reply.redirect(signInHref(portal, back), 303);
    return null;
  }
  if (req.ctx.actor.homeLibraryId !== portal.library.id) throw E.NotHomeLibrary();
  return req.ctx.actor.accountId;
}

// ---------- Mijn leningen ----------

interface Inline { loan?: Map<string, string>; hold?: Map<string, string> }

function holdState(lang: Lang, h: HoldView): string {
  const s = say(lang);
  if (h.status === 'ready') {
    const until = h.readyUntil ? day(lang, h.readyUntil) : '';
    return h.kind === 'digital'
      ? s(`Een licentie ligt voor u klaar tot ${until}`, `A licence is waiting for you until ${until}`)
      : s(`Ligt klaar in ${h.pickupBranch} tot en met ${until}`, `Ready at ${h.pickupBranch} until ${until}`);
  }
  if (h.status === 'in_transit') return s(`Onderweg naar ${h.pickupBranch}`, `On its way to ${h.pickupBranch}`);
  if (h.frozen) return s('Gepauzeerd (u houdt uw plaats)', 'Paused (you keep your place)');
  return s('Wacht op uw beurt', 'Waiting for your turn');
}

function LoanRows({ portal, token, loans, inline }: { portal: PortalInfo; token: string; loans: LoanView[]; inline: Inline }) {
  const { lang } = portal;
  const s = say(lang);
  return (
    <>
      {loans.map((l) => {
        const err = inline.loan?.get(l.id);
        const errId = `loan-${l.id}-error`;
        const audio = l.format === 'audiobook';
        return (
          <tr class="utrecht-table__row" id={`lening-${l.id}`}>
            <th class="utrecht-table__header-cell" scope="row">
              {l.title}
              {err ? <p class="utrecht-form-field-error-message" id={errId}>{err}</p> : null}
            </th>
            <td class="utrecht-table__cell">{formatLabel(lang, l.format)}{l.kind === 'digital' ? s(' (digitaal)', ' (digital)') : ''}</td>
            <td class="utrecht-table__cell">
              {day(lang, l.dueAt)}
              {l.overdue ? <strong class="eb-state eb-state--closed">{s(' — te laat', ' — overdue')}</strong> : null}
            </td>
            <td class="utrecht-table__cell">{l.kind === 'physical' ? l.renewals : '—'}</td>
            <td class="utrecht-table__cell">
              {l.kind === 'physical' ? (
                <form class="eb-inline-form" method="post" action={`${portal.base}/mijn/leningen/${l.id}/verlengen`}>
                  <Csrf token={token} />
                  <button class="utrecht-button utrecht-button--secondary-action" type="submit" aria-describedby={err ? errId : undefined}>
                    {s('Verlengen', 'Renew')}<span class="eb-visually-hidden">: {l.title}</span>
                  </button>
                </form>
              ) : (
                <>
                  <a class="utrecht-link" href={`${portal.base}/mijn/leningen/${l.id}/lezen`}>
                    {audio ? s('Luisteren', 'Listen') : s('Lezen', 'Read')}<span class="eb-visually-hidden">: {l.title}</span>
                  </a>{' '}
                  <form class="eb-inline-form" method="post" action={`${portal.base}/mijn/leningen/${l.id}/inleveren`}>
                    <Csrf token={token} />
                    <button class="utrecht-button utrecht-button--secondary-action" type="submit" aria-describedby={err ? errId : undefined}>
                      {s('Inleveren', 'Return')}<span class="eb-visually-hidden">: {l.title}</span>
                    </button>
                  </form>
                </>
              )}
            </td>
          </tr>
        );
      })}
    </>
  );
}

function HoldRows({ portal, token, holds, inline }: { portal: PortalInfo; token: string; holds: HoldView[]; inline: Inline }) {
  const { lang } = portal;
  const s = say(lang);
  return (
    <>
      {holds.map((h) => {
        const err = inline.hold?.get(h.id);
        const errId = `hold-${h.id}-error`;
        return (
          <tr class="utrecht-table__row" id={`reservering-${h.id}`}>
            <th class="utrecht-table__header-cell" scope="row">
              <a class="utrecht-link" href={`${portal.base}/titels/${h.titleId}`}>{h.title}</a>
              {err ? <p class="utrecht-form-field-error-message" id={errId}>{err}</p> : null}
            </th>
            <td class="utrecht-table__cell">{h.kind === 'digital' ? s('Digitaal', 'Digital') : h.pickupBranch}</td>
            <td class="utrecht-table__cell">{h.position}</td>
            <td class="utrecht-table__cell">{holdState(lang, h)}</td>
            <td class="utrecht-table__cell">
              {h.kind === 'digital' && h.status === 'ready' ? (
                <form class="eb-inline-form" method="post" action={`${portal.base}/titels/${h.titleId}/digitaal-lenen`}>
                  <Csrf token={token} />
                  <input type="hidden" name="terug" value="mijn" />
                  <button class="utrecht-button utrecht-button--primary-action" type="submit">{s('Nu lenen', 'Borrow now')}<span class="eb-visually-hidden">: {h.title}</span></button>
                </form>
              ) : null}
              {h.status === 'waiting' ? (
                <form class="eb-inline-form" method="post" action={`${portal.base}/mijn/reserveringen/${h.id}/pauzeren`}>
                  <Csrf token={token} />
                  <input type="hidden" name="pauze" value={h.frozen ? 'nee' : 'ja'} />
                  <button class="utrecht-button utrecht-button--secondary-action" type="submit" aria-describedby={err ? errId : undefined}>
                    {h.frozen ? s('Hervatten', 'Resume') : s('Pauzeren', 'Pause')}<span class="eb-visually-hidden">: {h.title}</span>
                  </button>
                </form>
              ) : null}{' '}
              <form class="eb-inline-form" method="post" action={`${portal.base}/mijn/reserveringen/${h.id}/annuleren`}>
                <Csrf token={token} />
                <button class="utrecht-button utrecht-button--secondary-action" type="submit" aria-describedby={err ? errId : undefined}>
                  {s('Annuleren', 'Cancel')}<span class="eb-visually-hidden">: {h.title}</span>
                </button>
              </form>
            </td>
          </tr>
        );
      })}
    </>
  );
}

async function loansPage(req: FastifyRequest, reply: FastifyReply, accountId: string, opts: { notice?: string; message?: string; inline?: Inline; status?: number } = {}) {
  const portal = portalInfo(req);
  const { lang, library } = portal;
  const s = say(lang);
  const token = csrfToken(req, reply);
  const title = s('Mijn leningen', 'My loans');
  let st: PatronStatus;
  try {
    st = await myLending(req.ctx, library.id, accountId);
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== E.MemberNotFound.code) throw error;
    return sendPage(reply, (
      <PortalPage portal={portal} title={title} nav="account">
        <h1 class="utrecht-heading-1">{title}</h1>
        <p class="utrecht-paragraph">{s('U hebt geen abonnement bij deze bibliotheek en kunt dus nog niet lenen.', 'You have no plan at this library, so you cannot borrow yet.')}</p>
        <p class="utrecht-paragraph"><a class="utrecht-link" href={`${portal.base}/aanmelden`}>{s('Word lid', 'Join')}</a></p>
      </PortalPage>
    ));
  }
  const history = await readingHistory(req.ctx, library.id, accountId, 100);
  const inline = opts.inline ?? {};
  const physical = st.loans.filter((l) => l.kind === 'physical').length;
  const digital = st.loans.length - physical;
  return sendPage(reply, (
    <PortalPage portal={portal} title={title} nav="account">
      <p class="eb-breadcrumb"><a class="utrecht-link" href={`${portal.base}/mijn`}>{s('Mijn bibliotheek', 'My library')}</a></p>
      <h1 class="utrecht-heading-1">{title}</h1>
      <ErrorSummary lang={lang} message={opts.message} />
      {opts.notice ? <Notice><p class="utrecht-paragraph">{opts.notice}</p></Notice> : null}
      {!st.lending ? <p class="utrecht-paragraph">{E.NoLendingPlan().text[lang]}</p> : null}
      {st.blocks.length ? (
        <div class="utrecht-alert utrecht-alert--warning eb-alert" role="status">
          <p class="utrecht-paragraph">{E.MemberBlocked(st.blocks, st.owedCents).text[lang]}</p>
        </div>
      ) : null}

      <section aria-labelledby="leningen">
        <h2 class="utrecht-heading-2" id="leningen">{s('Geleend', 'On loan')}</h2>
        <p class="utrecht-paragraph">{s(
          `${physical} van ${st.limits.physical} boeken en ${digital} van ${st.limits.digital} digitale titels.`,
          `${physical} of ${st.limits.physical} books and ${digital} of ${st.limits.digital} digital titles.`)}</p>
        {st.loans.length ? (
          <>
            <DataTable caption={s('Uw leningen, de eerste terugbrengdatum bovenaan', 'Your loans, earliest due date first')}
              head={[s('Titel', 'Title'), s('Soort', 'Kind'), s('Terugbrengen of verloopt op', 'Due or ends on'), s('Keer verlengd', 'Times renewed'), s('Acties', 'Actions')]}>
              <LoanRows portal={portal} token={token} loans={st.loans} inline={inline} />
            </DataTable>
            {physical ? (
              <form method="post" action={`${portal.base}/mijn/leningen/verlengen`}>
                <Csrf token={token} />
                <button class="utrecht-button utrecht-button--primary-action" type="submit">{s('Alles verlengen', 'Renew all')}</button>
              </form>
            ) : null}
          </>
        ) : <p class="utrecht-paragraph">{s('U hebt nu niets geleend.', 'You have nothing on loan.')}</p>}
      </section>

      <section aria-labelledby="reserveringen">
        <h2 class="utrecht-heading-2" id="reserveringen">{s('Reserveringen', 'Holds')}</h2>
        {st.holds.length ? (
          <DataTable caption={s('Uw reserveringen en uw plaats in de rij', 'Your holds and your place in the queue')}
            head={[s('Titel', 'Title'), s('Ophalen in', 'Pick up at'), s('Plaats in de rij', 'Place in queue'), s('Status', 'Status'), s('Acties', 'Actions')]}>
            <HoldRows portal={portal} token={token} holds={st.holds} inline={inline} />
          </DataTable>
        ) : <p class="utrecht-paragraph">{s('U hebt geen reserveringen. Reserveren doet u op de pagina van een titel.', 'You have no holds. You place a hold on the page of a title.')}</p>}
      </section>

      <section aria-labelledby="kosten">
        <h2 class="utrecht-heading-2" id="kosten">{s('Kosten', 'Charges')}</h2>
        {st.charges.length ? (
          <>
            <table class="utrecht-table">
              <caption class="utrecht-table__caption">{s('Nog te betalen (aan de balie of de zelfservice-automaat)', 'Still to pay (at the desk or the self-service kiosk)')}</caption>
              <thead class="utrecht-table__header"><tr class="utrecht-table__row">
                <th class="utrecht-table__header-cell" scope="col">{s('Omschrijving', 'Description')}</th>
                <th class="utrecht-table__header-cell" scope="col">{s('Datum', 'Date')}</th>
                <th class="utrecht-table__header-cell" scope="col">{s('Bedrag', 'Amount')}</th>
              </tr></thead>
              <tbody class="utrecht-table__body">
                {st.charges.map((c) => (
                  <tr class="utrecht-table__row">
                    <td class="utrecht-table__cell">{c.description}</td>
                    <td class="utrecht-table__cell">{day(lang, c.createdAt)}</td>
                    <td class="utrecht-table__cell">{euro(c.amountCents, lang)}</td>
                  </tr>
                ))}
              </tbody>
              <tfoot><tr class="utrecht-table__row">
                <th class="utrecht-table__header-cell" scope="row" colspan={2}>{s('Totaal', 'Total')}</th>
                <td class="utrecht-table__cell"><strong>{euro(st.owedCents, lang)}</strong></td>
              </tr></tfoot>
            </table>
          </>
        ) : <p class="utrecht-paragraph">{s('U hoeft niets te betalen.', 'You have nothing to pay.')}</p>}
      </section>

      <section aria-labelledby="geschiedenis">
        <h2 class="utrecht-heading-2" id="geschiedenis">{s('Leesgeschiedenis', 'Reading history')}</h2>
        {history.keeping ? (
          history.loans.length ? (
            <ul class="utrecht-unordered-list">
              {history.loans.map((h) => (
                <li class="utrecht-unordered-list__item">
                  <a class="utrecht-link" href={`${portal.base}/titels/${h.titleId}`}>{h.title}</a> — {formatLabel(lang, h.format)}, {day(lang, h.checkedOutAt)}{h.endedAt ? ` – ${day(lang, h.endedAt)}` : ''}
                </li>
              ))}
            </ul>
          ) : <p class="utrecht-paragraph">{s('Nog niets teruggebracht.', 'Nothing returned yet.')}</p>
        ) : (
          <p class="utrecht-paragraph">{s(
            'Wij bewaren niet wat u hebt geleend: na het terugbrengen wissen wij de koppeling met u. Wilt u later terugzien wat u las? ',
            'We do not keep what you borrowed: after you return an item we remove the link to you. Want to look back at what you read? ')}
          <a class="utrecht-link" href={`${portal.base}/mijn#consents`}>{s('Zet "Bewaar mijn leengeschiedenis" aan bij uw toestemmingen', 'Switch on "Keep my reading history" in your consents')}</a>.</p>
        )}
      </section>
    </PortalPage>
  ), opts.status ?? 200);
}

// ---------- title page actions ----------

function stateText(lang: Lang, kind: 'hold' | 'queue', position: number, waitDays: number | null): string {
  const s = say(lang);
  if (kind === 'hold') return s(`U hebt dit gereserveerd: u bent nummer ${position} in de rij.`, `You have placed a hold: you are number ${position} in the queue.`);
  return s(`U staat in de wachtrij: nummer ${position}${waitDays !== null ? `, geschatte wachttijd ongeveer ${waitDays} dagen` : ''}.`,
    `You are in the queue: number ${position}${waitDays !== null ? `, estimated wait about ${waitDays} days` : ''}.`);
}

async function titleActions(req: FastifyRequest, reply: FastifyReply, t: TitleDetail): Promise<VNode | null> {
  const portal = portalInfo(req);
  const { lang, library } = portal;
  const s = say(lang);
  const here = `${portal.base}/titels/${t.id}`;
  const physical = t.formats.filter((f) => !f.digital && f.availability.copies > 0);
  const offers = await digitalOffers(req.ctx, library.id, t.formats.filter((f) => f.digital).map((f) => f.id));
  const digital = t.formats.filter((f) => offers.has(f.id));
  if (!physical.length && !digital.length) return null;
  const q = req.query as Body;
  const actor = req.ctx.actor;
  let status: PatronStatus | null = null;
  let why: string | null = null;
  if (actor.kind === 'account') {
    if (actor.homeLibraryId !== library.id) why = E.NotHomeLibrary().text[lang];
    else {
      try { status = await myLending(req.ctx, library.id, actor.accountId); } catch (error) {
        if (!(error instanceof AppError) || error.code !== E.MemberNotFound.code) throw error;
        why = E.NoLendingPlan().text[lang];
      }
      if (status && !status.lending) why = E.NoLendingPlan().text[lang];
    }
  }
  const failed = typeof q.fout === 'string' ? refusal(q.fout, status) : null;
  const done = q.gereserveerd === '1' ? s('Gereserveerd. U krijgt een e-mail als het voor u klaarligt.', 'Hold placed. You will get an e-mail when it is ready for you.')
    : q.geleend === '1' ? s('Geleend. U kunt nu beginnen met lezen of luisteren.', 'Borrowed. You can start reading or listening now.')
    : q.wachtrij === '1' ? s('U staat in de wachtrij.', 'You are in the queue.') : null;
  const branches = physical.length && status ? await libraryBranches(req.ctx, library.id) : [];
  const token = status ? csrfToken(req, reply) : '';
  return (
    <section aria-labelledby="lenen" id="lenen-sectie">
      <h2 id="lenen" class="utrecht-heading-2">{s('Reserveren en lenen', 'Reserve and borrow')}</h2>
      {failed ? <ErrorSummary lang={lang} message={failed.text[lang]} /> : null}
      {done ? <Notice><p class="utrecht-paragraph">{done}</p></Notice> : null}
      {actor.kind !== 'account' ? (
        <p class="utrecht-paragraph"><a class="utrecht-link" href={signInHref(portal, here)}>{s('Log in om te reserveren of digitaal te lenen', 'Sign in to reserve or borrow digitally')}</a></p>
      ) : why ? <p class="utrecht-paragraph">{why}</p> : null}
      {physical.map((f) => {
        const hold = status?.holds.find((h) => h.titleId === f.id && h.kind === 'physical');
        const loan = status?.loans.find((l) => l.titleId === f.id);
        const id = `reserveren-${f.id}`;
        return (
          <div class="eb-format">
            <h3 class="utrecht-heading-3" id={id}>{s('Reserveren', 'Reserve')}: {formatLabel(lang, f.format)}</h3>
            {!status || why ? null : loan ? <p class="utrecht-paragraph">{s(`U hebt dit geleend tot ${day(lang, loan.dueAt)}.`, `You have this on loan until ${day(lang, loan.dueAt)}.`)}</p>
              : hold ? <p class="utrecht-paragraph">{hold.status === 'waiting' ? stateText(lang, 'hold', hold.position, null) : holdState(lang, hold)} <a class="utrecht-link" href={`${portal.base}/mijn/leningen`}>{s('Mijn leningen', 'My loans')}</a></p>
              : (
                <form class="eb-form" method="post" action={`${portal.base}/titels/${f.id}/reserveren`} aria-labelledby={id}>
                  <Csrf token={token} />
                  <input type="hidden" name="pagina" value={t.id} />
                  <div class="utrecht-form-field">
                    <label class="utrecht-form-label" for={`vestiging-${f.id}`}>{s('Ophalen in vestiging', 'Pick up at branch')}</label>
                    <select class="utrecht-select utrecht-select--html-select" id={`vestiging-${f.id}`} name="vestiging">
                      {branches.map((b) => <option value={b.slug}>{b.name}</option>)}
                    </select>
                  </div>
                  <button class="utrecht-button utrecht-button--primary-action" type="submit">{s('Reserveren', 'Reserve')}</button>
                </form>
              )}
          </div>
        );
      })}
      {digital.map((f) => {
        const offer = offers.get(f.id)!;
        const loan = status?.loans.find((l) => l.titleId === f.id && l.kind === 'digital');
        const hold = status?.holds.find((h) => h.titleId === f.id && h.kind === 'digital');
        const id = `digitaal-${f.id}`;
        const audio = f.format === 'audiobook';
        return (
          <div class="eb-format">
            <h3 class="utrecht-heading-3" id={id}>{s('Digitaal lenen', 'Borrow digitally')}: {formatLabel(lang, f.format)}</h3>
            <p class="utrecht-paragraph">{offer.free
              ? s('Er is nu een licentie vrij.', 'A licence is free now.')
              : s(`Alle licenties zijn uitgeleend; ${offer.waiting} ${offer.waiting === 1 ? 'persoon wacht' : 'mensen wachten'}.`, `All licences are on loan; ${offer.waiting} waiting.`)}</p>
            {!status || why ? null : loan ? (
              <p class="utrecht-paragraph">{s(`U leent dit tot ${day(lang, loan.dueAt)}.`, `You have this on loan until ${day(lang, loan.dueAt)}.`)}{' '}
                <a class="utrecht-link" href={`${portal.base}/mijn/leningen/${loan.id}/lezen`}>{audio ? s('Nu luisteren', 'Listen now') : s('Nu lezen', 'Read now')}</a></p>
            ) : hold && hold.status !== 'ready' ? (
              <p class="utrecht-paragraph">{stateText(lang, 'queue', hold.position, offer.waitFor(hold.position))}{' '}
                {hold.autoCheckout ? s('U leent automatisch zodra u aan de beurt bent.', 'You borrow automatically when it is your turn.') : ''}</p>
            ) : (
              <form class="eb-form" method="post" action={`${portal.base}/titels/${f.id}/digitaal-lenen`} aria-labelledby={id}>
                <Csrf token={token} />
                <input type="hidden" name="pagina" value={t.id} />
                {hold?.status === 'ready' ? <p class="utrecht-paragraph">{holdState(lang, hold)}</p> : null}
                {!offer.free && !hold ? (
                  <>
                    <p class="utrecht-paragraph">{s(
                      `U komt op plaats ${offer.waiting + 1}${offer.estimatedWaitDays !== null ? `; geschatte wachttijd ongeveer ${offer.estimatedWaitDays} dagen` : ''}.`,
                      `You will be number ${offer.waiting + 1}${offer.estimatedWaitDays !== null ? `; estimated wait about ${offer.estimatedWaitDays} days` : ''}.`)}</p>
                    <div class="eb-choice">
                      <input type="checkbox" id={`auto-${f.id}`} name="automatisch" value="ja" />
                      <label for={`auto-${f.id}`}>{s('Automatisch lenen als ik aan de beurt ben', 'Borrow automatically when it is my turn')}</label>
                    </div>
                  </>
                ) : null}
                <button class="utrecht-button utrecht-button--primary-action" type="submit">{offer.free || hold ? s('Digitaal lenen', 'Borrow digitally') : s('In de wachtrij', 'Join the queue')}</button>
              </form>
            )}
          </div>
        );
      })}
    </section>
  );
}

// ---------- routes ----------

function flashFor(lang: Lang, q: Body): string | undefined {
  const s = say(lang);
  if (q.bericht === 'verlengd') return s('Verlengd.', 'Renewed.');
  if (q.bericht === 'ingeleverd') return s('Ingeleverd. U hebt geen toegang meer tot deze titel.', 'Returned. You no longer have access to this title.');
  if (q.bericht === 'gepauzeerd') return s('De reservering is gepauzeerd. U houdt uw plaats in de rij.', 'The hold is paused. You keep your place in the queue.');
  if (q.bericht === 'hervat') return s('De reservering loopt weer.', 'The hold is active again.');
  if (q.bericht === 'geannuleerd') return s('De reservering is geannuleerd.', 'The hold is cancelled.');
  if (q.bericht === 'geleend') return s('Geleend.', 'Borrowed.');
  if (typeof q.verlengd === 'string' && /^\d{1,3}$/.test(q.verlengd)) return s(`${q.verlengd} verlengd.`, `${q.verlengd} renewed.`);
  return undefined;
}

export function registerLendingPages(scope: FastifyInstance): void {
  const mine = (portal: PortalInfo) => `${portal.base}/mijn/leningen`;

  scope.get('/:slug/mijn/leningen', { schema: { hide: true } }, async (req, reply) => {
    const portal = portalInfo(req);
    const accountId = homeMember(req, reply, mine(portal));
    if (!accountId) return reply;
    const q = req.query as Body;
    // renew all: which loans were refused and why (codes carried through the redirect)
    const inline: Inline = { loan: new Map() };
    if (typeof q.geweigerd === 'string') {
      const st = await myLending(req.ctx, portal.library.id, accountId).catch(() => null);
      for (const part of q.geweigerd.split(',').slice(0, 100)) {
        const [id, code] = part.split(':');
        const loan = st?.loans.find((l) => l.id === id);
        const e = loan && code ? refusal(code, st, loan.renewals) : null;
        if (loan && e) inline.loan!.set(loan.id, e.text[portal.lang]);
      }
    }
    return loansPage(req, reply, accountId, { notice: flashFor(portal.lang, q), inline });
  });

  const loanId = (req: FastifyRequest) => {
    const { id } = req.params as { id: string };
    if (!UUID.test(id)) throw E.LoanNotFound();
    return id;
  };
  const holdId = (req: FastifyRequest) => {
    const { id } = req.params as { id: string };
    if (!UUID.test(id)) throw E.HoldNotFound();
    return id;
  };

  /**
   * A member's action on one of their own loans or holds, as a form post (POST-redirect-GET): on
   * success back to Mijn leningen with the notice `act` returns (query and anchor); refused, the
   * page again with the reason next to that loan or hold and as the page message.
   */
  const memberAction = (path: string, target: 'loan' | 'hold',
    act: (req: FastifyRequest, portal: PortalInfo, accountId: string, id: string) => Promise<string>) => {
    scope.post(path, { schema: { hide: true } }, async (req, reply) => {
      verifyCsrf(req);
      const portal = portalInfo(req);
      const accountId = homeMember(req, reply, mine(portal));
      if (!accountId) return reply;
      const id = target === 'loan' ? loanId(req) : holdId(req);
      let notice: string;
      try {
        notice = await act(req, portal, accountId, id);
      } catch (error) {
        const e = memberRefusal(error);
        return loansPage(req, reply, accountId, { inline: { [target]: new Map([[id, e.text[portal.lang]]]) }, message: e.text[portal.lang], status: e.status });
      }
      return reply.redirect(`${mine(portal)}${notice}`, 303);
    });
  };

  memberAction('/:slug/mijn/leningen/:id/verlengen', 'loan', async (req, portal, accountId, id) => {
    await renew(req.ctx, { library: noticeLib(req.ctx, portal.library), loanId: id, accountId });
    return `?bericht=verlengd#lening-${id}`;
  });

  // Every physical loan renewed or refused on its own (the same rule as renewAll in the service);
  // the refused ones come back with their reason next to them.
  scope.post('/:slug/mijn/leningen/verlengen', { schema: { hide: true } }, async (req, reply) => {
    verifyCsrf(req);
    const portal = portalInfo(req);
    const accountId = homeMember(req, reply, mine(portal));
    if (!accountId) return reply;
    const st = await myLending(req.ctx, portal.library.id, accountId);
    let renewed = 0;
    const refused: string[] = [];
    for (const l of st.loans.filter((x) => x.kind === 'physical')) {
      try {
        await renew(req.ctx, { library: noticeLib(req.ctx, portal.library), loanId: l.id, accountId });
        renewed++;
      } catch (error) {
        refused.push(`${l.id}:${memberRefusal(error).code}`);
      }
    }
    return reply.redirect(`${mine(portal)}?verlengd=${renewed}${refused.length ? `&geweigerd=${encodeURIComponent(refused.join(','))}` : ''}`, 303);
  });

  memberAction('/:slug/mijn/leningen/:id/inleveren', 'loan', async (req, portal, accountId, id) => {
    await returnDigital(req.ctx, { library: noticeLib(req.ctx, portal.library), loanId: id, accountId });
    return '?bericht=ingeleverd';
  });

  // A fresh, signed reading link for the member's own open digital loan (the content provider
  // checks it); made on demand so that showing the list creates no grants.
  scope.get('/:slug/mijn/leningen/:id/lezen', { schema: { hide: true } }, async (req, reply) => {
    const portal = portalInfo(req);
    const accountId = homeMember(req, reply, mine(portal));
    if (!accountId) return reply;
    const access = await accessFor(req.ctx, portal.library.id, loanId(req), accountId);
    return reply.redirect(access.url, 303);
  });

  memberAction('/:slug/mijn/reserveringen/:id/pauzeren', 'hold', async (req, portal, accountId, id) => {
    const frozen = (req.body as Body | undefined)?.pauze !== 'nee';
    await setFrozen(req.ctx, { library: noticeLib(req.ctx, portal.library), holdId: id, accountId, frozen });
    return `?bericht=${frozen ? 'gepauzeerd' : 'hervat'}#reservering-${id}`;
  });

  memberAction('/:slug/mijn/reserveringen/:id/annuleren', 'hold', async (req, portal, accountId, id) => {
    await cancelHold(req.ctx, { library: noticeLib(req.ctx, portal.library), holdId: id, accountId });
    return '?bericht=geannuleerd';
  });

  // Title page actions. The form names the page it came from (a work's page shows every format),
  // and the answer goes back there: a notice, or the refusal's code for the inline message.
  const titleBack = (portal: PortalInfo, req: FastifyRequest, formatId: string) => {
    const page = (req.body as Body | undefined)?.pagina;
    return `${portal.base}/titels/${page && UUID.test(page) ? page : formatId}`;
  };

  scope.post('/:slug/titels/:id/reserveren', { schema: { hide: true } }, async (req, reply) => {
    verifyCsrf(req);
    const portal = portalInfo(req);
    const { id } = req.params as { id: string };
    if (!UUID.test(id)) throw E.TitleNotFound();
    const back = titleBack(portal, req, id);
    const accountId = homeMember(req, reply, back);
    if (!accountId) return reply;
    try {
      const branch = (await libraryBranches(req.ctx, portal.library.id)).find((b) => b.slug === (req.body as Body | undefined)?.vestiging);
      if (!branch) throw E.BranchUnknown();
      await placeHold(req.ctx, { library: noticeLib(req.ctx, portal.library), patron: { accountId }, titleId: id, pickupBranchId: branch.id });
    } catch (error) {
      return reply.redirect(`${back}?fout=${memberRefusal(error).code}#lenen-sectie`, 303);
    }
    return reply.redirect(`${back}?gereserveerd=1#lenen-sectie`, 303);
  });

  scope.post('/:slug/titels/:id/digitaal-lenen', { schema: { hide: true } }, async (req, reply) => {
    verifyCsrf(req);
    const portal = portalInfo(req);
    const { id } = req.params as { id: string };
    if (!UUID.test(id)) throw E.TitleNotFound();
    const body = (req.body ?? {}) as Body;
    const back = body.terug === 'mijn' ? mine(portal) : titleBack(portal, req, id);
    const accountId = homeMember(req, reply, back);
    if (!accountId) return reply;
    let outcome: 'loan' | 'hold';
    try {
      outcome = (await borrowDigital(req.ctx, { library: noticeLib(req.ctx, portal.library), accountId, titleId: id, autoCheckout: body.automatisch === 'ja', channel: 'portal' })).outcome;
    } catch (error) {
      const e = memberRefusal(error);
      if (body.terug === 'mijn') return loansPage(req, reply, accountId, { message: e.text[portal.lang], status: e.status });
      return reply.redirect(`${back}?fout=${e.code}#lenen-sectie`, 303);
    }
    if (body.terug === 'mijn') return reply.redirect(`${back}?bericht=geleend`, 303);
    return reply.redirect(`${back}?${outcome === 'loan' ? 'geleend' : 'wachtrij'}=1#lenen-sectie`, 303);
  });
}

provideTitleActions(titleActions);
