/**
 * The one definition of the table, read by the CDK stack and by the local runtime
 * (which creates the table on DynamoDB Local from it). Index names need ≥ 3 characters.
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The non-key attributes every index projects (INCLUDE; the table's and the index's keys always are):
 * only attributes that no reservation or stock change writes. An item write updates an index only when
 * an index key attribute or a projected attribute changes (AWS Developer Guide, "Managing global
 * secondary indexes" → attribute projections; "General guidelines for secondary indexes": "every time
 * you update an attribute that is projected in an index, you incur the extra cost of updating the
 * index"), so a level's quantities, versions and `updated_at` changing write no index partition — not
 * `T#t#LOC#<wid>` (every level of a warehouse), `T#t#SKUS` nor `T#t#LOW` (every level of a tenant).
 * What an index reader needs beyond these it reads from the table by key (store/query.ts).
 *
 * - `entity`, `id`, `sku`, `inventory_item_id`, `location_id`: set when a row is made (a sku change
 *   moves the SKU index key anyway);
 * - `title`, `search`, `description`: the SKU page's and the item list's (items are never written by a
 *   stock change; a level has no `title`);
 * - `quantity`: a reservation's, for reconcile (no level attribute has this name);
 * - `wh_ro_seq`: the warehouse read-only copy's sequence (written only when the warehouse's flag is copied);
 * - `name`, `type`, `priority`, `is_active`: a warehouse's, for hold planning (no level has them).
 * At most 20 per index (AWS: NonKeyAttributes), 100 over all of them.
 */
export const INDEX_ATTRIBUTES = [
  'entity',
  'id',
  'sku',
  'title',
  'inventory_item_id',
  'location_id',
  'search',
  'description',
  'quantity',
  'wh_ro_seq',
  'name',
  'type',
  'priority',
  'is_active',
] as const;

export const TABLE = {
  partitionKey: 'PK',
  sortKey: 'SK',
  /**
   * GSI1: lists (items, reservations, warehouses, levels by location, links by item).
   * GSI2: sparse (reservations by line item; later low-stock flags).
   * GSI3: the SKU index — each item with a sku followed by its levels, in sku order (one Query per page).
   * `id` is how the code names an index (its key attributes are `<id>PK` / `<id>SK`); `name` is the
   * deployed index. The `…i` indexes replace the first ones (projection ALL), which a projection change
   * cannot alter in place: docs/operations.md, "Index projections (migration)".
   */
  indexes: [
    { id: 'GSI1', name: 'GSI1i', partitionKey: 'GSI1PK', sortKey: 'GSI1SK', projection: INDEX_ATTRIBUTES },
    { id: 'GSI2', name: 'GSI2i', partitionKey: 'GSI2PK', sortKey: 'GSI2SK', projection: INDEX_ATTRIBUTES },
    { id: 'GSI3', name: 'GSI3i', partitionKey: 'GSI3PK', sortKey: 'GSI3SK', projection: INDEX_ATTRIBUTES },
  ],
  ttlAttribute: 'ttl',
  stream: 'NEW_AND_OLD_IMAGES',
} as const;

export type IndexId = (typeof TABLE.indexes)[number]['id'];

/** The deployed name of the index the code calls `id` (GSI1 → GSI1i). */
export function indexName(id: IndexId): string {
  return TABLE.indexes.find((i) => i.id === id)!.name;
}

/** Whether an index entry carries every one of these attributes (keys of the table and index, or projected). */
export function indexHas(id: IndexId, attrs: readonly string[]): boolean {
  const ix = TABLE.indexes.find((i) => i.id === id)!;
  const has = new Set<string>([TABLE.partitionKey, TABLE.sortKey, ix.partitionKey, ix.sortKey, ...ix.projection]);
  return attrs.every((a) => has.has(a));
}

export function createTableInput(tableName: string): CreateTableCommandInput {
  const keyAttrs = [TABLE.partitionKey, TABLE.sortKey, ...TABLE.indexes.flatMap((i) => [i.partitionKey, i.sortKey])];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: keyAttrs.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: TABLE.indexes.map((i) => ({
      IndexName: i.name,
      KeySchema: [
        { AttributeName: i.partitionKey, KeyType: 'HASH' },
        { AttributeName: i.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...i.projection] },
    })),
    StreamSpecification: { StreamEnabled: true, StreamViewType: TABLE.stream },
  };
}
