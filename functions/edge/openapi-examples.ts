/**
 * What the OpenAPI document shows someone trying the API out (GET /docs), keyed by route id so the
 * route table stays the one list of routes:
 *
 * - REQUEST_EXAMPLES: a hand-written, valid body for every route that takes one (the type below makes
 *   one required per such route, of the route's own body type). They name two warehouses and a SKU,
 *   `wh_01JEXAMPLE`, `wh_02JEXAMPLE` and `SHIRT-MD-BLU` (the path parameter `sku` shows it too); create
 *   those and the holds, stock and transfer examples succeed as they stand. The warehouse creations
 *   name no id of their own, so each click makes another (an item's sku is unique: a second click is
 *   409 DUPLICATE).
 * - ERROR_CODES: per route, the code it answers an error status with where that is not the status's
 *   usual one (DEFAULT_ERROR_CODES); also how a route declares a status the route table does not imply
 *   (a 404 for an id in the body, 410 for an expired hold).
 *
 * test/api/openapi-examples.test.ts sends every request example to the service (no validation error)
 * and provokes the error statuses it can, comparing each answer's code with the document's example.
 * The document is generated when the stack is built: nothing here is in a function's bundle.
 */
import type * as core from 'zod/v4/core';
import type { ErrorCode } from '../core/errors.ts';
import type { RouteId, TableRoute } from '../routes.ts';

type BodyRoute = Extract<TableRoute, { body: core.$ZodType }>;
type RequestExamples = { [R in BodyRoute as R['id']]-?: Exclude<core.input<R['body']>, undefined> };

const WH = 'wh_01JEXAMPLE';
const WH2 = 'wh_02JEXAMPLE';
const SKU = 'SHIRT-MD-BLU';

export const REQUEST_EXAMPLES: RequestExamples = {
  // ---- holds first: the inventory family's order flow
  // allow_future (with due_at) would also promise inbound expected by then: a fixed date here would pass into the past
  'holds.create': { reference: 'order-1001', lines: [{ sku: SKU, quantity: 2 }], strategy: 'fewest_warehouses', expires_in_seconds: 900 },
  'holds.extend': { expires_in_seconds: 1800 },
  'holds.fulfill': { lines: [{ index: 0, quantity: 2 }] },
  // ---- admin: items, levels, reservations, locations, variant links
  'admin.items.create': { sku: SKU, title: 'Premium T-Shirt - Medium - Blue', weight: 210, material: 'Cotton', origin_country: 'US', requires_shipping: true },
  'admin.items.update': { title: 'Premium T-Shirt - Medium - Blue (organic)', allow_backorder: true, backorder_limit: 20 },
  'admin.levels.create': { location_id: WH, stocked_quantity: 100, reorder_level: 10, reorder_quantity: 50, bin_location: 'A-01-03' },
  'admin.levels.update': { stocked_quantity: 118, expected_quantity: 120, reason: 'cycle_count', note: 'counted twice' },
  'admin.levels.adjust': { adjustment: 20, reason: 'supplier_receipt', reference: 'PO-2026-0042' },
  'admin.levels.batch': { update: [{ location_id: WH, stocked_quantity: 120 }], create: [{ location_id: WH2, stocked_quantity: 40 }] },
  'admin.levels.batch-across': { update: [{ inventory_item_id: 'iitem_01JEXAMPLE', location_id: WH, stocked_quantity: 120, incoming_quantity: 10 }] },
  'admin.reservations.create': { inventory_item_id: 'iitem_01JEXAMPLE', location_id: WH, quantity: 2, line_item_id: 'item_456', description: 'Order #1001' },
  'admin.reservations.update': { quantity: 3, description: 'Order #1001: one more' },
  'admin.reservations.fulfill': {},
  'admin.locations.create': {
    name: 'Main warehouse',
    address: { address_1: 'Hauptstraße 1', city: 'Berlin', country_code: 'de', postal_code: '10115' },
    type: 'own',
    priority: 1,
  },
  'admin.locations.update': { name: 'Main warehouse (north)', priority: 2 },
  'admin.variants.link': { inventory_item_id: 'iitem_01JEXAMPLE', required_quantity: 3 },
  'admin.variants.update-link': { required_quantity: 2 },
  'admin.variants.batch': { create: [{ variant_id: 'variant_01JEXAMPLE', inventory_item_id: 'iitem_01JEXAMPLE', required_quantity: 2 }] },
  // ---- inventory family: stock by SKU, warehouses, uploads, reports, keys, reconcile
  'inventory.set': { warehouse_id: WH, quantity: 120, reason: 'cycle_count', note: 'annual count' },
  'inventory.bulk': {
    updates: [
      { sku: SKU, warehouse_id: WH, quantity: 120, reason: 'cycle_count' },
      { sku: SKU, warehouse_id: WH2, quantity: 40 },
    ],
  },
  'inventory.transfer': { from_warehouse_id: WH, to_warehouse_id: WH2, quantity: 10, note: 'rebalancing', reference: 'TR-7' },
  'inventory.moves': { warehouse_id: WH, from: 'available', to: 'damaged', quantity: 2, reason: 'damage', reference: 'COUNT-2026-12' },
  'transfers.create': { from_warehouse_id: WH, to_warehouse_id: WH2, lines: [{ sku: SKU, quantity: 5 }], reference: 'TR-8', note: 'restock the second store' },
  'transfers.receive': { lines: [{ sku: SKU, accepted: 4, rejected: 1, rejected_to: 'damaged' }] },
  'inventory.warehouses.create': { name: 'Main warehouse', address: 'Hauptstraße 1, 10115 Berlin', type: 'own', priority: 1 },
  'inventory.warehouses.update': { priority: 2, is_readonly: false },
  'uploads.create': { mode: 'set' },
  'reports.create': {},
  'keys.create': { name: 'shop-frontend', scopes: ['inventory:read', 'reservations:write'] },
  'reconcile.run': { sku: SKU, repair: false },
  'inbound.create': {
    type: 'purchase_order',
    reference: 'PO-2026-0412',
    warehouse_id: WH,
    lines: [{ sku: SKU, quantity: 40, expected_at: '2026-12-20' }],
  },
  'inbound.receive': { quantity: 25, note: 'first pallet' },
  'inbound.cancel': { note: 'supplier short-shipped' },
  'inbound.expected': { expected_at: '2030-01-15', note: 'supplier moved the ship date' },
  // ---- records family
  'records.create': {
    productId: 'prod_abc123',
    skuId: 'MUG-WHITE-350',
    warehouseId: WH,
    initialQty: 50,
    location: 'B-02-01',
    reorderLevel: 10,
    reorderQty: 30,
  },
};

/** The code an error status is answered with unless a route says otherwise (ERROR_CODES). */
export const DEFAULT_ERROR_CODES: Record<number, ErrorCode> = {
  400: 'VALIDATION_ERROR',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  410: 'HOLD_EXPIRED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'IDEMPOTENCY_KEY_REUSED',
};

/** Per route: the code of a status where it is not the default one, and statuses the route table does not imply. */
export const ERROR_CODES: { [id in RouteId]?: Partial<Record<number, ErrorCode>> } = {
  'admin.items.get': { 404: 'INVENTORY_NOT_FOUND' },
  'admin.items.create': { 409: 'DUPLICATE' },
  'admin.items.update': { 404: 'INVENTORY_NOT_FOUND', 409: 'DUPLICATE' },
  'admin.items.delete': { 404: 'INVENTORY_NOT_FOUND' },
  'admin.items.availability': { 404: 'INVENTORY_NOT_FOUND' },
  'admin.levels.list': { 404: 'INVENTORY_NOT_FOUND' },
  'admin.levels.create': { 404: 'INVENTORY_NOT_FOUND', 409: 'DUPLICATE', 422: 'INVALID_QUANTITY' },
  'admin.levels.update': { 404: 'INVENTORY_NOT_FOUND', 409: 'QUANTITY_MISMATCH', 422: 'INVALID_QUANTITY' },
  'admin.levels.adjust': { 404: 'INVENTORY_NOT_FOUND', 422: 'INVALID_QUANTITY' },
  'admin.levels.delete': { 404: 'INVENTORY_NOT_FOUND' },
  'admin.levels.batch': { 404: 'INVENTORY_NOT_FOUND', 409: 'CONFLICT' },
  'admin.levels.batch-across': { 404: 'INVENTORY_NOT_FOUND', 409: 'CONFLICT' },
  'admin.reservations.create': { 404: 'INVENTORY_NOT_FOUND', 422: 'INVALID_QUANTITY' },
  'admin.reservations.update': { 422: 'INVALID_QUANTITY' },
  'admin.locations.get': { 404: 'WAREHOUSE_NOT_FOUND' },
  'admin.locations.update': { 404: 'WAREHOUSE_NOT_FOUND' },
  'admin.locations.delete': { 404: 'WAREHOUSE_NOT_FOUND' },
  'admin.variants.link': { 404: 'INVENTORY_NOT_FOUND', 409: 'DUPLICATE' },
  'admin.variants.batch': { 404: 'INVENTORY_NOT_FOUND' },
  'inventory.get': { 404: 'INVENTORY_NOT_FOUND' },
  'inventory.set': { 404: 'INVENTORY_NOT_FOUND', 409: 'QUANTITY_MISMATCH', 422: 'NEGATIVE_QUANTITY' },
  'inventory.adjustments': { 404: 'INVENTORY_NOT_FOUND' },
  'inventory.availability': { 404: 'INVENTORY_NOT_FOUND' },
  'inventory.bulk': { 422: 'TOO_MANY_UPDATES' },
  'inventory.transfer': { 404: 'INVENTORY_NOT_FOUND', 409: 'INSUFFICIENT_STOCK', 422: 'INVALID_QUANTITY' },
  'inventory.moves': { 404: 'INVENTORY_NOT_FOUND', 409: 'INSUFFICIENT_STOCK', 422: 'INVALID_QUANTITY' },
  'transfers.create': { 404: 'WAREHOUSE_NOT_FOUND', 422: 'TRANSFER_TOO_LARGE' },
  'transfers.ship': { 409: 'INSUFFICIENT_STOCK' },
  'transfers.receive': { 422: 'INVALID_QUANTITY' },
  'inventory.warehouses.create': { 409: 'DUPLICATE' },
  'inventory.warehouses.get': { 404: 'WAREHOUSE_NOT_FOUND' },
  'inventory.warehouses.update': { 404: 'WAREHOUSE_NOT_FOUND' },
  'holds.create': { 404: 'INVENTORY_NOT_FOUND', 409: 'INSUFFICIENT_STOCK', 422: 'HOLD_TOO_LARGE' },
  'holds.extend': { 410: 'HOLD_EXPIRED' },
  'holds.fulfill': { 410: 'HOLD_EXPIRED', 422: 'INVALID_QUANTITY' },
  'reconcile.run': { 404: 'INVENTORY_NOT_FOUND' },
  'inbound.create': { 404: 'INVENTORY_NOT_FOUND', 422: 'INVALID_QUANTITY' },
  'inbound.receive': { 422: 'INVALID_QUANTITY' },
  'records.create': { 404: 'WAREHOUSE_NOT_FOUND', 409: 'DUPLICATE', 422: 'INVALID_QUANTITY' },
};
