/** Reconcile: a clean tenant has no drift; drift made on purpose is reported, repaired with repair: true, and published. */
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, runAs, tableName } from '../../functions/store/db.ts';
import { keys } from '../../functions/store/keys.ts';
import { handler as daily } from '../../functions/scheduled/reconcile.ts';
import { startApi } from '../support/api.ts';
import type { Api } from '../support/api.ts';

let api: Api;
let events: string;
let wh: string;
let iid: string;
const sku = `RC-${Date.now()}`;
beforeAll(async () => {
  events = join(mkdtempSync(join(tmpdir(), 'reconcile-')), 'events.ndjson');
  process.env.INVENTORY_EVENTS_FILE = events;
  api = await startApi();
  wh = (await api.post('/api/warehouses', { name: 'R' })).body.data.id;
  iid = (await api.post('/admin/inventory-items', { sku })).body.inventory_item.id;
  await api.request('PUT', `/api/inventory/${sku}`, { warehouse_id: wh, quantity: 20 });
  await api.post('/admin/reservations', { inventory_item_id: iid, location_id: wh, quantity: 2 });
  await api.post('/api/holds', { reference: 'rc-order', lines: [{ sku, quantity: 3 }] });
});
afterAll(async () => {
  delete process.env.INVENTORY_EVENTS_FILE;
  await api.close();
});

const level = async () => (await api.get(`/admin/inventory-items/${iid}/location-levels`)).body.inventory_item.location_levels[0];
const published = () =>
  existsSync(events)
    ? readFileSync(events, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : [];

test('a clean tenant (stock, a reservation, a hold) reports no drift and publishes nothing', async () => {
  const res = await api.post('/api/reconcile', {});
  expect(res.status).toBe(200);
  expect(res.body.data).toMatchObject({ levels_checked: 1, reservations_counted: 2, repair: false, drifts: [] });
  expect(published()).toEqual([]);
});

test("a level's reserved changed behind the service's back is reported, then repaired with repair: true", async () => {
  await db().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.level(api.tenant, iid, wh),
      UpdateExpression: 'SET reserved_quantity = :r',
      ExpressionAttributeValues: { ':r': 9 },
    }),
  );
  const report = await api.post('/api/reconcile', { sku });
  expect(report.body.data.drifts).toEqual([
    expect.objectContaining({ inventory_item_id: iid, warehouse_id: wh, kind: 'reserved', recorded: 9, expected: 5, repaired: false }),
    expect.objectContaining({ kind: 'available', recorded: 15, expected: 11, repaired: false }),
  ]);
  expect(await level()).toMatchObject({ reserved_quantity: 9 }); // report mode changes nothing
  expect(published().map((e) => [e.type, e.detail.kind])).toEqual([
    ['inventory.level.drift_detected', 'reserved'],
    ['inventory.level.drift_detected', 'available'],
  ]);
  const repair = await api.post('/api/reconcile', { repair: true });
  expect(repair.body.data.drifts.map((d: any) => [d.kind, d.repaired])).toEqual([
    ['reserved', true],
    ['available', true],
  ]);
  expect(await level()).toMatchObject({ stocked_quantity: 20, reserved_quantity: 5, available_quantity: 15 });
  expect((await api.post('/api/reconcile', {})).body.data.drifts).toEqual([]);
});

test('stocked changed without its ledger row: reported as ledger drift; repair writes a reconcile row, stocked unchanged', async () => {
  await db().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.level(api.tenant, iid, wh),
      UpdateExpression: 'SET stocked_quantity = :s, available_quantity = :a',
      ExpressionAttributeValues: { ':s': 25, ':a': 20 },
    }),
  );
  const out = await runAs('Reconcile', () => daily()); // with the daily run's own grants (the DynamoDB front checks them)
  expect(out.drifts).toBeGreaterThanOrEqual(1);
  const report = await api.post('/api/reconcile', {});
  expect(report.body.data.drifts).toEqual([expect.objectContaining({ kind: 'ledger', recorded: 25, expected: 20, repaired: false })]);
  const repair = await api.post('/api/reconcile', { repair: true });
  expect(repair.body.data.drifts).toEqual([expect.objectContaining({ kind: 'ledger', repaired: true })]);
  expect(await level()).toMatchObject({ stocked_quantity: 25 });
  const rows = (await api.get(`/api/inventory/${sku}/adjustments?reason=reconcile`)).body.data;
  expect(rows).toEqual([expect.objectContaining({ before_quantity: 20, after_quantity: 25, delta: 5, reason: 'reconcile' })]);
  expect((await api.post('/api/reconcile', {})).body.data.drifts).toEqual([]);
}, 240_000); // the daily run walks every tenant of the shared test table (hundreds by now): past 60 s on a loaded machine

test('reconcile needs keys:manage; an unknown sku is 404', async () => {
  const reader = await api.keyWith(['inventory:read', 'inventory:write']);
  expect((await api.post('/api/reconcile', {}, reader)).status).toBe(403);
  expect((await api.post('/api/reconcile', { sku: 'NOPE-X' })).status).toBe(404);
  expect((await api.post('/api/reconcile', { repair: 'yes' })).status).toBe(400);
});
