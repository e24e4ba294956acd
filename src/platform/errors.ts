// Coded errors (like Fastify's FST_ERR_* catalogue) and their RFC 9457 problem+json shape.
// Modules define their catalogue with `defineError`; one handler (platform/http/error-handler.ts)
// turns them into problem+json for the API and an inline message or error page for HTML.

export interface LocalisedText {
  nl: string;
  en: string;
}

export interface FieldError {
  /** Form field / JSON pointer-ish name (`postcode`, `body.email`). */
  field: string;
  message: LocalisedText;
}

export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    readonly text: LocalisedText,
    readonly fields: FieldError[] = [],
    readonly extra: Record<string, unknown> = {},
  ) {
    super(text.en);
    this.name = 'AppError';
  }
}

export interface ErrorDefinition<A extends unknown[]> {
  code: string;
  status: number;
  (...args: A): AppError;
}

/** `const LibraryNotFound = defineError('NETWORK_LIBRARY_NOT_FOUND', 404, () => ({nl, en}))` */
export function defineError<A extends unknown[] = []>(
  code: string,
  status: number,
  text: (...args: A) => LocalisedText,
  /** The form field the message belongs next to, or a function listing several. */
  fields?: string | ((...args: A) => FieldError[]),
): ErrorDefinition<A> {
  const make = (...args: A) => {
    const message = text(...args);
    const list = typeof fields === 'string' ? [{ field: fields, message }] : fields ? fields(...args) : [];
    return new AppError(code, status, message, list);
  };
  return Object.assign(make, { code, status });
}

// Platform-wide errors.
export const NotFound = defineError('NOT_FOUND', 404, () => ({
  nl: 'Deze pagina of dit onderdeel bestaat niet.',
  en: 'This page or resource does not exist.',
}));

export const ValidationFailed = defineError('VALIDATION_FAILED', 400, (_fields: FieldError[]) => ({
  nl: 'Niet alle gegevens zijn goed ingevuld.',
  en: 'Some of the data is not valid.',
}), (fields) => fields);

export const PayloadTooLarge = defineError('PAYLOAD_TOO_LARGE', 413, () => ({
  nl: 'Het verzoek is te groot.',
  en: 'The request is too large.',
}));

export const MalformedRequest = defineError('MALFORMED_REQUEST', 400, () => ({
  nl: 'Het verzoek kon niet worden gelezen.',
  en: 'The request could not be read.',
}));

export const UnsupportedMediaType = defineError('UNSUPPORTED_MEDIA_TYPE', 415, () => ({
  nl: 'Dit soort inhoud wordt hier niet aangenomen.',
  en: 'This content type is not accepted here.',
}));

export const TooManyRequests = defineError('TOO_MANY_REQUESTS', 429, () => ({
  nl: 'Te veel verzoeken. Probeer het over een minuut opnieuw.',
  en: 'Too many requests. Please try again in a minute.',
}));

export const InternalError = defineError('INTERNAL_ERROR', 500, () => ({
  nl: 'Er ging iets mis aan onze kant. Probeer het later opnieuw.',
  en: 'Something went wrong on our side. Please try again later.',
}));

export const Unavailable = defineError('SERVICE_UNAVAILABLE', 503, () => ({
  nl: 'De dienst is tijdelijk niet beschikbaar.',
  en: 'The service is temporarily unavailable.',
}));

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  instance?: string;
  errors?: { field: string; message: string }[];
  [key: string]: unknown;
}

export function toProblem(error: AppError, lang: 'nl' | 'en', instance?: string): Problem {
  return {
    type: `https://eenbieb.nl/problems/${error.code.toLowerCase().replace(/_/g, '-')}`,
    title: error.text[lang],
    status: error.status,
    code: error.code,
    ...(instance ? { instance } : {}),
    ...(error.fields.length
      ? { errors: error.fields.map((f) => ({ field: f.field, message: f.message[lang] })) }
      : {}),
    ...error.extra,
  };
}
