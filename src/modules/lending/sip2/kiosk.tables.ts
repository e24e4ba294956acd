// Kysely types of the table in db/migrations/0090_sip2_kiosk.sql (module augmentation of Database).
import type { ColumnType, Generated } from 'kysely';
import type { Encoding } from './protocol.ts';

export interface KioskTable {
  libraryId: string;
  id: Generated<string>;
  login: string;
  passwordHash: string;
  branchId: string;
  institutionId: string;
  encoding: ColumnType<Encoding, Encoding | undefined, Encoding>;
  active: ColumnType<boolean, boolean | undefined, boolean>;
  createdAt: ColumnType<Date, Date | string | undefined, Date | string>;
  lastLoginAt: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

declare module '../../../platform/db/database.ts' {
  interface Database {
    kiosk: KioskTable;
  }
}
