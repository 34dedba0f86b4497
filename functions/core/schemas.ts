/**
 * Request and response schemas of every route (zod 4). The route table points at them; handlers
 * get their parsed input from them; the OpenAPI document is generated from them.
 * Import as `* as z` (the named import pulls every locale into each bundle).
 */
import * as z from 'zod';
import { ADJUSTMENT_REASONS, MAX_QUANTITY, SCOPES, WAREHOUSE_TYPES } from './model.ts';

// ---------- building blocks ----------
/** A quantity: an integer in [min, 1e9]. Failures render as INVALID_QUANTITY / NEGATIVE_QUANTITY. */
export const quantity = (min = 0) => z.number().int().min(min).max(MAX_QUANTITY);
/** A signed change: a non-zero integer in [−1e9, 1e9]. */
export const signedQuantity = () =>
  z
    .number()
    .int()
    .min(-MAX_QUANTITY)
    .max(MAX_QUANTITY)
    .refine((n) => n !== 0, { message: 'must not be 0' });

const text = (max = 1000) => z.string().max(max);
/** A sku: printable text (no control characters: the SKU index orders on it). */
export const skuText = () =>
  z
    .string()
    .min(1)
    .max(256)
    .regex(/^[^\u0000-\u001f\u007f]+$/, 'may not contain control characters');
/** An id as the service makes them (`<prefix>_<ulid>`) or a client gives them. */
export const id = (prefix: string) =>
  z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9_.:-]+$/, 'may only contain letters, digits, _ . : -')
    .describe(`an id such as ${prefix}_01J…`);
/** Free-form JSON a client keeps on a record: bounded so it always fits a DynamoDB item. */
const MAX_METADATA_BYTES = 16_384;
const MAX_METADATA_DEPTH = 8;
function metadataProblem(v: unknown, depth = 0, at = ''): string | undefined {
  if (depth > MAX_METADATA_DEPTH) return `nests deeper than ${MAX_METADATA_DEPTH} levels`;
  if (typeof v === 'number' && !Number.isFinite(v)) return `holds a number that is not finite${at ? ` at ${at}` : ''}`;
  // beyond ±2^53 a JSON number has already lost digits when parsed, and cannot be stored exactly
  if (typeof v === 'number' && Math.abs(v) > Number.MAX_SAFE_INTEGER) {
    return `holds a number beyond ±${Number.MAX_SAFE_INTEGER}${at ? ` at ${at}` : ''}: send it as a string`;
  }
  if (Array.isArray(v)) {
    for (const [i, x] of v.entries()) {
      const p = metadataProblem(x, depth + 1, `${at}[${i}]`);
      if (p) return p;
    }
  } else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k === '') return 'has an empty key';
      const p = metadataProblem(x, depth + 1, at ? `${at}.${k}` : k);
      if (p) return p;
    }
  }
  return undefined;
}
const metadata = z
  .record(z.string(), z.unknown())
  .superRefine((v, ctx) => {
    const problem = metadataProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
    else if (Buffer.byteLength(JSON.stringify(v)) > MAX_METADATA_BYTES) {
      ctx.addIssue({ code: 'custom', message: `is larger than ${MAX_METADATA_BYTES} bytes` });
    }
  })
  .nullable();
const isoDate = z.iso.datetime({ offset: true });
const dimension = z.number().min(0).max(MAX_QUANTITY).nullable();

/** Query-string integers arrive as strings; accept only plain digits. */
const queryInt = (def: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,10}$/, 'must be a non-negative integer')
    .transform(Number)
    .pipe(z.number().int().min(0).max(max))
    .optional()
    .transform((v) => v ?? def);
/** Repeatable query parameter (`a=1&a=2` arrives comma-joined from API Gateway) or a comma list. */
export const queryList = z
  .string()
  .max(4000)
  .transform((s) =>
    s
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean),
  )
  .optional();

export const pagination = { limit: queryInt(15, 1000), offset: queryInt(0, 1_000_000) };

// ---------- path parameters ----------
export const itemParams = z.object({ id: id('iitem') });
export const levelParams = z.object({ id: id('iitem'), location_id: id('wh') });
export const reservationParams = z.object({ id: id('res') });
export const locationParams = z.object({ id: id('wh') });
export const variantParams = z.object({ id: id('prod'), variant_id: id('variant') });
export const variantLinkParams = variantParams.extend({ inventory_item_id: id('iitem') });

// ---------- inventory items ----------
const itemFields = {
  sku: skuText().nullable(),
  title: text(1000).nullable(),
  description: text(10000).nullable(),
  thumbnail: text(2000).nullable(),
  origin_country: text(2).nullable(),
  hs_code: text(64).nullable(),
  mid_code: text(64).nullable(),
  material: text(256).nullable(),
  weight: dimension,
  length: dimension,
  height: dimension,
  width: dimension,
  requires_shipping: z.boolean(),
  allow_backorder: z.boolean(),
  backorder_limit: quantity().nullable(),
  product_id: text(256).nullable(),
  variant_attributes: metadata,
  metadata,
};
export const createItemBody = z.object(itemFields).partial().strict();
export const updateItemBody = createItemBody;
export type CreateItemInput = z.infer<typeof createItemBody>;

export const listItemsQuery = z.object({
  ...pagination,
  q: text(256).optional(),
  sku: text(256).optional(),
  location_id: queryList,
  fields: text(2000).optional(),
});

export const levelSchema = z.object({
  id: z.string(),
  inventory_item_id: z.string(),
  location_id: z.string(),
  stocked_quantity: z.number().int(),
  reserved_quantity: z.number().int(),
  incoming_quantity: z.number().int(),
  available_quantity: z.number().int(),
  safety_stock: z.number().int(),
  reorder_level: z.number().int(),
  reorder_quantity: z.number().int(),
  bin_location: z.string().nullable(),
  metadata: metadata,
  created_at: z.string(),
  updated_at: z.string(),
});
export const itemSchema = z.object({
  id: z.string(),
  ...Object.fromEntries(Object.entries(itemFields).map(([k, v]) => [k, v])),
  created_at: z.string(),
  updated_at: z.string(),
  location_levels: z.array(levelSchema).optional(),
  reserved_quantity: z.number().int().optional(),
  stocked_quantity: z.number().int().optional(),
});
export const itemResponse = z.object({ inventory_item: itemSchema });
export const itemListResponse = z.object({
  // `fields` trims each item to the fields asked for (id always stays), so only id is certain
  inventory_items: z.array(
    itemSchema.partial().required({ id: true }).describe('An inventory item; with `fields`, only the fields asked for (and id)'),
  ),
  count: z.number().int(),
  offset: z.number().int(),
  limit: z.number().int(),
});
export const deletedResponse = (object: string) =>
  z.object({ id: z.string(), object: z.literal(object), deleted: z.literal(true) });

// ---------- location levels ----------
const reason = z.enum(ADJUSTMENT_REASONS);
const thresholds = {
  safety_stock: quantity(),
  reorder_level: quantity(),
  reorder_quantity: quantity(),
  bin_location: text(128).nullable(),
  metadata,
};
export const createLevelBody = z
  .object({
    location_id: id('wh'),
    stocked_quantity: quantity().optional(),
    incoming_quantity: quantity().optional(),
    ...z.object(thresholds).partial().shape,
  })
  .strict();
export const updateLevelBody = z
  .object({
    stocked_quantity: quantity(),
    incoming_quantity: quantity(),
    ...thresholds,
    reason,
    note: text(1000).nullable(),
    reference: text(256).nullable(),
    expected_quantity: quantity(),
  })
  .partial()
  .strict();
export const adjustLevelBody = z
  .object({
    adjustment: signedQuantity(),
    reason: reason.optional(),
    note: text(1000).nullable().optional(),
    reference: text(256).nullable().optional(),
  })
  .strict();
export const levelsResponse = z.object({
  inventory_item: z.object({ id: z.string(), location_levels: z.array(levelSchema) }),
});
export const availabilityQuery = z.object({
  location_id: queryList,
  quantity: z
    .string()
    .regex(/^\d{1,10}$/, 'must be a non-negative integer')
    .transform(Number)
    .pipe(quantity())
    .optional(),
});
export const availabilityResponse = z.object({
  inventory_item_id: z.string(),
  location_ids: z.array(z.string()),
  stocked_quantity: z.number().int(),
  reserved_quantity: z.number().int(),
  incoming_quantity: z.number().int(),
  available_quantity: z.number().int(),
  quantity: z.number().int().nullable(),
  sufficient: z.boolean().nullable(),
});

// ---------- reservations ----------
export const createReservationBody = z
  .object({
    inventory_item_id: id('iitem'),
    location_id: id('wh'),
    quantity: quantity(1),
    line_item_id: text(256).nullable().optional(),
    description: text(1000).nullable().optional(),
    metadata: metadata.optional(),
    expires_at: isoDate.nullable().optional(),
  })
  .strict();
export const updateReservationBody = z
  .object({
    quantity: quantity(1),
    location_id: id('wh'),
    description: text(1000).nullable(),
    metadata,
    expires_at: isoDate.nullable(),
  })
  .partial()
  .strict();
export const listReservationsQuery = z.object({
  ...pagination,
  inventory_item_id: queryList,
  location_id: queryList,
  line_item_id: queryList,
});
export const reservationSchema = z.object({
  id: z.string(),
  inventory_item_id: z.string(),
  location_id: z.string(),
  quantity: z.number().int(),
  line_item_id: z.string().nullable(),
  description: z.string().nullable(),
  metadata: metadata,
  expires_at: z.string().nullable(),
  created_by: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
});
export const reservationResponse = z.object({ reservation: reservationSchema });
export const reservationListResponse = z.object({
  reservations: z.array(reservationSchema),
  count: z.number().int(),
  offset: z.number().int(),
  limit: z.number().int(),
});
export const fulfillResponse = z.object({
  reservation: reservationSchema,
  location_level: levelSchema,
});

// ---------- stock locations (warehouses) ----------
const address = z
  .object({
    address_1: text(256).nullable(),
    address_2: text(256).nullable(),
    company: text(256).nullable(),
    city: text(256).nullable(),
    country_code: text(2).nullable(),
    phone: text(64).nullable(),
    province: text(256).nullable(),
    postal_code: text(32).nullable(),
  })
  .partial()
  .strict();
const locationFields = {
  name: text(256).min(1),
  address: address.nullable(),
  type: z.enum(WAREHOUSE_TYPES),
  marketplace: text(64).nullable(),
  is_active: z.boolean(),
  is_readonly: z.boolean(),
  priority: z.number().int().min(0).max(1_000_000),
  metadata,
};
export const createLocationBody = z
  .object(locationFields)
  .partial()
  .required({ name: true })
  .strict();
export const updateLocationBody = z.object(locationFields).partial().strict();
export const listLocationsQuery = z.object({ ...pagination, q: text(256).optional() });
export const locationSchema = z.object({
  id: z.string(),
  name: z.string(),
  address: z.union([address, z.string()]).nullable(),
  type: z.enum(WAREHOUSE_TYPES),
  marketplace: z.string().nullable(),
  is_active: z.boolean(),
  is_readonly: z.boolean(),
  priority: z.number().int(),
  metadata,
  created_at: z.string(),
  updated_at: z.string(),
});
export const locationResponse = z.object({ stock_location: locationSchema });
export const locationListResponse = z.object({
  stock_locations: z.array(locationSchema),
  count: z.number().int(),
  offset: z.number().int(),
  limit: z.number().int(),
});

// ---------- variant ↔ inventory item links ----------
export const linkBody = z
  .object({ inventory_item_id: id('iitem'), required_quantity: quantity(1).optional() })
  .strict();
export const linkUpdateBody = z.object({ required_quantity: quantity(1) }).strict();
export const variantResponse = z.object({
  variant: z.object({
    id: z.string(),
    product_id: z.string(),
    inventory_quantity: z.number().int(),
    inventory_items: z.array(
      z.object({
        id: z.string(),
        variant_id: z.string(),
        inventory_item_id: z.string(),
        required_quantity: z.number().int(),
        inventory: itemSchema,
      }),
    ),
  }),
});

// ---------- shared ----------
export const empty = z.object({}).strict();
export const anyQuery = z.object({});
export const healthResponse = z.object({ status: z.literal('ok') });
export const docsAssetParams = z.object({
  file: z.string().max(64).regex(/^[\w.-]+$/, 'must be a file name').describe('a file of the docs page, e.g. swagger-ui-bundle.js'),
});

// ---------- inventory family ----------
const LEVEL_STATUSES = ['normal', 'low', 'critical', 'out_of_stock'] as const;
const cursorParam = z.string().max(2000).optional();
export const inventoryListQuery = z.object({
  limit: queryInt(50, 200),
  cursor: cursorParam,
  status: z.enum(LEVEL_STATUSES).optional(),
  warehouse_id: id('wh').optional(),
  sku: skuText().optional(),
});
export const skuParams = z.object({ sku: skuText() });
export const warehouseLine = z.object({
  warehouse_id: z.string(),
  name: z.string().nullable(),
  type: z.string().nullable(),
  on_hand: z.number().int(),
  reserved: z.number().int(),
  available: z.number().int(),
});
const skuSummaryFields = {
  sku: z.string(),
  title: z.string().nullable(),
  total_on_hand: z.number().int(),
  total_reserved: z.number().int(),
  total_available: z.number().int(),
  total_incoming: z.number().int(),
  safety_stock: z.number().int(),
  status: z.enum(LEVEL_STATUSES),
};
export const skuSummary = z.object({ ...skuSummaryFields, warehouses: z.array(warehouseLine) });
export const skuDetail = z.object({
  ...skuSummaryFields,
  warehouses: z.array(
    warehouseLine.extend({
      incoming: z.number().int(),
      safety_stock: z.number().int(),
      reorder_level: z.number().int(),
      reorder_quantity: z.number().int(),
      bin_location: z.string().nullable(),
      status: z.enum(LEVEL_STATUSES),
    }),
  ),
});
const listMeta = z.object({ total: z.number().int(), limit: z.number().int(), nextCursor: z.string().nullable() });
export const inventoryListResponse = z.object({ data: z.array(skuSummary), meta: listMeta });
export const skuDetailResponse = z.object({ data: skuDetail });
export const setStockBody = z
  .object({
    warehouse_id: id('wh'),
    quantity: quantity(),
    reason: reason.optional(),
    note: text(1000).nullable().optional(),
    reference: text(256).nullable().optional(),
    expected_quantity: quantity().optional(),
  })
  .strict();
export type SetStockInput = z.infer<typeof setStockBody>;
export const MAX_BULK_UPDATES = 500;
/** Rows are checked one by one (an invalid row is reported, the others applied). */
export const bulkBody = z.object({ updates: z.array(z.unknown()).min(1) }).strict();
export const bulkRow = setStockBody.extend({ sku: skuText() });
export const bulkResponse = z.object({
  data: z.object({
    applied: z.number().int(),
    unchanged: z.number().int(),
    failed: z.number().int(),
    results: z.array(
      z.object({
        index: z.number().int(),
        sku: z.string().nullable(),
        warehouse_id: z.string().nullable(),
        status: z.enum(['applied', 'unchanged', 'failed']),
        error: z.object({ code: z.string(), message: z.string() }).optional(),
      }),
    ),
  }),
});
export const adjustmentsQuery = z.object({
  limit: queryInt(50, 200),
  cursor: cursorParam,
  start_date: isoDate.optional(),
  end_date: isoDate.optional(),
  warehouse_id: id('wh').optional(),
  reason: reason.optional(),
});
export const adjustmentSchema = z.object({
  id: z.string(),
  sku: z.string().nullable(),
  inventory_item_id: z.string(),
  warehouse_id: z.string(),
  field: z.enum(['stocked_quantity', 'incoming_quantity']),
  before_quantity: z.number().int(),
  after_quantity: z.number().int(),
  delta: z.number().int(),
  reason: reason,
  note: z.string().nullable(),
  reference: z.string().nullable(),
  created_by: z.string(),
  created_at: z.string(),
});
export const adjustmentsResponse = z.object({ data: z.array(adjustmentSchema), meta: listMeta });
export const transferBody = z
  .object({
    from_warehouse_id: id('wh'),
    to_warehouse_id: id('wh'),
    quantity: quantity(1),
    note: text(1000).nullable().optional(),
    reference: text(256).nullable().optional(),
  })
  .strict()
  .refine((b) => b.from_warehouse_id !== b.to_warehouse_id, { message: 'must differ from from_warehouse_id', path: ['to_warehouse_id'] });
export const transferResponse = z.object({
  data: z.object({
    id: z.string(),
    sku: z.string(),
    from_warehouse_id: z.string(),
    to_warehouse_id: z.string(),
    quantity: z.number().int(),
    note: z.string().nullable(),
    created_by: z.string(),
    created_at: z.string(),
    inventory: skuDetail,
  }),
});

// ---------- warehouses (inventory family) ----------
export const warehouseCreateBody = z
  .object({ id: id('wh').optional(), ...locationFields, address: z.union([address, text(1000)]).nullable() })
  .partial()
  .required({ name: true })
  .strict();
export const warehouseUpdateBody = z.object({ ...locationFields, address: z.union([address, text(1000)]).nullable() }).partial().strict();
const warehouseSchema = locationSchema;
export const warehouseResponse = z.object({ data: warehouseSchema });
export const warehouseListResponse = z.object({ data: z.array(warehouseSchema) });
export const warehouseParams = z.object({ id: id('wh') });

// ---------- records family ----------
export const recordBody = z
  .object({
    productId: text(256).min(1),
    skuId: skuText().nullable().optional(),
    warehouseId: id('wh'),
    initialQty: quantity(),
    location: text(128).nullable().optional(),
    reorderLevel: quantity().optional(),
    reorderQty: quantity().optional(),
    variantAttributes: metadata.optional(),
  })
  .strict();
export const recordParams = z.object({ id: id('ilev') });
const recordSchema = z.object({
  id: z.string(),
  productId: z.string().nullable(),
  skuId: z.string().nullable(),
  tenantId: z.string(),
  warehouseId: z.string(),
  warehouseName: z.string().nullable(),
  location: z.string().nullable(),
  onHandQty: z.number().int(),
  reservedQty: z.number().int(),
  availableQty: z.number().int(),
  reorderLevel: z.number().int(),
  reorderQty: z.number().int(),
  variantAttributes: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const recordResponse = z.object({ status: z.literal(true), data: recordSchema });
export const recordListResponse = z.object({ status: z.literal(true), data: z.array(recordSchema) });

// ---------- API keys ----------
export const keyCreateBody = z
  .object({
    name: text(128).min(1),
    scopes: z.array(z.enum(SCOPES)).min(1).max(SCOPES.length * 2),
    warehouse_ids: z.array(id('wh')).max(100).nullable().optional(),
  })
  .strict();
export const keyParams = z.object({ id: id('key') });
const keySchema = z.object({
  id: z.string(),
  prefix: z.string(),
  name: z.string(),
  scopes: z.array(z.enum(SCOPES)),
  warehouse_ids: z.array(z.string()).nullable(),
  created_at: z.string(),
  last_used_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
});
export const keyCreatedResponse = z.object({ data: keySchema.extend({ key: z.string().describe('the secret: shown this once') }) });
export const keyResponse = z.object({ data: keySchema });
export const keyListResponse = z.object({ data: z.array(keySchema) });

// ---------- low-stock reports ----------
export const reportQuery = z.object({ format: z.enum(['json', 'csv']).optional().transform((f) => f ?? 'json') });
export const reportParams = z.object({ id: z.string().min(1).max(64).regex(/^rep_[A-Za-z0-9_]+$/, 'is not a report id') });
const reportRow = z.object({
  sku: z.string().nullable(),
  title: z.string().nullable(),
  warehouse: z.string(),
  bin: z.string().nullable(),
  stocked: z.number().int(),
  reserved: z.number().int(),
  incoming: z.number().int(),
  available: z.number().int(),
  safety_stock: z.number().int(),
  reorder_level: z.number().int(),
  suggested_reorder_quantity: z.number().int(),
  status: z.enum(LEVEL_STATUSES),
});
export const reportResponse = z.object({ data: z.object({ id: z.string(), created_at: z.string(), data: z.array(reportRow) }) });

// ---------- CSV uploads ----------
export const uploadCreateBody = z
  .object({ mode: z.enum(['set', 'adjust']).optional().describe('set (absolute, default) or adjust (deltas)') })
  .strict();
export const uploadParams = z.object({ id: z.string().min(1).max(64).regex(/^upl_[0-9A-Za-z]+$/, 'is not an upload id') });
export const uploadQuery = z.object({ format: z.enum(['json', 'csv']).optional().transform((f) => f ?? 'json') });
export const uploadCreatedResponse = z.object({
  data: z.object({
    id: z.string(),
    mode: z.enum(['set', 'adjust']),
    status: z.literal('awaiting_upload'),
    upload_url: z.string(),
    upload_method: z.literal('PUT'),
    expires_at: z.string(),
  }),
});
const uploadRowError = z.object({ line: z.number().int(), code: z.string(), message: z.string(), sku: z.string().nullable(), warehouse_id: z.string().nullable() });
export const uploadResponse = z.object({
  data: z.object({
    id: z.string(),
    status: z.enum(['awaiting_upload', 'processing', 'completed', 'failed']),
    mode: z.enum(['set', 'adjust']),
    rows_total: z.number().int().nullable(),
    rows_done: z.number().int(),
    rows_applied: z.number().int(),
    rows_unchanged: z.number().int(),
    rows_failed: z.number().int(),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    errors: z.array(uploadRowError).describe('the first 20 failed rows; all of them with ?format=csv'),
    errors_url: z.string(),
    created_at: z.string(),
    updated_at: z.string(),
    completed_at: z.string().nullable(),
  }),
});
