import { defineError, type FieldError } from '../../../platform/errors.ts';

export const OidcClientInvalid = defineError('ACCOUNTS_OIDC_CLIENT_INVALID', 422, (_fields: FieldError[]) => ({
  nl: 'De gegevens van de dienst zijn niet goed ingevuld.',
  en: 'The details of the service are not valid.',
}), (fields) => fields);

export const InteractionExpired = defineError('ACCOUNTS_OIDC_INTERACTION_EXPIRED', 410, () => ({
  nl: 'Het inloggen bij de dienst duurde te lang of is al afgerond. Ga terug naar de dienst en probeer het opnieuw.',
  en: 'Signing in to the service took too long or was already finished. Go back to the service and try again.',
}));
