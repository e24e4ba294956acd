import { defineError } from '../../platform/errors.ts';

export const LoginRequired = defineError('ACCOUNTS_LOGIN_REQUIRED', 401, () => ({
  nl: 'Log eerst in.',
  en: 'Please sign in first.',
}));

export const Forbidden = defineError('ACCOUNTS_FORBIDDEN', 403, () => ({
  nl: 'U hebt geen toegang tot dit onderdeel.',
  en: 'You do not have access to this.',
}));

export const SecondFactorRequired = defineError('ACCOUNTS_SECOND_FACTOR_REQUIRED', 403, () => ({
  nl: 'Voor dit onderdeel is een tweede stap nodig: een code uit uw authenticator-app.',
  en: 'This needs a second step: a code from your authenticator app.',
}));

// One message for every failed login: it never reveals whether an account exists.
export const LoginFailed = defineError('ACCOUNTS_LOGIN_FAILED', 401, () => ({
  nl: 'Deze combinatie van gegevens klopt niet.',
  en: 'These details do not match.',
}));

export const LoginThrottled = defineError('ACCOUNTS_LOGIN_THROTTLED', 429, (seconds: number) => ({
  nl: `Te veel mislukte pogingen. Probeer het over ${seconds} seconden opnieuw.`,
  en: `Too many failed attempts. Try again in ${seconds} seconds.`,
}));

export const TokenInvalid = defineError('ACCOUNTS_TOKEN_INVALID', 410, () => ({
  nl: 'Deze link is verlopen of al gebruikt. Vraag een nieuwe aan.',
  en: 'This link has expired or was already used. Please request a new one.',
}));

export const PasswordRejected = defineError('ACCOUNTS_PASSWORD_REJECTED', 422, (reason: 'too_short' | 'too_long' | 'common') => ({
  too_short: { nl: 'Kies een wachtwoord van minstens 12 tekens. Een zin van een paar woorden werkt goed.', en: 'Choose a password of at least 12 characters. A sentence of a few words works well.' },
  too_long: { nl: 'Een wachtwoord mag hoogstens 128 tekens lang zijn.', en: 'A password may be at most 128 characters long.' },
  common: { nl: 'Dit wachtwoord wordt te vaak gebruikt en is makkelijk te raden. Kies een ander.', en: 'This password is too common and easy to guess. Choose another one.' },
}[reason]), 'password');
