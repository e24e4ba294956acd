// Test factories for activities: a real activity with sessions, created through the service as
// the system (the seed path), so every constraint applies.
import type { Db } from '../../src/platform/db/connection.ts';
import { systemCtx } from '../../src/platform/context.ts';
import { testConfig } from '../../src/platform/config.ts';
import { createActivity, type ActivityInput } from '../../src/modules/activities/index.ts';

export async function libraryId(db: Db, slug = 'utrecht'): Promise<string> {
  return (await db.kysely.selectFrom('library').select('id').where('slug', '=', slug).executeTakeFirstOrThrow()).id;
}

const DAY = 86_400_000;

export async function buildActivity(db: Db, library: string, overrides: Partial<ActivityInput> & { startsInDays?: number } = {}): Promise<{ id: string; sessionIds: string[] }> {
  const start = new Date(Date.now() + (overrides.startsInDays ?? 7) * DAY);
  // whole days: an evening (19:00 or 20:00 in Amsterdam), so date filters are stable; else exact
  if (Number.isInteger(overrides.startsInDays ?? 7)) start.setUTCHours(18, 0, 0, 0);
  const { startsInDays: _days, ...rest } = overrides;
  const input: ActivityInput = {
    kind: 'event',
    title: 'Voorleesuurtje',
    statutoryFunctions: ['reading_literature'],
    capacity: 10,
    status: 'published',
    sessions: [{ startsAt: start, endsAt: new Date(start.getTime() + 90 * 60_000) }],
    ...rest,
  };
  const ctx = systemCtx(db.kysely, testConfig(), 'test');
  const { id } = await createActivity(ctx, library, input);
  const sessions = await db.kysely.selectFrom('activitySession').select('id').where('activityId', '=', id).orderBy('startsAt').execute();
  return { id, sessionIds: sessions.map((s) => s.id) };
}
