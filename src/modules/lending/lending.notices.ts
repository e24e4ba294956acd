// The mails lending sends, in the member's language and under the library's name. They are queued
// in the outbox inside the transaction of the change they report (see the notices module).
import type { Ctx } from '../../platform/context.ts';
import type { Tx } from '../../platform/db/tenant.ts';
import { formatDate } from '../../platform/i18n.ts';
import { listLibraries } from '../network/index.ts';
import { enqueueNotice } from '../notices/index.ts';
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

type Lang = 'nl' | 'en';
interface Text { subject: string; body: string }

const footer = (lib: NoticeLibrary, lang: Lang) => lang === 'nl'
  ? `\n\nMet vriendelijke groet,\n${lib.name}\n${lib.url}mijn`
  : `\n\nKind regards,\n${lib.name}\n${lib.url}mijn`;

export const TEMPLATES = {
  hold_ready: (lang: Lang, v: { title: string; branch: string; until: Date }): Text => lang === 'nl'
    ? { subject: `Uw reservering ligt klaar: ${v.title}`, body: `Uw reservering "${v.title}" ligt voor u klaar in ${v.branch}.\nU kunt hem ophalen tot en met ${formatDate('nl', v.until)}.` }
    : { subject: `Your hold is ready: ${v.title}`, body: `Your hold "${v.title}" is ready for you at ${v.branch}.\nPlease collect it by ${formatDate('en', v.until)}.` },
  digital_offer: (lang: Lang, v: { title: string; until: Date }): Text => lang === 'nl'
    ? { subject: `Nu voor u beschikbaar: ${v.title}`, body: `Het e-book of luisterboek "${v.title}" dat u reserveerde is nu beschikbaar.\nLeen het vóór ${formatDate('nl', v.until)} in Mijn bibliotheek; daarna gaat het naar de volgende.` }
    : { subject: `Now available for you: ${v.title}`, body: `The e-book or audiobook "${v.title}" you reserved is now available.\nBorrow it in My library before ${formatDate('en', v.until)}; after that it goes to the next person.` },
  digital_auto_loan: (lang: Lang, v: { title: string; due: Date }): Text => lang === 'nl'
    ? { subject: `Geleend: ${v.title}`, body: `Uw reservering "${v.title}" is automatisch voor u geleend. U kunt lezen of luisteren tot ${formatDate('nl', v.due)}.` }
    : { subject: `Borrowed: ${v.title}`, body: `Your hold "${v.title}" was borrowed for you automatically. You can read or listen until ${formatDate('en', v.due)}.` },
  due_soon: (lang: Lang, v: { titles: string[]; due: Date }): Text => lang === 'nl'
    ? { subject: 'Uw lening loopt bijna af', body: `Inleveren of verlengen vóór ${formatDate('nl', v.due)}:\n- ${v.titles.join('\n- ')}` }
    : { subject: 'Your loan is due soon', body: `Please return or renew by ${formatDate('en', v.due)}:\n- ${v.titles.join('\n- ')}` },
  overdue: (lang: Lang, v: { titles: string[] }): Text => lang === 'nl'
    ? { subject: 'U bent te laat met inleveren', body: `De inleverdatum is verstreken voor:\n- ${v.titles.join('\n- ')}\nLever in of verleng zo snel mogelijk.` }
    : { subject: 'Your loan is overdue', body: `The due date has passed for:\n- ${v.titles.join('\n- ')}\nPlease return or renew as soon as possible.` },
  hold_expired: (lang: Lang, v: { title: string }): Text => lang === 'nl'
    ? { subject: `Reservering verlopen: ${v.title}`, body: `U heeft "${v.title}" niet op tijd opgehaald. De reservering is vervallen en het exemplaar gaat naar de volgende.` }
    : { subject: `Hold expired: ${v.title}`, body: `You did not collect "${v.title}" in time. The hold has lapsed and the copy goes to the next person.` },
} as const;

export type TemplateName = keyof typeof TEMPLATES;

/** Queue a lending mail for an account, in its language, inside the caller's tenant transaction. */
export async function notify<K extends TemplateName>(tx: Tx, lib: NoticeLibrary, accountId: string, template: K, vars: Parameters<(typeof TEMPLATES)[K]>[1]): Promise<void> {
  const to = await contactOf(tx, accountId);
  if (!to) return;
  const text = (TEMPLATES[template] as (lang: Lang, v: typeof vars) => Text)(to.lang, vars);
  await enqueueNotice(tx, { libraryId: lib.id, accountId, to: to.email, template: `lending.${template}`, subject: text.subject, bodyText: text.body + footer(lib, to.lang) });
}
