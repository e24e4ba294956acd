// The notices module: e-mail through an outbox (see notices.service.ts).
import type { FastifyInstance } from 'fastify';
import { registerMailViewer } from './notices.pages.tsx';

export { enqueueNotice, type NoticeInput } from './notices.service.ts';

export function noticesModule(app: FastifyInstance): void {
  registerMailViewer(app);
}
