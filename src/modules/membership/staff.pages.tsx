// The staff area of a library (/<slug>/staff): member search for desk staff, the audited member
// view (a reason is asked before personal data is shown), and the audit trail for library
// admins, who must have given a second factor in this session.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../platform/errors.ts';
import { say } from '../../platform/i18n.ts';
import { Csrf, ErrorSummary, Field, Notice } from '../../platform/views/forms.tsx';
import { sendPage } from '../../platform/views/render.ts';
import { csrfToken, verifyCsrf } from '../accounts/index.ts';
import * as accounts from '../accounts/accounts.service.ts';
import { PortalPage, portalInfo } from '../network/index.ts';
import { formatCard } from './card.ts';
import * as membership from './membership.service.ts';

type Q = Record<string, string | undefined>;

const REASONS: Record<membership.ViewReason, { nl: string; en: string }> = {
  desk_question: { nl: 'Vraag van het lid aan de balie', en: 'Member\'s question at the desk' },
  loan_issue: { nl: 'Probleem met een lening of reservering', en: 'Problem with a loan or hold' },
  membership_change: { nl: 'Wijziging van het lidmaatschap', en: 'Change of membership' },
  charges: { nl: 'Betaling of openstaand bedrag', en: 'Payment or amount due' },
  privacy_request: { nl: 'Verzoek over persoonsgegevens (AVG)', en: 'Personal data request (GDPR)' },
};

/** Sends signed-out staff to the login page and admins without a second factor to the code page. */
async function guard(req: FastifyRequest, reply: FastifyReply, run: () => Promise<unknown>) {
  const portal = portalInfo(req);
  if (req.ctx.actor.kind !== 'account') return reply.redirect(`${portal.base}/inloggen`, 303);
  try {
    return await run();
  } catch (e) {
    if (e instanceof AppError && e.code === 'ACCOUNTS_SECOND_FACTOR_REQUIRED') return reply.redirect(`${portal.base}/mijn/tweestaps`, 303);
    throw e;
  }
}

export function registerStaffPages(scope: FastifyInstance): void {
  scope.get('/:slug/staff', async (req, reply) => guard(req, reply, async () => {
    const portal = portalInfo(req);
    const s = say(portal.lang);
    const q = String((req.query as Q).q ?? '').slice(0, 100);
    const results = await membership.searchMembers(req.ctx, portal.library.id, q);
    return sendPage(reply, (
      <PortalPage portal={portal} title={s('Medewerkers: leden zoeken', 'Staff: find members')}>
        <h1 class="utrecht-heading-1">{s('Leden zoeken', 'Find members')}</h1>
        <form class="eb-form" method="get" action={`${portal.base}/staff`} role="search">
          <Field name="q" label={s('Pasnummer of naam', 'Card number or name')} lang={portal.lang} required value={q} type="search" maxlength={100}
            hint={s('Scan de pas of typ minstens twee tekens. Alleen leden van deze bibliotheek.', 'Scan the card or type at least two characters. Members of this library only.')} />
          <button class="utrecht-button utrecht-button--primary-action" type="submit">{s('Zoeken', 'Search')}</button>
        </form>
        {q.length >= 2 ? (
          <section aria-labelledby="results">
            <h2 class="utrecht-heading-2" id="results">{s(`${results.length} gevonden`, `${results.length} found`)}</h2>
            <ul class="utrecht-unordered-list">
              {results.map((r) => (
                <li class="utrecht-unordered-list__item">
                  <a class="utrecht-link" href={`${portal.base}/staff/leden/${r.accountId}`}>{r.givenName} {r.familyName}</a> — {formatCard(r.cardNumber)}
                </li>
              ))}
            </ul>
          </section>
        ) : null}
        <p class="utrecht-paragraph"><a class="utrecht-link" href={`${portal.base}/staff/audit`}>{s('Audittrail (beheerders)', 'Audit trail (admins)')}</a></p>
      </PortalPage>
    ));
  }));

  scope.get('/:slug/staff/leden/:accountId', async (req, reply) => guard(req, reply, async () => {
    const portal = portalInfo(req);
    const s = say(portal.lang);
    const { accountId } = req.params as { accountId: string };
    const reason = (req.query as Q).reden;
    if (!reason) {
      // Ask why before showing anything; the answer is stored with the audit event.
      return sendPage(reply, (
        <PortalPage portal={portal} title={s('Waarom bekijkt u dit lid?', 'Why are you viewing this member?')}>
          <h1 class="utrecht-heading-1">{s('Waarom bekijkt u dit lid?', 'Why are you viewing this member?')}</h1>
          <p class="utrecht-paragraph">{s('Elke inzage in persoonsgegevens wordt vastgelegd met de reden.', 'Every look at personal data is recorded with its reason.')}</p>
          <form class="eb-form" method="get" action={`${portal.base}/staff/leden/${accountId}`}>
            <fieldset class="eb-fieldset">
              <legend>{s('Reden', 'Reason')}</legend>
              {membership.VIEW_REASONS.map((r, i) => (
                <div class="eb-choice">
                  <input type="radio" name="reden" id={`reden-${r}`} value={r} checked={i === 0} />
                  <label for={`reden-${r}`}>{REASONS[r][portal.lang]}</label>
                </div>
              ))}
            </fieldset>
            <button class="utrecht-button utrecht-button--primary-action" type="submit">{s('Gegevens tonen', 'Show details')}</button>
          </form>
        </PortalPage>
      ));
    }
    const m = await membership.viewMember(req.ctx, portal.library.id, accountId, reason);
    return sendPage(reply, (
      <PortalPage portal={portal} title={`${m.profile.givenName} ${m.profile.familyName}`}>
        <h1 class="utrecht-heading-1">{m.profile.givenName} {m.profile.familyName}</h1>
        <Notice><p class="utrecht-paragraph">{s('Deze inzage is vastgelegd.', 'This view has been recorded.')}</p></Notice>
        <dl class="eb-dl">
          <dt>{s('E-mailadres', 'E-mail')}</dt><dd>{m.email}</dd>
          {m.profile.birthDate ? <><dt>{s('Geboortedatum', 'Date of birth')}</dt><dd>{m.profile.birthDate}</dd></> : null}
          {m.profile.street ? <><dt>{s('Adres', 'Address')}</dt><dd>{m.profile.street} {m.profile.houseNumber}, {m.profile.postcode} {m.profile.city}</dd></> : null}
          {m.profile.phone ? <><dt>{s('Telefoon', 'Phone')}</dt><dd>{m.profile.phone}</dd></> : null}
        </dl>
        <h2 class="utrecht-heading-2">{s('Lidmaatschap', 'Membership')}</h2>
        <ul class="utrecht-unordered-list">
          {m.memberships.map((x) => <li class="utrecht-unordered-list__item">{formatCard(x.cardNumber)} — {portal.lang === 'nl' ? x.nameNl : x.nameEn} ({x.status}{x.validUntil ? `, ${s('tot', 'until')} ${x.validUntil}` : ''})</li>)}
        </ul>
        <p class="utrecht-paragraph"><a class="utrecht-link" href={`${portal.base}/staff`}>{s('Terug naar zoeken', 'Back to search')}</a></p>
      </PortalPage>
    ));
  }));

  scope.get('/:slug/staff/audit', async (req, reply) => guard(req, reply, async () => {
    const portal = portalInfo(req);
    const s = say(portal.lang);
    const events = await membership.auditTrail(req.ctx, portal.library.id);
    return sendPage(reply, (
      <PortalPage portal={portal} title={s('Audittrail', 'Audit trail')}>
        <h1 class="utrecht-heading-1">{s('Audittrail', 'Audit trail')}</h1>
        <table class="utrecht-table">
          <caption class="utrecht-table__caption">{s('De laatste 200 gebeurtenissen', 'The last 200 events')}</caption>
          <thead class="utrecht-table__header"><tr class="utrecht-table__row">
            <th class="utrecht-table__header-cell" scope="col">{s('Wanneer', 'When')}</th>
            <th class="utrecht-table__header-cell" scope="col">{s('Wie', 'Who')}</th>
            <th class="utrecht-table__header-cell" scope="col">{s('Wat', 'What')}</th>
            <th class="utrecht-table__header-cell" scope="col">{s('Lid', 'Member')}</th>
            <th class="utrecht-table__header-cell" scope="col">{s('Reden', 'Reason')}</th>
          </tr></thead>
          <tbody class="utrecht-table__body">
            {events.map((e) => (
              <tr class="utrecht-table__row">
                <td class="utrecht-table__cell">{e.at.toISOString().slice(0, 19).replace('T', ' ')}</td>
                <td class="utrecht-table__cell">{e.actorEmail ?? s('systeem', 'system')}</td>
                <td class="utrecht-table__cell"><code class="utrecht-code">{e.action}</code></td>
                <td class="utrecht-table__cell">{e.subjectAccountId ? e.subjectAccountId.slice(0, 8) : '—'}</td>
                <td class="utrecht-table__cell">{e.reasonCode && e.reasonCode in REASONS ? REASONS[e.reasonCode as membership.ViewReason][portal.lang] : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </PortalPage>
    ));
  }));

  // Second factor: enrol an authenticator app, or give a code to verify this session.
  scope.get('/:slug/mijn/tweestaps', async (req, reply) => {
    if (req.ctx.actor.kind !== 'account') return reply.redirect(`${portalInfo(req).base}/inloggen`, 303);
    return secondFactorPage(req, reply);
  });

  scope.post('/:slug/mijn/tweestaps', async (req, reply) => {
    verifyCsrf(req);
    const portal = portalInfo(req);
    if (req.ctx.actor.kind !== 'account' || !req.session) return reply.redirect(`${portal.base}/inloggen`, 303);
    const body = (req.body ?? {}) as Q;
    try {
      if (body.secret) await accounts.enrolTotp(req.ctx, { accountId: req.session.accountId, sessionHash: req.session.hash, secret: body.secret, code: body.code ?? '' });
      else await accounts.verifySecondFactor(req.ctx, { accountId: req.session.accountId, sessionHash: req.session.hash, code: body.code ?? '' });
      return reply.redirect(`${portal.base}/staff`, 303);
    } catch (e) {
      if (!(e instanceof AppError) || e.status >= 500) throw e;
      return secondFactorPage(req, reply, e, body.secret);
    }
  });
}

async function secondFactorPage(req: FastifyRequest, reply: FastifyReply, error?: AppError, secret?: string) {
  const portal = portalInfo(req);
  const s = say(portal.lang);
  const enrolled = await accounts.hasTotp(req.ctx, (req.ctx.actor as { accountId: string }).accountId);
  const proposal = enrolled ? null : secret ? { secret } : accounts.proposeTotp(req.session!.accountId, portal.library.name);
  return sendPage(reply, (
    <PortalPage portal={portal} title={s('Tweestapsverificatie', 'Two-step verification')}>
      <h1 class="utrecht-heading-1">{s('Tweestapsverificatie', 'Two-step verification')}</h1>
      <ErrorSummary errors={error?.fields} lang={portal.lang} />
      {proposal ? (
        <p class="utrecht-paragraph">{s('Voeg deze sleutel toe aan uw authenticator-app (tijdgebaseerd, 6 cijfers) en vul daarna de code in die de app toont: ', 'Add this key to your authenticator app (time-based, 6 digits), then enter the code the app shows: ')}
          <code class="utrecht-code">{proposal.secret.replace(/(.{4})/g, '$1 ').trim()}</code></p>
      ) : <p class="utrecht-paragraph">{s('Vul de code in die uw authenticator-app nu toont.', 'Enter the code your authenticator app shows now.')}</p>}
      <form class="eb-form" method="post" action={`${portal.base}/mijn/tweestaps`} novalidate>
        <Csrf token={csrfToken(req, reply)} />
        {proposal ? <input type="hidden" name="secret" value={proposal.secret} /> : null}
        <Field name="code" label={s('Code (6 cijfers)', 'Code (6 digits)')} lang={portal.lang} required inputmode="numeric" autocomplete="one-time-code" maxlength={6} errors={error?.fields} />
        <button class="utrecht-button utrecht-button--primary-action" type="submit">{s('Bevestigen', 'Confirm')}</button>
      </form>
    </PortalPage>
  ), error ? error.status : 200);
}
