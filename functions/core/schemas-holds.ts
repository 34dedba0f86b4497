/**
 * Schemas of holds, availability explain and reconcile (issue 13), kept beside schemas.ts so the
 * route table can point at them. Same building blocks, same rules.
 */
import * as z from 'zod';
import { STRATEGIES } from './allocation.ts';
import { id, quantity, queryList, skuText } from './schemas.ts';

/** Most lines a hold may have; the transaction limit may refuse fewer (422 HOLD_TOO_LARGE). */
export const MAX_HOLD_LINES = 99;
/** Longest a hold lives before it expires (and is released by the sweeper). */
export const MAX_HOLD_SECONDS = 30 * 24 * 3600;
export const DEFAULT_HOLD_SECONDS = 900;

const variantRef = z.object({ product_id: id('prod'), variant_id: id('variant') }).strict();
const holdLineBody = z
  .object({
    sku: skuText().optional(),
    variant: variantRef.optional(),
    quantity: quantity(1),
    warehouse_id: id('wh').optional(),
  })
  .strict()
  .refine((l) => (l.sku === undefined) !== (l.variant === undefined), { message: 'give exactly one of sku or variant', path: ['sku'] });
const seconds = z.number().int().min(1).max(MAX_HOLD_SECONDS);

export const holdCreateBody = z
  .object({
    reference: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[^\u0000-\u001f\u007f]+$/, 'may not contain control characters'),
    lines: z.array(holdLineBody).min(1).max(MAX_HOLD_LINES),
    strategy: z.enum(STRATEGIES).optional(),
    allow_split: z.boolean().optional(),
    warehouse_ids: z.array(id('wh')).min(1).max(100).optional(),
    expires_in_seconds: seconds.optional(),
  })
  .strict();
export type HoldCreateInput = z.infer<typeof holdCreateBody>;

export const holdParams = z.object({ id: id('hold') });
export const holdListQuery = z.object({ reference: z.string().min(1).max(200) });
export const holdExtendBody = z.object({ expires_in_seconds: seconds }).strict();
export const holdFulfillBody = z
  .object({ lines: z.array(z.object({ index: z.number().int().min(0).max(MAX_HOLD_LINES), quantity: quantity(1) }).strict()).min(1).max(MAX_HOLD_LINES).optional() })
  .strict();

const allocation = z.object({
  warehouse_id: z.string(),
  inventory_item_id: z.string(),
  quantity: z.number().int(),
  fulfilled_quantity: z.number().int(),
  reservation_id: z.string(),
});
const holdLine = z.object({
  index: z.number().int(),
  sku: z.string().optional(),
  variant: z.object({ product_id: z.string(), variant_id: z.string() }).optional(),
  quantity: z.number().int(),
  fulfilled_quantity: z.number().int(),
  warehouse_id: z.string().nullable(),
  components: z.array(z.object({ inventory_item_id: z.string(), sku: z.string().nullable(), required_quantity: z.number().int() })),
  allocations: z.array(allocation),
});
export const holdSchema = z.object({
  id: z.string(),
  reference: z.string(),
  status: z.enum(['active', 'expired', 'fulfilled', 'released']),
  strategy: z.enum(STRATEGIES),
  allow_split: z.boolean(),
  expires_at: z.string(),
  lines: z.array(holdLine),
  created_by: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
});
export const holdResponse = z.object({ data: holdSchema });
export const holdListResponse = z.object({ data: z.array(holdSchema) });

// ---------- availability that explains itself ----------
export const explainQuery = z.object({
  quantity: z
    .string()
    .regex(/^\d{1,10}$/, 'must be a positive integer')
    .transform(Number)
    .pipe(quantity(1))
    .optional()
    .transform((v) => v ?? 1),
  warehouse_ids: queryList,
});
export const variantAvailabilityParams = z.object({ product_id: id('prod'), variant_id: id('variant') });
const warehouseExplain = z.object({
  warehouse_id: z.string(),
  name: z.string().nullable(),
  priority: z.number().int(),
  stocked: z.number().int(),
  reserved: z.number().int(),
  safety_stock: z.number().int(),
  available: z.number().int(),
  is_active: z.boolean(),
  is_readonly: z.boolean(),
  eligible: z.boolean(),
  allocatable: z.number().int().nullable().describe('null: unbounded backorders'),
  why: z.string(),
});
const itemExplain = z.object({
  inventory_item_id: z.string(),
  sku: z.string().nullable(),
  required_quantity: z.number().int(),
  needed: z.number().int(),
  allow_backorder: z.boolean(),
  backorder_limit: z.number().int().nullable(),
  allocatable: z.number().int().nullable(),
  /** Units of the sku / variant this item allows (allocatable ÷ required_quantity). */
  units: z.number().int().nullable(),
  limiting: z.boolean(),
  warehouses: z.array(warehouseExplain),
});
export const explainResponse = z.object({
  data: z.object({
    sku: z.string().optional(),
    variant: z.object({ product_id: z.string(), variant_id: z.string() }).optional(),
    quantity: z.number().int(),
    can_hold: z.boolean(),
    allocatable: z.number().int().nullable(),
    reason: z.string(),
    components: z.array(itemExplain),
  }),
});

// ---------- reconcile ----------
export const reconcileBody = z.object({ sku: skuText().optional(), repair: z.boolean().optional() }).strict();
const drift = z.object({
  inventory_item_id: z.string(),
  sku: z.string().nullable(),
  warehouse_id: z.string(),
  kind: z.enum(['reserved', 'available', 'ledger']),
  recorded: z.number().int(),
  expected: z.number().int(),
  repaired: z.boolean(),
  note: z.string().optional(),
});
export const reconcileResponse = z.object({
  data: z.object({
    levels_checked: z.number().int(),
    reservations_counted: z.number().int(),
    repair: z.boolean(),
    drifts: z.array(drift),
  }),
});
