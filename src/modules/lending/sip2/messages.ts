// Screen messages (AF) of the SIP2 server. Dutch first, as Dutch kiosks show them; English when
// the kiosk asked for language 001. Lending's own errors carry their Dutch and English text and
// are shown as they are.
import type { LocalisedText } from '../../../platform/errors.ts';

type Lang = 'nl' | 'en';

const euro = (cents: number, lang: Lang) => `€ ${(cents / 100).toFixed(2).replace('.', lang === 'nl' ? ',' : '.')}`;
const day = (date: Date, lang: Lang) => new Intl.DateTimeFormat(lang === 'nl' ? 'nl-NL' : 'en-GB', {
  day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/Amsterdam',
}).format(date);

export const text = {
  notLoggedIn: (): LocalisedText => ({ nl: 'De kiosk is niet aangemeld. Vraag een medewerker om hulp.', en: 'The kiosk is not logged in. Please ask a member of staff.' }),
  missingFields: (ids: string[]): LocalisedText => ({ nl: `Het verzoek mist de velden ${ids.join(', ')}.`, en: `The request lacks the fields ${ids.join(', ')}.` }),
  notSupported: (): LocalisedText => ({ nl: 'Dit kan niet bij deze kiosk. Vraag een medewerker om hulp.', en: 'This is not possible at this kiosk. Please ask a member of staff.' }),
  internal: (): LocalisedText => ({ nl: 'Er ging iets mis. Probeer het opnieuw of vraag een medewerker om hulp.', en: 'Something went wrong. Try again or ask a member of staff.' }),
  unknownPatron: (): LocalisedText => ({ nl: 'Dit pasnummer kennen we niet.', en: 'We do not know this card number.' }),
  wrongPin: (): LocalisedText => ({ nl: 'De pincode klopt niet.', en: 'The PIN is not correct.' }),
  welcome: (name: string): LocalisedText => ({ nl: `Welkom${name ? `, ${name}` : ''}.`, en: `Welcome${name ? `, ${name}` : ''}.` }),
  blocked: (reason: LocalisedText): LocalisedText => reason,
  owed: (cents: number): LocalisedText => ({ nl: `Openstaand bedrag: ${euro(cents, 'nl')}.`, en: `Amount outstanding: ${euro(cents, 'en')}.` }),
  checkedOut: (title: string, due: Date): LocalisedText => ({ nl: `Geleend: ${title}. Inleveren uiterlijk ${day(due, 'nl')}.`, en: `Borrowed: ${title}. Return by ${day(due, 'en')}.` }),
  checkedIn: (title: string): LocalisedText => ({ nl: `Ingeleverd: ${title}. Bedankt!`, en: `Returned: ${title}. Thank you!` }),
  toTransit: (title: string, branch: string): LocalisedText => ({ nl: `Ingeleverd: ${title}. Apart leggen: gaat naar ${branch}.`, en: `Returned: ${title}. Set aside: goes to ${branch}.` }),
  toHoldShelf: (title: string): LocalisedText => ({ nl: `Ingeleverd: ${title}. Apart leggen: gereserveerd, naar de afhaalplank.`, en: `Returned: ${title}. Set aside: reserved, to the hold shelf.` }),
  lateFee: (cents: number): LocalisedText => ({ nl: `Te laat ingeleverd: ${euro(cents, 'nl')} boete.`, en: `Returned late: ${euro(cents, 'en')} fine.` }),
  renewed: (title: string, due: Date): LocalisedText => ({ nl: `Verlengd: ${title}. Inleveren uiterlijk ${day(due, 'nl')}.`, en: `Renewed: ${title}. Return by ${day(due, 'en')}.` }),
  renewedAll: (renewed: number, refused: number): LocalisedText => ({
    nl: `${renewed} verlengd${refused ? `, ${refused} niet verlengd` : ''}.`, en: `${renewed} renewed${refused ? `, ${refused} not renewed` : ''}.`,
  }),
  renewTitleOnly: (): LocalisedText => ({ nl: 'Scan het exemplaar dat u wilt verlengen.', en: 'Scan the copy you want to renew.' }),
  holdPlaced: (title: string, position: number): LocalisedText => ({ nl: `Gereserveerd: ${title}. U bent nummer ${position} in de rij.`, en: `Reserved: ${title}. You are number ${position} in the queue.` }),
  holdCancelled: (title: string): LocalisedText => ({ nl: `Reservering geannuleerd: ${title}.`, en: `Hold cancelled: ${title}.` }),
  holdNeedsItem: (): LocalisedText => ({ nl: 'Scan een exemplaar van de titel die u wilt reserveren.', en: 'Scan a copy of the title you want to reserve.' }),
  holdChangeUnsupported: (): LocalisedText => ({ nl: 'Een reservering wijzigen kan op de website of aan de balie.', en: 'Change a hold on the website or at the desk.' }),
  pickupUnknown: (): LocalisedText => ({ nl: 'Deze afhaalvestiging kennen we niet.', en: 'We do not know this pickup branch.' }),
  paid: (cents: number, remaining: number): LocalisedText => ({
    nl: `Betaald: ${euro(cents, 'nl')}.${remaining > 0 ? ` Nog open: ${euro(remaining, 'nl')}.` : ''}`,
    en: `Paid: ${euro(cents, 'en')}.${remaining > 0 ? ` Still outstanding: ${euro(remaining, 'en')}.` : ''}`,
  }),
  badAmount: (): LocalisedText => ({ nl: 'Dit bedrag kunnen we niet lezen.', en: 'We cannot read this amount.' }),
  currency: (): LocalisedText => ({ nl: 'Betalen kan alleen in euro.', en: 'Payment is only possible in euros.' }),
  goodbye: (): LocalisedText => ({ nl: 'Tot ziens!', en: 'Goodbye!' }),
};
