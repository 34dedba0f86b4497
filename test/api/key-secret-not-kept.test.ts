/**
 * POST /api/keys with an Idempotency-Key: the new key's secret is in the first answer only. It is
 * never at rest in plaintext — not in the key row (a hash) and not in the idempotency record — and
 * a replay of the request answers the key's metadata without the secret, with a note saying so.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from '../../functions/store/db.ts';
import { findApiKey } from '../../functions/store/api-keys.ts';
import { keyOf } from '../../functions/store/idempotency.ts';
import * as keys from '../../functions/store/key-builders.ts';
import { queryPartition } from '../../functions/store/query.ts';
import { startApi } from '../support/api.ts';
import type { Api } from '../support/api.ts';

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

/**
 * The tenant's rows a key creation writes, as stored: its key rows (GSI1, raw) and the request's
 * idempotency record and progress row (by key). Not a Scan: the test table is shared with every
 * other file (in CI with the 100,000-row upload), and a Scan of it took longer than the test may.
 */
async function tenantRows(tenant: string, idemKey: string): Promise<Record<string, unknown>[]> {
  const keyRows = await queryPartition(keys.apiKeysPartition(tenant), { index: 'GSI1' });
  const keyId = (await findApiKey(tenant, api.key))!.id;
  const idem = keyOf({ tenant, keyId }, idemKey);
  const direct = await Promise.all(
    [idem, { PK: idem.PK, SK: 'PROGRESS' }].map(async (Key) => (await db().send(new GetCommand({ TableName: tableName(), Key, ConsistentRead: true }))).Item),
  );
  return [...keyRows, ...direct.filter((r): r is Record<string, unknown> => !!r)];
}

test('a key created with an Idempotency-Key keeps no plaintext secret at rest, and its replay answers without the secret', async () => {
  const headers = { 'idempotency-key': 'make-erp-key-1' };
  const body = { name: 'erp', scopes: ['inventory:read'] };
  const created = await api.request('POST', '/api/keys', body, { headers });
  expect(created.status).toBe(201);
  const secret = created.body.data.key as string;
  expect(secret).toMatch(new RegExp(`^inv_${api.tenant}_`));

  // nothing the table holds for the tenant contains the secret (only its SHA-256 hash is kept)
  const rows = await tenantRows(api.tenant, headers['idempotency-key']);
  expect(rows.some((r) => String(r.PK).includes('#IDEM#'))).toBe(true);
  expect(JSON.stringify(rows)).not.toContain(secret);
  expect(JSON.stringify(rows)).not.toContain(secret.slice(-32));

  // the replay: same status, the key's metadata, no secret, and a note that it was shown once
  const again = await api.request('POST', '/api/keys', body, { headers });
  expect(again.status).toBe(201);
  expect(again.headers.get('idempotency-replayed')).toBe('true');
  expect(again.body.data).toMatchObject({ id: created.body.data.id, prefix: created.body.data.prefix, name: 'erp', scopes: ['inventory:read'], key: null });
  expect(again.text).not.toContain(secret);
  expect(again.body.message).toMatch(/secret.*shown once/i);

  // still one key of that name, and the first answer's secret is the one that works
  const list = await api.get('/api/keys');
  expect(list.body.data.filter((k: { name: string }) => k.name === 'erp')).toHaveLength(1);
  expect((await api.get('/api/inventory', secret)).status).toBe(200);
});
