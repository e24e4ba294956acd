// Kysely table types (camelCase through CamelCasePlugin). Kept by hand beside the SQL migrations
// in db/migrations: a migration that changes a table changes its type here in the same commit.
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface MunicipalityTable {
  code: string;
  name: string;
  provinceCode: string;
  provinceName: string;
  inhabitants: number | null;
}

export interface PostcodeAreaTable {
  pc4: string;
  municipalityCode: string | null;
  place: string | null;
  inhabitants: number | null;
  sourceMunicipalityName: string | null;
}

export interface BrandTokens {
  /** Header and primary buttons; white text must reach 4.5:1 on it. */
  primary: string;
  /** Links and focus accents on white; must reach 4.5:1 on white. */
  accent: string;
  /** A light tint for panels; body text (#1a1a1a) must reach 4.5:1 on it. */
  tint: string;
}

export interface LibraryTable {
  id: Generated<string>;
  slug: string;
  name: string;
  shortName: string;
  kind: 'city' | 'regional';
  brand: ColumnType<BrandTokens, string, string>;
  logoSvg: string;
  email: string;
  phone: string;
  modules: ColumnType<string[], string[] | undefined, string[]>;
  settings: ColumnType<Record<string, unknown>, string | undefined, string>;
  /** 5-digit prefix of the library's card numbers (db/migrations/0003_accounts.sql). */
  cardPrefix: string | null;
  createdAt: Timestamp;
}

export interface LibraryServiceAreaTable {
  libraryId: string;
  municipalityCode: string;
}

export interface BranchTable {
  libraryId: string;
  id: Generated<string>;
  slug: string;
  name: string;
  street: string;
  houseNumber: string;
  postcode: string;
  city: string;
  municipalityCode: string;
  phone: string | null;
  email: string | null;
}

export interface BranchOpeningHoursTable {
  libraryId: string;
  branchId: string;
  weekday: number;
  opens: string;
  closes: string;
}

export interface BranchOpeningExceptionTable {
  libraryId: string;
  branchId: string;
  date: ColumnType<string, string, string>;
  opens: string | null;
  closes: string | null;
  reasonNl: string;
  reasonEn: string;
}

/** db/migrations/0061_idempotency.sql (platform/http/idempotency.ts). */
export interface IdempotencyKeyTable {
  actor: string;
  key: string;
  requestHash: string;
  lockedAt: Date | null;
  statusCode: number | null;
  contentType: string | null;
  responseBody: string | null;
  createdAt: Timestamp;
  completedAt: Date | null;
}

export interface Database {
  idempotencyKey: IdempotencyKeyTable;
  municipality: MunicipalityTable;
  postcodeArea: PostcodeAreaTable;
  library: LibraryTable;
  libraryServiceArea: LibraryServiceAreaTable;
  branch: BranchTable;
  branchOpeningHours: BranchOpeningHoursTable;
  branchOpeningException: BranchOpeningExceptionTable;
}
