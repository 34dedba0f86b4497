/**
 * The key builders of every entity (used as `keys.<name>` through store/keys.ts). One export each, so a
 * bundle carries only the builders its function uses.
 */
const T = (tenant: string) => `T#${tenant}`;
/** Skus may not contain control characters (schemas.ts), so this sorts below every sku character. */
export const SKU_SEPARATOR = '\u0001';

export const item = (t: string, iid: string) => ({ PK: `${T(t)}#I#${iid}`, SK: 'ITEM' });
export const itemIndex = (t: string, iid: string) => ({ GSI1PK: `${T(t)}#ITEMS`, GSI1SK: iid });
export const itemsPartition = (t: string) => `${T(t)}#ITEMS`;
/** The item's partition: the item row and all its levels (one Query). */
export const itemPartition = (t: string, iid: string) => `${T(t)}#I#${iid}`;

export const level = (t: string, iid: string, wid: string) => ({ PK: `${T(t)}#I#${iid}`, SK: `L#${wid}` });
/**
 * A hot level's stock shard k (docs/design.md, "Hot mode"): units moved out of the level, free to reserve
 * there. Its own partition key, so each shard has a partition's write capacity of its own.
 */
export const hotShard = (t: string, iid: string, wid: string, k: number) => ({ PK: `${T(t)}#HOT#${iid}#${wid}#${k}`, SK: 'HOT' });
export const levelIndex = (t: string, iid: string, wid: string) => ({ GSI1PK: `${T(t)}#LOC#${wid}`, GSI1SK: iid });
export const levelsAtLocation = (t: string, wid: string) => `${T(t)}#LOC#${wid}`;
export const levelPrefix = 'L#';

export const skuGuard = (t: string, sku: string) => ({ PK: `${T(t)}#SKU#${sku}`, SK: 'SKU' });
/** The SKU index: an item sorts just before its own levels (the separator is below any sku character). */
export const itemSkuIndex = (t: string, sku: string) => ({ GSI3PK: `${T(t)}#SKUS`, GSI3SK: sku });
export const levelSkuIndex = (t: string, sku: string, wid: string) => ({ GSI3PK: `${T(t)}#SKUS`, GSI3SK: `${sku}${SKU_SEPARATOR}${wid}` });
export const skusPartition = (t: string) => `${T(t)}#SKUS`;
export const stats = (t: string) => ({ PK: `${T(t)}#STATS`, SK: 'STATS' });
/** One of the tenant's sku-count shards (0..15; store/items.ts skuCount): its own partition each. */
export const skuCountShard = (t: string, shard: number) => ({ PK: `${T(t)}#STATS#${String(shard).padStart(2, '0')}`, SK: 'SKU_COUNT' });
/** The tenant's low-stock reports, newest last. */
export const report = (t: string, createdAt: string, id: string) => ({ PK: `${T(t)}#REPORTS`, SK: `${createdAt}#${id}` });
export const reportsPartition = (t: string) => `${T(t)}#REPORTS`;
/** Reservations by expiry (GSI3, sparse: only reservations with expires_at), spread like GSI1 (`reservationShard`). */
export const reservationExpiryIndex = (t: string, expiresAt: string, rid: string) => ({
  GSI3PK: `${T(t)}#EXP#${reservationShard(rid)}`,
  GSI3SK: `${expiresAt}#${rid}`,
});
/** Every partition of the expiry index: the legacy unsharded `T#t#EXP` first, then `T#t#EXP#0..15`. */
export const expiriesPartitions = (t: string) => shardsOf(`${T(t)}#EXP`);
/**
 * The one key that does not start with a tenant: GSI1 of each tenant's stats row lists the
 * tenants (ids only, no tenant data), for the scheduled jobs that run per tenant.
 */
export const tenantDirectory = (t: string) => ({ GSI1PK: 'TENANTS', GSI1SK: t });
/** Levels whose status is not normal (GSI2, sparse, set by the stream consumer). */
export const lowStockPartition = (t: string) => `${T(t)}#LOW`;
export const lowStockIndex = (t: string, iid: string, wid: string) => ({ GSI2PK: `${T(t)}#LOW`, GSI2SK: `${iid}#${wid}` });

export const ledger = (t: string, iid: string, createdAt: string, adjId: string) => ({
  PK: `${T(t)}#I#${iid}#ADJ`,
  SK: `${createdAt}#${adjId}`,
});
export const ledgerPartition = (t: string, iid: string) => `${T(t)}#I#${iid}#ADJ`;

export const warehouse = (t: string, wid: string) => ({ PK: `${T(t)}#WH#${wid}`, SK: 'WH' });
export const warehouseIndex = (t: string, wid: string) => ({ GSI1PK: `${T(t)}#WHS`, GSI1SK: wid });
export const warehousesPartition = (t: string) => `${T(t)}#WHS`;
/** The warehouse's partition: its row and its level-count shards (one Query). */
export const warehousePartition = (t: string, wid: string) => `${T(t)}#WH#${wid}`;
export const warehouseShard = (t: string, wid: string, shard: number) => ({ PK: `${T(t)}#WH#${wid}`, SK: `LC#${String(shard).padStart(2, '0')}` });
export const warehouseShardPrefix = 'LC#';

export const reservation = (t: string, rid: string) => ({ PK: `${T(t)}#R#${rid}`, SK: 'RES' });
/**
 * The tenant's reservation indexes (GSI1 `T#t#RES#<h>`, GSI3 `T#t#EXP#<h>`) are spread over this many
 * shards: one partition-key value takes at most 1,000 write units/s and every index write is charged
 * to its index partition, so one unsharded partition per tenant capped the tenant's reservations at
 * 1,000/s. A reader queries every shard (and the legacy partition: `reservationsPartitions`).
 * Never change it (nor `reservationShard`) without moving the rows: a row in a shard no reader
 * queries is invisible.
 */
export const RESERVATION_INDEX_SHARDS = 16;
/**
 * The shard (0..RESERVATION_INDEX_SHARDS − 1) of a reservation's index rows: FNV-1a (32 bit) of its
 * id's UTF-16 code units (ids are ASCII: its bytes), mod the shard count. Stable (the id alone
 * decides it, so an update that moves GSI3 keeps the shard) and spread (test/unit/keys.test.ts).
 */
export function reservationShard(rid: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < rid.length; i++) {
    h ^= rid.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % RESERVATION_INDEX_SHARDS;
}
/** The unsharded partition key first (rows written before the index was sharded), then each shard's. */
function shardsOf(base: string): string[] {
  return [base, ...Array.from({ length: RESERVATION_INDEX_SHARDS }, (_, h) => `${base}#${h}`)];
}
export const reservationIndex = (t: string, iid: string, rid: string) => ({ GSI1PK: `${T(t)}#RES#${reservationShard(rid)}`, GSI1SK: `${iid}#${rid}` });
/**
 * Every partition of the reservation index: the legacy unsharded `T#t#RES` first (reservations
 * written before the index was sharded keep that key: GSI1 never moves, so they stay there until
 * released or fulfilled), then `T#t#RES#0..15`.
 */
export const reservationsPartitions = (t: string) => shardsOf(`${T(t)}#RES`);
export const reservationLineIndex = (t: string, line: string, rid: string) => ({ GSI2PK: `${T(t)}#RLI#${line}`, GSI2SK: rid });
export const reservationsOfLine = (t: string, line: string) => `${T(t)}#RLI#${line}`;

export const variant = (t: string, vid: string) => ({ PK: `${T(t)}#V#${vid}`, SK: 'VARIANT' });
export const variantPartition = (t: string, vid: string) => `${T(t)}#V#${vid}`;
export const link = (t: string, vid: string, iid: string) => ({ PK: `${T(t)}#V#${vid}`, SK: `LINK#${iid}` });
export const linkIndex = (t: string, iid: string, vid: string) => ({ GSI1PK: `${T(t)}#IL#${iid}`, GSI1SK: vid });
export const linksOfItem = (t: string, iid: string) => `${T(t)}#IL#${iid}`;
export const linkPrefix = 'LINK#';

export const apiKey = (t: string, hash: string) => ({ PK: `${T(t)}#KEY#${hash}`, SK: 'KEY' });
export const apiKeyIndex = (t: string, keyId: string) => ({ GSI1PK: `${T(t)}#KEYS`, GSI1SK: keyId });
export const apiKeysPartition = (t: string) => `${T(t)}#KEYS`;
export const upload = (t: string, id: string) => ({ PK: `${T(t)}#UP#${id}`, SK: 'UPLOAD' });
export const uploadIndex = (t: string, id: string) => ({ GSI1PK: `${T(t)}#UPLOADS`, GSI1SK: id });
export const uploadError = (t: string, id: string, line: number) => ({ PK: `${T(t)}#UP#${id}`, SK: `ERR#${String(line).padStart(10, '0')}` });
/** An inbound record (purchase order, transfer, production run): its header, written once. */
export const inbound = (t: string, id: string) => ({ PK: `${T(t)}#IN#${id}`, SK: 'INBOUND' });
/** The tenant's inbound records on GSI1, by id (newest last); the list reads it newest first. */
export const inboundIndex = (t: string, id: string) => ({ GSI1PK: `${T(t)}#INBOUNDS`, GSI1SK: id });
export const inboundsPartition = (t: string) => `${T(t)}#INBOUNDS`;
/** An inbound line: in its item's partition, so the item, its levels and its open inbound are one Query. */
export const inboundLine = (t: string, iid: string, id: string, line: number) => ({
  PK: `${T(t)}#I#${iid}`,
  SK: `${inboundLinePrefix}${id}#${String(line).padStart(3, '0')}`,
});
export const inboundLinePrefix = 'IN#';
/** Lines carrying promises to future holds, by expected instant (sparse GSI2): the sweep finds the late ones with one Query. */
export const promisedLineIndex = (t: string, expectedAt: string, iid: string, id: string, line: number) => ({
  GSI2PK: `${T(t)}#PROMISED`,
  GSI2SK: `${expectedAt}#${iid}#${id}#${String(line).padStart(3, '0')}`,
});
export const promisedLinesPartition = (t: string) => `${T(t)}#PROMISED`;
export const uploadChange = (t: string, id: string, line: number) => ({ PK: `${T(t)}#UP#${id}`, SK: `CHG#${String(line).padStart(10, '0')}` });
export const uploadPartition = (t: string, id: string) => `${T(t)}#UP#${id}`;

/** A transfer as a shipment (issue 25): its lines, status and steps; listed newest first on GSI1. */
export const transfer = (t: string, xid: string) => ({ PK: `${T(t)}#X#${xid}`, SK: 'TRANSFER' });
export const transferIndex = (t: string, xid: string) => ({ GSI1PK: `${T(t)}#XFERS`, GSI1SK: xid });
export const transfersPartition = (t: string) => `${T(t)}#XFERS`;
/** A multi-line hold (its lines and the reservations allocated to them); by reference on GSI2. */
export const hold = (t: string, hid: string) => ({ PK: `${T(t)}#H#${hid}`, SK: 'HOLD' });
export const holdReferenceIndex = (t: string, reference: string, hid: string) => ({ GSI2PK: `${T(t)}#HREF#${reference}`, GSI2SK: hid });
export const holdsOfReference = (t: string, reference: string) => `${T(t)}#HREF#${reference}`;
