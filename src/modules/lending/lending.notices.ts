// The mails lending sends, in the member's language (account.preferred_language) and in the
// library's brand: name, logo and colours (HTML part), address, phone, e-mail and portal link (both
// parts; see the notices module's mail layout). They are queued in the outbox inside the
// transaction of the change they report.
import type { Ctx } from '../../platform/context.ts';
import type { Tx } from '../../platform/db/tenant.ts';
import { formatDate, type Lang } from '../../platform/i18n.ts';
import { listLibraries } from '../network/index.ts';
import { brandedMail, enqueueNotice, mailBrandOf, type MailContent } from '../notices/index.ts';
import { contactOf } from './lending.repository.ts';

/** What lending needs of a library: its id (tenant), and its name and portal address for mails. */
export interface NoticeLibrary { id: string; name: string; url: string }

/** Every library (from the network's per-process cache). */
export async function lendingLibraries(ctx: Ctx): Promise<NoticeLibrary[]> {
  return (await listLibraries(ctx)).map((l) => ({ id: l.id, name: l.name, url: l.url }));
}

export async function noticeLibraryOf(ctx: Ctx, libraryId: string): Promise<NoticeLibrary> {
  const lib = (await lendingLibraries(ctx)).find((l) => l.id === libraryId);
  if (!lib) throw new Error(`library ${libraryId} not found`);
  return lib;
}

/** A loan in a list of a reminder or an overdue notice. */
export interface NoticeLoan { title: string; due: Date }

type Body = Omit<MailContent, 'lang' | 'action'>;
const loanLine = (lang: Lang, l: NoticeLoan) => (lang === 'nl' ? `${l.title} (inleveren vóór ${formatDate('nl', l.due)})` : `${l.title} (due ${formatDate('en', l.due)})`);

export const TEMPLATES = {
  hold_ready: (lang: Lang, v: { title: string; branch: string; until: Date }): Body => lang === 'nl'
    ? { subject: `Uw reservering ligt klaar: ${v.title}`, intro: [`Uw reservering "${v.title}" ligt voor u klaar in ${v.branch}.`, `U kunt hem ophalen tot en met ${formatDate('nl', v.until)}. Neem uw bibliotheekpas mee.`] }
    : { subject: `Your hold is ready: ${v.title}`, intro: [`Your hold "${v.title}" is ready for you at ${v.branch}.`, `Please collect it by ${formatDate('en', v.until)}, and bring your library card.`] },
  digital_offer: (lang: Lang, v: { title: string; until: Date }): Body => lang === 'nl'
    ? { subject: `Nu voor u beschikbaar: ${v.title}`, intro: [`Het e-book of luisterboek "${v.title}" dat u reserveerde is nu beschikbaar.`, `Leen het vóór ${formatDate('nl', v.until)} in Mijn bibliotheek; daarna gaat het naar de volgende.`] }
    : { subject: `Now available for you: ${v.title}`, intro: [`The e-book or audiobook "${v.title}" you reserved is now available.`, `Borrow it in My library before ${formatDate('en', v.until)}; after that it goes to the next person.`] },
  digital_auto_loan: (lang: Lang, v: { title: string; due: Date }): Body => lang === 'nl'
    ? { subject: `Geleend: ${v.title}`, intro: [`Uw reservering "${v.title}" is automatisch voor u geleend.`, `U kunt lezen of luisteren tot ${formatDate('nl', v.due)}.`] }
    : { subject: `Borrowed: ${v.title}`, intro: [`Your hold "${v.title}" was borrowed for you automatically.`, `You can read or listen until ${formatDate('en', v.due)}.`] },
  due_soon: (lang: Lang, v: { loans: NoticeLoan[] }): Body => lang === 'nl'
    ? { subject: v.loans.length === 1 ? 'Uw lening loopt bijna af' : 'Uw leningen lopen bijna af', intro: ['Over een paar dagen moet u inleveren:'], list: v.loans.map((l) => loanLine('nl', l)), outro: ['Lever op tijd in of verleng in Mijn bibliotheek, dan betaalt u geen boete.'] }
    : { subject: v.loans.length === 1 ? 'Your loan is due soon' : 'Your loans are due soon', intro: ['These are due in a few days:'], list: v.loans.map((l) => loanLine('en', l)), outro: ['Return them in time or renew them in My library to avoid a late fee.'] },
  overdue: (lang: Lang, v: { loans: NoticeLoan[] }): Body => lang === 'nl'
    ? { subject: 'U bent te laat met inleveren', intro: ['De inleverdatum is verstreken voor:'], list: v.loans.map((l) => loanLine('nl', l)), outro: ['Lever zo snel mogelijk in, of verleng in Mijn bibliotheek als dat nog kan.'] }
    : { subject: 'Your loan is overdue', intro: ['The due date has passed for:'], list: v.loans.map((l) => loanLine('en', l)), outro: ['Please return them as soon as possible, or renew them in My library if you still can.'] },
  hold_expired: (lang: Lang, v: { title: string }): Body => lang === 'nl'
    ? { subject: `Reservering verlopen: ${v.title}`, intro: [`U heeft "${v.title}" niet op tijd opgehaald. De reservering is vervallen en het exemplaar gaat naar de volgende.`] }
    : { subject: `Hold expired: ${v.title}`, intro: [`You did not collect "${v.title}" in time. The hold has lapsed and the copy goes to the next person.`] },
} as const;

export type TemplateName = keyof typeof TEMPLATES;

/** Queue a lending mail for an account, in its language, inside the caller's tenant transaction. */
export async function notify<K extends TemplateName>(tx: Tx, lib: NoticeLibrary, accountId: string, template: K, vars: Parameters<(typeof TEMPLATES)[K]>[1]): Promise<void> {
  const to = await contactOf(tx, accountId);
  if (!to) return;
  const body = (TEMPLATES[template] as (lang: Lang, v: typeof vars) => Body)(to.lang, vars);
  const brand = await mailBrandOf(tx, lib.id, lib.url);
  // an English reader lands on the English portal (the choice then sticks)
  const mine = `${brand.portalUrl}mijn${to.lang === 'en' ? '?lang=en' : ''}`;
  const mail = brandedMail(brand, { ...body, lang: to.lang, action: { label: to.lang === 'nl' ? 'Naar Mijn bibliotheek' : 'Go to My library', href: mine } });
  await enqueueNotice(tx, { libraryId: lib.id, accountId, to: to.email, template: `lending.${template}`, ...mail });
}
