/**
 * Schemas of named-state moves and transfers as shipments (issue 25), beside schemas.ts so the
 * route table can point at them. Same building blocks, same rules.
 */
import * as z from 'zod/mini';
import { ADJUSTMENT_REASONS, STOCK_STATES } from './model.ts';
import { cursorParam, describe, id, int, quantity, queryInt, skuDetail, skuText } from './schemas.ts';

/** `pure(() => value)`: a declaration a bundle may drop when it goes unused (see functions/core/schemas.ts). */
/* @__NO_SIDE_EFFECTS__ */
function pure<T>(build: () => T): T {
  return build();
}

const text = (max: number) => z.string().check(z.maxLength(max));
const moveState = pure(() =>
  describe(z.enum(['available', ...STOCK_STATES]), 'available, or a named state (on hand, not available): damaged, quality_control'),
);

// ---------- moves ----------
export const moveBody = pure(() =>
  z
    .strictObject({
      warehouse_id: id('wh'),
      from: moveState,
      to: moveState,
      quantity: quantity(1),
      reason: z.optional(describe(z.enum(ADJUSTMENT_REASONS), "The ledger rows' reason (default: damage into damaged, correction otherwise)")),
      note: z.optional(z.nullable(text(1000))),
      reference: z.optional(z.nullable(text(256))),
    })
    .check(z.refine((b) => b.from !== b.to, { message: 'must differ from from', path: ['to'] })),
);
export const moveResponse = pure(() =>
  z.object({
    data: z.object({
      sku: z.string(),
      warehouse_id: z.string(),
      from: z.string(),
      to: z.string(),
      quantity: int(),
      reason: z.string(),
      note: z.nullable(z.string()),
      reference: z.nullable(z.string()),
      created_by: z.string(),
      created_at: z.string(),
      inventory: skuDetail,
    }),
  }),
);

// ---------- transfers ----------
export const TRANSFER_STATUS_VALUES = ['draft', 'in_transit', 'partially_received', 'received', 'cancelled', 'closed'] as const;
/** At most this many lines (each SKU once); fewer fit one transaction: 24 (4 actions a line at ship and cancel), past it 422 TRANSFER_TOO_LARGE. */
export const MAX_TRANSFER_LINES = 100;

export const transferParams = pure(() => z.object({ id: id('trf') }));
export const transferCreateBody = pure(() =>
  z
    .strictObject({
      from_warehouse_id: id('wh'),
      to_warehouse_id: id('wh'),
      lines: describe(
        z.array(z.strictObject({ sku: skuText(), quantity: quantity(1) })).check(z.minLength(1), z.maxLength(MAX_TRANSFER_LINES)),
        'One line per SKU. A transfer ships, and is cancelled, in one transaction: at most 24 lines (4 actions each), beyond that 422 TRANSFER_TOO_LARGE naming `lines`.',
      ),
      reference: z.optional(z.nullable(text(256))),
      note: z.optional(z.nullable(text(1000))),
    })
    .check(z.refine((b) => b.from_warehouse_id !== b.to_warehouse_id, { message: 'must differ from from_warehouse_id', path: ['to_warehouse_id'] })),
);
export const receiveTransferBody = pure(() =>
  z.strictObject({
    lines: z
      .array(
        z.strictObject({
          sku: skuText(),
          accepted: describe(quantity(0), 'Units that become on hand (available) at the destination'),
          rejected: z.optional(describe(quantity(0), 'Units refused at the destination (default 0)')),
          rejected_to: z.optional(
            describe(z.enum([...STOCK_STATES, 'source']), 'Where rejected units go: a named state at the destination (default damaged), or back to the source'),
          ),
        }),
      )
      .check(z.minLength(1), z.maxLength(MAX_TRANSFER_LINES)),
  }),
);
export const transfersQuery = pure(() =>
  z.object({
    limit: queryInt(50, 200),
    cursor: cursorParam,
    status: z.optional(z.enum(TRANSFER_STATUS_VALUES)),
    warehouse_id: z.optional(describe(id('wh'), 'Transfers from or to this warehouse')),
    sku: z.optional(describe(skuText(), 'Transfers with a line of this SKU')),
  }),
);
const transferLine = pure(() =>
  z.object({ sku: z.string(), inventory_item_id: z.string(), quantity: int(), shipped: int(), received: int(), rejected: int() }),
);
const transferStep = pure(() =>
  z.object({
    step: z.enum(['created', 'shipped', 'received', 'cancelled', 'closed']),
    at: z.string(),
    by: describe(z.string(), 'The name of the API key that did it'),
    lines: z.optional(
      z.array(
        z.object({
          sku: z.string(),
          accepted: z.optional(int()),
          rejected: z.optional(int()),
          rejected_to: z.optional(z.string()),
          returned: z.optional(int()),
        }),
      ),
    ),
  }),
);
export const transferSchema = pure(() =>
  z.object({
    id: z.string(),
    status: z.enum(TRANSFER_STATUS_VALUES),
    from_warehouse_id: z.string(),
    to_warehouse_id: z.string(),
    reference: z.nullable(z.string()),
    note: z.nullable(z.string()),
    lines: z.array(transferLine),
    steps: z.array(transferStep),
    created_by: z.string(),
    created_at: z.string(),
    shipped_at: z.nullable(z.string()),
    received_at: z.nullable(z.string()),
    cancelled_at: z.nullable(z.string()),
    closed_at: z.nullable(z.string()),
    updated_at: z.string(),
  }),
);
export const transferResponse = pure(() => z.object({ data: transferSchema }));
export const transfersListResponse = pure(() =>
  z.object({ data: z.array(transferSchema), meta: z.object({ limit: int(), nextCursor: z.nullable(z.string()) }) }),
);
