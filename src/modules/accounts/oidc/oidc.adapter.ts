// The provider's storage adapter on PostgreSQL (oidc_payload), through the network path as the
// application role. Each call is its own short transaction: the provider never calls the adapter
// while one of ours is open (PGlite has a single connection).
// Clients are not stored here but in oidc_client, registered by network staff: the adapter's
// `Client` model reads that table and turns a row into client metadata.
import { sql, type Kysely } from 'kysely';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Database } from '../../../platform/db/database.ts';
import { inNetwork } from '../../../platform/db/tenant.ts';
import { clientMetadata } from './oidc.clients.ts';

type Row = { payload: string; expiresAt: Date | null; consumedAt: Date | null };

// as text: Kysely's CamelCasePlugin would otherwise rename the keys inside the JSON (client_id)
const payloadText = sql<string>`payload::text`.as('payload');

function toPayload(row: Row | undefined): AdapterPayload | undefined {
  if (!row) return undefined;
  if (row.expiresAt && row.expiresAt.getTime() <= Date.now()) return undefined;
  return { ...(JSON.parse(row.payload) as Record<string, unknown>), ...(row.consumedAt ? { consumed: Math.floor(row.consumedAt.getTime() / 1000) } : {}) };
}

export function adapterFor(db: Kysely<Database>) {
  return class PostgresAdapter implements Adapter {
    constructor(readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      if (this.model === 'Client') throw new Error('clients are registered with eenbieb oidc-client add, not through the provider');
      const row = {
        model: this.model, id, payload: JSON.stringify(payload),
        grantId: typeof payload.grantId === 'string' ? payload.grantId : null,
        userCode: typeof payload.userCode === 'string' ? payload.userCode : null,
        uid: typeof payload.uid === 'string' ? payload.uid : null,
        expiresAt: expiresIn ? new Date(Date.now() + expiresIn * 1000) : null,
      };
      await inNetwork(db, (tx) => tx.insertInto('oidcPayload').values(row)
        .onConflict((oc) => oc.columns(['model', 'id']).doUpdateSet({
          payload: row.payload, grantId: row.grantId, userCode: row.userCode, uid: row.uid, expiresAt: row.expiresAt,
        })).execute());
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client') {
        const client = await inNetwork(db, (tx) => tx.selectFrom('oidcClient').selectAll().where('clientId', '=', id).where('disabledAt', 'is', null).executeTakeFirst());
        return client ? clientMetadata(client) : undefined;
      }
      const row = await inNetwork(db, (tx) => tx.selectFrom('oidcPayload').select([payloadText, 'expiresAt', 'consumedAt'])
        .where('model', '=', this.model).where('id', '=', id).executeTakeFirst());
      return toPayload(row);
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      const row = await inNetwork(db, (tx) => tx.selectFrom('oidcPayload').select([payloadText, 'expiresAt', 'consumedAt'])
        .where('model', '=', this.model).where('uid', '=', uid).executeTakeFirst());
      return toPayload(row);
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      const row = await inNetwork(db, (tx) => tx.selectFrom('oidcPayload').select([payloadText, 'expiresAt', 'consumedAt'])
        .where('model', '=', this.model).where('userCode', '=', userCode).executeTakeFirst());
      return toPayload(row);
    }

    async consume(id: string): Promise<void> {
      await inNetwork(db, (tx) => tx.updateTable('oidcPayload').set({ consumedAt: new Date() })
        .where('model', '=', this.model).where('id', '=', id).execute());
    }

    async destroy(id: string): Promise<void> {
      await inNetwork(db, (tx) => tx.deleteFrom('oidcPayload').where('model', '=', this.model).where('id', '=', id).execute());
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      // every token of the grant, whatever its model (codes, access and refresh tokens)
      await inNetwork(db, (tx) => tx.deleteFrom('oidcPayload').where('grantId', '=', grantId).execute());
    }
  };
}
