import { defineError, type FieldError } from '../../platform/errors.ts';

export const UnknownBranch = defineError('DISCOVERY_UNKNOWN_BRANCH', 400, (slug: string) => ({
  nl: `Vestiging "${slug}" bestaat niet bij deze bibliotheek.`,
  en: `Branch "${slug}" does not exist at this library.`,
}), 'branch');

export const InvalidSearch = defineError('DISCOVERY_INVALID_SEARCH', 400, (_fields: FieldError[]) => ({
  nl: 'Deze zoekopdracht kunnen we niet uitvoeren. Controleer de filters.',
  en: 'We cannot run this search. Check the filters.',
}), (fields) => fields);
