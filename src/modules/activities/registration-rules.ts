// Pure rules of registration: who gets a seat, when registering and cancelling close, what an
// e-mail address must look like. The database enforces the same seat rule (check constraint);
// these functions decide what to try and what to tell the person.

export type Outcome = { status: 'confirmed' } | { status: 'waitlisted'; position: number };

/** A seat when one is free (or there is no limit); otherwise the next place in the queue. */
export function outcome(capacity: number | null, seatsTaken: number, waitlisted: number): Outcome {
  if (capacity === null || seatsTaken < capacity) return { status: 'confirmed' };
  return { status: 'waitlisted', position: waitlisted + 1 };
}

/** Registration and cancellation close `cutoffMinutes` before the session starts. */
export function closesAt(startsAt: Date, cutoffMinutes: number): Date {
  return new Date(startsAt.getTime() - cutoffMinutes * 60_000);
}

export function isOpen(now: Date, startsAt: Date, cutoffMinutes: number): boolean {
  return now.getTime() < closesAt(startsAt, cutoffMinutes).getTime();
}

/** The same shape the account table checks, plus a sane length; lower-cased like the account. */
export function normaliseEmail(input: unknown): string | null {
  if (typeof input !== 'string') return null;
  const email = input.trim().toLowerCase();
  if (email.length < 6 || email.length > 254) return null;
  if (!/^[^@\s"<>]+@[^@\s"<>]+\.[a-z]{2,}$/.test(email)) return null;
  return email;
}

/** How many seats may move from the waitlist to confirmed. */
export function seatsToFill(capacity: number | null, seatsTaken: number, waitlisted: number): number {
  const free = capacity === null ? waitlisted : Math.max(0, capacity - seatsTaken);
  return Math.min(free, waitlisted);
}
