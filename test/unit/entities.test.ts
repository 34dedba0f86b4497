/**
 * The entity declarations (functions/store/entities.ts) write the table exactly as the row builders
 * before them did: each expected row below is written out literally as the old code built it (same
 * attribute names, same values, same order), and every key parses back to its tenant and ids. One
 * change since: a reservation's GSI1 and GSI3 partition keys carry its shard (`#<h>`, key-builders.ts).
 */
import {
  AdjustmentEntity,
  ApiKey,
  HoldEntity,
  InboundEntity,
  InboundLineEntity,
  Item,
  LevelEntity,
  Link,
  parseKey,
  Report,
  ReservationEntity,
  SkuGuard,
  Stats,
  Upload,
  UploadError,
  UploadChange,
  VariantEntity,
  WarehouseEntity,
} from '../../functions/store/entities.ts';
import { updateParams } from '../../functions/store/expr.ts';
import type { InventoryItem, Level, Reservation, Warehouse } from '../../functions/core/model.ts';
import type { Hold } from '../../functions/store/holds.ts';
import type { UploadJob } from '../../functions/store/uploads.ts';

const t = 'acme';
const at = '2026-01-02T03:04:05.000Z';

const item: InventoryItem = {
  id: 'iitem_1',
  sku: 'SKU-1',
  title: 'Shirt',
  description: null,
  thumbnail: null,
  origin_country: null,
  hs_code: null,
  mid_code: null,
  material: null,
  weight: null,
  length: null,
  height: null,
  width: null,
  requires_shipping: true,
  allow_backorder: false,
  backorder_limit: null,
  product_id: null,
  variant_attributes: null,
  metadata: null,
  created_at: at,
  updated_at: at,
} as InventoryItem;
const level: Level = {
  id: 'ilev_iitem_1:wh_1',
  inventory_item_id: 'iitem_1',
  location_id: 'wh_1',
  sku: 'SKU-1',
  stocked_quantity: 5,
  reserved_quantity: 0,
  incoming_quantity: 0,
  safety_stock: 0,
  available_quantity: 5,
  reorder_level: 0,
  reorder_quantity: 0,
  bin_location: null,
  metadata: null,
  created_at: at,
  updated_at: at,
};
const reservation: Reservation = {
  id: 'res_1',
  inventory_item_id: 'iitem_1',
  location_id: 'wh_1',
  quantity: 2,
  line_item_id: 'ord-9:0',
  description: null,
  metadata: null,
  expires_at: '2026-01-03T00:00:00.000Z',
  created_by: 'key_1',
  created_at: at,
  updated_at: at,
};
const warehouse = { id: 'wh_1', name: 'Berlin', is_active: true, is_readonly: false, priority: 0, created_at: at, updated_at: at } as unknown as Warehouse;
const link = { id: 'ilink_1', product_id: 'prod_1', variant_id: 'var_1', inventory_item_id: 'iitem_1', required_quantity: 2, created_at: at, updated_at: at };
const hold = {
  id: 'hold_1',
  reference: 'ord-9',
  status: 'active',
  strategy: 'priority',
  allow_split: true,
  expires_at: at,
  lines: [],
  created_by: 'key_1',
  created_at: at,
  updated_at: at,
} as unknown as Hold;
const job = { id: 'up_1', tenant: t, status: 'processing', rows_done: 0 } as unknown as UploadJob;
const apiKey = { id: 'key_1', tenant: t, name: 'ci', prefix: 'inv_acme_abcd', scopes: [], warehouse_ids: null, created_at: at, revoked_at: null };
const report = { id: 'rep_1', tenant_id: t, created_at: at, rows: 1, items_read: 2, json_key: 'r.json', csv_key: 'r.csv' };
const adjustment = {
  id: 'adj_1',
  sku: 'SKU-1',
  inventory_item_id: 'iitem_1',
  warehouse_id: 'wh_1',
  field: 'stocked_quantity' as const,
  before_quantity: 1,
  after_quantity: 5,
  delta: 4,
  reason: 'restock' as never,
  note: null,
  reference: null,
  created_by: 'key_1',
  created_at: at,
};
const rowError = { line: 42, code: 'VALIDATION', message: 'bad', sku: 'SKU-1', warehouse_id: null };

/** Same attributes, same values, same order. */
const same = (got: Record<string, unknown>, want: Record<string, unknown>) => {
  expect(got).toStrictEqual(want);
  expect(Object.keys(got)).toEqual(Object.keys(want));
};

describe('entity rows are the rows the old builders wrote', () => {
  test('item (with sku: GSI1 + GSI3; without: GSI1 only)', () => {
    same(Item.row(t, item, { policy_version: 1, search: 'sku-1\nshirt' }), {
      PK: 'T#acme#I#iitem_1',
      SK: 'ITEM',
      GSI1PK: 'T#acme#ITEMS',
      GSI1SK: 'iitem_1',
      GSI3PK: 'T#acme#SKUS',
      GSI3SK: 'SKU-1',
      entity: 'item',
      ...item,
      policy_version: 1,
      search: 'sku-1\nshirt',
    });
    same(Item.row(t, { ...item, sku: null }), {
      PK: 'T#acme#I#iitem_1',
      SK: 'ITEM',
      GSI1PK: 'T#acme#ITEMS',
      GSI1SK: 'iitem_1',
      entity: 'item',
      ...item,
      sku: null,
    });
  });
  test('level (GSI1 by location, GSI3 by sku\\u0001wid; no GSI2 until flagged)', () => {
    same(LevelEntity.row(t, level, { version: 1, policy_version: 1, policy_allow_backorder: false }), {
      PK: 'T#acme#I#iitem_1',
      SK: 'L#wh_1',
      GSI1PK: 'T#acme#LOC#wh_1',
      GSI1SK: 'iitem_1',
      GSI3PK: 'T#acme#SKUS',
      GSI3SK: 'SKU-1\u0001wh_1',
      entity: 'level',
      ...level,
      version: 1,
      policy_version: 1,
      policy_allow_backorder: false,
    });
    same(LevelEntity.row(t, { ...level, sku: null }, { version: 1 }), {
      PK: 'T#acme#I#iitem_1',
      SK: 'L#wh_1',
      GSI1PK: 'T#acme#LOC#wh_1',
      GSI1SK: 'iitem_1',
      entity: 'level',
      ...level,
      sku: null,
      version: 1,
    });
  });
  test("reservation (GSI1 and sparse GSI3 expiry in the rid's shard, sparse GSI2 line)", () => {
    // res_1's shard is 9 (FNV-1a mod 16: test/unit/keys.test.ts); before the sharding: T#acme#RES, T#acme#EXP
    same(ReservationEntity.row(t, reservation), {
      PK: 'T#acme#R#res_1',
      SK: 'RES',
      GSI1PK: 'T#acme#RES#9',
      GSI1SK: 'iitem_1#res_1',
      GSI2PK: 'T#acme#RLI#ord-9:0',
      GSI2SK: 'res_1',
      GSI3PK: 'T#acme#EXP#9',
      GSI3SK: '2026-01-03T00:00:00.000Z#res_1',
      entity: 'reservation',
      ...reservation,
    });
    same(ReservationEntity.row(t, { ...reservation, line_item_id: null, expires_at: null }), {
      PK: 'T#acme#R#res_1',
      SK: 'RES',
      GSI1PK: 'T#acme#RES#9',
      GSI1SK: 'iitem_1#res_1',
      entity: 'reservation',
      ...reservation,
      line_item_id: null,
      expires_at: null,
    });
  });
  test('warehouse, link, hold, upload, upload error, api key, sku guard, ledger, report', () => {
    same(WarehouseEntity.row(t, warehouse, { level_count: 0, ro_seq: 1 }), {
      PK: 'T#acme#WH#wh_1',
      SK: 'WH',
      GSI1PK: 'T#acme#WHS',
      GSI1SK: 'wh_1',
      entity: 'warehouse',
      ...warehouse,
      level_count: 0,
      ro_seq: 1,
    });
    same(Link.row(t, link), { PK: 'T#acme#V#var_1', SK: 'LINK#iitem_1', GSI1PK: 'T#acme#IL#iitem_1', GSI1SK: 'var_1', entity: 'link', ...link });
    same(HoldEntity.row(t, hold, { version: 1 }), {
      PK: 'T#acme#H#hold_1',
      SK: 'HOLD',
      GSI2PK: 'T#acme#HREF#ord-9',
      GSI2SK: 'hold_1',
      entity: 'hold',
      ...hold,
      version: 1,
    });
    same(Upload.row(t, job, { ttl: 123 }), {
      PK: 'T#acme#UP#up_1',
      SK: 'UPLOAD',
      GSI1PK: 'T#acme#UPLOADS',
      GSI1SK: 'up_1',
      entity: 'upload',
      ...job,
      ttl: 123,
    });
    same(UploadError.row(t, { upload_id: 'up_1', error: rowError }, { ttl: 123 }), {
      PK: 'T#acme#UP#up_1',
      SK: 'ERR#0000000042',
      entity: 'upload_error',
      ...rowError,
      ttl: 123,
    });
    same(ApiKey.row(t, { hash: 'ab12', ...apiKey }), {
      PK: 'T#acme#KEY#ab12',
      SK: 'KEY',
      GSI1PK: 'T#acme#KEYS',
      GSI1SK: 'key_1',
      entity: 'api_key',
      hash: 'ab12',
      ...apiKey,
    });
    same(SkuGuard.row(t, { sku: 'SKU-1', inventory_item_id: 'iitem_1' }), { PK: 'T#acme#SKU#SKU-1', SK: 'SKU', entity: 'sku', inventory_item_id: 'iitem_1' });
    same(AdjustmentEntity.row(t, adjustment), { PK: 'T#acme#I#iitem_1#ADJ', SK: `${at}#adj_1`, entity: 'adjustment', ...adjustment });
    same(Report.row(t, report), { PK: 'T#acme#REPORTS', SK: `${at}#rep_1`, entity: 'report', ...report });
  });
});

describe('index updates come from the declaration', () => {
  test('a sku change moves GSI3 of item and level; clearing it removes GSI3', () => {
    expect(updateParams(Item.indexUpdate(t, { id: 'iitem_1', sku: 'NEW' }))).toEqual({
      UpdateExpression: 'SET GSI3PK = :GSI3PK, GSI3SK = :GSI3SK',
      ExpressionAttributeNames: {},
      ExpressionAttributeValues: { ':GSI3PK': 'T#acme#SKUS', ':GSI3SK': 'NEW' },
    });
    const cleared = Item.indexUpdate(t, { id: 'iitem_1', sku: null });
    expect(cleared.parts).toEqual([]);
    expect(cleared.remove).toEqual(['GSI3PK', 'GSI3SK']);
    expect(LevelEntity.indexUpdate(t, { inventory_item_id: 'iitem_1', location_id: 'wh_1', sku: 'NEW' }).values).toEqual({
      ':GSI3PK': 'T#acme#SKUS',
      ':GSI3SK': 'NEW\u0001wh_1',
    });
  });
  test('expiry: set, removed on null, untouched when not part of the change', () => {
    // also moves a legacy row (GSI3PK T#acme#EXP) into its shard
    expect(ReservationEntity.indexUpdate(t, { id: 'res_1', expires_at: at }).values).toEqual({ ':GSI3PK': 'T#acme#EXP#9', ':GSI3SK': `${at}#res_1` });
    expect(ReservationEntity.indexUpdate(t, { id: 'res_1', expires_at: null }).remove).toEqual(['GSI3PK', 'GSI3SK']);
    const none = ReservationEntity.indexUpdate(t, { id: 'res_1', quantity: 3 });
    expect([none.parts, none.remove]).toEqual([[], undefined]);
  });
  test('the low-stock flag (GSI2) is set while the status is not normal', () => {
    const ids = { inventory_item_id: 'iitem_1', location_id: 'wh_1' };
    expect(LevelEntity.indexUpdate(t, { ...ids, flag_status: 'low' }).values).toEqual({ ':GSI2PK': 'T#acme#LOW', ':GSI2SK': 'iitem_1#wh_1' });
    expect(LevelEntity.indexUpdate(t, { ...ids, flag_status: 'normal' }).remove).toEqual(['GSI2PK', 'GSI2SK']);
  });
});

test('the stats row (kept by update) sets entity and its tenant-directory key (GSI1)', () => {
  expect(updateParams(Stats.upsertSet(t, { tenant: t }))).toEqual({
    UpdateExpression: 'SET entity = :entity, GSI1PK = :GSI1PK, GSI1SK = :GSI1SK',
    ExpressionAttributeNames: {},
    ExpressionAttributeValues: { ':entity': 'stats', ':GSI1PK': 'TENANTS', ':GSI1SK': 'acme' },
  });
});

describe('parse(key(x)) = x', () => {
  const cases: [string, { parse: (k: { PK: unknown; SK: unknown }) => unknown }, { PK: string; SK: string }, Record<string, unknown>][] = [
    ['item', Item, Item.keyOf(t, item), { tenant: t, iid: 'iitem_1' }],
    ['level', LevelEntity, LevelEntity.keyOf(t, level), { tenant: t, iid: 'iitem_1', wid: 'wh_1' }],
    ['sku', SkuGuard, SkuGuard.key(t, { sku: 'A#B:1' }), { tenant: t, sku: 'A#B:1' }],
    ['adjustment', AdjustmentEntity, AdjustmentEntity.keyOf(t, adjustment), { tenant: t, iid: 'iitem_1', created_at: at, id: 'adj_1' }],
    ['warehouse', WarehouseEntity, WarehouseEntity.keyOf(t, warehouse), { tenant: t, wid: 'wh_1' }],
    ['reservation', ReservationEntity, ReservationEntity.keyOf(t, reservation), { tenant: t, rid: 'res_1' }],
    ['variant', VariantEntity, VariantEntity.key(t, { vid: 'var_1' }), { tenant: t, vid: 'var_1' }],
    ['link', Link, Link.keyOf(t, link), { tenant: t, vid: 'var_1', iid: 'iitem_1' }],
    ['api_key', ApiKey, ApiKey.key(t, { hash: 'ab12' }), { tenant: t, hash: 'ab12' }],
    ['upload', Upload, Upload.keyOf(t, job), { tenant: t, id: 'up_1' }],
    ['upload_error', UploadError, UploadError.key(t, { id: 'up_1', line: 42 }), { tenant: t, id: 'up_1', line: 42 }],
    ['upload_change', UploadChange, UploadChange.key(t, { id: 'up_1', line: 42 }), { tenant: t, id: 'up_1', line: 42 }],
    ['inbound', InboundEntity, InboundEntity.key(t, { id: 'inb_1' }), { tenant: t, id: 'inb_1' }],
    [
      'inbound_line',
      InboundLineEntity,
      InboundLineEntity.key(t, { iid: 'iitem_1', id: 'inb_1', line: 7 }),
      { tenant: t, iid: 'iitem_1', id: 'inb_1', line: 7 },
    ],
    ['hold', HoldEntity, HoldEntity.keyOf(t, hold), { tenant: t, hid: 'hold_1' }],
    ['report', Report, Report.keyOf(t, report), { tenant: t, created_at: at, id: 'rep_1' }],
    ['stats', Stats, Stats.key(t, {}), { tenant: t }],
  ];
  test.each(cases)('%s', (name, entity, key, ids) => {
    expect(entity.parse(key)).toEqual(ids);
    expect(parseKey(key)).toEqual({ entity: name, ...ids });
  });
  test('the new rows keep their layout: a dry-run change and an inbound line beside the item and its levels', () => {
    expect(UploadChange.key(t, { id: 'up_1', line: 42 })).toEqual({ PK: 'T#acme#UP#up_1', SK: 'CHG#0000000042' });
    expect(InboundEntity.key(t, { id: 'inb_1' })).toEqual({ PK: 'T#acme#IN#inb_1', SK: 'INBOUND' });
    expect(InboundLineEntity.key(t, { iid: 'iitem_1', id: 'inb_1', line: 7 })).toEqual({ PK: 'T#acme#I#iitem_1', SK: 'IN#inb_1#007' });
    expect(LevelEntity.parse(InboundLineEntity.key(t, { iid: 'iitem_1', id: 'inb_1', line: 7 }))).toBeUndefined();
  });
  test('a key of one entity does not parse as another; a tenant with dashes parses whole', () => {
    expect(Item.parse(LevelEntity.keyOf(t, level))).toBeUndefined();
    expect(LevelEntity.parse(Item.keyOf(t, item))).toBeUndefined();
    expect(ReservationEntity.parse({ PK: 'T#acme#R#res_1', SK: 'HOLD' })).toBeUndefined();
    expect(parseKey({ PK: 'TENANTS', SK: 'x' })).toBeUndefined();
    expect(parseKey(LevelEntity.keyOf('my-shop-2', level))).toEqual({ entity: 'level', tenant: 'my-shop-2', iid: 'iitem_1', wid: 'wh_1' });
  });
});
