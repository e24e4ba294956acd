// The development mail viewer (see notices.service.ts).
import type { FastifyInstance } from 'fastify';
import { NotFound } from '../../platform/errors.ts';
import { Document } from '../../platform/views/document.tsx';
import { sendPage } from '../../platform/views/render.ts';

/**
 * The development mail viewer. It reads the outbox of every library through the owner connection
 * (bypassing tenancy), so it exists only outside production.
 */
export function registerMailViewer(app: FastifyInstance): void {
  app.get('/dev/mail', { schema: { hide: true } }, async (req, reply) => {
    if (req.ctx.config.env === 'production') throw NotFound();
    const mails = await req.ctx.db.selectFrom('notice as n').innerJoin('library as l', 'l.id', 'n.libraryId')
      .select(['n.id', 'n.toAddress', 'n.subject', 'n.bodyText', 'n.createdAt', 'n.template', 'l.name as libraryName'])
      .orderBy('n.createdAt', 'desc').limit(50).execute();
    const lang = req.lang;
    return sendPage(reply, (
      <Document lang={lang} title={lang === 'nl' ? 'Verstuurde e-mail (ontwikkeling)' : 'Sent e-mail (development)'} themeHref="/static/network.css" bodyClass="eb-national">
        <main id="inhoud" class="eb-main" tabindex={-1}>
          <h1 class="utrecht-heading-1">{lang === 'nl' ? 'Verstuurde e-mail (ontwikkeling)' : 'Sent e-mail (development)'}</h1>
          <p class="utrecht-paragraph">{lang === 'nl'
            ? 'In ontwikkeling wordt geen e-mail verstuurd; dit zijn de laatste 50 berichten in de outbox.'
            : 'No e-mail is sent in development; these are the last 50 messages in the outbox.'}</p>
          {mails.map((m) => (
            <article class="eb-mail" aria-labelledby={`mail-${m.id}`}>
              <h2 class="utrecht-heading-2" id={`mail-${m.id}`}>{m.subject}</h2>
              <p class="utrecht-paragraph eb-muted">{m.libraryName} → {m.toAddress} · {m.createdAt.toISOString()}</p>
              <pre class="eb-mail__body">{m.bodyText}</pre>
            </article>
          ))}
        </main>
      </Document>
    ));
  });
}
