/**
 * Every entity of the table declared once (the way ElectroDB declares entities, without the
 * library): its name (the `entity` attribute), its primary key from the record, its index keys from
 * the record (a sparse index only while its attribute is set), and how to parse a primary key back
 * into the tenant and the ids. Row builders use `Entity.row`, updates that change an indexed
 * attribute use `Entity.indexUpdate`, so no write fills an index key by hand. The key strings
 * themselves are keys.ts's (the table layout is unchanged: test/unit/entities.test.ts).
 */
import type { Adjustment, InventoryItem, Level, LevelStatus, Reservation, VariantLink, Warehouse } from '../core/model.ts';
import type { NewApiKeyRecord } from './api-keys.ts';
import type { Expr } from './expr.ts';
import type { Hold } from './holds.ts';
import type { TransferRecord } from './transfers.ts';
import type { InboundHeader, InboundLineRow } from './inbound.ts';
import * as keys from './key-builders.ts';
import type { ReportRecord } from './reports.ts';
import type { RowChangeRecord, RowError, UploadJob } from './uploads.ts';

export interface Key {
  PK: string;
  SK: string;
}
type IndexName = 'GSI1' | 'GSI2' | 'GSI3';
type IndexKey = Record<string, string>;

interface IndexDecl<R> {
  /** The record's attributes (besides its ids) the index key is made of: an update setting one of them moves the key. */
  on: readonly string[];
  /** The index key, or undefined while the row is not in this (sparse) index. */
  key: (tenant: string, r: R) => IndexKey | undefined;
}

interface Decl<R, Ids> {
  name: string;
  /** The ids the primary key is made of, from the record. */
  ids: (r: R) => Ids;
  key: (tenant: string, ids: Ids) => Key;
  /** The tenant and ids of a primary key of this entity, or undefined for a key of another entity. */
  parse: (key: { PK?: unknown; SK?: unknown }) => ({ tenant: string } & Ids) | undefined;
  indexes?: Partial<Record<IndexName, IndexDecl<R>>>;
  /** The stored attributes of the record (default: the record itself). */
  body?: (r: R) => Record<string, unknown>;
}

export interface Entity<R, Ids> extends Decl<R, Ids> {
  /** The record's primary key. */
  keyOf(tenant: string, r: R): Key;
  /** Every index key the record has (sparse ones only when their attribute is set). */
  indexKeys(tenant: string, r: R): IndexKey;
  /** The whole row: primary key, index keys, `entity`, the record, then `extras` (storage detail such as version, ttl). */
  row(tenant: string, r: R, extras?: Record<string, unknown>): Record<string, unknown>;
  /**
   * The SET / REMOVE of index keys an update of `change` needs (appended to `e`): each index made of
   * an attribute `change` sets (undefined = not set) is set to its new key, or removed when the
   * sparse index no longer holds the row. `change` also carries the ids and attributes those keys use.
   */
  indexUpdate(tenant: string, change: Partial<R>, e?: Expr): Expr;
  /** `entity` and every index key the record has, as SET parts (appended to `e`): for a row kept by update, never Put whole. */
  upsertSet(tenant: string, r: R, e?: Expr): Expr;
}

/** Marked free of side effects: a bundle keeps only the entities its function uses (see `pure` in core/schemas.ts). */
/* @__NO_SIDE_EFFECTS__ */
function define<R, Ids>(d: Decl<R, Ids>): Entity<R, Ids> {
  const indexes = Object.entries(d.indexes ?? {}) as [IndexName, IndexDecl<R>][];
  const indexKeys = (tenant: string, r: R): IndexKey => Object.assign({}, ...indexes.map(([, i]) => i.key(tenant, r) ?? {}));
  return {
    ...d,
    keyOf: (tenant, r) => d.key(tenant, d.ids(r)),
    indexKeys,
    row: (tenant, r, extras = {}) => ({ ...d.key(tenant, d.ids(r)), ...indexKeys(tenant, r), entity: d.name, ...(d.body ? d.body(r) : r), ...extras }),
    indexUpdate(tenant, change, e = { parts: [], names: {}, values: {} }) {
      for (const [name, i] of indexes) {
        if (!i.on.some((a) => (change as Record<string, unknown>)[a] !== undefined)) continue;
        const k = i.key(tenant, change as R);
        if (k) {
          for (const [attr, v] of Object.entries(k)) {
            e.parts.push(`${attr} = :${attr}`);
            e.values[`:${attr}`] = v;
          }
        } else (e.remove ??= []).push(`${name}PK`, `${name}SK`);
      }
      return e;
    },
    upsertSet(tenant, r, e = { parts: [], names: {}, values: {} }) {
      for (const [attr, v] of Object.entries({ entity: d.name, ...indexKeys(tenant, r) })) {
        e.parts.push(`${attr} = :${attr}`);
        e.values[`:${attr}`] = v;
      }
      return e;
    },
  };
}

/** `T#<tenant>#<rest>` → [tenant, rest] (tenants never contain `#`: TENANT_PATTERN). */
function tenantOf(pk: unknown): [string, string] | undefined {
  const m = /^T#([^#]+)#(.+)$/s.exec(String(pk));
  return m ? [m[1], m[2]] : undefined;
}
/** A key `T#<tenant>#<rest of PK>` / SK matching these patterns: the tenant and each pattern's groups. */
function match(key: { PK?: unknown; SK?: unknown }, pk: RegExp, sk: RegExp): [string, string[], string[]] | undefined {
  const t = tenantOf(key.PK);
  const p = t && pk.exec(t[1]);
  const s = sk.exec(String(key.SK));
  return t && p && s ? [t[0], p.slice(1), s.slice(1)] : undefined;
}

export const Item = define<InventoryItem, { iid: string }>({
  name: 'item',
  ids: (r) => ({ iid: r.id }),
  key: (t, { iid }) => keys.item(t, iid),
  parse: (k) => {
    const m = match(k, /^I#([^#]+)$/, /^ITEM$/);
    return m && { tenant: m[0], iid: m[1][0] };
  },
  indexes: {
    GSI1: { on: [], key: (t, r) => keys.itemIndex(t, r.id) },
    GSI3: { on: ['sku'], key: (t, r) => (r.sku ? keys.itemSkuIndex(t, r.sku) : undefined) },
  },
});

/** A level as stored: flag_status is the stream consumer's (the low-stock flag, GSI2 while not normal). */
export type LevelRow = Level & { flag_status?: LevelStatus };
export const LevelEntity = define<LevelRow, { iid: string; wid: string }>({
  name: 'level',
  ids: (r) => ({ iid: r.inventory_item_id, wid: r.location_id }),
  key: (t, { iid, wid }) => keys.level(t, iid, wid),
  parse: (k) => {
    const m = match(k, /^I#([^#]+)$/, /^L#(.+)$/s);
    return m && { tenant: m[0], iid: m[1][0], wid: m[2][0] };
  },
  indexes: {
    GSI1: { on: [], key: (t, r) => keys.levelIndex(t, r.inventory_item_id, r.location_id) },
    GSI2: {
      on: ['flag_status'],
      key: (t, r) => (r.flag_status && r.flag_status !== 'normal' ? keys.lowStockIndex(t, r.inventory_item_id, r.location_id) : undefined),
    },
    GSI3: { on: ['sku'], key: (t, r) => (r.sku ? keys.levelSkuIndex(t, r.sku, r.location_id) : undefined) },
  },
});

/** The sku guard: one row per sku, naming its item (sku uniqueness per tenant). */
export const SkuGuard = define<{ sku: string; inventory_item_id: string }, { sku: string }>({
  name: 'sku',
  ids: (r) => ({ sku: r.sku }),
  key: (t, { sku }) => keys.skuGuard(t, sku),
  parse: (k) => {
    const m = match(k, /^SKU#(.+)$/s, /^SKU$/);
    return m && { tenant: m[0], sku: m[1][0] };
  },
  body: (r) => ({ inventory_item_id: r.inventory_item_id }),
});

export const AdjustmentEntity = define<Adjustment, { iid: string; created_at: string; id: string }>({
  name: 'adjustment',
  ids: (r) => ({ iid: r.inventory_item_id, created_at: r.created_at, id: r.id }),
  key: (t, { iid, created_at, id }) => keys.ledger(t, iid, created_at, id),
  parse: (k) => {
    const m = match(k, /^I#([^#]+)#ADJ$/, /^([^#]+)#([^#]+)$/);
    return m && { tenant: m[0], iid: m[1][0], created_at: m[2][0], id: m[2][1] };
  },
});

export const WarehouseEntity = define<Warehouse, { wid: string }>({
  name: 'warehouse',
  ids: (r) => ({ wid: r.id }),
  key: (t, { wid }) => keys.warehouse(t, wid),
  parse: (k) => {
    const m = match(k, /^WH#([^#]+)$/, /^WH$/);
    return m && { tenant: m[0], wid: m[1][0] };
  },
  indexes: { GSI1: { on: [], key: (t, r) => keys.warehouseIndex(t, r.id) } },
});

export const ReservationEntity = define<Reservation, { rid: string }>({
  name: 'reservation',
  ids: (r) => ({ rid: r.id }),
  key: (t, { rid }) => keys.reservation(t, rid),
  parse: (k) => {
    const m = match(k, /^R#([^#]+)$/, /^RES$/);
    return m && { tenant: m[0], rid: m[1][0] };
  },
  indexes: {
    GSI1: { on: [], key: (t, r) => keys.reservationIndex(t, r.inventory_item_id, r.id) },
    GSI2: { on: ['line_item_id'], key: (t, r) => (r.line_item_id ? keys.reservationLineIndex(t, r.line_item_id, r.id) : undefined) },
    GSI3: { on: ['expires_at'], key: (t, r) => (r.expires_at ? keys.reservationExpiryIndex(t, r.expires_at, r.id) : undefined) },
  },
});

/** A variant row (written by link create / delete, never Put whole: key only). */
export const VariantEntity = define<{ product_id: string; variant_id: string }, { vid: string }>({
  name: 'variant',
  ids: (r) => ({ vid: r.variant_id }),
  key: (t, { vid }) => keys.variant(t, vid),
  parse: (k) => {
    const m = match(k, /^V#([^#]+)$/, /^VARIANT$/);
    return m && { tenant: m[0], vid: m[1][0] };
  },
});

export const Link = define<VariantLink, { vid: string; iid: string }>({
  name: 'link',
  ids: (r) => ({ vid: r.variant_id, iid: r.inventory_item_id }),
  key: (t, { vid, iid }) => keys.link(t, vid, iid),
  parse: (k) => {
    const m = match(k, /^V#([^#]+)$/, /^LINK#(.+)$/s);
    return m && { tenant: m[0], vid: m[1][0], iid: m[2][0] };
  },
  indexes: { GSI1: { on: [], key: (t, r) => keys.linkIndex(t, r.inventory_item_id, r.variant_id) } },
});

/** An API key, keyed by the hash of its secret. */
export const ApiKey = define<NewApiKeyRecord & { hash: string }, { hash: string }>({
  name: 'api_key',
  ids: (r) => ({ hash: r.hash }),
  key: (t, { hash }) => keys.apiKey(t, hash),
  parse: (k) => {
    const m = match(k, /^KEY#([^#]+)$/, /^KEY$/);
    return m && { tenant: m[0], hash: m[1][0] };
  },
  indexes: { GSI1: { on: [], key: (t, r) => keys.apiKeyIndex(t, r.id) } },
});

export const Upload = define<UploadJob, { id: string }>({
  name: 'upload',
  ids: (r) => ({ id: r.id }),
  key: (t, { id }) => keys.upload(t, id),
  parse: (k) => {
    const m = match(k, /^UP#([^#]+)$/, /^UPLOAD$/);
    return m && { tenant: m[0], id: m[1][0] };
  },
  indexes: { GSI1: { on: [], key: (t, r) => keys.uploadIndex(t, r.id) } },
});

/** A row error of an upload (its job's id is in the key only). */
export const UploadError = define<{ upload_id: string; error: RowError }, { id: string; line: number }>({
  name: 'upload_error',
  ids: (r) => ({ id: r.upload_id, line: r.error.line }),
  key: (t, { id, line }) => keys.uploadError(t, id, line),
  parse: (k) => {
    const m = match(k, /^UP#([^#]+)$/, /^ERR#(\d{10})$/);
    return m && { tenant: m[0], id: m[1][0], line: Number(m[2][0]) };
  },
  body: (r) => ({ ...r.error }),
});

/** A dry-run upload's row that would apply: its diff (its job's id is in the key only). */
export const UploadChange = define<{ upload_id: string; change: RowChangeRecord }, { id: string; line: number }>({
  name: 'upload_change',
  ids: (r) => ({ id: r.upload_id, line: r.change.line }),
  key: (t, { id, line }) => keys.uploadChange(t, id, line),
  parse: (k) => {
    const m = match(k, /^UP#([^#]+)$/, /^CHG#(\d{10})$/);
    return m && { tenant: m[0], id: m[1][0], line: Number(m[2][0]) };
  },
  body: (r) => ({ ...r.change }),
});

/** An inbound record's header (written once; the lines' state is on the line rows). */
export const InboundEntity = define<InboundHeader, { id: string }>({
  name: 'inbound',
  ids: (r) => ({ id: r.id }),
  key: (t, { id }) => keys.inbound(t, id),
  parse: (k) => {
    const m = match(k, /^IN#([^#]+)$/, /^INBOUND$/);
    return m && { tenant: m[0], id: m[1][0] };
  },
  indexes: { GSI1: { on: ['id'], key: (t, r) => keys.inboundIndex(t, r.id) } },
});

/** An inbound line, in its item's partition (the item's Query reads it with the levels). */
export const InboundLineEntity = define<InboundLineRow, { iid: string; id: string; line: number }>({
  name: 'inbound_line',
  ids: (r) => ({ iid: r.inventory_item_id, id: r.inbound_id, line: r.line }),
  key: (t, { iid, id, line }) => keys.inboundLine(t, iid, id, line),
  parse: (k) => {
    const m = match(k, /^I#([^#]+)$/, /^IN#([^#]+)#(\d{3})$/);
    return m && { tenant: m[0], iid: m[1][0], id: m[2][0], line: Number(m[2][1]) };
  },
  // sparse: only while the line carries promises to future holds (the late sweep's Query)
  indexes: {
    GSI2: {
      on: ['promised', 'expected_at'],
      key: (t, r) => (r.promised ? keys.promisedLineIndex(t, r.expected_at, r.inventory_item_id, r.inbound_id, r.line) : undefined),
    },
  },
});

export const HoldEntity = define<Hold, { hid: string }>({
  name: 'hold',
  ids: (r) => ({ hid: r.id }),
  key: (t, { hid }) => keys.hold(t, hid),
  parse: (k) => {
    const m = match(k, /^H#([^#]+)$/, /^HOLD$/);
    return m && { tenant: m[0], hid: m[1][0] };
  },
  indexes: { GSI2: { on: ['reference'], key: (t, r) => keys.holdReferenceIndex(t, r.reference, r.id) } },
});

/** A transfer as a shipment (store/transfers.ts); GSI1 lists a tenant's transfers, newest last. */
export const TransferEntity = define<TransferRecord, { xid: string }>({
  name: 'transfer',
  ids: (r) => ({ xid: r.id }),
  key: (t, { xid }) => keys.transfer(t, xid),
  parse: (k) => {
    const m = match(k, /^X#([^#]+)$/, /^TRANSFER$/);
    return m && { tenant: m[0], xid: m[1][0] };
  },
  indexes: { GSI1: { on: ['id'], key: (t, r) => keys.transferIndex(t, r.id) } },
});

export const Report = define<ReportRecord, { created_at: string; id: string }>({
  name: 'report',
  ids: (r) => ({ created_at: r.created_at, id: r.id }),
  key: (t, { created_at, id }) => keys.report(t, created_at, id),
  parse: (k) => {
    const m = match(k, /^REPORTS$/, /^([^#]+)#([^#]+)$/);
    return m && { tenant: m[0], created_at: m[2][0], id: m[2][1] };
  },
});

/** The tenant's stats row (updated in place, never Put whole); its GSI1 lists the tenants (the tenant directory). */
export const Stats = define<{ tenant: string }, Record<never, never>>({
  name: 'stats',
  ids: () => ({}),
  key: (t) => keys.stats(t),
  parse: (k) => {
    const m = match(k, /^STATS$/, /^STATS$/);
    return m && { tenant: m[0] };
  },
  indexes: { GSI1: { on: [], key: (t) => keys.tenantDirectory(t) } },
});

/** Every declared entity, by name. */
export const ENTITIES = {
  Item,
  LevelEntity,
  SkuGuard,
  AdjustmentEntity,
  WarehouseEntity,
  ReservationEntity,
  VariantEntity,
  Link,
  ApiKey,
  Upload,
  UploadError,
  UploadChange,
  InboundEntity,
  InboundLineEntity,
  HoldEntity,
  TransferEntity,
  Report,
  Stats,
};

/** The entity a primary key belongs to, with its tenant and ids; undefined for a key no entity declares. */
export function parseKey(key: { PK?: unknown; SK?: unknown }): ({ entity: string; tenant: string } & Record<string, unknown>) | undefined {
  for (const e of Object.values(ENTITIES) as unknown as { name: string; parse: Decl<unknown, Record<string, unknown>>['parse'] }[]) {
    const ids = e.parse(key);
    if (ids) return { entity: e.name, ...ids };
  }
  return undefined;
}
