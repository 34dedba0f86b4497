/**
 * THE route table. The CDK stack (one function per route), the local server, the OpenAPI
 * document and the route tests are all derived from this list: there is no second list.
 *
 * Each route is its own export, named after its id (`meta.health` → `metaHealth`); each handler
 * module exports `handler`, bound to that export, so the schemas it validates with are exactly the
 * ones published in the OpenAPI document, and its input and output types are inferred from them.
 * Every declaration is built through `pure(() => …)`, so a function's bundle keeps only its own
 * route and the schemas it reaches (see `pure` in core/schemas.ts).
 */
import * as z from 'zod/mini';
import type { Scope } from './core/model.ts';
import * as s from './core/schemas.ts';
import * as h from './core/schemas-holds.ts';
import * as x from './core/schemas-transfers.ts';
import * as ib from './core/schemas-inbound.ts';

/** `pure(() => value)`: a declaration a bundle may drop when it goes unused (see functions/core/schemas.ts). */
/* @__NO_SIDE_EFFECTS__ */
function pure<T>(build: () => T): T {
  return build();
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type Family = 'admin' | 'inventory' | 'records' | 'meta';
/** `public`: no key. `reservations`: reservations:write or inventory:write (the contract). */
export type RouteScope = Scope | 'reservations' | 'public';
/**
 * What the route's function may do to the table: the stack grants exactly this (lib/access.ts).
 * `read`: GetItem, BatchGetItem, Query. `write` adds PutItem, UpdateItem, DeleteItem.
 */
export type TableAccess = 'none' | 'read' | 'write';
/** DynamoDB actions as IAM names them (without `dynamodb:`). A transaction needs the actions of its items. */
export type TableAction = 'GetItem' | 'BatchGetItem' | 'Query' | 'ConditionCheckItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem';
/**
 * Exactly what the route's function sends to the table: its IAM grant and the local DynamoDB front's
 * (`indexes`: it queries the table's indexes too). Within its `access` class
 * (a `read` route sends no write); proven against the bundle (test/infra/grants.test.ts) and against
 * what the whole test run sent (bin/grant-usage.ts, in CI).
 */
export interface TableUse {
  actions: readonly TableAction[];
  indexes?: boolean;
}
type Use = 'Get' | 'BatchGet' | 'Query' | 'ConditionCheck' | 'Put' | 'Update' | 'Delete' | 'Indexes';
/** `uses('Get', 'Query')`: those actions on the table; `'Indexes'` among them: on its indexes too. */
export function uses(...what: Use[]): TableUse {
  const actions = what.filter((w) => w !== 'Indexes').map((w) => (w === 'Query' ? w : `${w}Item`) as TableAction);
  return what.includes('Indexes') ? { actions, indexes: true } : { actions };
}
/** The two areas of the blob bucket: `reports/` (low-stock reports) and `uploads/` (CSV files). */
export type BlobPrefix = 'reports/' | 'uploads/';
/** What a function may do in the blob bucket: read (GetObject) and / or write (PutObject) objects under one prefix each. */
export interface BlobAccess {
  get?: BlobPrefix;
  put?: BlobPrefix;
}

export interface Route {
  id: string;
  method: Method;
  path: string;
  family: Family;
  scope: RouteScope;
  /** Module path from the repository root; it exports `handler`. */
  handler: string;
  access: TableAccess;
  /** What it sends to the table, exactly (required unless `access` is `none`). */
  table?: TableUse;
  /** Blob storage (reports, uploads) the route's function may touch, by prefix. */
  blobs?: BlobAccess;
  /** The route's function publishes events. */
  publishes?: boolean;
  summary: string;
  params?: z.ZodMiniObject;
  query?: z.ZodMiniObject;
  body?: z.ZodMiniType;
  /** Success status (200 unless said). */
  status?: number;
  response: z.ZodMiniType;
  /** Content type of the success response (JSON unless said). */
  contentType?: string;
  /**
   * Files the function serves at run time: copied beside its bundle when deployed, not bundled into
   * its code. A package file (`package/file`), or a file made at build time (lib/served-files.ts).
   */
  assets?: readonly string[];
}

/** A route as written in the table: its handler named by file within its family's folder. */
type RouteSpec = Omit<Route, 'family' | 'handler'> & { file: string };

/**
 * One maker per family. `const R` keeps each route's literal id and its own schema types, so a
 * handler bound to the route (`defineHandler(metaHealth)(…)`) gets its input and output types from them.
 */
const family =
  <F extends Family>(family: F, folder: string) =>
  <const R extends RouteSpec>(r: R): Omit<R, 'file'> & { family: F; handler: string } => {
    const { file, ...rest } = r;
    return { ...rest, family, handler: `functions/http/${folder}/${file}.ts` };
  };
/**
 * A function's bundle carries no answer schema: the stack's bundling defines `globalThis.INVENTORY_BUNDLE`
 * (lib/bundling.ts), so every `response:` below folds to `NONE` and esbuild drops the schema (6–8 KB in
 * the largest functions). Nothing reads `response` at run time: the OpenAPI document is generated when
 * the stack is built, and the route tests validate answers against the table imported from source.
 */
declare global {
  var INVENTORY_BUNDLE: true | undefined;
}
const NONE = undefined as never;
const meta = pure(() => family('meta', 'meta'));
const admin = pure(() => family('admin', 'admin'));
const inventory = pure(() => family('inventory', 'api'));
const records = pure(() => family('records', 'v1'));

// ---- meta ----
export const metaHealth = pure(() =>
  meta({
    id: 'meta.health',
    method: 'GET',
    path: '/health',
    scope: 'public',
    file: 'health',
    access: 'none',
    summary: 'Liveness check',
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.healthResponse,
  }),
);
export const metaOpenapi = pure(() =>
  meta({
    id: 'meta.openapi',
    method: 'GET',
    path: '/api/openapi.json',
    scope: 'public',
    file: 'openapi',
    access: 'none',
    summary: 'The OpenAPI 3.1 document of every route',
    response: globalThis.INVENTORY_BUNDLE ? NONE : z.looseObject({}),
    // the document is generated when the stack is built and served from beside the bundle
    assets: ['openapi.json'],
  }),
);
export const metaDocs = pure(() =>
  meta({
    id: 'meta.docs',
    method: 'GET',
    path: '/docs',
    scope: 'public',
    file: 'docs',
    access: 'none',
    summary: 'The API reference (Swagger UI) of the OpenAPI document, with try-it-out',
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.anyQuery,
    contentType: 'text/html',
  }),
);
export const metaDocsAsset = pure(() =>
  meta({
    id: 'meta.docs.asset',
    method: 'GET',
    path: '/docs/{file}',
    scope: 'public',
    file: 'docs-asset',
    access: 'none',
    summary: "A file of the API reference page (Swagger UI's script and style)",
    params: s.docsAssetParams,
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.anyQuery,
    contentType: 'text/javascript',
    assets: ['swagger-ui-dist/swagger-ui-bundle.js', 'swagger-ui-dist/swagger-ui.css'],
  }),
);

// ---- admin: inventory items ----
export const adminItemsList = pure(() =>
  admin({
    id: 'admin.items.list',
    method: 'GET',
    path: '/admin/inventory-items',
    scope: 'inventory:read',
    access: 'read',
    table: uses('Get', 'BatchGet', 'Query', 'Indexes'),
    file: 'list-inventory-items',
    summary: 'List inventory items',
    query: s.listItemsQuery,
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.itemListResponse,
  }),
);
export const adminItemsCreate = pure(() =>
  admin({
    id: 'admin.items.create',
    method: 'POST',
    path: '/admin/inventory-items',
    scope: 'inventory:write',
    access: 'write',
    table: uses('Get', 'Query', 'Put', 'Update'),
    file: 'create-inventory-item',
    summary: 'Create an inventory item; with location_levels, the item and its levels in one all-or-nothing write',
    query: s.selectQuery,
    body: s.createItemBody,
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.itemReadResponse,
  }),
);
export const adminItemsGet = pure(() =>
  admin({
    id: 'admin.items.get',
    method: 'GET',
    path: '/admin/inventory-items/{id}',
    scope: 'inventory:read',
    access: 'read',
    table: uses('Get', 'BatchGet', 'Query'),
    file: 'get-inventory-item',
    summary: 'Get an inventory item with its location levels',
    params: s.itemParams,
    query: s.selectQuery,
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.itemReadResponse,
  }),
);
export const adminItemsUpdate = pure(() =>
  admin({
    id: 'admin.items.update',
    method: 'POST',
    path: '/admin/inventory-items/{id}',
    scope: 'inventory:write',
    access: 'write',
    table: uses('Get', 'BatchGet', 'Query', 'Put', 'Update', 'Delete'),
    file: 'update-inventory-item',
    summary: 'Update an inventory item',
    params: s.itemParams,
    body: s.updateItemBody,
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.itemResponse,
  }),
);
export const adminItemsDelete = pure(() =>
  admin({
    id: 'admin.items.delete',
    method: 'DELETE',
    path: '/admin/inventory-items/{id}',
    scope: 'inventory:write',
    access: 'write',
    table: uses('Get', 'BatchGet', 'Query', 'Put', 'Update', 'Delete', 'Indexes'),
    file: 'delete-inventory-item',
    summary: 'Delete an inventory item (400 not_allowed, HAS_RESERVATIONS, while it has reservations)',
    params: s.itemParams,
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.deletedResponse('inventory-item'),
  }),
);

// ---- admin: location levels ----
// the batch routes come before `{location_id}`: `batch` is a path of its own, never a location id
export const adminLevelsBatch = pure(() =>
  admin({
    id: 'admin.levels.batch',
    method: 'POST',
    path: '/admin/inventory-items/{id}/location-levels/batch',
    scope: 'inventory:write',
    access: 'write',
    table: uses('Get', 'BatchGet', 'Query', 'ConditionCheck', 'Put', 'Update', 'Delete'),
    file: 'batch-location-levels',
    summary: "Create, update and remove levels of one item in one all-or-nothing write (Medusa's batch; delete lists locations)",
    params: s.itemParams,
    body: s.itemLevelsBatchBody,
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.itemLevelsBatchResponse,
  }),
);
export const adminLevelsBatchAcross = pure(() =>
  admin({
    id: 'admin.levels.batch-across',
    method: 'POST',
    path: '/admin/inventory-items/location-levels/batch',
    scope: 'inventory:write',
    access: 'write',
    table: uses('Get', 'BatchGet', 'Query', 'ConditionCheck', 'Put', 'Update', 'Delete'),
    file: 'batch-levels-across-items',
    summary: "Create, update and remove levels of several items in one all-or-nothing write (Medusa's batch; delete lists level ids)",
    body: s.levelsBatchBody,
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.levelsBatchResponse,
  }),
);
export const adminLevelsList = pure(() =>
  admin({
    id: 'admin.levels.list',
    method: 'GET',
    path: '/admin/inventory-items/{id}/location-levels',
    scope: 'inventory:read',
    access: 'read',
    table: uses('Get', 'BatchGet', 'Query'),
    file: 'list-location-levels',
    summary: "List an item's location levels: seed 000's inventory_item and Medusa's page (inventory_levels, count, offset, limit), one Query of the item",
    params: s.itemParams,
    query: s.levelsQuery,
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.levelsListResponse,
  }),
);
export const adminLevelsCreate = pure(() =>
  admin({
    id: 'admin.levels.create',
    method: 'POST',
    path: '/admin/inventory-items/{id}/location-levels',
    scope: 'inventory:write',
    access: 'write',
    table: uses('Get', 'Query', 'Put', 'Update'),
    file: 'create-location-level',
    summary: 'Stock an item at a location',
    params: s.itemParams,
    body: s.createLevelBody,
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.itemResponse,
  }),
);
export const adminLevelsUpdate = pure(() =>
  admin({
    id: 'admin.levels.update',
    method: 'POST',
    path: '/admin/inventory-items/{id}/location-levels/{location_id}',
    scope: 'inventory:write',
    access: 'write',
    table: uses('Get', 'BatchGet', 'Query', 'ConditionCheck', 'Put', 'Update', 'Delete'),
    file: 'update-location-level',
    summary: 'Set stocked / incoming quantities (absolute) and thresholds of a level',
    params: s.levelParams,
    body: s.updateLevelBody,
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.itemResponse,
  }),
);
export const adminLevelsAdjust = pure(() =>
  admin({
    id: 'admin.levels.adjust',
    method: 'POST',
    path: '/admin/inventory-items/{id}/location-levels/{location_id}/adjust',
    scope: 'inventory:write',
    access: 'write',
    table: uses('Get', 'BatchGet', 'Query', 'ConditionCheck', 'Put', 'Update'),
    file: 'adjust-location-level',
    summary: 'Change the stocked quantity of a level by a relative amount',
    params: s.levelParams,
    body: s.adjustLevelBody,
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.itemResponse,
  }),
);
export const adminLevelsDelete = pure(() =>
  admin({
    id: 'admin.levels.delete',
    method: 'DELETE',
    path: '/admin/inventory-items/{id}/location-levels/{location_id}',
    scope: 'inventory:write',
    access: 'write',
    table: uses('Get', 'BatchGet', 'Query', 'Put', 'Update', 'Delete'),
    file: 'delete-location-level',
    summary: 'Remove an item from a location (400 not_allowed, HAS_RESERVATIONS, while reserved); answers with the item as parent',
    params: s.levelParams,
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.deletedWithParent('inventory-level', s.itemSchema),
  }),
);
export const adminItemsAvailability = pure(() =>
  admin({
    id: 'admin.items.availability',
    method: 'GET',
    path: '/admin/inventory-items/{id}/availability',
    scope: 'inventory:read',
    access: 'read',
    table: uses('Get', 'BatchGet', 'Query'),
    file: 'get-availability',
    summary: 'Stocked, reserved, incoming and available quantities over locations; whether a quantity can be reserved',
    params: s.itemParams,
    query: s.availabilityQuery,
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.availabilityResponse,
  }),
);

// ---- admin: reservations ----
export const adminReservationsList = pure(() =>
  admin({
    id: 'admin.reservations.list',
    method: 'GET',
    path: '/admin/reservations',
    scope: 'inventory:read',
    access: 'read',
    table: uses('Get', 'BatchGet', 'Query', 'Indexes'),
    file: 'list-reservations',
    summary: 'List reservations',
    query: s.listReservationsQuery,
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.reservationListResponse,
  }),
);
export const adminReservationsCreate = pure(() =>
  admin({
    id: 'admin.reservations.create',
    method: 'POST',
    path: '/admin/reservations',
    scope: 'reservations',
    access: 'write',
    table: uses('Get', 'BatchGet', 'Query', 'ConditionCheck', 'Put', 'Update'),
    file: 'create-reservation',
    summary: 'Reserve stock at a location (never more than is available)',
    query: s.selectQuery,
    body: s.createReservationBody,
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.reservationReadResponse,
  }),
);
export const adminReservationsGet = pure(() =>
  admin({
    id: 'admin.reservations.get',
    method: 'GET',
    path: '/admin/reservations/{id}',
    scope: 'inventory:read',
    access: 'read',
    table: uses('Get', 'BatchGet', 'Query'),
    file: 'get-reservation',
    summary: 'Get a reservation',
    params: s.reservationParams,
    query: s.selectQuery,
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.reservationReadResponse,
  }),
);
export const adminReservationsUpdate = pure(() =>
  admin({
    id: 'admin.reservations.update',
    method: 'POST',
    path: '/admin/reservations/{id}',
    scope: 'reservations',
    access: 'write',
    table: uses('Get', 'BatchGet', 'Query', 'ConditionCheck', 'Put', 'Update'),
    file: 'update-reservation',
    summary: 'Change quantity, location, description, metadata or expiry of a reservation',
    params: s.reservationParams,
    query: s.selectQuery,
    body: s.updateReservationBody,
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.reservationReadResponse,
  }),
);
export const adminReservationsDelete = pure(() =>
  admin({
    id: 'admin.reservations.delete',
    method: 'DELETE',
    path: '/admin/reservations/{id}',
    scope: 'reservations',
    access: 'write',
    table: uses('Get', 'BatchGet', 'Put', 'Update', 'Delete'),
    file: 'delete-reservation',
    summary: 'Release a reservation',
    params: s.reservationParams,
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.deletedResponse('reservation'),
  }),
);
export const adminReservationsFulfill = pure(() =>
  admin({
    id: 'admin.reservations.fulfill',
    method: 'POST',
    path: '/admin/reservations/{id}/fulfill',
    scope: 'reservations',
    access: 'write',
    table: uses('Get', 'BatchGet', 'Query', 'Put', 'Update', 'Delete'),
    file: 'fulfill-reservation',
    summary: 'Consume a reservation: stocked and reserved both drop by its quantity',
    params: s.reservationParams,
    body: z.optional(s.empty),
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.fulfillResponse,
  }),
);

// ---- admin: stock locations ----
export const adminLocationsList = pure(() =>
  admin({
    id: 'admin.locations.list',
    method: 'GET',
    path: '/admin/stock-locations',
    scope: 'inventory:read',
    access: 'read',
    table: uses('BatchGet', 'Query', 'Indexes'),
    file: 'list-stock-locations',
    summary: 'List stock locations (warehouses)',
    query: s.listLocationsQuery,
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.locationListResponse,
  }),
);
export const adminLocationsCreate = pure(() =>
  admin({
    id: 'admin.locations.create',
    method: 'POST',
    path: '/admin/stock-locations',
    scope: 'inventory:write',
    access: 'write',
    table: uses('Put'),
    file: 'create-stock-location',
    summary: 'Create a stock location',
    body: s.createLocationBody,
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.locationResponse,
  }),
);
export const adminLocationsGet = pure(() =>
  admin({
    id: 'admin.locations.get',
    method: 'GET',
    path: '/admin/stock-locations/{id}',
    scope: 'inventory:read',
    access: 'read',
    table: uses('Get'),
    file: 'get-stock-location',
    summary: 'Get a stock location',
    params: s.locationParams,
    query: s.selectQuery,
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.locationReadResponse,
  }),
);
export const adminLocationsUpdate = pure(() =>
  admin({
    id: 'admin.locations.update',
    method: 'POST',
    path: '/admin/stock-locations/{id}',
    scope: 'inventory:write',
    access: 'write',
    table: uses('Get', 'Query', 'Update', 'Indexes'),
    file: 'update-stock-location',
    summary: 'Update a stock location',
    params: s.locationParams,
    body: s.updateLocationBody,
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.locationResponse,
  }),
);
export const adminLocationsDelete = pure(() =>
  admin({
    id: 'admin.locations.delete',
    method: 'DELETE',
    path: '/admin/stock-locations/{id}',
    scope: 'inventory:write',
    access: 'write',
    table: uses('BatchGet', 'Query', 'Put', 'Update', 'Delete', 'Indexes'),
    file: 'delete-stock-location',
    summary: 'Delete a stock location (409 while any level there has stock or reservations)',
    params: s.locationParams,
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.deletedResponse('stock_location'),
  }),
);

// ---- admin: variant ↔ inventory item links ----
export const adminVariantsBatch = pure(() =>
  admin({
    id: 'admin.variants.batch',
    method: 'POST',
    path: '/admin/products/{id}/variants/inventory-items/batch',
    scope: 'inventory:write',
    access: 'write',
    table: uses('Query', 'ConditionCheck', 'Put', 'Update', 'Delete'),
    file: 'batch-variant-items',
    summary: "Create, update and remove variant ↔ inventory item links in one all-or-nothing write (Medusa's batch)",
    params: s.productParams,
    body: s.linksBatchBody,
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.linksBatchResponse,
  }),
);
export const adminVariantsGet = pure(() =>
  admin({
    id: 'admin.variants.get',
    method: 'GET',
    path: '/admin/products/{id}/variants/{variant_id}',
    scope: 'inventory:read',
    access: 'read',
    table: uses('Get', 'BatchGet', 'Query'),
    file: 'get-variant',
    summary: "A variant's inventory items and inventory_quantity",
    params: s.variantParams,
    query: s.selectQuery,
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.variantResponse,
  }),
);
export const adminVariantsLink = pure(() =>
  admin({
    id: 'admin.variants.link',
    method: 'POST',
    path: '/admin/products/{id}/variants/{variant_id}/inventory-items',
    scope: 'inventory:write',
    access: 'write',
    table: uses('Get', 'BatchGet', 'Query', 'ConditionCheck', 'Put', 'Update'),
    file: 'link-variant-item',
    summary: 'Link an inventory item to a variant',
    params: s.variantParams,
    query: s.selectQuery,
    body: s.linkBody,
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.variantResponse,
  }),
);
export const adminVariantsUpdateLink = pure(() =>
  admin({
    id: 'admin.variants.update-link',
    method: 'POST',
    path: '/admin/products/{id}/variants/{variant_id}/inventory-items/{inventory_item_id}',
    scope: 'inventory:write',
    access: 'write',
    table: uses('Get', 'BatchGet', 'Query', 'Update'),
    file: 'update-variant-item',
    summary: 'Change the required_quantity of a link',
    params: s.variantLinkParams,
    query: s.selectQuery,
    body: s.linkUpdateBody,
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.variantResponse,
  }),
);
export const adminVariantsUnlink = pure(() =>
  admin({
    id: 'admin.variants.unlink',
    method: 'DELETE',
    path: '/admin/products/{id}/variants/{variant_id}/inventory-items/{inventory_item_id}',
    scope: 'inventory:write',
    access: 'write',
    table: uses('Query', 'Update', 'Delete'),
    file: 'unlink-variant-item',
    summary: 'Unlink an inventory item from a variant; answers with the variant as parent',
    params: s.variantLinkParams,
    query: s.selectQuery,
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.unlinkResponse,
  }),
);

// ---- inventory family: SKU-addressed ----
export const inventoryList = pure(() =>
  inventory({
    id: 'inventory.list',
    method: 'GET',
    path: '/api/inventory',
    scope: 'inventory:read',
    access: 'read',
    table: uses('Get', 'BatchGet', 'Query', 'Indexes'),
    file: 'list-inventory',
    summary: 'SKU summaries, cursor-paged (status, warehouse_id, sku filters)',
    query: s.inventoryListQuery,
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.inventoryListResponse,
  }),
);
export const inventoryGet = pure(() =>
  inventory({
    id: 'inventory.get',
    method: 'GET',
    path: '/api/inventory/{sku}',
    scope: 'inventory:read',
    access: 'read',
    table: uses('Get', 'BatchGet', 'Query', 'Indexes'),
    file: 'get-inventory',
    summary: 'One SKU with per-warehouse detail',
    params: s.skuParams,
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.skuDetailResponse,
  }),
);
export const inventorySet = pure(() =>
  inventory({
    id: 'inventory.set',
    method: 'PUT',
    path: '/api/inventory/{sku}',
    scope: 'inventory:write',
    access: 'write',
    table: uses('Get', 'BatchGet', 'Query', 'ConditionCheck', 'Put', 'Update', 'Indexes'),
    file: 'set-inventory',
    summary: 'Set the stocked quantity of a SKU at a warehouse (compare-and-set with expected_quantity)',
    params: s.skuParams,
    body: s.setStockBody,
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.skuDetailResponse,
  }),
);
export const inventoryBulk = pure(() =>
  inventory({
    id: 'inventory.bulk',
    method: 'POST',
    path: '/api/inventory/bulk',
    scope: 'inventory:write',
    access: 'write',
    table: uses('Get', 'BatchGet', 'Query', 'ConditionCheck', 'Put', 'Update'),
    file: 'bulk-inventory',
    summary: 'Set up to 500 stock quantities; each row applied once or reported',
    body: s.bulkBody,
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.bulkResponse,
  }),
);
export const inventoryAdjustments = pure(() =>
  inventory({
    id: 'inventory.adjustments',
    method: 'GET',
    path: '/api/inventory/{sku}/adjustments',
    scope: 'inventory:read',
    access: 'read',
    table: uses('Get', 'Query'),
    file: 'list-adjustments',
    summary: "A SKU's stock changes, newest first",
    params: s.skuParams,
    query: s.adjustmentsQuery,
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.adjustmentsResponse,
  }),
);
export const inventoryTransfer = pure(() =>
  inventory({
    id: 'inventory.transfer',
    method: 'POST',
    path: '/api/inventory/{sku}/transfers',
    scope: 'inventory:write',
    access: 'write',
    table: uses('Get', 'BatchGet', 'Query', 'ConditionCheck', 'Put', 'Update', 'Indexes'),
    file: 'create-transfer',
    status: 201,
    summary: 'Move stock between two warehouses atomically',
    params: s.skuParams,
    body: s.transferBody,
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.transferResponse,
  }),
);
export const inventoryMoves = pure(() =>
  inventory({
    id: 'inventory.moves',
    method: 'POST',
    path: '/api/inventory/{sku}/moves',
    scope: 'inventory:write',
    access: 'write',
    table: uses('Get', 'BatchGet', 'Query', 'ConditionCheck', 'Put', 'Update', 'Indexes'),
    file: 'create-move',
    status: 201,
    summary: 'Move units at one warehouse between available and named states (damaged, quality_control)',
    params: s.skuParams,
    body: x.moveBody,
    response: globalThis.INVENTORY_BUNDLE ? NONE : x.moveResponse,
  }),
);
export const transfersCreate = pure(() =>
  inventory({
    id: 'transfers.create',
    method: 'POST',
    path: '/api/transfers',
    scope: 'inventory:write',
    access: 'write',
    table: uses('Get', 'Put', 'Update'),
    file: 'create-transfer-draft',
    status: 201,
    summary: 'Create a transfer as a shipment (draft: nothing moves yet)',
    body: x.transferCreateBody,
    response: globalThis.INVENTORY_BUNDLE ? NONE : x.transferResponse,
  }),
);
export const transfersList = pure(() =>
  inventory({
    id: 'transfers.list',
    method: 'GET',
    path: '/api/transfers',
    scope: 'inventory:read',
    access: 'read',
    table: uses('BatchGet', 'Query', 'Indexes'),
    file: 'list-transfers',
    summary: 'Transfers, newest first, filtered by status, warehouse (either side) and SKU',
    query: x.transfersQuery,
    response: globalThis.INVENTORY_BUNDLE ? NONE : x.transfersListResponse,
  }),
);
export const transfersGet = pure(() =>
  inventory({
    id: 'transfers.get',
    method: 'GET',
    path: '/api/transfers/{id}',
    scope: 'inventory:read',
    access: 'read',
    table: uses('Get'),
    file: 'get-transfer',
    summary: 'A transfer: its lines, status, timestamps and who did each step',
    params: x.transferParams,
    response: globalThis.INVENTORY_BUNDLE ? NONE : x.transferResponse,
  }),
);
export const transfersShip = pure(() =>
  inventory({
    id: 'transfers.ship',
    method: 'POST',
    path: '/api/transfers/{id}/ship',
    scope: 'inventory:write',
    access: 'write',
    table: uses('Get', 'BatchGet', 'Query', 'ConditionCheck', 'Put', 'Update'),
    file: 'ship-transfer',
    summary: "Ship a draft: units leave the source's on-hand and are in transit to the destination (one transaction)",
    params: x.transferParams,
    response: globalThis.INVENTORY_BUNDLE ? NONE : x.transferResponse,
  }),
);
export const transfersReceive = pure(() =>
  inventory({
    id: 'transfers.receive',
    method: 'POST',
    path: '/api/transfers/{id}/receive',
    scope: 'inventory:write',
    access: 'write',
    table: uses('Get', 'BatchGet', 'Query', 'ConditionCheck', 'Put', 'Update'),
    file: 'receive-transfer',
    summary: 'Receive part or all of a shipped transfer: accepted units on hand at the destination, rejected ones in a named state or back',
    params: x.transferParams,
    body: x.receiveTransferBody,
    response: globalThis.INVENTORY_BUNDLE ? NONE : x.transferResponse,
  }),
);
export const transfersCancel = pure(() =>
  inventory({
    id: 'transfers.cancel',
    method: 'POST',
    path: '/api/transfers/{id}/cancel',
    scope: 'inventory:write',
    access: 'write',
    table: uses('Get', 'BatchGet', 'Query', 'ConditionCheck', 'Put', 'Update'),
    file: 'cancel-transfer',
    summary: "Cancel a transfer: units still in transit go back to the source's on-hand",
    params: x.transferParams,
    response: globalThis.INVENTORY_BUNDLE ? NONE : x.transferResponse,
  }),
);
export const transfersClose = pure(() =>
  inventory({
    id: 'transfers.close',
    method: 'POST',
    path: '/api/transfers/{id}/close',
    scope: 'inventory:write',
    access: 'write',
    table: uses('Get', 'Update'),
    file: 'close-transfer',
    summary: 'Close a received or cancelled transfer',
    params: x.transferParams,
    response: globalThis.INVENTORY_BUNDLE ? NONE : x.transferResponse,
  }),
);
export const inventoryWarehousesList = pure(() =>
  inventory({
    id: 'inventory.warehouses.list',
    method: 'GET',
    path: '/api/inventory/warehouses',
    scope: 'inventory:read',
    access: 'read',
    table: uses('BatchGet', 'Query', 'Indexes'),
    file: 'list-warehouses',
    summary: "The tenant's warehouses",
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.warehouseListResponse,
  }),
);
export const inventoryWarehousesCreate = pure(() =>
  inventory({
    id: 'inventory.warehouses.create',
    method: 'POST',
    path: '/api/warehouses',
    scope: 'inventory:write',
    access: 'write',
    table: uses('Put', 'Update'),
    file: 'create-warehouse',
    status: 201,
    summary: 'Create a warehouse',
    body: s.warehouseCreateBody,
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.warehouseResponse,
  }),
);
export const inventoryWarehousesGet = pure(() =>
  inventory({
    id: 'inventory.warehouses.get',
    method: 'GET',
    path: '/api/warehouses/{id}',
    scope: 'inventory:read',
    access: 'read',
    table: uses('Get'),
    file: 'get-warehouse',
    summary: 'Get a warehouse',
    params: s.warehouseParams,
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.warehouseResponse,
  }),
);
export const inventoryWarehousesUpdate = pure(() =>
  inventory({
    id: 'inventory.warehouses.update',
    method: 'PATCH',
    path: '/api/warehouses/{id}',
    scope: 'inventory:write',
    access: 'write',
    table: uses('Get', 'Query', 'Update', 'Indexes'),
    file: 'update-warehouse',
    summary: 'Update a warehouse',
    params: s.warehouseParams,
    body: s.warehouseUpdateBody,
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.warehouseResponse,
  }),
);
export const uploadsCreate = pure(() =>
  inventory({
    id: 'uploads.create',
    method: 'POST',
    path: '/api/inventory/uploads',
    scope: 'inventory:write',
    access: 'write',
    table: uses('Put'),
    file: 'create-upload',
    status: 201,
    blobs: { put: 'uploads/' },
    summary: 'Start a CSV bulk upload: PUT the file (sku,warehouse_id,quantity[,reason,note]) to upload_url',
    body: z.optional(s.uploadCreateBody),
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.uploadCreatedResponse,
  }),
);
export const uploadsGet = pure(() =>
  inventory({
    id: 'uploads.get',
    method: 'GET',
    path: '/api/inventory/uploads/{id}',
    scope: 'inventory:read',
    access: 'read',
    table: uses('Get', 'Query'),
    file: 'get-upload',
    summary: 'An upload: status, rows total / done / applied / unchanged / failed, the first errors (all as CSV with ?format=csv)',
    params: s.uploadParams,
    query: s.uploadQuery,
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.uploadResponse,
  }),
);
export const reportsLatest = pure(() =>
  inventory({
    id: 'reports.latest',
    method: 'GET',
    path: '/api/reports/low-stock',
    scope: 'inventory:read',
    access: 'read',
    table: uses('Query'),
    file: 'get-latest-report',
    blobs: { get: 'reports/' },
    summary: 'The latest low-stock report (JSON, or CSV with ?format=csv)',
    query: s.reportQuery,
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.reportResponse,
  }),
);
export const reportsCreate = pure(() =>
  inventory({
    id: 'reports.create',
    method: 'POST',
    path: '/api/reports/low-stock',
    scope: 'inventory:read',
    access: 'write',
    table: uses('BatchGet', 'Query', 'Put', 'Indexes'),
    file: 'create-report',
    status: 201,
    blobs: { put: 'reports/' },
    publishes: true,
    summary: 'Make a low-stock report now',
    body: z.optional(s.empty),
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.reportResponse,
  }),
);
export const reportsGet = pure(() =>
  inventory({
    id: 'reports.get',
    method: 'GET',
    path: '/api/reports/low-stock/{id}',
    scope: 'inventory:read',
    access: 'read',
    table: uses('Get'),
    file: 'get-report',
    blobs: { get: 'reports/' },
    summary: 'A low-stock report (JSON, or CSV with ?format=csv)',
    params: s.reportParams,
    query: s.reportQuery,
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.reportResponse,
  }),
);
export const keysCreate = pure(() =>
  inventory({
    id: 'keys.create',
    method: 'POST',
    path: '/api/keys',
    scope: 'keys:manage',
    access: 'write',
    table: uses('Get', 'Query', 'Put', 'Update', 'Indexes'),
    file: 'create-key',
    status: 201,
    summary: 'Create an API key (its secret is shown this once; a replay with the same Idempotency-Key answers the key without it)',
    body: s.keyCreateBody,
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.keyCreatedResponse,
  }),
);
export const keysList = pure(() =>
  inventory({
    id: 'keys.list',
    method: 'GET',
    path: '/api/keys',
    scope: 'keys:manage',
    access: 'read',
    table: uses('BatchGet', 'Query', 'Indexes'),
    file: 'list-keys',
    summary: "The tenant's API keys, without secrets",
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.keyListResponse,
  }),
);
export const keysRevoke = pure(() =>
  inventory({
    id: 'keys.revoke',
    method: 'DELETE',
    path: '/api/keys/{id}',
    scope: 'keys:manage',
    access: 'write',
    table: uses('Get', 'Query', 'Update', 'Indexes'),
    file: 'revoke-key',
    summary: 'Revoke an API key',
    params: s.keyParams,
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.keyResponse,
  }),
);

// ---- holds, availability that explains itself, reconcile ----
export const holdsCreate = pure(() =>
  inventory({
    id: 'holds.create',
    method: 'POST',
    path: '/api/holds',
    scope: 'reservations',
    access: 'write',
    table: uses('Get', 'BatchGet', 'Query', 'ConditionCheck', 'Put', 'Update', 'Indexes'),
    file: 'create-hold',
    status: 201,
    summary: "Hold an order's lines (skus or kits) across warehouses, all or nothing",
    body: h.holdCreateBody,
    response: globalThis.INVENTORY_BUNDLE ? NONE : h.holdResponse,
  }),
);
export const holdsList = pure(() =>
  inventory({
    id: 'holds.list',
    method: 'GET',
    path: '/api/holds',
    scope: 'inventory:read',
    access: 'read',
    table: uses('BatchGet', 'Query', 'Indexes'),
    file: 'list-holds',
    summary: 'The holds of an order reference',
    query: h.holdListQuery,
    response: globalThis.INVENTORY_BUNDLE ? NONE : h.holdListResponse,
  }),
);
export const holdsGet = pure(() =>
  inventory({
    id: 'holds.get',
    method: 'GET',
    path: '/api/holds/{id}',
    scope: 'inventory:read',
    access: 'read',
    table: uses('Get'),
    file: 'get-hold',
    summary: 'A hold with its lines and allocations',
    params: h.holdParams,
    response: globalThis.INVENTORY_BUNDLE ? NONE : h.holdResponse,
  }),
);
export const holdsExtend = pure(() =>
  inventory({
    id: 'holds.extend',
    method: 'POST',
    path: '/api/holds/{id}/extend',
    scope: 'reservations',
    access: 'write',
    table: uses('Get', 'Update'),
    file: 'extend-hold',
    summary: 'Move the expiry of a live hold and its reservations (410 once expired)',
    params: h.holdParams,
    body: h.holdExtendBody,
    response: globalThis.INVENTORY_BUNDLE ? NONE : h.holdResponse,
  }),
);
export const holdsFulfill = pure(() =>
  inventory({
    id: 'holds.fulfill',
    method: 'POST',
    path: '/api/holds/{id}/fulfill',
    scope: 'reservations',
    access: 'write',
    table: uses('Get', 'Query', 'Put', 'Update', 'Delete'),
    file: 'fulfill-hold',
    summary: "Consume all or some lines of a hold, each at its reservations' warehouses (410 once expired)",
    params: h.holdParams,
    body: z.optional(h.holdFulfillBody),
    response: globalThis.INVENTORY_BUNDLE ? NONE : h.holdResponse,
  }),
);
export const holdsRelease = pure(() =>
  inventory({
    id: 'holds.release',
    method: 'DELETE',
    path: '/api/holds/{id}',
    scope: 'reservations',
    access: 'write',
    table: uses('Get', 'BatchGet', 'Query', 'Put', 'Update', 'Delete'),
    file: 'release-hold',
    summary: 'Release every open reservation of a hold (and its promises of inbound units)',
    params: h.holdParams,
    response: globalThis.INVENTORY_BUNDLE ? NONE : h.holdResponse,
  }),
);
export const inventoryAvailability = pure(() =>
  inventory({
    id: 'inventory.availability',
    method: 'GET',
    path: '/api/inventory/{sku}/availability',
    scope: 'inventory:read',
    access: 'read',
    table: uses('Get', 'BatchGet', 'Query', 'Indexes'),
    file: 'explain-sku-availability',
    summary: 'Whether a quantity of a SKU can be held now, and why (per warehouse)',
    params: s.skuParams,
    query: h.explainQuery,
    response: globalThis.INVENTORY_BUNDLE ? NONE : h.explainResponse,
  }),
);
export const variantsAvailability = pure(() =>
  inventory({
    id: 'variants.availability',
    method: 'GET',
    path: '/api/variants/{product_id}/{variant_id}/availability',
    scope: 'inventory:read',
    access: 'read',
    table: uses('Get', 'BatchGet', 'Query', 'Indexes'),
    file: 'explain-variant-availability',
    summary: 'Whether a quantity of a variant (kit) can be held now, and which component limits it',
    params: h.variantAvailabilityParams,
    query: h.explainQuery,
    response: globalThis.INVENTORY_BUNDLE ? NONE : h.explainResponse,
  }),
);
// ---- inbound supply (issue 25 item 3) ----
export const inboundCreate = pure(() =>
  inventory({
    id: 'inbound.create',
    method: 'POST',
    path: '/api/inbound',
    scope: 'inventory:write',
    access: 'write',
    table: uses('Get', 'BatchGet', 'Query', 'Put', 'Update'),
    file: 'create-inbound',
    status: 201,
    summary: 'Record stock on its way (purchase order, transfer, production run): lines with expected dates; incoming rises',
    body: ib.inboundCreateBody,
    response: globalThis.INVENTORY_BUNDLE ? NONE : ib.inboundResponse,
  }),
);
export const inboundGet = pure(() =>
  inventory({
    id: 'inbound.get',
    method: 'GET',
    path: '/api/inbound/{id}',
    scope: 'inventory:read',
    access: 'read',
    table: uses('Get', 'BatchGet'),
    file: 'get-inbound',
    summary: 'An inbound record with each line: received, remaining, status',
    params: ib.inboundParams,
    response: globalThis.INVENTORY_BUNDLE ? NONE : ib.inboundResponse,
  }),
);
export const inboundReceive = pure(() =>
  inventory({
    id: 'inbound.receive',
    method: 'POST',
    path: '/api/inbound/{id}/lines/{line}/receive',
    scope: 'inventory:write',
    access: 'write',
    table: uses('Get', 'BatchGet', 'Query', 'Put', 'Update'),
    file: 'receive-inbound-line',
    summary: 'Receive (part of) an inbound line: on hand rises, incoming falls, never past the line; units promised to future holds become their reservations',
    params: ib.inboundLineParams,
    body: ib.inboundReceiveBody,
    response: globalThis.INVENTORY_BUNDLE ? NONE : ib.inboundResponse,
  }),
);
export const inboundCancel = pure(() =>
  inventory({
    id: 'inbound.cancel',
    method: 'POST',
    path: '/api/inbound/{id}/lines/{line}/cancel',
    scope: 'inventory:write',
    access: 'write',
    table: uses('Get', 'BatchGet', 'Query', 'Put', 'Update', 'Delete'),
    file: 'cancel-inbound-line',
    publishes: true,
    summary:
      'Cancel what is left of an inbound line: incoming falls by it; future holds promised on it are re-planned onto other lines expected in time, or released (an event each)',
    params: ib.inboundLineParams,
    body: z.optional(ib.inboundCancelBody),
    response: globalThis.INVENTORY_BUNDLE ? NONE : ib.inboundResponse,
  }),
);
export const inboundList = pure(() =>
  inventory({
    id: 'inbound.list',
    method: 'GET',
    path: '/api/inbound',
    scope: 'inventory:read',
    access: 'read',
    table: uses('BatchGet', 'Query', 'Indexes'),
    file: 'list-inbound',
    summary: 'Inbound records, newest first, filtered by status, warehouse and SKU (paged)',
    query: ib.inboundListQuery,
    response: globalThis.INVENTORY_BUNDLE ? NONE : ib.inboundListResponse,
  }),
);
export const inboundExpected = pure(() =>
  inventory({
    id: 'inbound.expected',
    method: 'POST',
    path: '/api/inbound/{id}/lines/{line}/expected',
    scope: 'inventory:write',
    access: 'write',
    table: uses('Get', 'BatchGet', 'Query', 'Update', 'Delete'),
    file: 'change-inbound-expected',
    publishes: true,
    summary: "Change an open line's expected date; future holds it no longer reaches by their due date are re-planned or released (an event each)",
    params: ib.inboundLineParams,
    body: ib.inboundExpectedBody,
    response: globalThis.INVENTORY_BUNDLE ? NONE : ib.inboundResponse,
  }),
);
export const reconcileRun = pure(() =>
  inventory({
    id: 'reconcile.run',
    method: 'POST',
    path: '/api/reconcile',
    scope: 'keys:manage',
    access: 'write',
    table: uses('Get', 'BatchGet', 'Query', 'ConditionCheck', 'Put', 'Update', 'Indexes'),
    file: 'reconcile',
    publishes: true,
    summary: "Recompute levels' reserved / available from reservations and check stocked against the ledger; repair: true corrects",
    body: z.optional(h.reconcileBody),
    response: globalThis.INVENTORY_BUNDLE ? NONE : h.reconcileResponse,
  }),
);

// ---- records family ----
export const recordsCreate = pure(() =>
  records({
    id: 'records.create',
    method: 'POST',
    path: '/v1/inventory',
    scope: 'inventory:write',
    access: 'write',
    table: uses('Get', 'Query', 'Put', 'Update'),
    file: 'create-record',
    summary: 'Create an inventory record (a product or SKU at a warehouse, with its initial quantity)',
    body: s.recordBody,
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.recordResponse,
  }),
);
export const recordsLowStock = pure(() =>
  records({
    id: 'records.low-stock',
    method: 'GET',
    path: '/v1/inventory/low-stock',
    scope: 'inventory:read',
    access: 'read',
    table: uses('BatchGet', 'Query', 'Indexes'),
    file: 'list-low-stock',
    summary: 'Records whose availableQty is at or below their reorderLevel',
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.recordListResponse,
  }),
);
export const recordsGet = pure(() =>
  records({
    id: 'records.get',
    method: 'GET',
    path: '/v1/inventory/{id}',
    scope: 'inventory:read',
    access: 'read',
    table: uses('Get', 'BatchGet', 'Query'),
    file: 'get-record',
    summary: 'Get an inventory record',
    params: s.recordParams,
    response: globalThis.INVENTORY_BUNDLE ? NONE : s.recordResponse,
  }),
);
// ---- the table: every route above, in this order ----
const table = [
  metaHealth,
  metaOpenapi,
  metaDocs,
  metaDocsAsset,
  adminItemsList,
  adminItemsCreate,
  adminItemsGet,
  adminItemsUpdate,
  adminItemsDelete,
  adminLevelsBatchAcross,
  adminLevelsBatch,
  adminLevelsList,
  adminLevelsCreate,
  adminLevelsUpdate,
  adminLevelsAdjust,
  adminLevelsDelete,
  adminItemsAvailability,
  adminReservationsList,
  adminReservationsCreate,
  adminReservationsGet,
  adminReservationsUpdate,
  adminReservationsDelete,
  adminReservationsFulfill,
  adminLocationsList,
  adminLocationsCreate,
  adminLocationsGet,
  adminLocationsUpdate,
  adminLocationsDelete,
  adminVariantsBatch,
  adminVariantsGet,
  adminVariantsLink,
  adminVariantsUpdateLink,
  adminVariantsUnlink,
  inventoryList,
  inventoryGet,
  inventorySet,
  inventoryBulk,
  inventoryAdjustments,
  inventoryTransfer,
  inventoryMoves,
  transfersCreate,
  transfersList,
  transfersGet,
  transfersShip,
  transfersReceive,
  transfersCancel,
  transfersClose,
  inventoryWarehousesList,
  inventoryWarehousesCreate,
  inventoryWarehousesGet,
  inventoryWarehousesUpdate,
  uploadsCreate,
  uploadsGet,
  reportsLatest,
  reportsCreate,
  reportsGet,
  keysCreate,
  keysList,
  keysRevoke,
  holdsCreate,
  holdsList,
  holdsGet,
  holdsExtend,
  holdsFulfill,
  holdsRelease,
  inventoryAvailability,
  variantsAvailability,
  inboundCreate,
  inboundGet,
  inboundReceive,
  inboundCancel,
  inboundList,
  inboundExpected,
  reconcileRun,
  recordsCreate,
  recordsLowStock,
  recordsGet,
];

/** Every route; the stack, the local server, the OpenAPI document and the tests read this list. */
export const routes: Route[] = table;

/** A route of the table as declared; its id is the key, so a wrong id does not type-check. */
export type TableRoute = (typeof table)[number];
export type RouteId = TableRoute['id'];

/** The routes by id, each with its own types: what a handler binds to. */
export const route = pure(() => Object.fromEntries(table.map((r) => [r.id, r])) as { [R in TableRoute as R['id']]: R });
