// Demo activities: the same handful for every demo library (varied per library only in branch
// and time), so that every portal shows an agenda covering all five statutory functions, a
// course, a walk-in service, an online activity, a paid workshop and a nearly full session.
// Deterministic: dates are counted from the seed day, nothing is random.
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/database.ts';
import { inTenant } from '../../platform/db/tenant.ts';
import { createIn, type ActivityInput } from './activities.service.ts';
import { amsterdamParts, amsterdamToUtc } from './amsterdam-time.ts';

type Spec = Omit<ActivityInput, 'sessions' | 'branchId'> & {
  /** Days from the seed day, and the local start and end time. */
  days: number[];
  from: string;
  to: string;
  branch: number | null;
};

const SPECS: Spec[] = [
  {
    kind: 'event', title: 'Voorlezen voor peuters', statutoryFunctions: ['reading_literature'], audience: ['children', 'families'],
    description: 'Elke zaterdagochtend lezen we samen prentenboeken voor. Voor kinderen van 2 tot 4 jaar met hun ouder of verzorger.',
    days: [5, 12, 19, 26], from: '10:30', to: '11:15', branch: 0, capacity: 15, cutoffMinutes: 60, themes: ['voorlezen'],
  },
  {
    kind: 'course', title: 'Klik & Tik: digitale basisvaardigheden', statutoryFunctions: ['development_education', 'knowledge_information'],
    audience: ['adults', 'seniors'], description: 'In vier ochtenden leert u de computer gebruiken: e-mail, internet en veilig online. U krijgt een laptop van ons te leen.',
    days: [8, 15, 22, 29], from: '10:00', to: '12:00', branch: 0, capacity: 8, cutoffMinutes: 1440, themes: ['digitale vaardigheden'], partner: 'Digisterker',
  },
  {
    kind: 'service', title: 'Informatiepunt Digitale Overheid', statutoryFunctions: ['knowledge_information'], audience: ['adults', 'seniors'],
    description: 'Hulp bij DigiD, toeslagen, belastingaangifte en andere zaken met de overheid. Loop gewoon binnen.',
    days: [2, 9, 16, 23, 30], from: '10:00', to: '12:00', branch: 1, registrationRequired: false, partner: 'Informatiepunt Digitale Overheid',
  },
  {
    kind: 'event', title: 'Leesclub: Max Havelaar', statutoryFunctions: ['reading_literature', 'meeting_debate'], audience: ['adults'],
    description: 'We bespreken Max Havelaar van Multatuli. Lees het boek vooraf; de bibliotheek heeft extra exemplaren en het e-book.',
    days: [10], from: '19:30', to: '21:00', branch: 0, capacity: 12, cutoffMinutes: 120, themes: ['leesclub', 'klassiekers'],
  },
  {
    kind: 'event', title: 'Debatavond: de bibliotheek van de toekomst', statutoryFunctions: ['meeting_debate'], audience: ['adults', 'youth'],
    description: 'Wat moet de bibliotheek over tien jaar bieden? Met de wethouder, bibliothecarissen en u.',
    days: [17], from: '20:00', to: '22:00', branch: 0, capacity: 60,
  },
  {
    kind: 'event', title: 'Workshop stripverhaal tekenen', statutoryFunctions: ['art_culture'], audience: ['youth'],
    description: 'Een tekenaar leert je in één middag je eigen strip maken. Materiaal is aanwezig.',
    days: [13], from: '14:00', to: '16:30', branch: 2, capacity: 10, priceCents: 500, cutoffMinutes: 1440, themes: ['strips'],
  },
  {
    kind: 'event', title: 'Online lezing: schrijven over je familiegeschiedenis', statutoryFunctions: ['knowledge_information', 'reading_literature'],
    audience: ['adults', 'seniors'], description: 'Een historicus vertelt hoe u bronnen vindt en er een verhaal van maakt. De link krijgt u na aanmelding.',
    days: [11], from: '19:30', to: '20:30', branch: null, online: true, onlineUrl: 'https://meet.example.org/familiegeschiedenis', capacity: 100,
  },
  {
    kind: 'service', title: 'Taalcafé', statutoryFunctions: ['meeting_debate', 'development_education'], audience: ['adults'],
    description: 'Nederlands oefenen in een ontspannen gesprek, met vrijwilligers van het Taalhuis. Iedereen is welkom.',
    days: [3, 10, 17, 24], from: '14:00', to: '15:30', branch: 1, registrationRequired: false, partner: 'Taalhuis',
  },
];

/** Seeds the demo activities into every library that has none yet; returns how many were created. */
export async function seedDemoActivities(db: Kysely<Database>, today = new Date()): Promise<number> {
  const libraries = await db.selectFrom('library').select(['id']).orderBy('slug').execute();
  const day0 = amsterdamParts(today).date;
  const dateIn = (days: number) => new Date(Date.parse(`${day0}T12:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
  let created = 0;
  for (const lib of libraries) {
    created += await inTenant(db, lib.id, async (tx) => {
      const existing = await tx.selectFrom('activity').select('id').where('libraryId', '=', lib.id).limit(1).execute();
      if (existing.length) return 0;
      const branches = await tx.selectFrom('branch').select('id').where('libraryId', '=', lib.id).orderBy('slug').execute();
      for (const { days, from, to, branch, ...spec } of SPECS) {
        await createIn(tx, lib.id, {
          ...spec,
          status: 'published',
          branchId: branch === null || !branches.length ? null : branches[branch % branches.length]!.id,
          sessions: days.map((d) => ({ startsAt: amsterdamToUtc(dateIn(d), from)!, endsAt: amsterdamToUtc(dateIn(d), to)! })),
        });
      }
      return SPECS.length;
    });
  }
  return created;
}
