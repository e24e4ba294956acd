// What the SIP2 conversation needs from lending, in SIP2's terms. backend.ts implements it with
// the lending services; session.ts only speaks to this interface, so the protocol logic is the
// same whatever the services' exact shapes.
import type { Ctx } from '../../../platform/context.ts';
import type { LocalisedText } from '../../../platform/errors.ts';
import type { Kiosk } from './kiosk.service.ts';

export interface KioskScope {
  ctx: Ctx;
  kiosk: Kiosk;
}

export type ItemStatus = 'available' | 'on_loan' | 'in_transit' | 'on_hold_shelf' | 'in_processing' | 'missing' | 'withdrawn';

export interface PatronView {
  /** As the kiosk greets the member: the given name only (data minimisation). */
  name: string;
  lang: 'nl' | 'en' | null;
  /** Borrowing is blocked, with the reason to show; null when the member may borrow. */
  blocked: LocalisedText | null;
  owedCents: number;
  loanLimit: number;
  holdLimit: number;
  loans: { barcode: string; title: string; dueAt: Date }[];
  holds: { title: string; ready: boolean }[];
  charges: { description: string; cents: number }[];
}

export interface Sip2Backend {
  /** null: no active membership with this card at the kiosk's library. */
  patron(s: KioskScope, cardNumber: string): Promise<PatronView | null>;
  /** Card + PIN through the membership's own check (argon2id, throttled). */
  checkPin(s: KioskScope, cardNumber: string, pin: string): Promise<boolean>;
  checkOut(s: KioskScope, input: { cardNumber: string; barcode: string }): Promise<{ title: string; dueAt: Date; barcode: string; format: string | null }>;
  checkIn(s: KioskScope, input: { barcode: string }): Promise<{
    title: string; routing: 'shelf' | 'transit' | 'hold_shelf'; destinationBranch: string | null; fineCents: number; homeBranch: string | null; format: string | null;
  }>;
  renew(s: KioskScope, input: { cardNumber: string; barcode: string }): Promise<{ title: string; dueAt: Date; format: string | null }>;
  renewAll(s: KioskScope, input: { cardNumber: string }): Promise<{ renewed: string[]; unrenewed: string[] }>;
  itemInfo(s: KioskScope, input: { barcode: string }): Promise<{
    title: string; status: ItemStatus; dueAt: Date | null; holdQueueLength: number; homeBranch: string | null; currentBranch: string | null; format: string | null;
  }>;
  placeHold(s: KioskScope, input: { cardNumber: string; barcode: string; pickupBranchSlug: string | null }): Promise<{
    title: string; position: number; pickupBranch: string; available: boolean;
  }>;
  cancelHold(s: KioskScope, input: { cardNumber: string; barcode: string }): Promise<{ title: string }>;
  payCharges(s: KioskScope, input: { cardNumber: string; cents: number; reference: string }): Promise<{ paidCents: number; remainingCents: number }>;
}
