/**
 * Races of the review (issue 11), each replayed step by step: DynamoDB Local runs transactions one
 * at a time, so a client middleware holds the write under test and runs the other write just
 * before it is sent — the interleaving that broke the guard. Every test failed before its fix.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createItem, deleteItem, getItem, updateItem } from '../../functions/core/items.ts';
import { adjustLevel, createLevel, deleteLevel } from '../../functions/core/levels.ts';
import { createWarehouse, updateWarehouse } from '../../functions/core/locations.ts';
import { levelCount } from '../../functions/store/locations.ts';
import { bulkUpdate } from '../../functions/core/bulk.ts';
import { createReservation, releaseReservation, updateReservation } from '../../functions/core/reservations.ts';
import { linkItem, unlinkItem } from '../../functions/core/variants.ts';
import { processUpload } from '../../functions/core/uploads.ts';
import type { Actor } from '../../functions/core/model.ts';
import { db, tableName } from '../../functions/store/db.ts';
import { keys } from '../../functions/store/keys.ts';
import { getJob, listRowErrors } from '../../functions/store/uploads.ts';
import { queryPartition } from '../../functions/store/query.ts';
import { transferStock } from '../../functions/store/stock.ts';
import { stager, str, tx } from '../support/stage.ts';
import type { Input } from '../support/stage.ts';
import { newTenant } from '../support/api.ts';
import { ledgerRows } from '../support/ledger.ts';
import { stageUpload } from '../support/uploads.ts';

process.env.INVENTORY_BLOB_DIR = mkdtempSync(join(tmpdir(), 'inventory-races-'));

const stage = stager('stageRace');
const before = stage.before;
beforeAll(() => stage.install());
afterEach(() => stage.disarm());
afterAll(() => stage.restore());

const actor = (warehouseIds?: string[]): Actor => ({
  tenant: newTenant(),
  keyId: 'k',
  keyName: 'race-test',
  scopes: ['inventory:write', 'reservations:write'],
  ...(warehouseIds ? { warehouseIds } : {}),
});
const levelRowOf = async (tenant: string, iid: string, wid: string) =>
  (await db().send(new GetCommand({ TableName: tableName(), Key: keys.level(tenant, iid, wid), ConsistentRead: true }))).Item;
const stockedSum = async (tenant: string, iid: string, wid: string) =>
  (await ledgerRows(tenant, iid))
    .filter((r) => r.field === 'stocked_quantity' && r.warehouse_id === wid)
    .reduce((s, r) => s + (r.after_quantity - r.before_quantity), 0);

test('finding 2: a level deleted and created again never repeats a version, so a write prepared against the old one is recomputed', async () => {
  const a = actor();
  const wh = await createWarehouse(a, { name: 'W' });
  const item = await createItem(a, { sku: 'RACE-V' });
  await createLevel(a, item.id, { location_id: wh.id, stocked_quantity: 10 });
  const staged = before(
    tx('Update', `L#${wh.id}`, (u) => String(u.ConditionExpression).startsWith('version = :seen')),
    async () => {
      await deleteLevel(a, item.id, wh.id);
      await createLevel(a, item.id, { location_id: wh.id, stocked_quantity: 1 });
    },
  );
  await adjustLevel(a, item.id, wh.id, { adjustment: 5, reason: 'supplier_receipt' });
  expect(staged.ran()).toBe(true);
  const level = (await getItem(a, item.id)).location_levels[0]!;
  // before the fix: stocked 15 (10 + 5 written over the new level of 1)
  expect(level).toMatchObject({ stocked_quantity: 6, available_quantity: 6 });
  expect(await stockedSum(a.tenant, item.id, wh.id)).toBe(6);
});

test('finding 3: an item deleted while a level is created for it leaves no level behind', async () => {
  const a = actor();
  const wh = await createWarehouse(a, { name: 'W' });
  const item = await createItem(a, { sku: 'RACE-ORPHAN' });
  const staged = before(tx('Delete', 'ITEM'), () => createLevel(a, item.id, { location_id: wh.id, stocked_quantity: 7 }));
  await deleteItem(a, item.id);
  expect(staged.ran()).toBe(true);
  // before the fix: the level with its 7 stayed under the deleted item
  expect(await queryPartition(keys.itemPartition(a.tenant, item.id))).toEqual([]);
  expect(await stockedSum(a.tenant, item.id, wh.id)).toBe(0);
  // and the warehouse can be deleted (its level count is back to zero)
  expect(await levelCount(a.tenant, wh.id)).toBe(0);
});

test('finding 3: a level created for an item deleted meanwhile is refused (404), nothing written', async () => {
  const a = actor();
  const wh = await createWarehouse(a, { name: 'W' });
  const item = await createItem(a, { sku: 'RACE-ORPHAN-2' });
  const staged = before(tx('Put', `L#${wh.id}`), () => deleteItem(a, item.id));
  await expect(createLevel(a, item.id, { location_id: wh.id, stocked_quantity: 3 })).rejects.toMatchObject({ code: 'INVENTORY_NOT_FOUND' });
  expect(staged.ran()).toBe(true);
  expect(await queryPartition(keys.itemPartition(a.tenant, item.id))).toEqual([]);
});

test('finding 4a: a key limited to A cannot release a reservation moved to B between its reads', async () => {
  const full = actor();
  const wa = await createWarehouse(full, { name: 'A' });
  const wb = await createWarehouse(full, { name: 'B' });
  const item = await createItem(full, { sku: 'RACE-RES' });
  await createLevel(full, item.id, { location_id: wa.id, stocked_quantity: 5 });
  await createLevel(full, item.id, { location_id: wb.id, stocked_quantity: 5 });
  const r = await createReservation(full, { inventory_item_id: item.id, location_id: wa.id, quantity: 2 });
  const limited: Actor = { ...full, warehouseIds: [wa.id] };
  let gets = 0;
  // the core's read sees A; the move to B commits before the write
  before(
    (command, input) => command === 'GetItemCommand' && str(input.Key?.PK) === keys.reservation(full.tenant, r.id).PK && ++gets === 2,
    () => updateReservation(full, r.id, { location_id: wb.id }),
  );
  await expect(releaseReservation(limited, r.id)).rejects.toMatchObject({ status: 404 });
  expect(gets).toBe(2);
  // before the fix: released at B by a key limited to A
  const row = (await db().send(new GetCommand({ TableName: tableName(), Key: keys.reservation(full.tenant, r.id), ConsistentRead: true }))).Item;
  expect(row).toMatchObject({ location_id: wb.id, quantity: 2 });
  const levels = (await getItem(full, item.id)).location_levels;
  expect(levels.find((l) => l.location_id === wb.id)).toMatchObject({ reserved_quantity: 2 });
});

test('finding 6: a transfer creating the destination level during a sku rename indexes it under the new sku', async () => {
  const a = actor();
  const from = await createWarehouse(a, { name: 'From' });
  const to = await createWarehouse(a, { name: 'To' });
  const item = await createItem(a, { sku: 'RACE-OLD' });
  await createLevel(a, item.id, { location_id: from.id, stocked_quantity: 10 });
  const staged = before(tx('Put', `L#${to.id}`), () => updateItem(a, item.id, { sku: 'RACE-NEW' }));
  const ctx = { tenant: a.tenant, by: a.keyName, now: new Date().toISOString() };
  await transferStock(ctx, item.id, { id: 'trf_race', sku: 'RACE-OLD', from: from.id, to: to.id, quantity: 4, note: null, reference: null });
  expect(staged.ran()).toBe(true);
  const row = (await levelRowOf(a.tenant, item.id, to.id))!;
  // before the fix: sku RACE-OLD, GSI3SK RACE-OLD␁<to>
  expect(row.sku).toBe('RACE-NEW');
  expect(row.GSI3SK).toBe(keys.levelSkuIndex(a.tenant, 'RACE-NEW', to.id).GSI3SK);
  expect(row.stocked_quantity).toBe(4);
});

test('finding 6: deleting an item while its variant link is unlinked counts link_count down once', async () => {
  const a = actor();
  const item = await createItem(a, { sku: 'RACE-LINK' });
  await linkItem(a, 'prod_1', 'variant_race', item.id);
  const staged = before(tx('Delete', 'ITEM'), () => unlinkItem(a, 'prod_1', 'variant_race', item.id));
  await deleteItem(a, item.id);
  expect(staged.ran()).toBe(true);
  const variant = (await db().send(new GetCommand({ TableName: tableName(), Key: keys.variant(a.tenant, 'variant_race'), ConsistentRead: true }))).Item!;
  // before the fix: -1, and another product could then take the variant while it is linked again
  expect(Number(variant.link_count)).toBe(0);
});

test('finding 6: an upload row refused on a stale read and applied on the retry of its chunk keeps no error row', async () => {
  const a = actor();
  const wh = await createWarehouse(a, { name: 'W' });
  const ia = await createItem(a, { sku: 'UPR-A' });
  const ib = await createItem(a, { sku: 'UPR-B' });
  await createLevel(a, ia.id, { location_id: wh.id, stocked_quantity: 5 });
  await createLevel(a, ib.id, { location_id: wh.id, stocked_quantity: 5 });
  const csv = `sku,warehouse_id,quantity\nUPR-A,${wh.id},-10\nUPR-B,${wh.id},1\n`;
  const id = await stageUpload({ actor: a, warehouses: [wh.id], skus: [] }, csv, 'adjust');
  // the first chunk was planned on 5 and 5: UPR-A would go negative. Stock arrives before it commits.
  const staged = before(tx('Update', 'UPLOAD'), async () => {
    await adjustLevel(a, ia.id, wh.id, { adjustment: 20 });
    await adjustLevel(a, ib.id, wh.id, { adjustment: 1 });
  });
  expect(await processUpload(a.tenant, id)).toBe('completed');
  expect(staged.ran()).toBe(true);
  expect(await getJob(a.tenant, id)).toMatchObject({ rows_applied: 2, rows_failed: 0 });
  expect((await getItem(a, ia.id)).location_levels[0]!.stocked_quantity).toBe(15);
  // before the fix: a NEGATIVE_QUANTITY error row for line 2, which was applied
  expect(await listRowErrors(a.tenant, id)).toEqual([]);
});

test("a warehouse turned read-only between the rows' read and their commit: its rows fail READONLY_WAREHOUSE, the others apply — in bulk and in an upload alike", async () => {
  const a = actor();
  const wh = await createWarehouse(a, { name: 'W' });
  const ro = await createWarehouse(a, { name: 'Soon read-only' });
  const item = await createItem(a, { sku: 'RO-1' });
  await createLevel(a, item.id, { location_id: wh.id, stocked_quantity: 5 });
  await createLevel(a, item.id, { location_id: ro.id, stocked_quantity: 5 });
  // the first transaction that updates a level: the pipeline's chunk, read and decided while ro was writable
  const chunk = (command: string, input: Input) =>
    command === 'TransactWriteItemsCommand' && !!input.TransactItems?.some((t) => String(str(t.Update?.Key?.SK) ?? '').startsWith('L#'));

  let staged = before(chunk, () => updateWarehouse(a, ro.id, { is_readonly: true }));
  const bulk = await bulkUpdate(a, [
    { sku: 'RO-1', warehouse_id: wh.id, quantity: 6 },
    { sku: 'RO-1', warehouse_id: ro.id, quantity: 6 },
  ]);
  expect(staged.ran()).toBe(true);
  expect(bulk.data.results.map((r) => r.error?.code ?? r.status)).toEqual(['applied', 'READONLY_WAREHOUSE']);

  await updateWarehouse(a, ro.id, { is_readonly: false });
  const id = await stageUpload({ actor: a, warehouses: [], skus: [] }, `sku,warehouse_id,quantity\nRO-1,${wh.id},7\nRO-1,${ro.id},7\n`, 'set');
  staged = before(chunk, () => updateWarehouse(a, ro.id, { is_readonly: true }));
  expect(await processUpload(a.tenant, id)).toBe('completed');
  expect(staged.ran()).toBe(true);
  expect(await getJob(a.tenant, id)).toMatchObject({ rows_applied: 1, rows_failed: 1 });
  expect((await listRowErrors(a.tenant, id)).map((e) => [e.line, e.code])).toEqual([[3, 'READONLY_WAREHOUSE']]);

  const levels = (await getItem(a, item.id)).location_levels;
  expect(Object.fromEntries(levels.map((l) => [l.location_id, l.stocked_quantity]))).toEqual({ [wh.id]: 7, [ro.id]: 5 });
  // one ledger row per applied row, none for the refused ones
  expect(await stockedSum(a.tenant, item.id, ro.id)).toBe(5);
  expect((await ledgerRows(a.tenant, item.id)).filter((r) => r.warehouse_id === wh.id)).toHaveLength(3);
});
