// The notices module: e-mail through an outbox. A use case writes a `notice` row in its own
// transaction (so a mail is sent exactly when the change it reports is committed); a sender
// delivers later. In development there is no SMTP: the mail viewer at /dev/mail shows the outbox.
import type { Tx } from '../../platform/db/tenant.ts';
import type { MailBrand } from './mail-layout.tsx';

export interface NoticeInput {
  libraryId: string;
  accountId: string | null;
  to: string;
  template: string;
  subject: string;
  bodyText: string;
  /** The HTML part in the library's brand (see mail-layout.tsx); text-only when absent. */
  bodyHtml?: string | null;
}

/** Queue a mail inside the caller's (tenant) transaction. */
export async function enqueueNotice(tx: Tx, n: NoticeInput): Promise<void> {
  await tx.insertInto('notice').values({
    libraryId: n.libraryId, accountId: n.accountId, toAddress: n.to, template: n.template, subject: n.subject, bodyText: n.bodyText,
    bodyHtml: n.bodyHtml ?? null,
  }).execute();
}

/**
 * What a branded mail shows of a library, read inside the caller's tenant transaction. Libraries
 * record no postal address of their own, so the address is that of the library's first branch (by
 * slug), until the network module records one.
 */
export async function mailBrandOf(tx: Tx, libraryId: string, portalUrl: string): Promise<MailBrand> {
  const lib = await tx.selectFrom('library').select(['name', 'brand', 'logoSvg', 'email', 'phone']).where('id', '=', libraryId).executeTakeFirstOrThrow();
  const b = await tx.selectFrom('branch').select(['street', 'houseNumber', 'postcode', 'city']).where('libraryId', '=', libraryId)
    .orderBy('slug').limit(1).executeTakeFirst();
  return {
    name: lib.name, brand: lib.brand, logoSvg: lib.logoSvg, email: lib.email, phone: lib.phone,
    address: b ? `${b.street} ${b.houseNumber}, ${b.postcode} ${b.city}` : null,
    portalUrl: portalUrl.endsWith('/') ? portalUrl : `${portalUrl}/`,
  };
}
