// Kysely types of the tables in db/migrations/0070_lending.sql (module augmentation of Database).
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** Maintained by the triggers: read-only for the application. */
type Counter = ColumnType<number, never, never>;

export const LICENSE_MODELS = ['one_copy_one_user', 'simultaneous', 'metered_loans', 'metered_time'] as const;
export type LicenseModel = (typeof LICENSE_MODELS)[number];
export type LoanKind = 'physical' | 'digital';
export type LoanStatus = 'open' | 'returned' | 'lost' | 'expired';
export type Channel = 'desk' | 'kiosk' | 'portal' | 'api' | 'system';
export type HoldStatus = 'waiting' | 'in_transit' | 'ready' | 'fulfilled' | 'cancelled' | 'expired';
export const ACTIVE_HOLD: HoldStatus[] = ['waiting', 'in_transit', 'ready'];

export interface LendingSettingsTable {
  libraryId: string;
  lateFeeCentsPerDay: Generated<number>;
  maxLateFeeCents: Generated<number>;
  blockThresholdCents: Generated<number>;
  maxRenewals: Generated<number>;
  holdPickupDays: Generated<number>;
  portalSelfCheckout: Generated<boolean>;
  historyRetentionDays: Generated<number>;
}

export interface LoanRuleTable {
  libraryId: string;
  id: Generated<string>;
  planId: string | null;
  format: string | null;
  loanPeriodDays: number;
  maxRenewals: number | null;
}

export interface LicensePoolTable {
  id: Generated<string>;
  titleId: string;
  ownerLibraryId: string | null;
  provider: string;
  model: LicenseModel;
  concurrency: number | null;
  loansTotal: number | null;
  validUntil: NullableTimestamp;
  loanPeriodDays: Generated<number>;
  priority: Generated<number>;
  inUse: Counter;
  loansUsed: Counter;
  offered: Counter;
  createdAt: Generated<Timestamp>;
}

export interface LendingMemberTable {
  libraryId: string;
  accountId: string;
  physicalLoans: Counter;
  digitalLoans: Counter;
  holds: Counter;
}

export interface LoanTable {
  libraryId: string;
  id: Generated<string>;
  accountId: string | null;
  kind: LoanKind;
  titleId: string;
  itemId: string | null;
  poolId: string | null;
  branchId: string | null;
  channel: Channel;
  checkedOutAt: Timestamp;
  dueAt: Timestamp;
  renewals: Generated<number>;
  status: ColumnType<LoanStatus, LoanStatus | undefined, LoanStatus>;
  endedAt: NullableTimestamp;
  returnBranchId: string | null;
  fineCents: Generated<number>;
  remindedAt: NullableTimestamp;
  overdueNoticedAt: NullableTimestamp;
  anonymisedAt: NullableTimestamp;
}

export interface HoldQueueTable {
  libraryId: string;
  titleId: string;
  lastSeq: ColumnType<string, string | number | undefined, string | number>;
}

export interface DigitalQueueTable {
  titleId: string;
  lastSeq: ColumnType<string, string | number | undefined, string | number>;
}

export interface HoldTable {
  libraryId: string;
  id: Generated<string>;
  accountId: string;
  kind: LoanKind;
  titleId: string;
  pickupBranchId: string | null;
  queueSeq: ColumnType<string, string | number, string | number>;
  status: ColumnType<HoldStatus, HoldStatus | undefined, HoldStatus>;
  frozen: Generated<boolean>;
  itemId: string | null;
  poolId: string | null;
  autoCheckout: Generated<boolean>;
  readyAt: NullableTimestamp;
  readyUntil: NullableTimestamp;
  createdAt: Timestamp;
  endedAt: NullableTimestamp;
}

export interface AccessGrantTable {
  libraryId: string;
  id: Generated<string>;
  loanId: string;
  expiresAt: Timestamp;
  revokedAt: NullableTimestamp;
  createdAt: Generated<Timestamp>;
}

export interface ContentKeyTable {
  kid: string;
  secret: string;
  createdAt: Generated<Timestamp>;
}

declare module '../../platform/db/database.ts' {
  interface Database {
    lendingSettings: LendingSettingsTable;
    loanRule: LoanRuleTable;
    licensePool: LicensePoolTable;
    lendingMember: LendingMemberTable;
    loan: LoanTable;
    holdQueue: HoldQueueTable;
    digitalQueue: DigitalQueueTable;
    hold: HoldTable;
    accessGrant: AccessGrantTable;
    contentKey: ContentKeyTable;
  }
}
