// Form building blocks (NL Design System markup): a label, an optional hint, the error message
// next to the field (linked with aria-describedby) and the control. Pages show the first error
// summary at the top with links to the fields, so keyboard and screen reader users find them.
import type { ComponentChildren } from 'preact';
import type { FieldError } from '../errors.ts';
import type { Lang } from '../i18n.ts';

export interface FieldProps {
  name: string;
  label: string;
  lang: Lang;
  errors?: FieldError[];
  hint?: string;
  type?: string;
  value?: string;
  autocomplete?: string;
  required?: boolean;
  inputmode?: string;
  maxlength?: number;
}

export function fieldError(errors: FieldError[] | undefined, name: string, lang: Lang): string | null {
  const e = errors?.find((x) => x.field === name || x.field === `body.${name}`);
  return e ? e.message[lang] : null;
}

export function Field(p: FieldProps) {
  const error = fieldError(p.errors, p.name, p.lang);
  const describedBy = [p.hint ? `${p.name}-hint` : null, error ? `${p.name}-error` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`utrecht-form-field ${error ? 'utrecht-form-field--invalid' : ''}`}>
      <label class="utrecht-form-label" for={p.name}>{p.label}{p.required ? '' : p.lang === 'nl' ? ' (niet verplicht)' : ' (optional)'}</label>
      {p.hint ? <p class="utrecht-form-field-description" id={`${p.name}-hint`}>{p.hint}</p> : null}
      {error ? <p class="utrecht-form-field-error-message" id={`${p.name}-error`}>{error}</p> : null}
      <input
        class={`utrecht-textbox utrecht-textbox--html-input ${error ? 'utrecht-textbox--invalid' : ''}`}
        id={p.name} name={p.name} type={p.type ?? 'text'} value={p.value ?? ''}
        autocomplete={p.autocomplete} inputmode={p.inputmode} maxlength={p.maxlength}
        required={p.required} aria-invalid={error ? 'true' : undefined} aria-describedby={describedBy}
      />
    </div>
  );
}

export function ErrorSummary({ errors, lang, message }: { errors?: FieldError[]; lang: Lang; message?: string }) {
  if (!errors?.length && !message) return null;
  return (
    <div class="utrecht-alert utrecht-alert--error eb-alert" role="alert" aria-labelledby="error-summary-title">
      <h2 class="utrecht-heading-2" id="error-summary-title">{lang === 'nl' ? 'Er is een probleem' : 'There is a problem'}</h2>
      {message ? <p class="utrecht-paragraph">{message}</p> : null}
      {errors?.length ? (
        <ul class="utrecht-unordered-list">
          {errors.map((e) => <li class="utrecht-unordered-list__item"><a class="utrecht-link" href={`#${e.field.replace(/^body\./, '')}`}>{e.message[lang]}</a></li>)}
        </ul>
      ) : null}
    </div>
  );
}

export function Notice({ children }: { children: ComponentChildren }) {
  return <div class="utrecht-alert utrecht-alert--ok eb-alert" role="status">{children}</div>;
}

export function Csrf({ token }: { token: string }) {
  return <input type="hidden" name="_csrf" value={token} />;
}
