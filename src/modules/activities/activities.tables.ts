// Kysely types of the tables in db/migrations/0040_activities.sql (module augmentation of Database).
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type TextArray<T extends string = string> = ColumnType<T[], T[] | undefined, T[]>;
/** Maintained by the registration trigger: read-only for the application. */
type Counter = ColumnType<number, never, never>;

export const STATUTORY_FUNCTIONS = [
  'knowledge_information', 'development_education', 'reading_literature', 'meeting_debate', 'art_culture',
] as const;
export type StatutoryFunction = (typeof STATUTORY_FUNCTIONS)[number];

export const AUDIENCES = ['children', 'youth', 'adults', 'seniors', 'families'] as const;
export type Audience = (typeof AUDIENCES)[number];

export const ACTIVITY_KINDS = ['event', 'course', 'service'] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];

export type ActivityStatus = 'draft' | 'published' | 'cancelled';
export type RegistrationStatus = 'confirmed' | 'waitlisted' | 'cancelled' | 'attended';

export interface ActivityTable {
  libraryId: string;
  id: Generated<string>;
  kind: ActivityKind;
  title: string;
  description: ColumnType<string, string | undefined, string>;
  audience: TextArray<Audience>;
  language: ColumnType<string, string | undefined, string>;
  branchId: string | null;
  room: string | null;
  location: string | null;
  online: ColumnType<boolean, boolean | undefined, boolean>;
  onlineUrl: string | null;
  partner: string | null;
  priceCents: ColumnType<number, number | undefined, number>;
  registrationRequired: ColumnType<boolean, boolean | undefined, boolean>;
  cutoffMinutes: ColumnType<number, number | undefined, number>;
  statutoryFunctions: ColumnType<StatutoryFunction[], StatutoryFunction[], StatutoryFunction[]>;
  themes: TextArray;
  relatedTitleIds: TextArray;
  status: ColumnType<ActivityStatus, ActivityStatus | undefined, ActivityStatus>;
  sharedNetwork: ColumnType<boolean, boolean | undefined, boolean>;
  importUid: string | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface ActivitySessionTable {
  libraryId: string;
  id: Generated<string>;
  activityId: string;
  startsAt: Timestamp;
  endsAt: Timestamp;
  capacity: number | null;
  status: ColumnType<'scheduled' | 'cancelled', 'scheduled' | 'cancelled' | undefined, 'scheduled' | 'cancelled'>;
  seatsTaken: Counter;
  waitlisted: Counter;
  attended: Counter;
  cancelled: Counter;
  registeredTotal: Counter;
  remindedAt: NullableTimestamp;
}

export interface RegistrationTable {
  libraryId: string;
  id: Generated<string>;
  activityId: string;
  sessionId: string;
  accountId: string | null;
  homeLibraryId: string | null;
  status: RegistrationStatus;
  waitlistPosition: number | null;
  guestConsentAt: NullableTimestamp;
  code: string;
  createdAt: Timestamp;
  promotedAt: NullableTimestamp;
  cancelledAt: NullableTimestamp;
  checkedInAt: NullableTimestamp;
}

export interface ActivityAttendanceTable {
  libraryId: string;
  registrationId: string;
  sessionId: string;
  checkedInAt: Timestamp;
}

export interface SharedParticipationTable {
  libraryId: string;
  organiserLibraryId: string;
  activityId: string;
  title: string;
  registered: Generated<number>;
  attended: Generated<number>;
}

declare module '../../platform/db/database.ts' {
  interface Database {
    activity: ActivityTable;
    activitySession: ActivitySessionTable;
    registration: RegistrationTable;
    activityAttendance: ActivityAttendanceTable;
    sharedParticipation: SharedParticipationTable;
  }
}
