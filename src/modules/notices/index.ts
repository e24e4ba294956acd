// The notices module: e-mail through an outbox (see notices.service.ts), in the library's brand
// (mail-layout.tsx).
import type { FastifyInstance } from 'fastify';
import { registerMailViewer } from './notices.pages.tsx';

export { enqueueNotice, mailBrandOf, type NoticeInput } from './notices.service.ts';
export { brandedMail, mailText, mailHtml, type MailBrand, type MailContent } from './mail-layout.tsx';

export function noticesModule(app: FastifyInstance): void {
  registerMailViewer(app);
}
