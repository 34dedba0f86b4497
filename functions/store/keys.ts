/**
 * Every key of the table, in one place: the builders are in key-builders.ts (one export each, so a
 * bundle keeps only the ones it uses; store modules import them as `* as keys`), the layout is here
 * (the entities that use them are declared in entities.ts).
 * Every partition key starts with the tenant
 * (`T#<tenant>#…`), so isolation is in the key, not in a filter.
 *
 * | entity        | PK                      | SK                    | GSI1PK / GSI1SK                 | GSI2PK / GSI2SK          |
 * |---------------|-------------------------|-----------------------|---------------------------------|--------------------------|
 * | item          | T#t#I#<iid>             | ITEM                  | T#t#ITEMS / <iid>               |                          |
 * | level         | T#t#I#<iid>             | L#<wid>               | T#t#LOC#<wid> / <iid>           |                          |
 * | (level copies)| wh_readonly + wh_ro_seq (its warehouse's is_readonly + ro_seq), policy_version + policy_allow_backorder (its item's) |
 * | hot shard     | T#t#HOT#<iid>#<wid>#<k> | HOT                   | (hot mode: parked units in `allot`, k < the level's hot_shards; hot.ts) |
 * | (escrow)      | a hot shard's `pending` map (reservations not yet rows) and `swept_at`; the marker T#t#R#<rid> / ESCROW (its entry became a row once; ttl 24 h): store/levels.ts |
 * | (GSI3)        | item: T#t#SKUS / <sku>    level: T#t#SKUS / <sku>\u0001<wid>   (only items with a sku)              |
 * | tenant stats  | T#t#STATS               | STATS                 |                                 |                          |
 * | sku-count shard | T#t#STATS#<00..15>    | SKU_COUNT             | (sku_count: store/items.ts skuCount) |                     |
 * | (low flag)    | on a level while its status is not normal: GSI2PK T#t#LOW / GSI2SK <iid>#<wid>                          |
 * | sku guard     | T#t#SKU#<sku>           | SKU                   |                                 |                          |
 * | ledger row    | T#t#I#<iid>#ADJ         | <created_at>#<adjid>  |                                 |                          |
 * | warehouse     | T#t#WH#<wid>            | WH                    | T#t#WHS / <wid>                 |                          |
 * | level-count shard | T#t#WH#<wid>        | LC#<00..15>           | (16 per warehouse: level_count, is_readonly + ro_seq copies; locations.ts) |
 * | reservation   | T#t#R#<rid>             | RES                   | T#t#RES#<h> / <iid>#<rid>       | T#t#RLI#<line> / <rid>   |
 * | (expiry, GSI3)| on a reservation with expires_at: GSI3PK T#t#EXP#<h> / GSI3SK <expires_at>#<rid>                          |
 * | (res. shards) | h = reservationShard(rid), 0..15 (key-builders.ts); readers query all 16 and the legacy unsharded    |
 * |               | T#t#RES / T#t#EXP, which rows written before the sharding still have (query.ts queryShards)          |
 * | variant       | T#t#V#<vid>             | VARIANT               |                                 |                          |
 * | variant link  | T#t#V#<vid>             | LINK#<iid>            | T#t#IL#<iid> / <vid>            |                          |
 * | API key       | T#t#KEY#<sha256>        | KEY                   | T#t#KEYS / <key id>             |                          |
 * | upload job    | T#t#UP#<id>             | UPLOAD                | T#t#UPLOADS / <id>              |                          |
 * | upload error  | T#t#UP#<id>             | ERR#<line, 10 digits> |                                 |                          |
 * | upload change | T#t#UP#<id>             | CHG#<line, 10 digits> | (a dry run's would-apply row: its diff) |          |
 * | inbound       | T#t#IN#<id>             | INBOUND               | (header: type, reference, warehouse, lines; written once) |
 * | inbound line  | T#t#I#<iid>             | IN#<id>#<line, 3 digits> | (in its item's partition: received, status)        |
 * | hold          | T#t#H#<hid>             | HOLD                  |                                 | T#t#HREF#<reference> / <hid> |
 * | transfer      | T#t#X#<trf id>          | TRANSFER              | T#t#XFERS / <trf id>            |                          |
 * | idempotency   | T#t#IDEM#<key id>#<sha256 of Idempotency-Key> | IDEM (ttl: 24 h; built in store/idempotency.ts) |                   |
 * | (progress)    | T#t#IDEM#<key id>#<sha256 of Idempotency-Key> | PROGRESS (a keyed bulk's committed rows; ttl 24 h) |                |
 */
export { SKU_SEPARATOR } from './key-builders.ts';

/** Every key builder: `keys.item(tenant, iid)`, … (store/key-builders.ts). */
export * as keys from './key-builders.ts';

/** Attributes that are storage detail, never part of a domain record. */
const STORAGE_ATTRS = [
  'PK',
  'SK',
  'GSI1PK',
  'GSI1SK',
  'GSI2PK',
  'GSI2SK',
  'GSI3PK',
  'GSI3SK',
  'ttl',
  'entity',
  'version',
  'policy_version',
  'search',
  'level_count',
  'level_seq',
  'link_count',
  'flag_seq',
  'flag_status',
  'flag_title',
  'ro_seq',
  'wh_readonly',
  'wh_ro_seq',
  'policy_allow_backorder',
  // the count of a level's open inbound lines (store/levels.ts I9)
  'inbound_open',
];

/** Field order of each record as the API shows it (DynamoDB returns attributes in no order). */
const FIELD_ORDER: Record<string, string[]> = {
  item: [
    'id',
    'sku',
    'title',
    'description',
    'thumbnail',
    'origin_country',
    'hs_code',
    'mid_code',
    'material',
    'weight',
    'length',
    'height',
    'width',
    'requires_shipping',
    'allow_backorder',
    'backorder_limit',
    'product_id',
    'variant_attributes',
    'metadata',
    'created_at',
    'updated_at',
  ],
  level: [
    'id',
    'inventory_item_id',
    'location_id',
    'sku',
    'stocked_quantity',
    'reserved_quantity',
    'incoming_quantity',
    'available_quantity',
    'damaged_quantity',
    'quality_control_quantity',
    'in_transit_quantity',
    'safety_stock',
    'reorder_level',
    'reorder_quantity',
    'bin_location',
    'metadata',
    'created_at',
    'updated_at',
  ],
  reservation: [
    'id',
    'inventory_item_id',
    'location_id',
    'quantity',
    'line_item_id',
    'description',
    'metadata',
    'expires_at',
    'created_by',
    'created_at',
    'updated_at',
  ],
  warehouse: ['id', 'name', 'address', 'type', 'marketplace', 'is_active', 'is_readonly', 'priority', 'metadata', 'created_at', 'updated_at'],
  link: ['id', 'product_id', 'variant_id', 'inventory_item_id', 'required_quantity', 'created_at', 'updated_at'],
  transfer: [
    'id',
    'status',
    'from_warehouse_id',
    'to_warehouse_id',
    'reference',
    'note',
    'lines',
    'receipts',
    'steps',
    'created_by',
    'created_at',
    'shipped_at',
    'received_at',
    'cancelled_at',
    'closed_at',
    'updated_at',
  ],
  hold: ['id', 'reference', 'status', 'strategy', 'allow_split', 'expires_at', 'lines', 'created_by', 'created_at', 'updated_at'],
  adjustment: [
    'id',
    'sku',
    'inventory_item_id',
    'warehouse_id',
    'field',
    'before_quantity',
    'after_quantity',
    'delta',
    'reason',
    'note',
    'reference',
    'created_by',
    'created_at',
  ],
};

/** A record's fields as stored, in their answer order (the attributes of its row besides keys and storage detail). */
export const fieldsOf = (entity: string): readonly string[] => FIELD_ORDER[entity] ?? [];

export function strip<T>(row: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  for (const f of FIELD_ORDER[row.entity as string] ?? []) if (f in row) out[f] = row[f];
  for (const [k, v] of Object.entries(row)) if (!(k in out)) out[k] = v;
  for (const a of STORAGE_ATTRS) delete out[a];
  return out as T;
}
