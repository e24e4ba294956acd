// SQL of the activities module. Functions take the transaction they run in; the tenant is set
// by the caller (inTenant), and every query still names library_id so it is co-located on Citus.
import { sql, type Insertable, type Updateable } from 'kysely';
import type { Tx } from '../../platform/db/tenant.ts';
import type { ActivityTable, Audience, RegistrationStatus, StatutoryFunction } from './activities.tables.ts';

export interface AgendaFilter {
  from?: Date;
  to?: Date;
  audience?: Audience;
  statutoryFunction?: StatutoryFunction;
  branchSlug?: string;
  online?: boolean;
  free?: boolean;
  /** Only published activities (the public agenda); staff lists see drafts too. */
  publishedOnly: boolean;
  limit: number;
}

const ACTIVITY_COLUMNS = [
  'a.id', 'a.kind', 'a.title', 'a.description', 'a.audience', 'a.language', 'a.branchId', 'a.room', 'a.location',
  'a.online', 'a.onlineUrl', 'a.partner', 'a.priceCents', 'a.registrationRequired', 'a.cutoffMinutes',
  'a.statutoryFunctions', 'a.themes', 'a.relatedTitleIds', 'a.status', 'a.sharedNetwork', 'a.importUid',
  'a.createdAt', 'a.updatedAt',
] as const;

/**
 * Agenda entries: one per session, except that a course (one registration for all meetings)
 * appears once, at its first meeting.
 */
export async function agenda(tx: Tx, libraryId: string, f: AgendaFilter) {
  let q = tx.selectFrom('activitySession as s')
    .innerJoin('activity as a', (j) => j.onRef('a.libraryId', '=', 's.libraryId').onRef('a.id', '=', 's.activityId'))
    .leftJoin('branch as b', (j) => j.onRef('b.libraryId', '=', 'a.libraryId').onRef('b.id', '=', 'a.branchId'))
    .select([
      ...ACTIVITY_COLUMNS,
      's.id as sessionId', 's.startsAt', 's.endsAt', 's.capacity', 's.status as sessionStatus', 's.seatsTaken', 's.waitlisted',
      'b.slug as branchSlug', 'b.name as branchName', 's.libraryId as organiserId',
      sql<number>`(select count(*)::int from activity_session x where x.library_id = s.library_id and x.activity_id = s.activity_id)`.as('sessionCount'),
    ])
    // this library's own activities, and online activities other libraries share with the network
    .where((eb) => eb.or([eb('s.libraryId', '=', libraryId), eb('a.sharedNetwork', '=', true)]))
    .where((eb) => eb.or([
      eb('a.kind', '<>', 'course'),
      eb('s.id', '=', eb.selectFrom('activitySession as f').select('f.id')
        .whereRef('f.libraryId', '=', 's.libraryId').whereRef('f.activityId', '=', 's.activityId')
        .orderBy('f.startsAt').orderBy('f.id').limit(1)),
    ]));
  if (f.publishedOnly) q = q.where('a.status', '=', 'published');
  if (f.from) q = q.where('s.endsAt', '>=', f.from);
  if (f.to) q = q.where('s.startsAt', '<', f.to);
  if (f.audience) q = q.where(sql<boolean>`${f.audience} = any(a.audience)`);
  if (f.statutoryFunction) q = q.where(sql<boolean>`a.statutory_functions @> array[${f.statutoryFunction}]::text[]`);
  if (f.branchSlug) q = q.where('b.slug', '=', f.branchSlug);
  if (f.online !== undefined) q = q.where('a.online', '=', f.online);
  if (f.free !== undefined) q = q.where('a.priceCents', f.free ? '=' : '>', 0);
  return q.orderBy('s.startsAt').orderBy('a.title').orderBy('s.id').limit(f.limit).execute();
}

export async function findActivity(tx: Tx, libraryId: string, id: string) {
  return tx.selectFrom('activity as a')
    .leftJoin('branch as b', (j) => j.onRef('b.libraryId', '=', 'a.libraryId').onRef('b.id', '=', 'a.branchId'))
    .select([...ACTIVITY_COLUMNS, 'b.slug as branchSlug', 'b.name as branchName', 'b.street as branchStreet',
      'b.houseNumber as branchHouseNumber', 'b.postcode as branchPostcode', 'b.city as branchCity'])
    .where('a.libraryId', '=', libraryId).where('a.id', '=', id)
    .executeTakeFirst();
}

export async function sessionsOf(tx: Tx, libraryId: string, activityIds: string[]) {
  if (!activityIds.length) return [];
  return tx.selectFrom('activitySession')
    .select(['id', 'activityId', 'startsAt', 'endsAt', 'capacity', 'status', 'seatsTaken', 'waitlisted', 'attended', 'cancelled', 'registeredTotal'])
    .where('libraryId', '=', libraryId).where('activityId', 'in', activityIds)
    .orderBy('startsAt').orderBy('id')
    .execute();
}

/** The session row is the seat counter: every registration change of a session locks it first. */
export async function lockSession(tx: Tx, libraryId: string, sessionId: string) {
  return tx.selectFrom('activitySession')
    .select(['id', 'activityId', 'startsAt', 'endsAt', 'capacity', 'status', 'seatsTaken', 'waitlisted'])
    .where('libraryId', '=', libraryId).where('id', '=', sessionId)
    .forUpdate()
    .executeTakeFirst();
}

export async function insertActivity(tx: Tx, values: Insertable<ActivityTable>) {
  return tx.insertInto('activity').values(values).returning('id').executeTakeFirstOrThrow();
}

export async function updateActivity(tx: Tx, libraryId: string, id: string, values: Updateable<ActivityTable>) {
  const r = await tx.updateTable('activity').set({ ...values, updatedAt: new Date() })
    .where('libraryId', '=', libraryId).where('id', '=', id).executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function insertSessions(tx: Tx, libraryId: string, activityId: string, sessions: { startsAt: Date; endsAt: Date; capacity: number | null }[]) {
  if (!sessions.length) return;
  await tx.insertInto('activitySession')
    .values(sessions.map((s) => ({ libraryId, activityId, startsAt: s.startsAt, endsAt: s.endsAt, capacity: s.capacity })))
    .execute();
}

export async function liveRegistration(tx: Tx, libraryId: string, sessionId: string, accountId: string) {
  return tx.selectFrom('registration').select(['id', 'status', 'waitlistPosition'])
    .where('libraryId', '=', libraryId).where('sessionId', '=', sessionId).where('accountId', '=', accountId)
    .where('status', '<>', 'cancelled')
    .executeTakeFirst();
}

export async function insertRegistration(tx: Tx, values: {
  libraryId: string; activityId: string; sessionId: string; accountId: string; homeLibraryId: string;
  status: RegistrationStatus; waitlistPosition: number | null; guestConsentAt: Date | null; code: string;
}) {
  return tx.insertInto('registration').values(values).returning(['id', 'status', 'waitlistPosition', 'code']).executeTakeFirstOrThrow();
}

export async function findRegistration(tx: Tx, libraryId: string, where: { id?: string; code?: string }) {
  let q = tx.selectFrom('registration as r')
    .innerJoin('activitySession as s', (j) => j.onRef('s.libraryId', '=', 'r.libraryId').onRef('s.id', '=', 'r.sessionId'))
    .select(['r.id', 'r.activityId', 'r.sessionId', 'r.accountId', 'r.homeLibraryId', 'r.status', 'r.waitlistPosition', 'r.code', 's.startsAt'])
    .where('r.libraryId', '=', libraryId);
  if (where.id) q = q.where('r.id', '=', where.id);
  if (where.code) q = q.where('r.code', '=', where.code);
  return q.executeTakeFirst();
}

export async function setCancelled(tx: Tx, libraryId: string, id: string, now: Date) {
  await tx.updateTable('registration').set({ status: 'cancelled', cancelledAt: now, waitlistPosition: null })
    .where('libraryId', '=', libraryId).where('id', '=', id).execute();
}

/** Everyone behind `position` moves up one place (the unique position constraint is deferred). */
export async function closeGap(tx: Tx, libraryId: string, sessionId: string, position: number) {
  await tx.updateTable('registration').set((eb) => ({ waitlistPosition: eb('waitlistPosition', '-', 1) }))
    .where('libraryId', '=', libraryId).where('sessionId', '=', sessionId)
    .where('status', '=', 'waitlisted').where('waitlistPosition', '>', position)
    .execute();
}

/** The first in the queue gets the seat. */
export async function promoteFirst(tx: Tx, libraryId: string, sessionId: string) {
  // the wall clock, not the transaction start: promotions are then ordered as they happened
  return tx.updateTable('registration').set({ status: 'confirmed', waitlistPosition: null, promotedAt: sql<Date>`clock_timestamp()` })
    .where('libraryId', '=', libraryId).where('sessionId', '=', sessionId)
    .where('status', '=', 'waitlisted').where('waitlistPosition', '=', 1)
    .returning(['id', 'accountId', 'code'])
    .executeTakeFirst();
}

export async function registrationsOf(tx: Tx, libraryId: string, activityId: string) {
  return tx.selectFrom('registration as r')
    .innerJoin('activitySession as s', (j) => j.onRef('s.libraryId', '=', 'r.libraryId').onRef('s.id', '=', 'r.sessionId'))
    .leftJoin('account as a', 'a.id', 'r.accountId')
    .leftJoin('memberProfile as p', (j) => j.onRef('p.libraryId', '=', 'r.libraryId').onRef('p.accountId', '=', 'r.accountId'))
    .select(['r.id', 'r.sessionId', 's.startsAt', 'r.status', 'r.waitlistPosition', 'r.createdAt', 'r.checkedInAt', 'r.code',
      'a.email', 'p.givenName', 'p.familyName', sql<boolean>`r.guest_consent_at is not null`.as('guest')])
    .where('r.libraryId', '=', libraryId).where('r.activityId', '=', activityId)
    .orderBy('s.startsAt').orderBy(sql`case r.status when 'waitlisted' then 1 when 'cancelled' then 2 else 0 end`)
    .orderBy('r.waitlistPosition').orderBy('r.createdAt')
    .execute();
}

export async function registrationsOfAccount(tx: Tx, libraryId: string, accountId: string, activityId?: string) {
  let q = tx.selectFrom('registration as r')
    .innerJoin('activitySession as s', (j) => j.onRef('s.libraryId', '=', 'r.libraryId').onRef('s.id', '=', 'r.sessionId'))
    .innerJoin('activity as a', (j) => j.onRef('a.libraryId', '=', 'r.libraryId').onRef('a.id', '=', 'r.activityId'))
    .select(['r.id', 'r.activityId', 'r.sessionId', 'r.status', 'r.waitlistPosition', 'r.code', 's.startsAt', 's.endsAt', 'a.title', 'a.cutoffMinutes'])
    .where('r.libraryId', '=', libraryId).where('r.accountId', '=', accountId).where('r.status', '<>', 'cancelled');
  if (activityId) q = q.where('r.activityId', '=', activityId);
  return q.orderBy('s.startsAt').execute();
}

export async function accountContact(tx: Tx, accountId: string) {
  return tx.selectFrom('account').select(['id', 'email', 'preferredLanguage', 'homeLibraryId']).where('id', '=', accountId).executeTakeFirst();
}

export async function insertNotice(tx: Tx, values: { libraryId: string; accountId: string | null; toAddress: string; template: string; subject: string; bodyText: string }) {
  await tx.insertInto('notice').values(values).execute();
}

/** The library's branches (a read of the network module's table, for select lists only). */
export async function branchesOf(tx: Tx, libraryId: string) {
  return tx.selectFrom('branch').select(['slug', 'name']).where('libraryId', '=', libraryId).orderBy('name').execute();
}

/** Sessions for iCalendar feeds: every session (all meetings of a course), public activities only. */
export async function feedSessions(tx: Tx, libraryId: string, f: { since: Date; branchSlug?: string; activityId?: string; limit: number }) {
  let q = tx.selectFrom('activitySession as s')
    .innerJoin('activity as a', (j) => j.onRef('a.libraryId', '=', 's.libraryId').onRef('a.id', '=', 's.activityId'))
    .leftJoin('branch as b', (j) => j.onRef('b.libraryId', '=', 'a.libraryId').onRef('b.id', '=', 'a.branchId'))
    .select([
      's.id as sessionId', 'a.id as activityId', 'a.title', 'a.description', 's.startsAt', 's.endsAt', 'a.status', 's.status as sessionStatus',
      'a.online', 'b.name as branchName', 'a.location', 'a.room', 'a.statutoryFunctions', 'a.updatedAt',
      sql<string | null>`case when b.id is null then null else b.street || ' ' || b.house_number || ', ' || b.postcode || ' ' || b.city end`.as('branchAddress'),
    ])
    .where('s.libraryId', '=', libraryId)
    .where('a.status', 'in', ['published', 'cancelled'])
    .where('s.endsAt', '>=', f.since);
  if (f.branchSlug) q = q.where('b.slug', '=', f.branchSlug);
  if (f.activityId) q = q.where('a.id', '=', f.activityId);
  return q.orderBy('s.startsAt').orderBy('s.id').limit(f.limit).execute();
}

export async function activityIdByImportUid(tx: Tx, libraryId: string, uid: string) {
  return tx.selectFrom('activity').select('id').where('libraryId', '=', libraryId).where('importUid', '=', uid).executeTakeFirst();
}

/** Which library organises an activity seen from this library's portal: its own, or a shared one. */
export async function organiserOf(tx: Tx, libraryId: string, activityId: string): Promise<string | null> {
  const row = await tx.selectFrom('activity').select('libraryId').where('id', '=', activityId)
    .where((eb) => eb.or([eb('libraryId', '=', libraryId), eb('sharedNetwork', '=', true)]))
    .orderBy(sql`library_id = ${libraryId}`, 'desc').limit(1).executeTakeFirst();
  return row?.libraryId ?? null;
}

/**
 * Adds to the counts a participant's home library keeps of a shared activity elsewhere. Runs in
 * the organiser's transaction: the tenant setting is switched to the home library for this one
 * statement and back, so row-level security checks the row as the home library's.
 */
export async function countForHomeLibrary(tx: Tx, organiserId: string, homeLibraryId: string, activity: { id: string; title: string }, field: 'registered' | 'attended') {
  await sql`select set_config('app.library_id', ${homeLibraryId}, true)`.execute(tx);
  try {
    await tx.insertInto('sharedParticipation')
      .values({ libraryId: homeLibraryId, organiserLibraryId: organiserId, activityId: activity.id, title: activity.title, [field]: 1 })
      .onConflict((oc) => oc.columns(['libraryId', 'organiserLibraryId', 'activityId']).doUpdateSet((eb) => ({
        [field]: eb(`sharedParticipation.${field}`, '+', 1), title: eb.ref('excluded.title'),
      })))
      .execute();
  } finally {
    await sql`select set_config('app.library_id', ${organiserId}, true)`.execute(tx);
  }
}

export async function participationOf(tx: Tx, libraryId: string) {
  return tx.selectFrom('sharedParticipation as p').innerJoin('library as l', 'l.id', 'p.organiserLibraryId')
    .select(['p.activityId', 'p.title', 'p.registered', 'p.attended', 'l.slug as organiserSlug', 'l.name as organiserName'])
    .where('p.libraryId', '=', libraryId).orderBy('l.name').orderBy('p.title').execute();
}

/**
 * Upcoming published activities this library shows (its own and the network's shared ones) that
 * are about one of the given titles, each with its next session (a course: its first meeting).
 */
export async function relatedToTitles(tx: Tx, libraryId: string, titleIds: string[], now: Date, limit: number) {
  if (!titleIds.length) return [];
  const { rows } = await sql<{
    id: string; kind: 'event' | 'course' | 'service'; title: string; online: boolean; branchName: string | null;
    startsAt: Date; endsAt: Date;
  }>`
    select a.id, a.kind, a.title, a.online, b.name as branch_name, nx.starts_at, nx.ends_at
    from activity a
    cross join lateral (
      select s.starts_at, s.ends_at from activity_session s
      where s.library_id = a.library_id and s.activity_id = a.id and s.status = 'scheduled' and s.ends_at >= ${now}
        and (a.kind <> 'course' or s.id = (select f.id from activity_session f where f.library_id = a.library_id
              and f.activity_id = a.id order by f.starts_at, f.id limit 1))
      order by s.starts_at, s.id limit 1) nx
    left join branch b on b.library_id = a.library_id and b.id = a.branch_id and a.library_id = ${libraryId}
    where (a.library_id = ${libraryId} or a.shared_network) and a.status = 'published'
      and a.related_title_ids && ${titleIds}::uuid[]
    order by nx.starts_at, a.id
    limit ${limit}`.execute(tx);
  return rows;
}
