// Kysely types of the tables in db/migrations/0003_accounts.sql (module augmentation of Database).
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface AccountTable {
  id: Generated<string>;
  email: string;
  passwordHash: string | null;
  emailVerifiedAt: NullableTimestamp;
  homeLibraryId: string;
  preferredLanguage: ColumnType<'nl' | 'en', 'nl' | 'en' | undefined, 'nl' | 'en'>;
  totpSecret: string | null;
  status: ColumnType<'active' | 'deleting' | 'erased', 'active' | 'deleting' | 'erased' | undefined, 'active' | 'deleting' | 'erased'>;
  deletionRequestedAt: NullableTimestamp;
  createdAt: Timestamp;
}

export interface SessionTable {
  idHash: string;
  accountId: string;
  csrfSecret: string;
  mfaAt: NullableTimestamp;
  createdAt: Timestamp;
  lastSeenAt: Timestamp;
  expiresAt: Timestamp;
  device: ColumnType<string, string | undefined, string>;
}

export interface EmailTokenTable {
  tokenHash: string;
  accountId: string;
  purpose: 'verify_email' | 'reset_password';
  expiresAt: Timestamp;
  usedAt: NullableTimestamp;
  createdAt: Timestamp;
}

export interface LoginThrottleTable {
  key: string;
  failures: number;
  lastFailureAt: Timestamp;
  blockedUntil: NullableTimestamp;
}

export interface NetworkRoleTable {
  accountId: string;
  role: 'network_staff' | 'municipality_viewer';
  municipalityCode: string | null;
}

export interface MemberProfileTable {
  libraryId: string;
  accountId: string;
  givenName: string;
  familyName: string;
  birthDate: string | null;
  street: string | null;
  houseNumber: string | null;
  postcode: string | null;
  city: string | null;
  phone: string | null;
  updatedAt: Timestamp;
}

export interface PlanTable {
  libraryId: string;
  id: Generated<string>;
  code: string;
  nameNl: string;
  nameEn: string;
  kind: 'lending' | 'connected';
  yearlyFeeCents: Generated<number>;
  minAge: number | null;
  maxAge: number | null;
  maxPhysicalLoans: Generated<number>;
  maxDigitalLoans: Generated<number>;
  maxHolds: Generated<number>;
  loanPeriodDays: Generated<number>;
  active: Generated<boolean>;
  sortOrder: Generated<number>;
}

export interface MembershipTable {
  libraryId: string;
  id: Generated<string>;
  accountId: string;
  planId: string;
  cardNumber: string;
  pinHash: string | null;
  status: 'active' | 'ended' | 'transferred';
  validFrom: ColumnType<string, string | undefined, string>;
  validUntil: string | null;
  endedAt: NullableTimestamp;
  createdAt: Timestamp;
}

export interface CardSequenceTable {
  libraryId: string;
  lastSerial: Generated<number>;
}

export interface ChargeTable {
  libraryId: string;
  id: Generated<string>;
  accountId: string | null;
  membershipId: string | null;
  kind: 'membership_fee' | 'late_fee' | 'lost_item' | 'damage' | 'other';
  amountCents: number;
  description: string;
  createdAt: Timestamp;
  paidAt: NullableTimestamp;
}

export interface ConsentTable {
  libraryId: string;
  accountId: string;
  purpose: 'reading_history' | 'reading_advice' | 'newsletter' | 'research';
  granted: boolean;
  changedAt: Timestamp;
}

export interface StaffRoleTable {
  libraryId: string;
  accountId: string;
  role: 'desk' | 'librarian' | 'library_admin';
  grantedAt: Timestamp;
}

export interface AuditEventTable {
  libraryId: string;
  id: Generated<string>;
  at: Timestamp;
  actorAccountId: string | null;
  action: string;
  subjectAccountId: string | null;
  reasonCode: string | null;
  details: ColumnType<Record<string, unknown>, string | undefined, string>;
}

export interface NoticeTable {
  libraryId: string;
  id: Generated<string>;
  accountId: string | null;
  toAddress: string;
  template: string;
  subject: string;
  bodyText: string;
  /** The HTML part (library brand); NULL for text-only mail (0082). */
  bodyHtml: ColumnType<string | null, string | null | undefined, string | null>;
  createdAt: Timestamp;
  sentAt: NullableTimestamp;
}

declare module '../../platform/db/database.ts' {
  interface Database {
    account: AccountTable;
    session: SessionTable;
    emailToken: EmailTokenTable;
    loginThrottle: LoginThrottleTable;
    networkRole: NetworkRoleTable;
    memberProfile: MemberProfileTable;
    plan: PlanTable;
    membership: MembershipTable;
    cardSequence: CardSequenceTable;
    charge: ChargeTable;
    consent: ConsentTable;
    staffRole: StaffRoleTable;
    auditEvent: AuditEventTable;
    notice: NoticeTable;
  }
}
