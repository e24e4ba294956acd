// Kysely types of the tables in db/migrations/0060_oidc.sql (module augmentation of Database).
import type { ColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string, string>;

export interface OidcClientTable {
  clientId: string;
  name: string;
  redirectUris: string[];
  scopes: string[];
  secretHash: string | null;
  createdBy: string | null;
  createdAt: Timestamp;
  disabledAt: NullableTimestamp;
}

export interface OidcKeyTable {
  kid: string;
  use: 'signing' | 'cookie';
  jwk: Json<Record<string, unknown>>;
  createdAt: Timestamp;
  retiredAt: NullableTimestamp;
}

export interface OidcPayloadTable {
  model: string;
  id: string;
  payload: Json<Record<string, unknown>>;
  grantId: string | null;
  userCode: string | null;
  uid: string | null;
  expiresAt: NullableTimestamp;
  consumedAt: NullableTimestamp;
}

declare module '../../../platform/db/database.ts' {
  interface Database {
    oidcClient: OidcClientTable;
    oidcKey: OidcKeyTable;
    oidcPayload: OidcPayloadTable;
  }
}
