/**
 * Schemas of holds, availability explain and reconcile (issue 13), kept beside schemas.ts so the
 * route table can point at them. Same building blocks, same rules.
 */
import * as z from 'zod/mini';
import { STRATEGIES } from './allocation.ts';
import { describe, digits, id, int, integer, quantity, queryList, skuText } from './schemas.ts';
import { dayOrInstant } from './schemas-inbound.ts';

/** `pure(() => value)`: a declaration a bundle may drop when it goes unused (see functions/core/schemas.ts). */
/* @__NO_SIDE_EFFECTS__ */
function pure<T>(build: () => T): T {
  return build();
}

/**
 * Most lines a hold may have: each line takes at least one reservation, and the hold row, one level
 * and one item check come on top (store/holds.ts holdActions), all in one transaction of at most
 * 99 writes (store/holds.ts MAX_HOLD_ACTIONS; a unit test keeps the two in step). One limit, one answer: a hold over it — or one whose lines need more actions
 * (several warehouses, several items, kits) — is 422 HOLD_TOO_LARGE naming `lines` (core/holds.ts),
 * never a schema error. The body's 256 KB bounds the array itself.
 */
export const MAX_HOLD_LINES = 96;
/** Longest a hold lives before it expires (and is released by the sweeper). */
export const MAX_HOLD_SECONDS = 30 * 24 * 3600;
export const DEFAULT_HOLD_SECONDS = 900;
/** Furthest ahead a future hold's due_at may be. */
export const MAX_DUE_DAYS = 366;

const variantRef = pure(() => z.strictObject({ product_id: id('prod'), variant_id: id('variant') }));
const holdLineBody = pure(() =>
  z
    .strictObject({
      sku: z.optional(skuText()),
      variant: z.optional(variantRef),
      quantity: quantity(1),
      warehouse_id: z.optional(id('wh')),
    })
    .check(z.refine((l) => (l.sku === undefined) !== (l.variant === undefined), { message: 'give exactly one of sku or variant', path: ['sku'] })),
);
const seconds = pure(() => integer(1, MAX_HOLD_SECONDS));

export const holdCreateBody = pure(() =>
  z.strictObject({
    reference: describe(
      z.string().check(z.minLength(1), z.maxLength(200), z.regex(/^[^\u0000-\u001f\u007f]+$/, 'may not contain control characters')),
      "Your order's reference (e.g. its number): GET /api/holds?reference= finds the order's holds; each reservation's line_item_id is `<reference>:<line index>`",
      ['order-1001'],
    ),
    lines: describe(
      z.array(holdLineBody).check(z.minLength(1)),
      `At most ${MAX_HOLD_LINES} lines, fewer when lines take several warehouses or kits several items (one transaction): beyond, 422 HOLD_TOO_LARGE. Each line's units (quantity × required_quantity of each kit item), and the hold's units of one item over all lines, at most 1,000,000,000: beyond, 422 INVALID_QUANTITY naming the line (\`lines.<i>.quantity\`).`,
    ),
    strategy: z.optional(z.enum(STRATEGIES)),
    allow_split: z.optional(z.boolean()),
    warehouse_ids: z.optional(z.array(id('wh')).check(z.minLength(1), z.maxLength(100))),
    expires_in_seconds: z.optional(seconds),
    allow_future: z.optional(
      describe(
        z.boolean(),
        'Promise future stock: what is not on hand may come from open inbound lines at the eligible warehouses expected by due_at (never more than they still bring less what other holds were promised). Needs due_at.',
      ),
    ),
    due_at: z.optional(
      describe(
        dayOrInstant,
        `With allow_future: the date the order must be ready by (a day counts whole; at most ${MAX_DUE_DAYS} days ahead). The hold expires expires_in_seconds after it.`,
        ['2026-12-24'],
      ),
    ),
  }),
);
export type HoldCreateInput = z.infer<typeof holdCreateBody>;

export const holdParams = pure(() => z.object({ id: id('hold') }));
export const holdListQuery = pure(() =>
  z.object({
    reference: describe(z.string().check(z.minLength(1), z.maxLength(200)), 'The order reference the holds were made with', ['order-1001']),
  }),
);
export const holdExtendBody = pure(() => z.strictObject({ expires_in_seconds: seconds }));
export const holdFulfillBody = pure(() =>
  z.strictObject({
    lines: z.optional(z.array(z.strictObject({ index: integer(0, MAX_HOLD_LINES), quantity: quantity(1) })).check(z.minLength(1), z.maxLength(MAX_HOLD_LINES))),
  }),
);

const allocation = pure(() =>
  z.object({
    warehouse_id: z.string(),
    inventory_item_id: z.string(),
    quantity: int(),
    fulfilled_quantity: int(),
    reservation_id: z.string(),
  }),
);
const promise = pure(() =>
  z.object({
    inbound_id: z.string(),
    line: int(),
    reference: z.string(),
    warehouse_id: z.string(),
    inventory_item_id: z.string(),
    quantity: int(),
    expected_at: z.string(),
  }),
);
const holdLine = pure(() =>
  z.object({
    index: int(),
    sku: z.optional(z.string()),
    variant: z.optional(z.object({ product_id: z.string(), variant_id: z.string() })),
    quantity: int(),
    fulfilled_quantity: int(),
    warehouse_id: z.nullable(z.string()),
    components: z.array(z.object({ inventory_item_id: z.string(), sku: z.nullable(z.string()), required_quantity: int() })),
    allocations: z.array(allocation),
    promises: z.optional(
      describe(
        z.array(promise),
        'allow_future: units promised from inbound lines, not on hand yet; receiving the line turns them into an allocation (and its reservation)',
      ),
    ),
  }),
);
export const holdSchema = pure(() =>
  z.object({
    id: z.string(),
    reference: z.string(),
    status: z.enum(['active', 'expired', 'fulfilled', 'released']),
    strategy: z.enum(STRATEGIES),
    allow_split: z.boolean(),
    expires_at: z.string(),
    allow_future: z.optional(z.boolean()),
    due_at: z.optional(z.nullable(z.string())),
    release_reason: z.optional(
      describe(
        z.nullable(z.string()),
        'why the service released the hold (its inbound was cancelled, moved past due_at or is late, and nothing else came in time)',
      ),
    ),
    lines: z.array(holdLine),
    created_by: z.string(),
    created_at: z.string(),
    updated_at: z.string(),
  }),
);
export const holdResponse = pure(() => z.object({ data: holdSchema }));
export const holdListResponse = pure(() => z.object({ data: z.array(holdSchema) }));

// ---------- availability that explains itself ----------
export const explainQuery = pure(() =>
  z.object({
    quantity: z.pipe(
      z.optional(digits('must be a positive integer', quantity(1))),
      z.transform((v: number | undefined) => v ?? 1),
    ),
    warehouse_ids: queryList,
    date: z.optional(
      describe(
        dayOrInstant,
        'available-to-promise by this date: on hand now + open inbound lines expected by then (a day counts whole) − reserved − safety stock',
      ),
    ),
  }),
);
export const variantAvailabilityParams = pure(() => z.object({ product_id: id('prod'), variant_id: id('variant') }));
const warehouseExplain = pure(() =>
  z.object({
    warehouse_id: z.string(),
    name: z.nullable(z.string()),
    priority: int(),
    stocked: int(),
    reserved: int(),
    safety_stock: int(),
    available: int(),
    is_active: z.boolean(),
    is_readonly: z.boolean(),
    eligible: z.boolean(),
    allocatable: describe(z.nullable(int()), 'null: unbounded backorders; with date: available-to-promise by then'),
    incoming_by_date: z.optional(describe(int(), 'with date: what open inbound lines still bring by then, less what future holds were promised of them')),
    inbound: z.optional(
      describe(
        z.array(
          z.object({
            inbound_id: z.string(),
            line: int(),
            type: z.string(),
            reference: z.string(),
            expected_at: z.string(),
            remaining_quantity: int(),
            promised_quantity: describe(int(), 'promised to future holds (allow_future)'),
            free_quantity: describe(int(), 'what counts: remaining − promised'),
            late: z.boolean(),
          }),
        ),
        'with date: the inbound lines that count by then',
      ),
    ),
    why: z.string(),
  }),
);
const itemExplain = pure(() =>
  z.object({
    inventory_item_id: z.string(),
    sku: z.nullable(z.string()),
    required_quantity: int(),
    needed: int(),
    allow_backorder: z.boolean(),
    backorder_limit: z.nullable(int()),
    allocatable: z.nullable(int()),
    /** Units of the sku / variant this item allows (allocatable ÷ required_quantity). */
    units: z.nullable(int()),
    limiting: z.boolean(),
    warehouses: z.array(warehouseExplain),
  }),
);
export const explainResponse = pure(() =>
  z.object({
    data: z.object({
      sku: z.optional(z.string()),
      variant: z.optional(z.object({ product_id: z.string(), variant_id: z.string() })),
      quantity: int(),
      date: z.optional(describe(z.string(), 'the instant available-to-promise is answered for (a day: its end)')),
      can_hold: describe(z.boolean(), 'now, or with date: by then'),
      allocatable: z.nullable(int()),
      reason: z.string(),
      components: z.array(itemExplain),
    }),
  }),
);

// ---------- reconcile ----------
export const reconcileBody = pure(() => z.strictObject({ sku: z.optional(skuText()), repair: z.optional(z.boolean()) }));
const drift = pure(() =>
  z.object({
    inventory_item_id: z.string(),
    sku: z.nullable(z.string()),
    warehouse_id: z.string(),
    kind: z.enum(['reserved', 'available', 'ledger']),
    recorded: int(),
    expected: int(),
    repaired: z.boolean(),
    note: z.optional(z.string()),
  }),
);
export const reconcileResponse = pure(() =>
  z.object({
    data: z.object({
      levels_checked: int(),
      reservations_counted: int(),
      repair: z.boolean(),
      drifts: z.array(drift),
    }),
  }),
);
