// The notices module: e-mail through an outbox. A use case writes a `notice` row in its own
// transaction (so a mail is sent exactly when the change it reports is committed); a sender
// delivers later. In development there is no SMTP: the mail viewer at /dev/mail shows the outbox.
import type { Tx } from '../../platform/db/tenant.ts';

export interface NoticeInput {
  libraryId: string;
  accountId: string | null;
  to: string;
  template: string;
  subject: string;
  bodyText: string;
}

/** Queue a mail inside the caller's (tenant) transaction. */
export async function enqueueNotice(tx: Tx, n: NoticeInput): Promise<void> {
  await tx.insertInto('notice').values({
    libraryId: n.libraryId, accountId: n.accountId, toAddress: n.to, template: n.template, subject: n.subject, bodyText: n.bodyText,
  }).execute();
}

