/**
 * Schemas of inbound supply (issue 25 item 3): records of stock on its way, their lines, receipts
 * and cancels; kept beside schemas.ts so the route table can point at them. Same building blocks.
 */
import * as z from 'zod/mini';
import { cursorParam, describe, id, int, quantity, queryInt, skuText } from './schemas.ts';

/* @__NO_SIDE_EFFECTS__ */
function pure<T>(build: () => T): T {
  return build();
}

/**
 * Most lines an inbound record may have: its one transaction holds the header, a row and a ledger
 * row per line and an update per level (≤ 1 + 3 × 30 = 91 of DynamoDB's 100 actions, one kept for
 * an Idempotency-Key's claim).
 */
export const MAX_INBOUND_LINES = 30;
export const INBOUND_TYPES = ['purchase_order', 'transfer', 'production_run'] as const;
export type InboundType = (typeof INBOUND_TYPES)[number];

/** A day (`2026-12-20`: expected that day / by the end of it) or an instant with its offset. */
export const dayOrInstant = pure(() =>
  describe(z.union([z.iso.date(), z.iso.datetime({ offset: true })]), 'a date (YYYY-MM-DD) or an ISO-8601 date-time with offset', ['2026-12-20']),
);
const note = pure(() => z.optional(z.nullable(z.string().check(z.maxLength(1000)))));

const inboundLineBody = pure(() => z.strictObject({ sku: skuText(), quantity: quantity(1), expected_at: dayOrInstant }));
export const inboundCreateBody = pure(() =>
  z.strictObject({
    type: describe(z.enum(INBOUND_TYPES), 'purchase_order, transfer or production_run'),
    reference: describe(z.string().check(z.minLength(1), z.maxLength(128)), 'the document it comes from (a PO number, …)'),
    warehouse_id: id('wh'),
    note,
    lines: z.array(inboundLineBody).check(z.minLength(1), z.maxLength(MAX_INBOUND_LINES)),
  }),
);
export const inboundParams = pure(() => z.object({ id: id('inb') }));
export const inboundLineParams = pure(() =>
  z.object({
    id: id('inb'),
    line: z.pipe(z.pipe(z.string().check(z.regex(/^[1-9]\d{0,2}$/, 'must be a line number (1, 2, …)')), z.transform(Number)), int()),
  }),
);
export const inboundReceiveBody = pure(() => z.strictObject({ quantity: quantity(1), note }));
export const inboundCancelBody = pure(() => z.strictObject({ note }));
export const inboundExpectedBody = pure(() =>
  z.strictObject({
    expected_at: describe(
      dayOrInstant,
      'the new expected date (not in the past); future holds it no longer reaches by their due date are re-planned or released',
      ['2026-12-28'],
    ),
    note: z.optional(
      describe(z.nullable(z.string().check(z.maxLength(1000))), 'why (the supplier moved it, …): carried by the events of the holds it re-plans'),
    ),
  }),
);
export const inboundListQuery = pure(() =>
  z.object({
    limit: queryInt(50, 200),
    cursor: cursorParam,
    status: z.optional(describe(z.enum(['open', 'closed']), 'open: some line still open')),
    warehouse_id: z.optional(describe(id('wh'), 'Records to this warehouse')),
    sku: z.optional(describe(skuText(), 'Records with a line of this SKU')),
  }),
);

const inboundLineSchema = pure(() =>
  z.object({
    line: int(),
    sku: z.string(),
    inventory_item_id: z.string(),
    quantity: int(),
    received_quantity: int(),
    cancelled_quantity: int(),
    remaining_quantity: describe(int(), 'still expected: quantity − received while open, else 0'),
    promised_quantity: describe(int(), 'of it, promised to future holds (allow_future); a receipt turns it into their reservations'),
    expected_at: z.string(),
    status: z.enum(['open', 'received', 'cancelled']),
    updated_at: z.string(),
  }),
);
export const inboundSchema = pure(() =>
  z.object({
    id: z.string(),
    type: z.enum(INBOUND_TYPES),
    reference: z.string(),
    warehouse_id: z.string(),
    note: z.nullable(z.string()),
    status: describe(z.enum(['open', 'closed']), 'open while any line is open'),
    created_by: z.string(),
    created_at: z.string(),
    lines: z.array(inboundLineSchema),
  }),
);
export const inboundResponse = pure(() => z.object({ data: inboundSchema }));
export const inboundListResponse = pure(() => z.object({ data: z.array(inboundSchema), meta: z.object({ limit: int(), nextCursor: z.nullable(z.string()) }) }));
