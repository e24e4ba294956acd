// The development mail viewer (see notices.service.ts).
import type { FastifyInstance } from 'fastify';
import { NotFound } from '../../platform/errors.ts';
import { Document } from '../../platform/views/document.tsx';
import { sendPage } from '../../platform/views/render.ts';

/**
 * A mail's HTML part is served on its own URL with its own Content-Security-Policy: mail needs
 * inline styles, which the platform's pages forbid. It may not run script, load anything from
 * outside (images are data: URIs), be framed by another site, or submit forms (sandbox).
 */
const MAIL_HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; form-action 'none'; base-uri 'none'; sandbox";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The development mail viewer. It reads the outbox of every library through the owner connection
 * (bypassing tenancy), so it exists only outside production.
 */
export function registerMailViewer(app: FastifyInstance): void {
  app.get('/dev/mail', { schema: { hide: true } }, async (req, reply) => {
    if (req.ctx.config.env === 'production') throw NotFound();
    const mails = await req.ctx.db.selectFrom('notice as n').innerJoin('library as l', 'l.id', 'n.libraryId')
      .select(['n.id', 'n.toAddress', 'n.subject', 'n.bodyText', 'n.createdAt', 'n.template', 'l.name as libraryName'])
      .select((eb) => eb('n.bodyHtml', 'is not', null).as('hasHtml'))
      .orderBy('n.createdAt', 'desc').limit(50).execute();
    const lang = req.lang;
    return sendPage(reply, (
      <Document lang={lang} title={lang === 'nl' ? 'Verstuurde e-mail (ontwikkeling)' : 'Sent e-mail (development)'} themeHref="/static/network.css" bodyClass="eb-national">
        <main id="inhoud" class="eb-main" tabindex={-1}>
          <h1 class="utrecht-heading-1">{lang === 'nl' ? 'Verstuurde e-mail (ontwikkeling)' : 'Sent e-mail (development)'}</h1>
          <p class="utrecht-paragraph">{lang === 'nl'
            ? 'In ontwikkeling wordt geen e-mail verstuurd; dit zijn de laatste 50 berichten in de outbox. Berichten met een opgemaakte versie in de huisstijl van de bibliotheek hebben een link naar die versie.'
            : 'No e-mail is sent in development; these are the last 50 messages in the outbox. Messages with a formatted version in the library\'s brand link to that version.'}</p>
          {mails.map((m) => (
            <article class="eb-mail" aria-labelledby={`mail-${m.id}`}>
              <h2 class="utrecht-heading-2" id={`mail-${m.id}`}>{m.subject}</h2>
              <p class="utrecht-paragraph eb-muted">{m.libraryName} → {m.toAddress} · {m.createdAt.toISOString()}</p>
              {m.hasHtml ? (
                <p class="utrecht-paragraph">
                  <a class="utrecht-link" href={`/dev/mail/${m.id}`}>{lang === 'nl' ? 'Opgemaakte versie (HTML)' : 'Formatted version (HTML)'}<span class="eb-visually-hidden">: {m.subject}</span></a>
                </p>
              ) : null}
              <pre class="eb-mail__body">{m.bodyText}</pre>
            </article>
          ))}
        </main>
      </Document>
    ));
  });

  app.get('/dev/mail/:id', { schema: { hide: true } }, async (req, reply) => {
    if (req.ctx.config.env === 'production') throw NotFound();
    const { id } = req.params as { id: string };
    if (!UUID.test(id)) throw NotFound();
    const mail = await req.ctx.db.selectFrom('notice').select('bodyHtml').where('id', '=', id).executeTakeFirst();
    if (!mail?.bodyHtml) throw NotFound();
    return reply.header('content-security-policy', MAIL_HTML_CSP).header('cache-control', 'no-store')
      .type('text/html; charset=utf-8').send(mail.bodyHtml);
  });
}
