// The development stand-in for a publisher's content server (/inhoud/<token>): it checks the
// access token exactly as a provider would (signature, expiry, then revocation through the grant)
// and shows a reader placeholder, or 410 Gone when the link has expired or was revoked.
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../platform/errors.ts';
import { say } from '../../platform/i18n.ts';
import { sendPage } from '../../platform/views/render.ts';
import { NationalPage } from '../network/index.ts';
import { checkToken } from './access.service.ts';
import { AccessExpired } from './lending.errors.ts';
import { day } from './lending.pages.tsx';

export function registerContentPage(app: FastifyInstance): void {
  app.get('/inhoud/:token', { schema: { hide: true } }, async (req, reply) => {
    const lang = req.lang;
    const s = say(lang);
    const { token } = req.params as { token: string };
    try {
      if (token.length > 400) throw AccessExpired();
      const v = await checkToken(req.ctx, token);
      const title = s(`U leest nu: ${v.title}`, `You are reading: ${v.title}`);
      return sendPage(reply.header('referrer-policy', 'no-referrer'), (
        <NationalPage lang={lang} url={req.url} title={title}>
          <h1 class="utrecht-heading-1">{title}</h1>
          <p class="utrecht-paragraph">{s(
            'Dit is een voorbeeldpagina: hier zou de leesomgeving van de uitgever staan. De link is geldig en niet ingetrokken.',
            'This is a placeholder: the publisher\'s reader would be here. The link is valid and not revoked.')}</p>
          <p class="utrecht-paragraph">{s(`Toegang tot ${day(lang, v.expiresAt)}.`, `Access until ${day(lang, v.expiresAt)}.`)}</p>
        </NationalPage>
      ));
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== AccessExpired.code) throw error;
      const title = s('Deze leeslink werkt niet meer', 'This reading link no longer works');
      return sendPage(reply, (
        <NationalPage lang={lang} url={req.url} title={title}>
          <h1 class="utrecht-heading-1">{title}</h1>
          <p class="utrecht-paragraph">{error.text[lang]}</p>
        </NationalPage>
      ), 410);
    }
  });
}
