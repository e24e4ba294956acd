// Use cases of activities: the agenda, activity pages, registration with waitlist, cancellation
// with promotion, check-in and the librarian's tools. Every function takes a context and opens
// its own tenant transaction; staff actions call the policy inside it.
import crypto from 'node:crypto';
import type { Ctx } from '../../platform/context.ts';
import { inNetwork, inTenant, type Tx } from '../../platform/db/tenant.ts';
import {
  ActivityCancelled, ActivityInvalid, ActivityNotFound, AlreadyRegistered, CancellationClosed, CheckInRefused,
  ConsentRequired, EmailInvalid, FeedNotCalendar, FeedRefused, FeedTooLarge, FeedUnavailable, ImportSourceRequired, NoSeats, NotBookable, RegistrationClosed, RegistrationNotFound, SessionNotFound,
  SessionRequired,
} from './activities.errors.ts';
import { libraryUrl } from '../network/index.ts';
import { FetchRefused, fetchGuarded, type GuardedFetchOptions } from '../../platform/http/outbound.ts';
import { canCheckIn, canManageActivities, isStaff } from './activities.policy.ts';
import * as repo from './activities.repository.ts';
import {
  ACTIVITY_KINDS, AUDIENCES, STATUTORY_FUNCTIONS, type ActivityKind, type ActivityStatus, type Audience, type StatutoryFunction,
} from './activities.tables.ts';
import { activitiesCalendar } from './icalendar.ts';
import { parseCalendar, type ImportProblem } from './icalendar-import.ts';
import { isOpen, normaliseEmail, outcome } from './registration-rules.ts';

export type AgendaEntry = Awaited<ReturnType<typeof repo.agenda>>[number];

export interface AgendaQuery {
  from?: Date;
  to?: Date;
  audience?: Audience;
  statutoryFunction?: StatutoryFunction;
  branchSlug?: string;
  online?: boolean;
  free?: boolean;
  limit?: number;
}

/** The public agenda: published activities, one entry per session (a course once). */
export async function agenda(ctx: Ctx, libraryId: string, q: AgendaQuery = {}): Promise<AgendaEntry[]> {
  return inTenant(ctx.db, libraryId, (tx) => repo.agenda(tx, libraryId, {
    ...q, from: q.from ?? new Date(), publishedOnly: true, limit: Math.min(q.limit ?? 100, 500),
  }));
}

/**
 * What a title page links to: upcoming activities about this work (any of its titles), from this
 * library and shared by the network, soonest first.
 */
export async function relatedActivities(ctx: Ctx, libraryId: string, titleIds: string[], limit = 5) {
  const ids = [...new Set(titleIds.filter(isUuid).map((id) => id.toLowerCase()))];
  if (!ids.length) return [];
  return inTenant(ctx.db, libraryId, (tx) => repo.relatedToTitles(tx, libraryId, ids, new Date(), Math.min(limit, 20)));
}

/** An activity as the edit form needs it (librarians only). */
export async function activityForEdit(ctx: Ctx, libraryId: string, id: string): Promise<ActivityDetail> {
  if (!isUuid(id)) throw ActivityNotFound();
  const detail = await inTenant(ctx.db, libraryId, async (tx) => {
    await canManageActivities(tx, libraryId, ctx.actor);
    return loadDetail(tx, ctx, libraryId, id);
  });
  if (!detail) throw ActivityNotFound();
  return detail;
}

/** Staff overview: drafts and past sessions too. */
export async function staffAgenda(ctx: Ctx, libraryId: string): Promise<AgendaEntry[]> {
  return inTenant(ctx.db, libraryId, async (tx) => {
    await canManageActivities(tx, libraryId, ctx.actor);
    return repo.agenda(tx, libraryId, { publishedOnly: false, limit: 500, from: new Date(Date.now() - 30 * 86_400_000) });
  });
}

/** Branches for the agenda's "where" filter and the activity form. */
export async function branchesOf(ctx: Ctx, libraryId: string): Promise<{ slug: string; name: string }[]> {
  return inTenant(ctx.db, libraryId, (tx) => repo.branchesOf(tx, libraryId));
}

/** Whether to show staff links (authorisation is always the policy call inside each use case). */
export async function actorIsStaff(ctx: Ctx, libraryId: string): Promise<boolean> {
  if (ctx.actor.kind !== 'account') return false;
  return inTenant(ctx.db, libraryId, (tx) => isStaff(tx, libraryId, ctx.actor));
}

export type ActivityDetail = NonNullable<Awaited<ReturnType<typeof loadDetail>>>;

async function loadDetail(tx: Tx, ctx: Ctx, libraryId: string, id: string) {
  const activity = await repo.findActivity(tx, libraryId, id);
  if (!activity) return null;
  const staff = await isStaff(tx, libraryId, ctx.actor);
  // a draft exists only for staff: for anyone else it is simply not there
  if (activity.status === 'draft' && !staff) return null;
  const sessions = await repo.sessionsOf(tx, libraryId, [id]);
  const mine = ctx.actor.kind === 'account' ? await repo.registrationsOfAccount(tx, libraryId, ctx.actor.accountId, id) : [];
  const { onlineUrl, ...rest } = activity;
  const organiser = await tx.selectFrom('library').select(['name', 'slug']).where('id', '=', libraryId).executeTakeFirstOrThrow();
  return {
    ...rest,
    organiser,
    // the joining link is for people with a seat (and staff) only
    onlineUrl: staff || mine.some((r) => r.status === 'confirmed' || r.status === 'attended') ? onlineUrl : null,
    hasOnlineUrl: onlineUrl !== null,
    sessions,
    mine,
    staff,
  };
}

/**
 * The library that organises an activity shown in this library's portal: the library itself, or
 * the organiser of an online activity shared with the network. Registrations for a shared
 * activity are kept by its organiser, so every use case below runs in the organiser's tenant.
 */
export async function organiserOf(ctx: Ctx, libraryId: string, activityId: string): Promise<string> {
  if (!isUuid(activityId)) return libraryId;
  return (await inTenant(ctx.db, libraryId, (tx) => repo.organiserOf(tx, libraryId, activityId))) ?? libraryId;
}

export async function getActivity(ctx: Ctx, libraryId: string, id: string): Promise<ActivityDetail & { organiserId: string }> {
  if (!isUuid(id)) throw ActivityNotFound();
  const organiserId = await organiserOf(ctx, libraryId, id);
  const detail = await inTenant(ctx.db, organiserId, (tx) => loadDetail(tx, ctx, organiserId, id));
  if (!detail) throw ActivityNotFound();
  return { ...detail, organiserId };
}

export const notFound = () => ActivityNotFound();

export function isUuid(s: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
}

// ---------------------------------------------------------------------------------------------
// Registration

export interface RegisterInput {
  sessionId?: string;
  /** A guest without an account: becomes a connected user (an account without password). */
  email?: string;
  /** The guest agrees that the e-mail address is used for this registration. */
  consent?: boolean;
}

export interface RegisterResult {
  id: string;
  status: 'confirmed' | 'waitlisted';
  position?: number;
  code: string;
}

function newCode(): string {
  return crypto.randomBytes(18).toString('base64url');
}

export async function register(ctx: Ctx, portalLibraryId: string, activityId: string, input: RegisterInput, now = new Date()): Promise<RegisterResult> {
  if (!isUuid(activityId)) throw ActivityNotFound();
  const libraryId = await organiserOf(ctx, portalLibraryId, activityId);
  if (input.sessionId !== undefined && !isUuid(input.sessionId)) throw SessionNotFound();
  const guest = ctx.actor.kind !== 'account';
  const email = guest ? normaliseEmail(input.email) : null;
  if (guest && !email) throw EmailInvalid();
  if (guest && input.consent !== true) throw ConsentRequired();

  return twiceIsAlready(inTenant(ctx.db, libraryId, async (tx) => {
    const activity = await repo.findActivity(tx, libraryId, activityId);
    if (!activity || activity.status === 'draft') throw ActivityNotFound();
    if (activity.status === 'cancelled') throw ActivityCancelled();
    if (!activity.registrationRequired) throw NotBookable();
    const sessions = await repo.sessionsOf(tx, libraryId, [activityId]);
    if (!sessions.length) throw NoSeats();
    let sessionId: string;
    if (activity.kind === 'course') sessionId = sessions[0]!.id; // one registration for all meetings
    else if (input.sessionId) sessionId = input.sessionId;
    else if (sessions.length === 1) sessionId = sessions[0]!.id;
    else throw SessionRequired();
    if (!sessions.some((s) => s.id === sessionId)) throw SessionNotFound();

    const session0 = sessions.find((s) => s.id === sessionId)!;
    if (session0.status === 'cancelled') throw ActivityCancelled();
    if (session0.capacity === 0) throw NoSeats();
    if (!isOpen(now, session0.startsAt, activity.cutoffMinutes)) throw RegistrationClosed();
    const person = ctx.actor.kind === 'account'
      ? { id: ctx.actor.accountId, homeLibraryId: ctx.actor.homeLibraryId }
      : await connectedUser(tx, libraryId, email!);
    // Everything that needs no seat is looked up before the lock, to keep the queue short. A
    // second registration racing this one is refused by the unique index (registration_one_live).
    if (await repo.liveRegistration(tx, libraryId, sessionId, person.id)) throw AlreadyRegistered();
    const contact = await repo.accountContact(tx, person.id);
    const { slug } = await tx.selectFrom('library').select('slug').where('id', '=', libraryId).executeTakeFirstOrThrow();
    const activityUrl = `${libraryUrl(ctx, slug)}activiteiten/${activityId}`;

    // The seat counter: concurrent registrations for this session wait here, one by one.
    const session = (await repo.lockSession(tx, libraryId, sessionId))!;
    if (session.status === 'cancelled') throw ActivityCancelled();

    const decided = outcome(session.capacity, session.seatsTaken, session.waitlisted);
    const row = await repo.insertRegistration(tx, {
      libraryId, activityId, sessionId, accountId: person.id, homeLibraryId: person.homeLibraryId,
      status: decided.status, waitlistPosition: decided.status === 'waitlisted' ? decided.position : null,
      guestConsentAt: guest ? now : null, code: newCode(),
    });
    if (person.homeLibraryId !== libraryId) {
      await repo.countForHomeLibrary(tx, libraryId, person.homeLibraryId, { id: activityId, title: activity.title }, 'registered');
    }
    await notify(tx, libraryId, person.id, decided.status === 'confirmed' ? 'activity_confirmed' : 'activity_waitlisted', {
      title: activity.title, startsAt: session.startsAt, code: row.code, position: row.waitlistPosition,
      // the cancel link works without signing in (guests have no password)
      cancelUrl: `${activityUrl}/afmelden?r=${row.id}&code=${row.code}`,
    }, contact);
    return {
      id: row.id,
      status: decided.status,
      ...(row.waitlistPosition !== null ? { position: row.waitlistPosition } : {}),
      code: row.code,
    };
  }));
}

/** Two registrations of one person racing each other: the unique index lets one through. */
async function twiceIsAlready<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if ((error as { constraint?: string }).constraint === 'registration_one_live') throw AlreadyRegistered();
    throw error;
  }
}

/**
 * A guest with only an e-mail address becomes a connected user: an account without password at
 * the organising library. Minimal on purpose — the membership module owns sign-up; a person who
 * later signs up with the same address finds the account (and this registration) there.
 * When the address already has an account, the registration is added to it (the confirmation
 * goes to that address, so nobody learns whether it existed).
 */
async function connectedUser(tx: Tx, libraryId: string, email: string): Promise<{ id: string; homeLibraryId: string }> {
  const created = await tx.insertInto('account').values({ email, homeLibraryId: libraryId })
    .onConflict((oc) => oc.column('email').doNothing())
    .returning(['id', 'homeLibraryId']).executeTakeFirst();
  if (created) return created;
  return tx.selectFrom('account').select(['id', 'homeLibraryId']).where('email', '=', email).executeTakeFirstOrThrow();
}

export interface CancelInput {
  /** The secret from the confirmation mail (guests cancel with it). */
  code?: string;
  /** The activity, when known: a shared activity's registrations are kept by its organiser. */
  activityId?: string;
}

export async function cancelRegistration(ctx: Ctx, portalLibraryId: string, registrationId: string, input: CancelInput = {}, now = new Date()): Promise<{ promoted: number }> {
  if (!isUuid(registrationId)) throw RegistrationNotFound();
  const libraryId = input.activityId ? await organiserOf(ctx, portalLibraryId, input.activityId) : portalLibraryId;
  return inTenant(ctx.db, libraryId, async (tx) => {
    const first = await repo.findRegistration(tx, libraryId, { id: registrationId });
    if (!first || (input.activityId && first.activityId !== input.activityId)) throw RegistrationNotFound();
    const own = ctx.actor.kind === 'account' && ctx.actor.accountId === first.accountId;
    const byCode = input.code !== undefined && input.code.length === first.code.length
      && crypto.timingSafeEqual(Buffer.from(input.code), Buffer.from(first.code));
    let staff = false;
    if (!own && !byCode) {
      // someone else's registration: staff only, and anyone else learns nothing about it
      staff = await isStaff(tx, libraryId, ctx.actor);
      if (!staff) throw RegistrationNotFound();
      await canManageActivities(tx, libraryId, ctx.actor);
    }
    // lock the session before touching its registrations (the same order as register: no deadlock)
    await repo.lockSession(tx, libraryId, first.sessionId);
    const reg = (await repo.findRegistration(tx, libraryId, { id: registrationId }))!;
    if (reg.status === 'cancelled') return { promoted: 0 };
    if (reg.status === 'attended') throw CancellationClosed();
    const activity = (await repo.findActivity(tx, libraryId, reg.activityId))!;
    if (!staff && !isOpen(now, reg.startsAt, activity.cutoffMinutes)) throw CancellationClosed();
    await repo.setCancelled(tx, libraryId, reg.id, now);
    if (reg.status === 'waitlisted') await repo.closeGap(tx, libraryId, reg.sessionId, reg.waitlistPosition!);
    await notify(tx, libraryId, reg.accountId, 'activity_cancelled', { title: activity.title, startsAt: reg.startsAt });
    const promoted = await fillFromWaitlist(tx, libraryId, reg.sessionId, activity.title);
    return { promoted };
  });
}

/** Moves people from the front of the queue to free seats; the session row must be locked. */
async function fillFromWaitlist(tx: Tx, libraryId: string, sessionId: string, title: string): Promise<number> {
  let promoted = 0;
  for (;;) {
    const s = await tx.selectFrom('activitySession').select(['capacity', 'seatsTaken', 'waitlisted', 'startsAt', 'status'])
      .where('libraryId', '=', libraryId).where('id', '=', sessionId).executeTakeFirstOrThrow();
    if (s.status === 'cancelled' || s.waitlisted === 0 || (s.capacity !== null && s.seatsTaken >= s.capacity)) return promoted;
    const first = await repo.promoteFirst(tx, libraryId, sessionId);
    if (!first) return promoted;
    await repo.closeGap(tx, libraryId, sessionId, 1);
    await notify(tx, libraryId, first.accountId, 'activity_promoted', { title, startsAt: s.startsAt, code: first.code });
    promoted++;
  }
}

// ---------------------------------------------------------------------------------------------
// Notices (the outbox): a row is a mail; the notices module delivers.

type Template = 'activity_confirmed' | 'activity_waitlisted' | 'activity_promoted' | 'activity_cancelled';

const when = (lang: 'nl' | 'en', d: Date) => new Intl.DateTimeFormat(lang === 'nl' ? 'nl-NL' : 'en-GB', {
  weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Amsterdam',
}).format(d);

async function notify(tx: Tx, libraryId: string, accountId: string | null, template: Template,
  data: { title: string; startsAt: Date; code?: string; position?: number | null; cancelUrl?: string },
  known?: Awaited<ReturnType<typeof repo.accountContact>>): Promise<void> {
  if (!accountId) return;
  const to = known ?? await repo.accountContact(tx, accountId);
  if (!to) return;
  const lang = to.preferredLanguage;
  const at = when(lang, data.startsAt);
  const texts: Record<Template, { nl: [string, string]; en: [string, string] }> = {
    activity_confirmed: {
      nl: [`Aangemeld: ${data.title}`, `U bent aangemeld voor ${data.title} op ${at}.\nLaat bij de deur deze code zien: ${data.code}`],
      en: [`Registered: ${data.title}`, `You are registered for ${data.title} on ${at}.\nShow this code at the door: ${data.code}`],
    },
    activity_waitlisted: {
      nl: [`Wachtlijst: ${data.title}`, `${data.title} op ${at} is vol. U staat op de wachtlijst op plaats ${data.position}. Komt er een plaats vrij, dan krijgt u bericht.`],
      en: [`Waiting list: ${data.title}`, `${data.title} on ${at} is full. You are number ${data.position} on the waiting list. We will let you know when a seat comes free.`],
    },
    activity_promoted: {
      nl: [`Er is een plaats vrij: ${data.title}`, `Goed nieuws: er kwam een plaats vrij. U bent nu aangemeld voor ${data.title} op ${at}.\nLaat bij de deur deze code zien: ${data.code}`],
      en: [`A seat came free: ${data.title}`, `Good news: a seat came free. You are now registered for ${data.title} on ${at}.\nShow this code at the door: ${data.code}`],
    },
    activity_cancelled: {
      nl: [`Afgemeld: ${data.title}`, `U bent afgemeld voor ${data.title} op ${at}.`],
      en: [`Cancelled: ${data.title}`, `Your registration for ${data.title} on ${at} is cancelled.`],
    },
  };
  const [subject, text] = texts[template][lang];
  const bodyText = data.cancelUrl ? `${text}\n\n${lang === 'nl' ? 'Kunt u niet komen? Meld u af' : 'Cannot come? Cancel'}: ${data.cancelUrl}` : text;
  await repo.insertNotice(tx, { libraryId, accountId, toAddress: to.email, template, subject, bodyText });
}

// ---------------------------------------------------------------------------------------------
// Check-in at the door

export async function checkIn(ctx: Ctx, libraryId: string, activityId: string, input: { registrationId?: string; code?: string; sessionId?: string }, now = new Date()) {
  return inTenant(ctx.db, libraryId, async (tx) => {
    await canCheckIn(tx, libraryId, ctx.actor);
    if (input.registrationId && !isUuid(input.registrationId)) throw RegistrationNotFound();
    const reg = await repo.findRegistration(tx, libraryId, input.registrationId ? { id: input.registrationId } : { code: input.code ?? '-' });
    if (!reg || reg.activityId !== activityId) throw RegistrationNotFound();
    if (reg.status !== 'confirmed' && reg.status !== 'attended') throw CheckInRefused();
    // a course: check in for the meeting of the day (given, or the registration's own session)
    const sessionId = input.sessionId && isUuid(input.sessionId) ? input.sessionId : reg.sessionId;
    const sessions = await repo.sessionsOf(tx, libraryId, [activityId]);
    if (!sessions.some((s) => s.id === sessionId)) throw SessionNotFound();
    await repo.lockSession(tx, libraryId, reg.sessionId);
    const inserted = await tx.insertInto('activityAttendance').values({ libraryId, registrationId: reg.id, sessionId, checkedInAt: now })
      .onConflict((oc) => oc.columns(['libraryId', 'registrationId', 'sessionId']).doNothing()).returning('sessionId').executeTakeFirst();
    if (reg.status === 'confirmed') {
      await tx.updateTable('registration').set({ status: 'attended', checkedInAt: now })
        .where('libraryId', '=', libraryId).where('id', '=', reg.id).execute();
      if (reg.homeLibraryId && reg.homeLibraryId !== libraryId) {
        const a = (await repo.findActivity(tx, libraryId, activityId))!;
        await repo.countForHomeLibrary(tx, libraryId, reg.homeLibraryId, { id: activityId, title: a.title }, 'attended');
      }
    }
    return { id: reg.id, status: 'attended' as const, alreadyCheckedIn: !inserted };
  });
}

// ---------------------------------------------------------------------------------------------
// Librarian tools

export interface ActivityInput {
  kind: ActivityKind;
  title: string;
  description?: string;
  audience?: Audience[];
  language?: string;
  branchId?: string | null;
  /** The branch by its slug (API and forms); resolved to branchId. */
  branchSlug?: string | null;
  room?: string | null;
  location?: string | null;
  online?: boolean;
  onlineUrl?: string | null;
  partner?: string | null;
  priceCents?: number;
  registrationRequired?: boolean;
  cutoffMinutes?: number;
  statutoryFunctions: StatutoryFunction[];
  themes?: string[];
  /** Titles of the catalogue this activity is about (a reading club's book): its title pages link here. */
  relatedTitleIds?: string[];
  /** Seats per session (per course); null = no limit. */
  capacity?: number | null;
  sessions: { startsAt: Date | string; endsAt: Date | string }[];
  status?: ActivityStatus;
  sharedNetwork?: boolean;
  importUid?: string | null;
}

type Problem = { field: string; nl: string; en: string };

export const MAX_RELATED_TITLES = 20;

/** Checks an activity as a librarian would; returns every problem at once, per field. */
export function activityProblems(input: ActivityInput): Problem[] {
  const p: Problem[] = [];
  if (!ACTIVITY_KINDS.includes(input.kind)) p.push({ field: 'kind', nl: 'Kies een soort activiteit.', en: 'Choose a kind of activity.' });
  const title = (input.title ?? '').trim();
  if (title.length < 2 || title.length > 200) p.push({ field: 'title', nl: 'Geef een titel van 2 tot 200 tekens.', en: 'Give a title of 2 to 200 characters.' });
  if ((input.description ?? '').length > 10000) p.push({ field: 'description', nl: 'De beschrijving is te lang.', en: 'The description is too long.' });
  if (!input.statutoryFunctions?.length || input.statutoryFunctions.some((f) => !STATUTORY_FUNCTIONS.includes(f))) {
    p.push({ field: 'statutoryFunctions', nl: 'Kies minstens één bibliotheekfunctie.', en: 'Choose at least one library function.' });
  }
  if ((input.audience ?? []).some((a) => !AUDIENCES.includes(a))) p.push({ field: 'audience', nl: 'Onbekende doelgroep.', en: 'Unknown audience.' });
  if (input.capacity !== undefined && input.capacity !== null && (!Number.isInteger(input.capacity) || input.capacity < 0 || input.capacity > 100000)) {
    p.push({ field: 'capacity', nl: 'Vul een aantal plaatsen in (0 of meer), of laat het leeg.', en: 'Enter a number of seats (0 or more), or leave it empty.' });
  }
  if (input.priceCents !== undefined && (!Number.isInteger(input.priceCents) || input.priceCents < 0 || input.priceCents > 1_000_000)) {
    p.push({ field: 'price', nl: 'Vul een geldige prijs in.', en: 'Enter a valid price.' });
  }
  if (input.cutoffMinutes !== undefined && (!Number.isInteger(input.cutoffMinutes) || input.cutoffMinutes < 0 || input.cutoffMinutes > 43200)) {
    p.push({ field: 'cutoffMinutes', nl: 'Vul een termijn in minuten in (0 tot 43200).', en: 'Enter a cut-off in minutes (0 to 43200).' });
  }
  if (input.onlineUrl && (!input.online || !/^https:\/\/\S+$/.test(input.onlineUrl) || input.onlineUrl.length > 500)) {
    p.push({ field: 'onlineUrl', nl: 'Een deelnamelink begint met https:// en hoort bij een online activiteit.', en: 'A joining link starts with https:// and belongs to an online activity.' });
  }
  if ((input.relatedTitleIds ?? []).length > MAX_RELATED_TITLES || (input.relatedTitleIds ?? []).some((id) => !isUuid(id))) {
    p.push({ field: 'relatedTitleIds', nl: `Geef hoogstens ${MAX_RELATED_TITLES} titels, als link naar de titelpagina.`, en: `Give at most ${MAX_RELATED_TITLES} titles, as links to their title pages.` });
  }
  if (input.sharedNetwork && !input.online) p.push({ field: 'sharedNetwork', nl: 'Alleen online activiteiten kunnen met het hele netwerk worden gedeeld.', en: 'Only online activities can be shared with the network.' });
  if (!input.sessions?.length || input.sessions.length > 200) {
    p.push({ field: 'sessions', nl: 'Geef minstens één datum en tijd.', en: 'Give at least one date and time.' });
  } else {
    for (const s of input.sessions) {
      const a = new Date(s.startsAt);
      const b = new Date(s.endsAt);
      if (Number.isNaN(a.getTime()) || Number.isNaN(b.getTime()) || b <= a) {
        p.push({ field: 'sessions', nl: 'Elke datum heeft een begin en een later einde.', en: 'Every date needs a start and a later end.' });
        break;
      }
    }
  }
  return p;
}

function activityValues(input: ActivityInput) {
  return {
    kind: input.kind,
    title: input.title.trim(),
    description: input.description ?? '',
    audience: input.audience ?? [],
    language: input.language ?? 'nl',
    branchId: input.branchId ?? null,
    room: input.room || null,
    location: input.location || null,
    online: input.online ?? false,
    onlineUrl: input.onlineUrl || null,
    partner: input.partner || null,
    priceCents: input.priceCents ?? 0,
    registrationRequired: input.registrationRequired ?? true,
    cutoffMinutes: input.cutoffMinutes ?? 0,
    statutoryFunctions: input.statutoryFunctions,
    themes: input.themes ?? [],
    // one id once, lower case: the title page looks them up by equality
    relatedTitleIds: [...new Set((input.relatedTitleIds ?? []).map((id) => id.toLowerCase()))],
    sharedNetwork: input.sharedNetwork ?? false,
  };
}

export async function createActivity(ctx: Ctx, libraryId: string, input: ActivityInput): Promise<{ id: string }> {
  const problems = activityProblems(input);
  if (problems.length) throw ActivityInvalid(problems);
  return inTenant(ctx.db, libraryId, async (tx) => {
    await canManageActivities(tx, libraryId, ctx.actor);
    return createIn(tx, libraryId, input);
  });
}

/** Inserts an activity with its sessions (used by create, duplicate, import and the demo seed). */
async function resolveBranch(tx: Tx, libraryId: string, input: ActivityInput): Promise<ActivityInput> {
  if (!input.branchSlug) return input;
  const b = await tx.selectFrom('branch').select('id').where('libraryId', '=', libraryId).where('slug', '=', input.branchSlug).executeTakeFirst();
  if (!b) throw ActivityInvalid([{ field: 'branch', nl: 'Deze vestiging bestaat niet.', en: 'This branch does not exist.' }]);
  return { ...input, branchId: b.id };
}

export async function createIn(tx: Tx, libraryId: string, raw: ActivityInput): Promise<{ id: string }> {
  const input = await resolveBranch(tx, libraryId, raw);
  const { id } = await repo.insertActivity(tx, {
    libraryId, ...activityValues(input), status: input.status ?? 'draft', importUid: input.importUid ?? null,
  });
  await repo.insertSessions(tx, libraryId, id, input.sessions.map((s) => ({
    startsAt: new Date(s.startsAt), endsAt: new Date(s.endsAt), capacity: input.capacity ?? null,
  })));
  return { id };
}

/**
 * Edits an activity. Sessions are replaced only while nobody has registered; after that only the
 * capacity changes (and a larger capacity moves people up from the waitlist).
 */
export async function updateActivity(ctx: Ctx, libraryId: string, id: string, raw: ActivityInput): Promise<void> {
  if (!isUuid(id)) throw ActivityNotFound();
  const problems = activityProblems(raw);
  if (problems.length) throw ActivityInvalid(problems);
  await inTenant(ctx.db, libraryId, async (tx) => {
    await canManageActivities(tx, libraryId, ctx.actor);
    const input = await resolveBranch(tx, libraryId, raw);
    const current = await repo.findActivity(tx, libraryId, id);
    if (!current) throw ActivityNotFound();
    await repo.updateActivity(tx, libraryId, id, activityValues(input));
    const sessions = await repo.sessionsOf(tx, libraryId, [id]);
    const anyRegistrations = sessions.some((s) => s.registeredTotal > 0);
    if (!anyRegistrations) {
      await tx.deleteFrom('activitySession').where('libraryId', '=', libraryId).where('activityId', '=', id).execute();
      await repo.insertSessions(tx, libraryId, id, input.sessions.map((s) => ({
        startsAt: new Date(s.startsAt), endsAt: new Date(s.endsAt), capacity: input.capacity ?? null,
      })));
      return;
    }
    for (const s of sessions) {
      await repo.lockSession(tx, libraryId, s.id);
      const capacity = input.capacity ?? null;
      if (capacity !== null && capacity < s.seatsTaken) {
        throw ActivityInvalid([{ field: 'capacity', nl: `Er zijn al ${s.seatsTaken} plaatsen bezet.`, en: `${s.seatsTaken} seats are already taken.` }]);
      }
      await tx.updateTable('activitySession').set({ capacity }).where('libraryId', '=', libraryId).where('id', '=', s.id).execute();
      await fillFromWaitlist(tx, libraryId, s.id, input.title);
    }
  });
}

export async function setStatus(ctx: Ctx, libraryId: string, id: string, status: ActivityStatus): Promise<void> {
  if (!isUuid(id)) throw ActivityNotFound();
  await inTenant(ctx.db, libraryId, async (tx) => {
    await canManageActivities(tx, libraryId, ctx.actor);
    if (!(await repo.updateActivity(tx, libraryId, id, { status }))) throw ActivityNotFound();
  });
}

/** A copy as a draft, with the same dates shifted by `shiftDays` (a week later by default). */
export async function duplicateActivity(ctx: Ctx, libraryId: string, id: string, shiftDays = 7): Promise<{ id: string }> {
  if (!isUuid(id)) throw ActivityNotFound();
  return inTenant(ctx.db, libraryId, async (tx) => {
    await canManageActivities(tx, libraryId, ctx.actor);
    const a = await repo.findActivity(tx, libraryId, id);
    if (!a) throw ActivityNotFound();
    const sessions = await repo.sessionsOf(tx, libraryId, [id]);
    const shift = shiftDays * 86_400_000;
    return createIn(tx, libraryId, {
      ...a, status: 'draft', importUid: null, capacity: sessions[0]?.capacity ?? null,
      sessions: sessions.map((s) => ({ startsAt: new Date(s.startsAt.getTime() + shift), endsAt: new Date(s.endsAt.getTime() + shift) })),
    });
  });
}

export type RegistrationRow = Awaited<ReturnType<typeof repo.registrationsOf>>[number];

/** The registration list of an activity; every look at it is audited (personal data). */
export async function listRegistrations(ctx: Ctx, libraryId: string, activityId: string, purpose: 'list' | 'export' = 'list') {
  if (!isUuid(activityId)) throw ActivityNotFound();
  return inTenant(ctx.db, libraryId, async (tx) => {
    const actorId = await canCheckIn(tx, libraryId, ctx.actor);
    const activity = await repo.findActivity(tx, libraryId, activityId);
    if (!activity) throw ActivityNotFound();
    await tx.insertInto('auditEvent').values({
      libraryId, actorAccountId: ctx.actor.kind === 'account' ? actorId : null,
      action: purpose === 'export' ? 'activities.registrations.exported' : 'activities.registrations.viewed',
      details: JSON.stringify({ activityId }),
    }).execute();
    const sessions = await repo.sessionsOf(tx, libraryId, [activityId]);
    return { activity, sessions, registrations: await repo.registrationsOf(tx, libraryId, activityId) };
  });
}

/** How many of this library's members took part in shared activities of other libraries (counts only). */
export async function sharedParticipation(ctx: Ctx, libraryId: string) {
  return inTenant(ctx.db, libraryId, async (tx) => {
    await canCheckIn(tx, libraryId, ctx.actor);
    return repo.participationOf(tx, libraryId);
  });
}

/** "My activities": the signed-in person's live registrations at this library. */
export async function myRegistrations(ctx: Ctx, libraryId: string) {
  if (ctx.actor.kind !== 'account') return [];
  const accountId = ctx.actor.accountId;
  return inTenant(ctx.db, libraryId, (tx) => repo.registrationsOfAccount(tx, libraryId, accountId));
}

/**
 * Erasure (for the privacy module): the person's registrations stay, anonymised, so the counts
 * per session remain right.
 */
export async function anonymiseRegistrations(tx: Tx, libraryId: string, accountId: string): Promise<number> {
  const r = await tx.updateTable('registration').set({ accountId: null, homeLibraryId: null })
    .where('libraryId', '=', libraryId).where('accountId', '=', accountId).executeTakeFirst();
  return Number(r.numUpdatedRows);
}

// ---------------------------------------------------------------------------------------------
// iCalendar

export interface FeedScope {
  branchSlug?: string;
  activityId?: string;
}

/** An iCalendar feed of the library (or one branch, or one activity), in Amsterdam time. */
export async function calendarFeed(ctx: Ctx, libraryId: string, scope: FeedScope, options: { name: string; activityBase: string }): Promise<string> {
  if (scope.activityId && !isUuid(scope.activityId)) throw ActivityNotFound();
  const sessions = await inTenant(ctx.db, libraryId, async (tx) => {
    if (scope.branchSlug) {
      const b = await tx.selectFrom('branch').select('id').where('libraryId', '=', libraryId).where('slug', '=', scope.branchSlug).executeTakeFirst();
      if (!b) throw ActivityNotFound();
    }
    const rows = await repo.feedSessions(tx, libraryId, {
      // a month of history, so a just-finished session does not vanish from calendars at once
      since: scope.activityId ? new Date(0) : new Date(Date.now() - 30 * 86_400_000),
      branchSlug: scope.branchSlug, activityId: scope.activityId, limit: 5000,
    });
    if (scope.activityId && !rows.length) throw ActivityNotFound();
    return rows;
  });
  return activitiesCalendar(sessions, { ...options, lang: ctx.lang });
}

export interface ImportOptions {
  statutoryFunctions: StatutoryFunction[];
  kind?: ActivityKind;
  publish?: boolean;
  capacity?: number | null;
  registrationRequired?: boolean;
  until?: Date;
}

export interface ImportReport {
  imported: { uid: string; id: string; title: string; sessions: number }[];
  skipped: ImportProblem[];
}

/**
 * Imports an agenda exported from another tool. Each event becomes an activity (recurring events
 * one activity with a session per occurrence); events already imported (same UID) and broken
 * events are skipped and reported.
 */
export async function importCalendar(ctx: Ctx, libraryId: string, text: string, options: ImportOptions): Promise<ImportReport> {
  const fnProblems = activityProblems({ kind: options.kind ?? 'event', title: 'xx', statutoryFunctions: options.statutoryFunctions, sessions: [{ startsAt: new Date(0), endsAt: new Date(1) }] });
  if (fnProblems.length) throw ActivityInvalid(fnProblems);
  const parsed = parseCalendar(text, { until: options.until });
  return inTenant(ctx.db, libraryId, async (tx) => {
    await canManageActivities(tx, libraryId, ctx.actor);
    const report: ImportReport = { imported: [], skipped: [...parsed.problems] };
    for (const e of parsed.events) {
      if (await repo.activityIdByImportUid(tx, libraryId, e.uid)) {
        report.skipped.push({ uid: e.uid, title: e.title, reason: 'already imported (same UID)' });
        continue;
      }
      const input: ActivityInput = {
        kind: options.kind ?? 'event', title: e.title, description: e.description, location: e.location, themes: e.themes,
        statutoryFunctions: options.statutoryFunctions, capacity: options.capacity ?? null,
        registrationRequired: options.registrationRequired ?? false,
        status: e.cancelled ? 'cancelled' : options.publish ? 'published' : 'draft',
        sessions: e.sessions, importUid: e.uid,
      };
      const problems = activityProblems(input);
      if (problems.length) {
        report.skipped.push({ uid: e.uid, title: e.title, reason: problems.map((p) => p.en).join(' ') });
        continue;
      }
      const { id } = await createIn(tx, libraryId, input);
      report.imported.push({ uid: e.uid, id, title: e.title, sessions: e.sessions.length });
    }
    return report;
  });
}

/** Limits for fetching a feed: a year of a big library's agenda is well under 1 MB. */
export const FEED_LIMITS = { timeoutMs: 15_000, maxBytes: 4 * 1024 * 1024 };

/**
 * Imports from an iCalendar feed URL (a library leaving another agenda tool): the same report as
 * a file. The librarian's right is checked before anything is fetched, so nobody else can make
 * the server call a URL; the fetch happens outside any transaction, and is refused for
 * non-http(s) URLs and internal addresses (unless config.outboundPrivateAddresses, for tests).
 */
export async function importCalendarFromUrl(ctx: Ctx, libraryId: string, url: string, options: ImportOptions, limits: Pick<GuardedFetchOptions, 'timeoutMs' | 'maxBytes'> = {}): Promise<ImportReport & { url: string }> {
  await inTenant(ctx.db, libraryId, (tx) => canManageActivities(tx, libraryId, ctx.actor));
  const maxBytes = limits.maxBytes ?? FEED_LIMITS.maxBytes;
  let fetched;
  try {
    fetched = await fetchGuarded(url.trim(), {
      timeoutMs: limits.timeoutMs ?? FEED_LIMITS.timeoutMs, maxBytes, allowPrivate: ctx.config.outboundPrivateAddresses,
      accept: 'text/calendar, text/plain;q=0.5, */*;q=0.1',
    });
  } catch (error) {
    if (!(error instanceof FetchRefused)) throw error;
    if (error.reason === 'url' || error.reason === 'address') throw FeedRefused(error.reason, error.message);
    if (error.reason === 'too-large') throw FeedTooLarge(maxBytes);
    throw FeedUnavailable(error.message);
  }
  // Feeds are served as text/calendar, text/plain or octet-stream: the content decides. An HTML
  // page (a login wall, an error page) is not a calendar with zero events; say so. Some tools
  // write bare VEVENTs without the VCALENDAR around them; the parser reads those.
  if (!/^\s*BEGIN:V[A-Z]+\s*$/im.test(fetched.text.replace(/^\uFEFF/, '').trimStart().split('\n', 1)[0]!)) {
    throw FeedNotCalendar((fetched.contentType ?? 'unknown').split(';')[0]!.trim().slice(0, 60));
  }
  return { ...(await importCalendar(ctx, libraryId, fetched.text, options)), url: fetched.url };
}

/** The import of the API, the staff page and the CLI: calendar text or a feed URL, exactly one. */
export async function importFromSource(ctx: Ctx, libraryId: string, source: { calendar?: string; url?: string }, options: ImportOptions): Promise<ImportReport> {
  const calendar = source.calendar?.trim() ? source.calendar : undefined;
  const url = source.url?.trim() ? source.url : undefined;
  if ((calendar === undefined) === (url === undefined)) {
    // authorisation before validation: a stranger learns nothing about what the form expects
    await inTenant(ctx.db, libraryId, (tx) => canManageActivities(tx, libraryId, ctx.actor));
    throw ImportSourceRequired();
  }
  return url !== undefined ? importCalendarFromUrl(ctx, libraryId, url, options) : importCalendar(ctx, libraryId, calendar!, options);
}

// ---------------------------------------------------------------------------------------------
// Messages and reminders (through the outbox)

/** A message from the librarian to everyone registered or waiting (e.g. a change of room). */
export async function messageRegistrants(ctx: Ctx, libraryId: string, activityId: string, message: { subject: string; body: string }): Promise<{ sent: number }> {
  if (!isUuid(activityId)) throw ActivityNotFound();
  const subject = message.subject.trim();
  const body = message.body.trim();
  const problems: { field: string; nl: string; en: string }[] = [];
  if (subject.length < 2 || subject.length > 200) problems.push({ field: 'subject', nl: 'Geef een onderwerp van 2 tot 200 tekens.', en: 'Give a subject of 2 to 200 characters.' });
  if (body.length < 2 || body.length > 5000) problems.push({ field: 'body', nl: 'Schrijf een bericht van 2 tot 5000 tekens.', en: 'Write a message of 2 to 5000 characters.' });
  if (problems.length) throw ActivityInvalid(problems);
  return inTenant(ctx.db, libraryId, async (tx) => {
    const actorId = await canManageActivities(tx, libraryId, ctx.actor);
    const activity = await repo.findActivity(tx, libraryId, activityId);
    if (!activity) throw ActivityNotFound();
    const people = await tx.selectFrom('registration as r').innerJoin('account as a', 'a.id', 'r.accountId')
      .select(['a.id', 'a.email']).distinct()
      .where('r.libraryId', '=', libraryId).where('r.activityId', '=', activityId).where('r.status', '<>', 'cancelled')
      .execute();
    if (people.length) {
      await tx.insertInto('notice').values(people.map((p) => ({
        libraryId, accountId: p.id, toAddress: p.email, template: 'activity_message',
        subject: `${activity.title}: ${subject}`, bodyText: body,
      }))).execute();
    }
    await tx.insertInto('auditEvent').values({
      libraryId, actorAccountId: ctx.actor.kind === 'account' ? actorId : null, action: 'activities.registrants.messaged',
      details: JSON.stringify({ activityId, recipients: people.length }),
    }).execute();
    return { sent: people.length };
  });
}

/**
 * Reminders one day before: for every session starting within `withinHours`, each person with a
 * seat gets one notice. A background job runs this (e.g. hourly); claiming the session with
 * reminded_at makes a second run, or a second worker, send nothing twice.
 */
export async function sendReminders(ctx: Ctx, now = new Date(), withinHours = 24): Promise<number> {
  const libraries = await inNetwork(ctx.db, (tx) => tx.selectFrom('library').select('id').execute());
  const until = new Date(now.getTime() + withinHours * 3600_000);
  let sent = 0;
  for (const { id: libraryId } of libraries) {
    sent += await inTenant(ctx.db, libraryId, async (tx) => {
      const claimed = await tx.updateTable('activitySession').set({ remindedAt: now })
        .where('libraryId', '=', libraryId).where('remindedAt', 'is', null).where('status', '=', 'scheduled')
        .where('startsAt', '>', now).where('startsAt', '<=', until)
        .where((eb) => eb.exists(eb.selectFrom('activity as a').select('a.id')
          .whereRef('a.libraryId', '=', 'activitySession.libraryId').whereRef('a.id', '=', 'activitySession.activityId')
          .where('a.status', '=', 'published').where('a.registrationRequired', '=', true)))
        .returning(['id', 'activityId', 'startsAt', 'endsAt']).execute();
      let n = 0;
      for (const s of claimed) {
        const a = (await repo.findActivity(tx, libraryId, s.activityId))!;
        // a course is booked on its first meeting: its people are reminded of every meeting
        const people = await tx.selectFrom('registration as r').innerJoin('account as acc', 'acc.id', 'r.accountId')
          .select(['acc.id', 'acc.email', 'acc.preferredLanguage', 'r.code'])
          .where('r.libraryId', '=', libraryId).where('r.activityId', '=', s.activityId).where('r.status', 'in', ['confirmed', 'attended'])
          .where((eb) => (a.kind === 'course' ? eb.val(true) : eb('r.sessionId', '=', s.id)))
          .execute();
        for (const p of people) {
          const at = when(p.preferredLanguage, s.startsAt);
          await repo.insertNotice(tx, {
            libraryId, accountId: p.id, toAddress: p.email, template: 'activity_reminder',
            subject: p.preferredLanguage === 'nl' ? `Morgen: ${a.title}` : `Tomorrow: ${a.title}`,
            bodyText: p.preferredLanguage === 'nl'
              ? `Een herinnering: ${a.title} op ${at}.\nLaat bij de deur deze code zien: ${p.code}`
              : `A reminder: ${a.title} on ${at}.\nShow this code at the door: ${p.code}`,
          });
          n++;
        }
      }
      return n;
    });
  }
  return sent;
}
