/**
 * Every key of the table, in one place (the entities that use them are declared in entities.ts). Every partition key starts with the tenant
 * (`T#<tenant>#…`), so isolation is in the key, not in a filter.
 *
 * | entity        | PK                      | SK                    | GSI1PK / GSI1SK                 | GSI2PK / GSI2SK          |
 * |---------------|-------------------------|-----------------------|---------------------------------|--------------------------|
 * | item          | T#t#I#<iid>             | ITEM                  | T#t#ITEMS / <iid>               |                          |
 * | level         | T#t#I#<iid>             | L#<wid>               | T#t#LOC#<wid> / <iid>           |                          |
 * | (level copies)| wh_readonly + wh_ro_seq (its warehouse's is_readonly + ro_seq), policy_version + policy_allow_backorder (its item's) |
 * | (GSI3)        | item: T#t#SKUS / <sku>    level: T#t#SKUS / <sku>\u0001<wid>   (only items with a sku)              |
 * | tenant stats  | T#t#STATS               | STATS                 |                                 |                          |
 * | (low flag)    | on a level while its status is not normal: GSI2PK T#t#LOW / GSI2SK <iid>#<wid>                          |
 * | sku guard     | T#t#SKU#<sku>           | SKU                   |                                 |                          |
 * | ledger row    | T#t#I#<iid>#ADJ         | <created_at>#<adjid>  |                                 |                          |
 * | warehouse     | T#t#WH#<wid>            | WH                    | T#t#WHS / <wid>                 |                          |
 * | level-count shard | T#t#WH#<wid>        | LC#<00..15>           | (16 per warehouse: level_count, is_readonly + ro_seq copies; locations.ts) |
 * | reservation   | T#t#R#<rid>             | RES                   | T#t#RES / <iid>#<rid>           | T#t#RLI#<line> / <rid>   |
 * | variant       | T#t#V#<vid>             | VARIANT               |                                 |                          |
 * | variant link  | T#t#V#<vid>             | LINK#<iid>            | T#t#IL#<iid> / <vid>            |                          |
 * | API key       | T#t#KEY#<sha256>        | KEY                   | T#t#KEYS / <key id>             |                          |
 * | upload job    | T#t#UP#<id>             | UPLOAD                | T#t#UPLOADS / <id>              |                          |
 * | upload error  | T#t#UP#<id>             | ERR#<line, 10 digits> |                                 |                          |
 * | hold          | T#t#H#<hid>             | HOLD                  |                                 | T#t#HREF#<reference> / <hid> |
 * | idempotency   | T#t#IDEM#<key id>#<sha256 of Idempotency-Key> | IDEM (ttl: 24 h; built in store/idempotency.ts) |                   |
 */
const T = (tenant: string) => `T#${tenant}`;
/** Skus may not contain control characters (schemas.ts), so this sorts below every sku character. */
export const SKU_SEPARATOR = '\u0001';

export const keys = {
  item: (t: string, iid: string) => ({ PK: `${T(t)}#I#${iid}`, SK: 'ITEM' }),
  itemIndex: (t: string, iid: string) => ({ GSI1PK: `${T(t)}#ITEMS`, GSI1SK: iid }),
  itemsPartition: (t: string) => `${T(t)}#ITEMS`,
  /** The item's partition: the item row and all its levels (one Query). */
  itemPartition: (t: string, iid: string) => `${T(t)}#I#${iid}`,

  level: (t: string, iid: string, wid: string) => ({ PK: `${T(t)}#I#${iid}`, SK: `L#${wid}` }),
  levelIndex: (t: string, iid: string, wid: string) => ({ GSI1PK: `${T(t)}#LOC#${wid}`, GSI1SK: iid }),
  levelsAtLocation: (t: string, wid: string) => `${T(t)}#LOC#${wid}`,
  levelPrefix: 'L#',

  skuGuard: (t: string, sku: string) => ({ PK: `${T(t)}#SKU#${sku}`, SK: 'SKU' }),
  /** The SKU index: an item sorts just before its own levels (the separator is below any sku character). */
  itemSkuIndex: (t: string, sku: string) => ({ GSI3PK: `${T(t)}#SKUS`, GSI3SK: sku }),
  levelSkuIndex: (t: string, sku: string, wid: string) => ({ GSI3PK: `${T(t)}#SKUS`, GSI3SK: `${sku}${SKU_SEPARATOR}${wid}` }),
  skusPartition: (t: string) => `${T(t)}#SKUS`,
  stats: (t: string) => ({ PK: `${T(t)}#STATS`, SK: 'STATS' }),
  /** The tenant's low-stock reports, newest last. */
  report: (t: string, createdAt: string, id: string) => ({ PK: `${T(t)}#REPORTS`, SK: `${createdAt}#${id}` }),
  reportsPartition: (t: string) => `${T(t)}#REPORTS`,
  /** Reservations by expiry (GSI3, sparse: only reservations with expires_at). */
  reservationExpiryIndex: (t: string, expiresAt: string, rid: string) => ({ GSI3PK: `${T(t)}#EXP`, GSI3SK: `${expiresAt}#${rid}` }),
  expiriesPartition: (t: string) => `${T(t)}#EXP`,
  /**
   * The one key that does not start with a tenant: GSI1 of each tenant's stats row lists the
   * tenants (ids only, no tenant data), for the scheduled jobs that run per tenant.
   */
  tenantDirectory: (t: string) => ({ GSI1PK: 'TENANTS', GSI1SK: t }),
  /** Levels whose status is not normal (GSI2, sparse, set by the stream consumer). */
  lowStockPartition: (t: string) => `${T(t)}#LOW`,
  lowStockIndex: (t: string, iid: string, wid: string) => ({ GSI2PK: `${T(t)}#LOW`, GSI2SK: `${iid}#${wid}` }),

  ledger: (t: string, iid: string, createdAt: string, adjId: string) => ({
    PK: `${T(t)}#I#${iid}#ADJ`,
    SK: `${createdAt}#${adjId}`,
  }),
  ledgerPartition: (t: string, iid: string) => `${T(t)}#I#${iid}#ADJ`,

  warehouse: (t: string, wid: string) => ({ PK: `${T(t)}#WH#${wid}`, SK: 'WH' }),
  warehouseIndex: (t: string, wid: string) => ({ GSI1PK: `${T(t)}#WHS`, GSI1SK: wid }),
  warehousesPartition: (t: string) => `${T(t)}#WHS`,
  /** The warehouse's partition: its row and its level-count shards (one Query). */
  warehousePartition: (t: string, wid: string) => `${T(t)}#WH#${wid}`,
  warehouseShard: (t: string, wid: string, shard: number) => ({ PK: `${T(t)}#WH#${wid}`, SK: `LC#${String(shard).padStart(2, '0')}` }),
  warehouseShardPrefix: 'LC#',

  reservation: (t: string, rid: string) => ({ PK: `${T(t)}#R#${rid}`, SK: 'RES' }),
  reservationIndex: (t: string, iid: string, rid: string) => ({ GSI1PK: `${T(t)}#RES`, GSI1SK: `${iid}#${rid}` }),
  reservationsPartition: (t: string) => `${T(t)}#RES`,
  reservationLineIndex: (t: string, line: string, rid: string) => ({ GSI2PK: `${T(t)}#RLI#${line}`, GSI2SK: rid }),
  reservationsOfLine: (t: string, line: string) => `${T(t)}#RLI#${line}`,

  variant: (t: string, vid: string) => ({ PK: `${T(t)}#V#${vid}`, SK: 'VARIANT' }),
  variantPartition: (t: string, vid: string) => `${T(t)}#V#${vid}`,
  link: (t: string, vid: string, iid: string) => ({ PK: `${T(t)}#V#${vid}`, SK: `LINK#${iid}` }),
  linkIndex: (t: string, iid: string, vid: string) => ({ GSI1PK: `${T(t)}#IL#${iid}`, GSI1SK: vid }),
  linksOfItem: (t: string, iid: string) => `${T(t)}#IL#${iid}`,
  linkPrefix: 'LINK#',

  apiKey: (t: string, hash: string) => ({ PK: `${T(t)}#KEY#${hash}`, SK: 'KEY' }),
  apiKeyIndex: (t: string, keyId: string) => ({ GSI1PK: `${T(t)}#KEYS`, GSI1SK: keyId }),
  apiKeysPartition: (t: string) => `${T(t)}#KEYS`,
  upload: (t: string, id: string) => ({ PK: `${T(t)}#UP#${id}`, SK: 'UPLOAD' }),
  uploadIndex: (t: string, id: string) => ({ GSI1PK: `${T(t)}#UPLOADS`, GSI1SK: id }),
  uploadError: (t: string, id: string, line: number) => ({ PK: `${T(t)}#UP#${id}`, SK: `ERR#${String(line).padStart(10, '0')}` }),
  uploadPartition: (t: string, id: string) => `${T(t)}#UP#${id}`,

  /** A multi-line hold (its lines and the reservations allocated to them); by reference on GSI2. */
  hold: (t: string, hid: string) => ({ PK: `${T(t)}#H#${hid}`, SK: 'HOLD' }),
  holdReferenceIndex: (t: string, reference: string, hid: string) => ({ GSI2PK: `${T(t)}#HREF#${reference}`, GSI2SK: hid }),
  holdsOfReference: (t: string, reference: string) => `${T(t)}#HREF#${reference}`,
};

/** Attributes that are storage detail, never part of a domain record. */
const STORAGE_ATTRS = ['PK', 'SK', 'GSI1PK', 'GSI1SK', 'GSI2PK', 'GSI2SK', 'GSI3PK', 'GSI3SK', 'ttl', 'entity', 'version', 'policy_version', 'search', 'level_count', 'level_seq', 'link_count', 'flag_seq', 'flag_status', 'flag_title', 'ro_seq', 'wh_readonly', 'wh_ro_seq', 'policy_allow_backorder'];

/** Field order of each record as the API shows it (DynamoDB returns attributes in no order). */
const FIELD_ORDER: Record<string, string[]> = {
  item: ['id', 'sku', 'title', 'description', 'thumbnail', 'origin_country', 'hs_code', 'mid_code', 'material', 'weight', 'length', 'height', 'width', 'requires_shipping', 'allow_backorder', 'backorder_limit', 'product_id', 'variant_attributes', 'metadata', 'created_at', 'updated_at'],
  level: ['id', 'inventory_item_id', 'location_id', 'sku', 'stocked_quantity', 'reserved_quantity', 'incoming_quantity', 'available_quantity', 'safety_stock', 'reorder_level', 'reorder_quantity', 'bin_location', 'metadata', 'created_at', 'updated_at'],
  reservation: ['id', 'inventory_item_id', 'location_id', 'quantity', 'line_item_id', 'description', 'metadata', 'expires_at', 'created_by', 'created_at', 'updated_at'],
  warehouse: ['id', 'name', 'address', 'type', 'marketplace', 'is_active', 'is_readonly', 'priority', 'metadata', 'created_at', 'updated_at'],
  link: ['id', 'product_id', 'variant_id', 'inventory_item_id', 'required_quantity', 'created_at', 'updated_at'],
  hold: ['id', 'reference', 'status', 'strategy', 'allow_split', 'expires_at', 'lines', 'created_by', 'created_at', 'updated_at'],
  adjustment: ['id', 'sku', 'inventory_item_id', 'warehouse_id', 'field', 'before_quantity', 'after_quantity', 'delta', 'reason', 'note', 'reference', 'created_by', 'created_at'],
};

export function strip<T>(row: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  for (const f of FIELD_ORDER[row.entity as string] ?? []) if (f in row) out[f] = row[f];
  for (const [k, v] of Object.entries(row)) if (!(k in out)) out[k] = v;
  for (const a of STORAGE_ATTRS) delete out[a];
  return out as T;
}
