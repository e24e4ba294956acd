// Stable error codes of lending. The same codes reach the API (problem+json), the pages (inline
// message), SIP2 (the kiosk's screen message) and the jobs' logs.
import { defineError } from '../../platform/errors.ts';

export const MemberNotFound = defineError('LENDING_MEMBER_NOT_FOUND', 404, () => ({
  nl: 'Er is geen actief lidmaatschap met dit pasnummer bij deze bibliotheek.',
  en: 'There is no active membership with this card number at this library.',
}), 'cardNumber');

export const NoLendingPlan = defineError('LENDING_NO_LENDING_PLAN', 422, () => ({
  nl: 'Met een gratis account kunt u niet lenen. Word lid om boeken en e-books te lenen.',
  en: 'A free account cannot borrow. Become a member to borrow books and e-books.',
}));

export type BlockReason = 'fees' | 'expired';
export const MemberBlocked = defineError('LENDING_MEMBER_BLOCKED', 409, (reasons: BlockReason[], owedCents: number) => {
  const euro = (owedCents / 100).toFixed(2).replace('.', ',');
  const nl: string[] = []; const en: string[] = [];
  if (reasons.includes('fees')) { nl.push(`er staat € ${euro} open, meer dan de grens van de bibliotheek`); en.push(`€ ${euro} is outstanding, more than the library's limit`); }
  if (reasons.includes('expired')) { nl.push('het lidmaatschap is verlopen'); en.push('the membership has expired'); }
  return { nl: `Lenen kan nu niet: ${nl.join(' en ')}.`, en: `Borrowing is not possible now: ${en.join(' and ')}.` };
});

export const LoanLimitReached = defineError('LENDING_LOAN_LIMIT_REACHED', 409, (limit: number) => ({
  nl: `U heeft het maximum van ${limit} geleende materialen bereikt.`,
  en: `You have reached the maximum of ${limit} items on loan.`,
}));

export const DigitalLimitReached = defineError('LENDING_DIGITAL_LIMIT_REACHED', 409, (limit: number) => ({
  nl: `U heeft het maximum van ${limit} digitale leningen bereikt.`,
  en: `You have reached the maximum of ${limit} digital loans.`,
}));

export const HoldLimitReached = defineError('LENDING_HOLD_LIMIT_REACHED', 409, (limit: number) => ({
  nl: `U heeft het maximum van ${limit} reserveringen bereikt.`,
  en: `You have reached the maximum of ${limit} holds.`,
}));

export const ItemUnknown = defineError('LENDING_ITEM_UNKNOWN', 404, () => ({
  nl: 'Dit exemplaar (streepjescode) kennen we niet.',
  en: 'We do not know this copy (barcode).',
}), 'barcode');

export const ItemNotLoanable = defineError('LENDING_ITEM_NOT_LOANABLE', 409, (status: string) => ({
  nl: `Dit exemplaar kan niet worden uitgeleend (status: ${status}).`,
  en: `This copy cannot be lent (status: ${status}).`,
}), 'barcode');

export const ItemAlreadyOnLoan = defineError('LENDING_ITEM_ALREADY_ON_LOAN', 409, () => ({
  nl: 'Dit exemplaar is al uitgeleend. Lever het eerst in.',
  en: 'This copy is already on loan. Check it in first.',
}), 'barcode');

export const ItemHeldForOther = defineError('LENDING_ITEM_HELD_FOR_OTHER', 409, () => ({
  nl: 'Dit exemplaar ligt klaar voor iemand anders die het heeft gereserveerd.',
  en: 'This copy is set aside for someone else who reserved it.',
}), 'barcode');

export const SelfCheckoutOff = defineError('LENDING_SELF_CHECKOUT_OFF', 403, () => ({
  nl: 'Zelf lenen via de website kan bij deze bibliotheek niet. Gebruik de zelfbedieningsautomaat of de balie.',
  en: 'This library does not offer self-checkout on the website. Use the self-service kiosk or the desk.',
}));

export const BranchUnknown = defineError('LENDING_BRANCH_UNKNOWN', 422, () => ({
  nl: 'Deze vestiging hoort niet bij deze bibliotheek.',
  en: 'This branch does not belong to this library.',
}), 'branch');

export const LoanNotFound = defineError('LENDING_LOAN_NOT_FOUND', 404, () => ({
  nl: 'Deze lening bestaat niet of is al afgesloten.',
  en: 'This loan does not exist or has already ended.',
}));

export const RenewalRefusedHolds = defineError('LENDING_RENEWAL_REFUSED_HOLDS', 409, () => ({
  nl: 'Verlengen kan niet: iemand anders wacht op deze titel.',
  en: 'Renewal refused: someone else is waiting for this title.',
}));

export const RenewalLimitReached = defineError('LENDING_RENEWAL_LIMIT_REACHED', 409, (max: number) => ({
  nl: `Verlengen kan niet: u heeft deze lening al ${max} keer verlengd.`,
  en: `Renewal refused: you have already renewed this loan ${max} times.`,
}));

export const RenewalNotDigital = defineError('LENDING_RENEWAL_NOT_DIGITAL', 409, () => ({
  nl: 'Digitale leningen worden niet verlengd. Leen de titel opnieuw als hij afloopt.',
  en: 'Digital loans are not renewed. Borrow the title again when it ends.',
}));

export const HoldNotFound = defineError('LENDING_HOLD_NOT_FOUND', 404, () => ({
  nl: 'Deze reservering bestaat niet of is al afgesloten.',
  en: 'This hold does not exist or has already ended.',
}));

export const AlreadyHeld = defineError('LENDING_HOLD_EXISTS', 409, () => ({
  nl: 'U heeft deze titel al gereserveerd.',
  en: 'You have already placed a hold on this title.',
}));

export const AlreadyBorrowed = defineError('LENDING_ALREADY_BORROWED', 409, () => ({
  nl: 'U heeft deze titel al geleend.',
  en: 'You already have this title on loan.',
}));

export const NotSuppliable = defineError('LENDING_HOLD_NOT_SUPPLIABLE', 422, () => ({
  nl: 'Deze bibliotheek heeft geen exemplaar van deze titel dat gereserveerd kan worden.',
  en: 'This library has no copy of this title that can be reserved.',
}));

export const HoldNotFreezable = defineError('LENDING_HOLD_NOT_FREEZABLE', 409, () => ({
  nl: 'Deze reservering ligt al voor u klaar of is onderweg; pauzeren kan niet meer.',
  en: 'This hold is already ready or on its way; it can no longer be paused.',
}));

export const TitleNotFound = defineError('LENDING_TITLE_NOT_FOUND', 404, () => ({
  nl: 'Deze titel bestaat niet.',
  en: 'This title does not exist.',
}));

export const NotDigital = defineError('LENDING_NOT_DIGITAL', 422, () => ({
  nl: 'Deze titel is niet digitaal te leen bij deze bibliotheek.',
  en: 'This title cannot be borrowed digitally at this library.',
}));

export const AccessExpired = defineError('LENDING_ACCESS_EXPIRED', 410, () => ({
  nl: 'Deze leeslink is verlopen of ingetrokken. Leen de titel opnieuw.',
  en: 'This reading link has expired or was revoked. Borrow the title again.',
}));

export const NotHomeLibrary = defineError('LENDING_NOT_HOME_LIBRARY', 422, () => ({
  nl: 'U leent bij uw eigen bibliotheek. Ga naar de website van uw bibliotheek.',
  en: 'You borrow at your own library. Go to your library\'s website.',
}));

/** Desk pages: an amount typed in euros that is not one (fee, payment). */
export const AmountInvalid = defineError('LENDING_AMOUNT_INVALID', 422, (_field: string) => ({
  nl: 'Vul een bedrag in euro in, bijvoorbeeld 2,50.',
  en: 'Enter an amount in euros, for example 2.50.',
}), (field) => [{ field, message: { nl: 'Vul een bedrag in euro in, bijvoorbeeld 2,50.', en: 'Enter an amount in euros, for example 2.50.' } }]);
