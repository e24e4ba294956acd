// One error handler for the whole platform. Coded errors become RFC 9457 problem+json for the API
// and a page for browsers; anything unexpected is logged with the request id and answered with a
// plain "something went wrong" — never a stack trace, never a database message.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  AppError, InternalError, MalformedRequest, NotFound, PayloadTooLarge, TooManyRequests,
  UnsupportedMediaType, ValidationFailed, toProblem, type FieldError,
} from '../errors.ts';

export type ErrorPageRenderer = (req: FastifyRequest, error: AppError) => Promise<string> | string;

export function isApiRequest(req: FastifyRequest): boolean {
  const path = req.url.split('?')[0]!;
  return path === '/api' || path.startsWith('/api/');
}

function fromFastify(error: FastifyError): AppError | null {
  if (error instanceof AppError) return error;
  if (error.validation) {
    const fields: FieldError[] = error.validation.map((v) => {
      const where = (error.validationContext ?? 'body') as string;
      const prop = (v.params as { missingProperty?: string } | undefined)?.missingProperty;
      const path = [where, ...`${v.instancePath ?? ''}`.split('/').filter(Boolean), ...(prop ? [prop] : [])].join('.');
      return { field: path, message: { nl: `Ongeldige waarde (${v.message ?? 'onbekend'})`, en: `Invalid value (${v.message ?? 'unknown'})` } };
    });
    return ValidationFailed(fields);
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': return PayloadTooLarge();
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': return UnsupportedMediaType();
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_BAD_URL':
    case 'FST_ERR_ASYNC_CONSTRAINT':
      return MalformedRequest();
  }
  if (error.statusCode === 429) return TooManyRequests();
  if (error.statusCode === 413) return PayloadTooLarge();
  if (error.statusCode === 415) return UnsupportedMediaType();
  if (error.statusCode === 400 && error instanceof SyntaxError) return MalformedRequest();
  return null;
}

export function installErrorHandling(app: FastifyInstance, renderPage: ErrorPageRenderer): void {
  const send = async (req: FastifyRequest, reply: FastifyReply, error: AppError) => {
    const lang = req.lang ?? 'nl';
    if (isApiRequest(req) || !req.headers.accept?.includes('text/html')) {
      return reply.code(error.status).type('application/problem+json').send(toProblem(error, lang, req.url.split('?')[0]));
    }
    const html = await renderPage(req, error);
    return reply.code(error.status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
  };

  app.setErrorHandler(async (err: FastifyError, req, reply) => {
    const known = fromFastify(err);
    if (known) {
      if (known.status >= 500) req.log.error({ code: known.code }, 'request failed');
      return send(req, reply, known);
    }
    // Log the error type and message, never the request body; SQL errors carry no parameters.
    req.log.error({ err: { type: err.name, code: err.code, message: err.message, stack: err.stack } }, 'unexpected error');
    return send(req, reply, InternalError());
  });

  app.setNotFoundHandler(async (req, reply) => send(req, reply, NotFound()));
}
