/**
 * Request and response schemas of every route (zod 4's `zod/mini`: functions instead of methods, so
 * a bundle carries only the checks it uses). The route table points at them; handlers get their
 * parsed input from them; the OpenAPI document is generated from them.
 * Import as `* as z` from 'zod/mini' (the classic `zod` API would put ~95 KB into every bundle).
 */
import * as z from 'zod/mini';
import { message } from './messages.ts';
import { ADJUSTMENT_REASONS, MAX_QUANTITY, SCOPES, WAREHOUSE_TYPES } from './model.ts';

/** Hot mode (store/levels.ts, docs/design.md "Hot mode"): at most this many stock shards per level. */
export const MAX_HOT_SHARDS = 32;
/** Hot mode's designs (store/levels.ts): the escrow map, or the transactional shards. */
export const HOT_DESIGNS = ['escrow', 'shards'] as const;

/**
 * `pure(() => value)`: a module-level value that bundlers may drop when nothing uses it.
 *
 * Every function's bundle imports the route table and the schemas, but uses one route's schemas.
 * esbuild drops an unused declaration only if it can tell that building it has no side effects,
 * and it cannot tell that of a zod call chain (`z.string().check(…)`) or an object spread. A call
 * of a function marked `@__NO_SIDE_EFFECTS__` with a function argument it can tell: so the route
 * table and the schema modules declare each value through `pure`, and each bundle keeps only what
 * its route reaches (test/infra/bundles.test.ts proves it on the health route's bundle). esbuild
 * honours the mark only inside the module that declares the function, so each of those modules has
 * its own three-line copy.
 */
/* @__NO_SIDE_EFFECTS__ */
function pure<T>(build: () => T): T {
  return build();
}

// zod/mini carries no messages of its own: zod's English ones, as the API has always answered (messages.ts)
z.config({ localeError: message });

/** `.describe()` of classic zod: a copy of the schema, described in the global registry. */
export function describe<T extends z.ZodMiniType>(schema: T, description: string, examples?: unknown[]): T {
  const copy = schema.clone();
  z.globalRegistry.add(copy, { description, ...(examples ? { examples } : {}) });
  return copy;
}
/** An integer (classic zod's `z.number().int()`). */
export const int = () => z.number().check(z.int());
/** An integer in [min, max] (classic zod's `z.number().int().min(min).max(max)`). */
export const integer = (min: number, max: number) => z.number().check(z.int(), z.gte(min), z.lte(max));

// ---------- building blocks ----------
/** A quantity: an integer in [min, 1e9]. Failures render as INVALID_QUANTITY / NEGATIVE_QUANTITY. */
export const quantity = (min = 0) => integer(min, MAX_QUANTITY);
/** A signed change: a non-zero integer in [−1e9, 1e9]. */
export const signedQuantity = () => integer(-MAX_QUANTITY, MAX_QUANTITY).check(z.refine((n) => n !== 0, { message: 'must not be 0' }));

const text = (max = 1000) => z.string().check(z.maxLength(max));
/** Text of 1 to `max` characters. */
const nonEmptyText = (max: number) => z.string().check(z.maxLength(max), z.minLength(1));
/** A sku: printable text (no control characters: the SKU index orders on it). */
export const skuText = () => z.string().check(z.minLength(1), z.maxLength(256), z.regex(/^[^\u0000-\u001f\u007f]+$/, 'may not contain control characters'));
/** An id as the service makes them (`<prefix>_<ulid>`) or a client gives them. */
export const id = (prefix: string) =>
  describe(
    z.string().check(z.minLength(1), z.maxLength(128), z.regex(/^[A-Za-z0-9_.:-]+$/, 'may only contain letters, digits, _ . : -')),
    `an id such as ${prefix}_01J…`,
  );
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
const metadata = pure(() =>
  z.nullable(
    z.record(z.string(), z.unknown()).check(
      z.superRefine((v, ctx) => {
        const problem = metadataProblem(v);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
        else if (Buffer.byteLength(JSON.stringify(v)) > MAX_METADATA_BYTES) {
          ctx.addIssue({ code: 'custom', message: `is larger than ${MAX_METADATA_BYTES} bytes` });
        }
      }),
    ),
  ),
);
const isoDate = pure(() => z.iso.datetime({ offset: true }));
const dimension = pure(() => z.nullable(z.number().check(z.gte(0), z.lte(MAX_QUANTITY))));

/** A query-string integer: plain digits (else `message`), then checked as a number by `target`. */
export const digits = (message: string, target: z.ZodMiniNumber<number>) =>
  z.pipe(z.pipe(z.string().check(z.regex(/^\d{1,10}$/, message)), z.transform(Number)), target);
/** Query-string integers arrive as strings; accept only plain digits. */
export const queryInt = (def: number, max: number) =>
  z.pipe(
    z.optional(digits('must be a non-negative integer', integer(0, max))),
    z.transform((v: number | undefined) => v ?? def),
  );
/** Repeatable query parameter (`a=1&a=2` arrives comma-joined from API Gateway) or a comma list. */
export const queryList = pure(() =>
  z.optional(
    z.pipe(
      text(4000),
      z.transform((s: string) =>
        s
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean),
      ),
    ),
  ),
);

export const pagination = pure(() => ({ limit: queryInt(15, 1000), offset: queryInt(0, 1_000_000) }));
/** Medusa's `fields` (functions/core/fields.ts): a comma list; `+f` adds, `-f` removes, `*relation` adds a relation, plain entries replace the defaults. */
export const fieldsParam = pure(() =>
  z.optional(
    describe(
      text(2000),
      "Medusa's fields: a comma list of fields and relations (`*relation` or `relation.*`, `relation.field`). Entries without a prefix replace the default fields (id always stays); `+entry` adds to them, `-entry` takes one away.",
      ['+inventory_item.*'],
    ),
  ),
);
/** Medusa's `order`: a field, `-field` for descending. Only the orders a list can give without reading everything (docs/design.md). */
const orderParam = <const O extends readonly [string, ...string[]]>(orders: O, note: string) => z.optional(describe(z.enum(orders), `Sort order: ${note}`));
const SELECT_ONLY = pure(() => z.object({ fields: fieldsParam }));
export const selectQuery = SELECT_ONLY;

// ---------- path parameters ----------
export const itemParams = pure(() => z.object({ id: id('iitem') }));
export const levelParams = pure(() => z.object({ id: id('iitem'), location_id: id('wh') }));
export const reservationParams = pure(() => z.object({ id: id('res') }));
export const locationParams = pure(() => z.object({ id: id('wh') }));
export const variantParams = pure(() => z.object({ id: id('prod'), variant_id: id('variant') }));
export const productParams = pure(() => z.object({ id: id('prod') }));
export const variantLinkParams = pure(() => z.extend(variantParams, { inventory_item_id: id('iitem') }));

// ---------- inventory items ----------
const itemFields = pure(() => ({
  sku: z.nullable(skuText()),
  title: z.nullable(text(1000)),
  description: z.nullable(text(10000)),
  thumbnail: z.nullable(text(2000)),
  origin_country: z.nullable(text(2)),
  hs_code: z.nullable(text(64)),
  mid_code: z.nullable(text(64)),
  material: z.nullable(text(256)),
  weight: dimension,
  length: dimension,
  height: dimension,
  width: dimension,
  requires_shipping: z.boolean(),
  allow_backorder: z.boolean(),
  backorder_limit: z.nullable(quantity()),
  product_id: z.nullable(text(256)),
  variant_attributes: metadata,
  metadata,
}));
/** Medusa's batch routes and an item's creation take at most this many levels (or links) per array. */
export const MAX_BATCH = 100;
/** A level as Medusa's create and batch routes give it: a location and its two quantities. */
const batchLevelFields = pure(() => ({
  location_id: id('wh'),
  stocked_quantity: z.optional(quantity()),
  incoming_quantity: z.optional(quantity()),
}));
const batchArray = <T extends z.ZodMiniType>(item: T, what: string) =>
  z.optional(describe(z.array(item).check(z.maxLength(MAX_BATCH)), `${what} (at most ${MAX_BATCH}; the whole request is one transaction)`));
export const updateItemBody = pure(() => z.partial(z.strictObject(itemFields)));
export const createItemBody = pure(() =>
  z.extend(updateItemBody, {
    location_levels: batchArray(z.strictObject(batchLevelFields), 'Levels to create with the item, in the same all-or-nothing write'),
  }),
);
export type CreateItemInput = z.infer<typeof updateItemBody>;
export type NewItemInput = z.infer<typeof createItemBody>;

export const listItemsQuery = pure(() =>
  z.object({
    ...pagination,
    q: z.optional(describe(text(256), 'Case-insensitive substring of the sku, title or description')),
    sku: z.optional(describe(text(4000), 'Exactly this sku; several as a list (any of them)')),
    location_id: queryList,
    'location_levels[location_id]': describe(
      queryList,
      "Medusa's spelling of location_id: items with a level at any of these locations (both given: both hold)",
    ),
    fields: fieldsParam,
    order: orderParam(
      ['created_at', '-created_at', 'id', '-id'],
      'creation order (`created_at`, the default) or newest first (`-created_at`); `id` orders the same (ids grow with time). Other orders would read every item of the tenant: refused (400)',
    ),
  }),
);

export const levelSchema = pure(() =>
  z.object({
    id: z.string(),
    inventory_item_id: z.string(),
    location_id: z.string(),
    stocked_quantity: int(),
    reserved_quantity: int(),
    incoming_quantity: int(),
    available_quantity: int(),
    damaged_quantity: z.optional(describe(int(), 'Units on hand in the named state `damaged` (not available); present once a move or a receipt used it')),
    quality_control_quantity: z.optional(describe(int(), 'Units on hand in the named state `quality_control` (not available); present once used')),
    in_transit_quantity: z.optional(describe(int(), 'Units shipped toward this level by open transfers: not on hand, not available')),
    safety_stock: int(),
    reorder_level: int(),
    reorder_quantity: int(),
    bin_location: z.nullable(z.string()),
    metadata: metadata,
    hot_shards: z.optional(describe(int(), 'Present while the level is in hot mode: its number of stock shards')),
    hot_design: z.optional(
      describe(z.enum(HOT_DESIGNS), "Present while the level is in hot mode with a design of its own (otherwise the service's default, INVENTORY_HOT_DESIGN)"),
    ),
    created_at: z.string(),
    updated_at: z.string(),
  }),
);
export const itemSchema = pure(() =>
  z.object({
    id: z.string(),
    ...Object.fromEntries(Object.entries(itemFields).map(([k, v]) => [k, v])),
    created_at: z.string(),
    updated_at: z.string(),
    location_levels: z.optional(z.array(levelSchema)),
    reserved_quantity: z.optional(int()),
    stocked_quantity: z.optional(int()),
  }),
);
export const itemResponse = pure(() => z.object({ inventory_item: itemSchema }));
/** A record trimmed by `fields`: every field may be missing but id. */
const selected = <S extends z.ZodMiniObject>(schema: S, what: string) =>
  describe(z.extend(z.partial(schema), { id: z.string() }), `${what}; with \`fields\`, only the fields asked for (and id)`);
const partialLevel = pure(() => z.partial(levelSchema));
const selectedItemSchema = pure(() => z.extend(z.partial(itemSchema), { id: z.string(), location_levels: z.optional(z.array(partialLevel)) }));
export const itemReadResponse = pure(() =>
  z.object({
    inventory_item: describe(selectedItemSchema, 'An inventory item with its levels and aggregates; with `fields`, only the fields asked for (and id)'),
  }),
);
export const itemListResponse = pure(() =>
  z.object({
    // `fields` trims each item to the fields asked for (id always stays), so only id is certain
    inventory_items: z.array(
      describe(selectedItemSchema, "An inventory item with its levels and aggregates (Medusa's defaults); with `fields`, only the fields asked for (and id)"),
    ),
    count: int(),
    offset: int(),
    limit: int(),
  }),
);
export const deletedResponse = (object: string) => z.object({ id: z.string(), object: z.literal(object), deleted: z.literal(true) });
/** Medusa's delete answer for a record under a parent: `parent` is the parent as it is after the delete. */
export const deletedWithParent = <P extends z.ZodMiniType>(object: string, parent: P) =>
  z.object({ id: z.string(), object: z.literal(object), deleted: z.literal(true), parent });

// ---------- location levels ----------
const reason = pure(() => z.enum(ADJUSTMENT_REASONS));
const thresholds = pure(() => ({
  safety_stock: quantity(),
  reorder_level: quantity(),
  reorder_quantity: quantity(),
  bin_location: z.nullable(text(128)),
  metadata,
}));
export const createLevelBody = pure(() =>
  z.strictObject({
    location_id: id('wh'),
    stocked_quantity: z.optional(quantity()),
    incoming_quantity: z.optional(quantity()),
    ...z.partial(z.object(thresholds)).shape,
  }),
);
export const updateLevelBody = pure(() =>
  z.partial(
    z.strictObject({
      stocked_quantity: quantity(),
      incoming_quantity: quantity(),
      ...thresholds,
      reason,
      note: z.nullable(text(1000)),
      reference: z.nullable(text(256)),
      expected_quantity: quantity(),
      hot_shards: describe(
        integer(0, MAX_HOT_SHARDS),
        'Hot mode: split the level\'s free stock over this many shards (at most 32), so one SKU takes more reservations per second than one item can; 0 turns it off (docs/design.md, "Hot mode")',
        [0],
      ),
      hot_design: describe(
        z.enum(HOT_DESIGNS),
        'Hot mode\'s design at this level: `escrow` (a reservation is one conditional update of a shard, made a row by the stream consumer) or `shards` (one transaction of the shard and the row); needs hot mode (hot_shards ≥ 1 in the same body, or the level already hot). Without it the service\'s default (docs/design.md, "Hot mode: the escrow design")',
        ['escrow'],
      ),
    }),
  ),
);
export const adjustLevelBody = pure(() =>
  z.strictObject({
    adjustment: signedQuantity(),
    reason: z.optional(reason),
    note: z.optional(z.nullable(text(1000))),
    reference: z.optional(z.nullable(text(256))),
  }),
);
export const levelsResponse = pure(() =>
  z.object({
    inventory_item: z.object({ id: z.string(), location_levels: z.array(levelSchema) }),
  }),
);
export const levelsQuery = pure(() =>
  z.object({
    location_id: describe(queryList, 'Levels at any of these locations (one, a comma list, or any array encoding)'),
    limit: queryInt(50, 1000),
    offset: queryInt(0, 1_000_000),
  }),
);
export const levelsListResponse = pure(() =>
  z.object({
    inventory_item: describe(
      z.object({ id: z.string(), location_levels: z.array(levelSchema) }),
      'Seed 000: the item and its levels (every level the filter matches, unpaged)',
    ),
    inventory_levels: describe(z.array(levelSchema), "Medusa: one page of the item's levels (limit, offset)"),
    count: int(),
    offset: int(),
    limit: int(),
  }),
);
/** Medusa's level batch on one item: `delete` lists location ids. */
export const itemLevelsBatchBody = pure(() =>
  z.strictObject({
    create: batchArray(z.strictObject(batchLevelFields), 'Levels to create'),
    update: batchArray(
      z.strictObject({ id: z.optional(id('ilev')), ...batchLevelFields }),
      "Levels to change (by location; `id`, when given, must be the level's)",
    ),
    delete: batchArray(id('wh'), 'Locations whose level is removed'),
    force: z.optional(describe(z.boolean(), 'Remove levels with stock (written off); never with reservations or incoming')),
  }),
);
/** Medusa's level batch across items: each level names its item; `delete` lists level ids. */
export const levelsBatchBody = pure(() =>
  z.strictObject({
    create: batchArray(z.strictObject({ inventory_item_id: id('iitem'), ...batchLevelFields }), 'Levels to create'),
    update: batchArray(
      z.strictObject({ id: z.optional(id('ilev')), inventory_item_id: id('iitem'), ...batchLevelFields }),
      "Levels to change (by item and location; `id`, when given, must be the level's)",
    ),
    delete: batchArray(id('ilev'), 'Level ids to remove'),
    force: z.optional(describe(z.boolean(), 'Remove levels with stock (written off); never with reservations or incoming')),
  }),
);
export const levelsBatchResponse = pure(() =>
  z.object({
    created: z.array(levelSchema),
    updated: z.array(levelSchema),
    deleted: describe(z.array(z.string()), 'The ids of the removed levels'),
  }),
);
export const itemLevelsBatchResponse = pure(() =>
  z.extend(levelsBatchResponse, { inventory_item: describe(itemSchema, 'The item after the batch (Medusa 2.0)') }),
);
export const availabilityQuery = pure(() =>
  z.object({
    location_id: queryList,
    quantity: z.optional(digits('must be a non-negative integer', quantity())),
  }),
);
export const availabilityResponse = pure(() =>
  z.object({
    inventory_item_id: z.string(),
    location_ids: z.array(z.string()),
    stocked_quantity: int(),
    reserved_quantity: int(),
    incoming_quantity: int(),
    available_quantity: int(),
    quantity: z.nullable(int()),
    sufficient: z.nullable(z.boolean()),
  }),
);

// ---------- reservations ----------
export const createReservationBody = pure(() =>
  z.strictObject({
    inventory_item_id: id('iitem'),
    location_id: id('wh'),
    quantity: quantity(1),
    line_item_id: z.optional(z.nullable(text(256))),
    description: z.optional(z.nullable(text(1000))),
    metadata: z.optional(metadata),
    expires_at: z.optional(z.nullable(isoDate)),
  }),
);
export const updateReservationBody = pure(() =>
  z.partial(
    z.strictObject({
      quantity: quantity(1),
      location_id: id('wh'),
      description: z.nullable(text(1000)),
      metadata,
      expires_at: z.nullable(isoDate),
    }),
  ),
);
/** A query-string date: an ISO-8601 date (UTC midnight) or date-time with its offset, as a time in ms. */
const QUERY_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;
const queryDate = pure(() =>
  z.optional(
    z.pipe(
      describe(
        z.string().check(
          z.refine((d: string) => QUERY_DATE.test(d) && !Number.isNaN(Date.parse(d)), {
            message: 'must be an ISO-8601 date or date-time with its offset, e.g. 2026-01-31 or 2026-01-31T12:00:00Z',
          }),
        ),
        'An ISO-8601 date (midnight UTC) or date-time with its offset',
        ['2026-01-31T12:00:00Z'],
      ),
      z.transform((d: string) => Date.parse(d)),
    ),
  ),
);
const queryCount = pure(() => z.optional(digits('must be a non-negative integer', integer(0, MAX_QUANTITY))));
/** `field[$gt]`, `field[$gte]`, `field[$lt]`, `field[$lte]` of one field (Medusa's operators), each optional. */
const ranges = <F extends string, S extends z.ZodMiniType>(field: F, schema: S) =>
  ({
    [`${field}[$gt]`]: schema,
    [`${field}[$gte]`]: schema,
    [`${field}[$lt]`]: schema,
    [`${field}[$lte]`]: schema,
  }) as Record<`${F}[$${'gt' | 'gte' | 'lt' | 'lte'}]`, S>;
export const listReservationsQuery = pure(() =>
  z.object({
    ...pagination,
    inventory_item_id: queryList,
    location_id: queryList,
    line_item_id: queryList,
    created_by: describe(queryList, 'Made by any of these API key names'),
    quantity: queryCount,
    ...ranges('quantity', queryCount),
    ...ranges('created_at', queryDate),
    ...ranges('updated_at', queryDate),
    q: z.optional(describe(text(256), "Case-insensitive substring of the reservation's description or of its item's sku")),
    fields: fieldsParam,
    order: orderParam(
      ['created_at', '-created_at', 'updated_at', '-updated_at', 'quantity', '-quantity', 'id', '-id'],
      'the list reads every matching reservation before cutting the page, so any of these costs nothing more (default `created_at`)',
    ),
    description: z.optional(describe(text(1000), 'Exactly this description')),
    'description[$like]': z.optional(describe(text(1000), 'SQL LIKE on the description: % any run of characters, _ one character; case-sensitive')),
    'description[$ilike]': z.optional(describe(text(1000), 'As description[$like], case-insensitive (e.g. `%descri%`, `test%`)')),
  }),
);
export type ReservationListQuery = z.output<typeof listReservationsQuery>;
export const reservationSchema = pure(() =>
  z.object({
    id: z.string(),
    inventory_item_id: z.string(),
    location_id: z.string(),
    quantity: int(),
    line_item_id: z.nullable(z.string()),
    description: z.nullable(z.string()),
    metadata: metadata,
    expires_at: z.nullable(z.string()),
    created_by: z.string(),
    created_at: z.string(),
    updated_at: z.string(),
  }),
);
export const reservationResponse = pure(() => z.object({ reservation: reservationSchema }));
const readReservation = pure(() =>
  selected(
    z.extend(reservationSchema, { inventory_item: z.optional(selectedItemSchema) }),
    "A reservation with its inventory item (Medusa's default: the item's fields and aggregates, not its levels)",
  ),
);
export const reservationReadResponse = pure(() => z.object({ reservation: readReservation }));
export const reservationListResponse = pure(() =>
  z.object({
    reservations: z.array(readReservation),
    count: int(),
    offset: int(),
    limit: int(),
  }),
);
export const fulfillResponse = pure(() =>
  z.object({
    reservation: reservationSchema,
    location_level: levelSchema,
  }),
);

// ---------- stock locations (warehouses) ----------
const address = pure(() =>
  z.partial(
    z.strictObject({
      address_1: z.nullable(text(256)),
      address_2: z.nullable(text(256)),
      company: z.nullable(text(256)),
      city: z.nullable(text(256)),
      country_code: z.nullable(text(2)),
      phone: z.nullable(text(64)),
      province: z.nullable(text(256)),
      postal_code: z.nullable(text(32)),
    }),
  ),
);
const locationFields = pure(() => ({
  name: nonEmptyText(256),
  address: z.nullable(address),
  type: z.enum(WAREHOUSE_TYPES),
  marketplace: z.nullable(text(64)),
  is_active: z.boolean(),
  is_readonly: z.boolean(),
  priority: integer(0, 1_000_000),
  metadata,
}));
export const createLocationBody = pure(() => z.required(z.partial(z.strictObject(locationFields)), { name: true }));
export const updateLocationBody = pure(() => z.partial(z.strictObject(locationFields)));
export const listLocationsQuery = pure(() =>
  z.object({
    ...pagination,
    q: z.optional(describe(text(256), 'Case-insensitive substring of the name')),
    name: z.optional(describe(text(4000), 'Exactly this name; several as a list (any of them)')),
    fields: fieldsParam,
    order: orderParam(
      ['name', '-name', 'created_at', '-created_at', 'priority', '-priority', 'id', '-id'],
      'the list reads every warehouse of the tenant (one Query), so any of these costs nothing more (default: priority, highest first, then creation)',
    ),
  }),
);
/** An address as shown: Medusa's (its own id, every field, null where not set) or, in the inventory family, one line of text. */
const addressOut = pure(() =>
  z.object({
    id: z.optional(z.string()),
    address_1: z.optional(z.nullable(z.string())),
    address_2: z.optional(z.nullable(z.string())),
    company: z.optional(z.nullable(z.string())),
    city: z.optional(z.nullable(z.string())),
    country_code: z.optional(z.nullable(z.string())),
    phone: z.optional(z.nullable(z.string())),
    province: z.optional(z.nullable(z.string())),
    postal_code: z.optional(z.nullable(z.string())),
    metadata: z.optional(metadata),
  }),
);
export const locationSchema = pure(() =>
  z.object({
    id: z.string(),
    name: z.string(),
    address: z.nullable(z.union([addressOut, z.string()])),
    type: z.enum(WAREHOUSE_TYPES),
    marketplace: z.nullable(z.string()),
    is_active: z.boolean(),
    is_readonly: z.boolean(),
    priority: int(),
    metadata,
    created_at: z.string(),
    updated_at: z.string(),
  }),
);
export const locationResponse = pure(() => z.object({ stock_location: locationSchema }));
const readLocation = pure(() =>
  selected(z.extend(locationSchema, { address: z.optional(z.nullable(z.union([z.partial(addressOut), z.string()]))) }), 'A stock location'),
);
export const locationReadResponse = pure(() => z.object({ stock_location: readLocation }));
export const locationListResponse = pure(() =>
  z.object({
    stock_locations: z.array(readLocation),
    count: int(),
    offset: int(),
    limit: int(),
  }),
);

// ---------- variant ↔ inventory item links ----------
export const linkBody = pure(() => z.strictObject({ inventory_item_id: id('iitem'), required_quantity: z.optional(quantity(1)) }));
export const linkUpdateBody = pure(() => z.strictObject({ required_quantity: quantity(1) }));
export const variantSchema = pure(() =>
  z.object({
    id: z.string(),
    product_id: z.string(),
    inventory_quantity: int(),
    inventory_items: z.array(
      z.object({
        id: z.string(),
        variant_id: z.string(),
        inventory_item_id: z.string(),
        required_quantity: int(),
        inventory: itemSchema,
      }),
    ),
  }),
);
const selectedVariant = pure(() =>
  describe(
    z.object({
      id: z.string(),
      product_id: z.optional(z.string()),
      inventory_quantity: z.optional(int()),
      inventory_items: z.optional(
        z.array(
          z.object({
            id: z.optional(z.string()),
            variant_id: z.optional(z.string()),
            inventory_item_id: z.optional(z.string()),
            required_quantity: z.optional(int()),
            inventory: z.optional(selectedItemSchema),
          }),
        ),
      ),
    }),
    'A variant with its inventory items; with `fields`, only the fields asked for (and id)',
  ),
);
export const variantResponse = pure(() => z.object({ variant: selectedVariant }));
const linkPair = pure(() => ({ variant_id: id('variant'), inventory_item_id: id('iitem') }));
export const linksBatchBody = pure(() =>
  z.strictObject({
    create: batchArray(z.strictObject({ ...linkPair, required_quantity: quantity(1) }), 'Links to create (an existing link takes the required_quantity given)'),
    update: batchArray(z.strictObject({ ...linkPair, required_quantity: quantity(1) }), 'Links whose required_quantity changes'),
    delete: batchArray(z.strictObject(linkPair), 'Links to remove'),
  }),
);
/** A link as Medusa's link module names it: the two records it joins, and its data. */
const linkDefinition = pure(() =>
  z.object({
    Product: z.object({ variant_id: z.string() }),
    Inventory: z.object({ inventory_item_id: z.string() }),
    data: z.optional(z.object({ required_quantity: int() })),
  }),
);
export const linksBatchResponse = pure(() =>
  z.object({ created: z.array(linkDefinition), updated: z.array(linkDefinition), deleted: z.array(linkDefinition) }),
);
/** Medusa's answer to an unlink: the deleted link's id is the pair it joined; the parent is what is left of the variant. */
export const unlinkResponse = pure(() =>
  z.object({
    id: describe(
      z.object({ Product: z.object({ variant_id: z.string() }), Inventory: z.object({ inventory_item_id: z.string() }) }),
      'The deleted link, as Medusa names it: the variant and the inventory item it joined',
    ),
    object: z.literal('variant-inventory-item-link'),
    deleted: z.literal(true),
    parent: describe(selectedVariant, 'The variant after the unlink (`inventory_items: []` once its last link is gone)'),
  }),
);

// ---------- shared ----------
export const empty = pure(() => z.strictObject({}));
export const anyQuery = pure(() => z.object({}));
export const healthResponse = pure(() => z.object({ status: z.literal('ok') }));
export const docsAssetParams = pure(() =>
  z.object({
    file: describe(z.string().check(z.maxLength(64), z.regex(/^[\w.-]+$/, 'must be a file name')), 'a file of the docs page, e.g. swagger-ui-bundle.js'),
  }),
);

// ---------- inventory family ----------
const LEVEL_STATUSES = ['normal', 'low', 'critical', 'out_of_stock'] as const;
export const cursorParam = pure(() => z.optional(text(2000)));
export const inventoryListQuery = pure(() =>
  z.object({
    limit: queryInt(50, 200),
    cursor: cursorParam,
    status: z.optional(z.enum(LEVEL_STATUSES)),
    warehouse_id: z.optional(id('wh')),
    sku: z.optional(skuText()),
  }),
);
export const skuParams = pure(() => z.object({ sku: skuText() }));
export const warehouseLine = pure(() =>
  z.object({
    warehouse_id: z.string(),
    name: z.nullable(z.string()),
    type: z.nullable(z.string()),
    on_hand: int(),
    reserved: int(),
    available: int(),
  }),
);
const skuSummaryFields = pure(() => ({
  sku: z.string(),
  title: z.nullable(z.string()),
  total_on_hand: int(),
  total_reserved: int(),
  total_available: int(),
  total_incoming: int(),
  safety_stock: int(),
  status: z.enum(LEVEL_STATUSES),
}));
export const skuSummary = pure(() => z.object({ ...skuSummaryFields, warehouses: z.array(warehouseLine) }));
export const skuDetail = pure(() =>
  z.object({
    ...skuSummaryFields,
    warehouses: z.array(
      z.extend(warehouseLine, {
        incoming: int(),
        safety_stock: int(),
        reorder_level: int(),
        reorder_quantity: int(),
        bin_location: z.nullable(z.string()),
        status: z.enum(LEVEL_STATUSES),
        damaged: z.optional(describe(int(), 'On hand in the state `damaged` (not available); present while not 0')),
        quality_control: z.optional(describe(int(), 'On hand in the state `quality_control` (not available); present while not 0')),
        in_transit: z.optional(describe(int(), 'Shipped toward this warehouse by open transfers; present while not 0')),
      }),
    ),
  }),
);
const listMeta = pure(() => z.object({ total: int(), limit: int(), nextCursor: z.nullable(z.string()) }));
export const inventoryListResponse = pure(() => z.object({ data: z.array(skuSummary), meta: listMeta }));
export const skuDetailResponse = pure(() => z.object({ data: skuDetail }));
export const setStockBody = pure(() =>
  z.strictObject({
    warehouse_id: id('wh'),
    quantity: quantity(),
    reason: z.optional(reason),
    note: z.optional(z.nullable(text(1000))),
    reference: z.optional(z.nullable(text(256))),
    expected_quantity: z.optional(quantity()),
  }),
);
export type SetStockInput = z.infer<typeof setStockBody>;
export const MAX_BULK_UPDATES = 500;
/** Rows are checked one by one (an invalid row is reported, the others applied). */
export const bulkBody = pure(() =>
  z.strictObject({
    updates: z.array(z.unknown()).check(z.minLength(1)),
    dry_run: z.optional(
      describe(
        z.boolean(),
        'true: check every row and answer what it would do (diff against current stock) without writing anything; an Idempotency-Key is not used',
      ),
    ),
  }),
);
const fieldChange = pure(() => z.object({ before: int(), after: int() }));
/** A dry run's diff of one row (before → after at its level). */
export const rowDiff = pure(() =>
  z.object({
    stocked_quantity: fieldChange,
    available_quantity: fieldChange,
    status: z.object({ before: z.enum(LEVEL_STATUSES), after: z.enum(LEVEL_STATUSES) }),
  }),
);
export const bulkRow = pure(() => z.extend(setStockBody, { sku: skuText() }));
export const bulkResponse = pure(() =>
  z.object({
    data: z.object({
      dry_run: z.optional(describe(z.literal(true), 'a dry run: nothing was written')),
      would_apply: z.optional(describe(int(), 'dry run: rows that would change their level')),
      applied: int(),
      unchanged: int(),
      failed: int(),
      results: z.array(
        z.object({
          index: int(),
          sku: z.nullable(z.string()),
          warehouse_id: z.nullable(z.string()),
          status: z.enum(['applied', 'would_apply', 'unchanged', 'failed']),
          error: z.optional(z.object({ code: z.string(), message: z.string() })),
          diff: z.optional(describe(rowDiff, 'dry run: before → after at the level, for a row that would apply')),
          creates_level: z.optional(describe(z.literal(true), 'dry run: the level does not exist yet and would be created')),
        }),
      ),
    }),
    message: z.optional(
      describe(
        z.string(),
        'only in a replay (same Idempotency-Key) of a request that stopped part-way: which rows were not applied (their error code is NOT_APPLIED)',
      ),
    ),
  }),
);
export const adjustmentsQuery = pure(() =>
  z.object({
    limit: queryInt(50, 200),
    cursor: cursorParam,
    start_date: z.optional(isoDate),
    end_date: z.optional(isoDate),
    warehouse_id: z.optional(id('wh')),
    reason: z.optional(reason),
  }),
);
export const adjustmentSchema = pure(() =>
  z.object({
    id: z.string(),
    sku: z.nullable(z.string()),
    inventory_item_id: z.string(),
    warehouse_id: z.string(),
    field: z.enum(['stocked_quantity', 'incoming_quantity', 'damaged_quantity', 'quality_control_quantity', 'in_transit_quantity']),
    before_quantity: int(),
    after_quantity: int(),
    delta: int(),
    reason: reason,
    note: z.nullable(z.string()),
    reference: z.nullable(z.string()),
    created_by: z.string(),
    created_at: z.string(),
  }),
);
export const adjustmentsResponse = pure(() => z.object({ data: z.array(adjustmentSchema), meta: listMeta }));
export const transferBody = pure(() =>
  z
    .strictObject({
      from_warehouse_id: id('wh'),
      to_warehouse_id: id('wh'),
      quantity: quantity(1),
      note: z.optional(z.nullable(text(1000))),
      reference: z.optional(z.nullable(text(256))),
    })
    .check(z.refine((b) => b.from_warehouse_id !== b.to_warehouse_id, { message: 'must differ from from_warehouse_id', path: ['to_warehouse_id'] })),
);
export const transferResponse = pure(() =>
  z.object({
    data: z.object({
      id: z.string(),
      sku: z.string(),
      from_warehouse_id: z.string(),
      to_warehouse_id: z.string(),
      quantity: int(),
      note: z.nullable(z.string()),
      created_by: z.string(),
      created_at: z.string(),
      inventory: skuDetail,
    }),
  }),
);

// ---------- warehouses (inventory family) ----------
export const warehouseCreateBody = pure(() =>
  z.required(z.partial(z.strictObject({ id: z.optional(id('wh')), ...locationFields, address: z.nullable(z.union([address, text(1000)])) })), { name: true }),
);
export const warehouseUpdateBody = pure(() => z.partial(z.strictObject({ ...locationFields, address: z.nullable(z.union([address, text(1000)])) })));
const warehouseSchema = locationSchema;
export const warehouseResponse = pure(() => z.object({ data: warehouseSchema }));
export const warehouseListResponse = pure(() => z.object({ data: z.array(warehouseSchema) }));
export const warehouseParams = pure(() => z.object({ id: id('wh') }));

// ---------- records family ----------
export const recordBody = pure(() =>
  z.strictObject({
    productId: nonEmptyText(256),
    skuId: z.optional(z.nullable(skuText())),
    warehouseId: id('wh'),
    initialQty: quantity(),
    location: z.optional(z.nullable(text(128))),
    reorderLevel: z.optional(quantity()),
    reorderQty: z.optional(quantity()),
    variantAttributes: z.optional(metadata),
  }),
);
export const recordParams = pure(() => z.object({ id: id('ilev') }));
export const recordSchema = pure(() =>
  z.object({
    id: z.string(),
    productId: z.nullable(z.string()),
    skuId: z.nullable(z.string()),
    tenantId: z.string(),
    warehouseId: z.string(),
    warehouseName: z.nullable(z.string()),
    location: z.nullable(z.string()),
    onHandQty: int(),
    reservedQty: int(),
    availableQty: int(),
    reorderLevel: int(),
    reorderQty: int(),
    variantAttributes: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);
export const recordResponse = pure(() => z.object({ status: z.literal(true), data: recordSchema }));
export const recordListResponse = pure(() => z.object({ status: z.literal(true), data: z.array(recordSchema) }));

// ---------- API keys ----------
export const keyCreateBody = pure(() =>
  z.strictObject({
    name: nonEmptyText(128),
    scopes: z.array(z.enum(SCOPES)).check(z.minLength(1), z.maxLength(SCOPES.length * 2)),
    warehouse_ids: z.optional(z.nullable(z.array(id('wh')).check(z.maxLength(100)))),
  }),
);
export const keyParams = pure(() => z.object({ id: id('key') }));
export const keySchema = pure(() =>
  z.object({
    id: z.string(),
    prefix: z.string(),
    name: z.string(),
    scopes: z.array(z.enum(SCOPES)),
    warehouse_ids: z.nullable(z.array(z.string())),
    created_at: z.string(),
    last_used_at: z.nullable(z.string()),
    revoked_at: z.nullable(z.string()),
  }),
);
export const keyCreatedResponse = pure(() =>
  z.object({
    data: z.extend(keySchema, {
      key: describe(
        z.nullable(z.string()),
        'the secret: shown this once, in the first answer; null in a replay of the request (same Idempotency-Key), as the secret is never kept',
      ),
    }),
    message: z.optional(describe(z.string(), 'in a replay only: says the secret was shown once and is not kept')),
  }),
);
export const keyResponse = pure(() => z.object({ data: keySchema }));
export const keyListResponse = pure(() => z.object({ data: z.array(keySchema) }));

// ---------- low-stock reports ----------
/** `?format=json|csv`, json when not given. */
const format = () =>
  z.pipe(
    z.optional(z.enum(['json', 'csv'])),
    z.transform((f) => f ?? 'json'),
  );
/** An id of 1 to 64 characters matching `pattern`. */
const ownId = (pattern: RegExp, message: string) => z.string().check(z.minLength(1), z.maxLength(64), z.regex(pattern, message));
export const reportQuery = pure(() => z.object({ format: format() }));
export const reportParams = pure(() => z.object({ id: ownId(/^rep_[A-Za-z0-9_]+$/, 'is not a report id') }));
const reportRow = pure(() =>
  z.object({
    sku: z.nullable(z.string()),
    title: z.nullable(z.string()),
    warehouse: z.string(),
    bin: z.nullable(z.string()),
    stocked: int(),
    reserved: int(),
    incoming: int(),
    available: int(),
    safety_stock: int(),
    reorder_level: int(),
    suggested_reorder_quantity: int(),
    status: z.enum(LEVEL_STATUSES),
  }),
);
export const reportSchema = pure(() => z.object({ id: z.string(), created_at: z.string(), data: z.array(reportRow) }));
export const reportResponse = pure(() => z.object({ data: reportSchema }));

// ---------- CSV uploads ----------
export const uploadCreateBody = pure(() =>
  z.strictObject({
    mode: describe(z.optional(z.enum(['set', 'adjust'])), 'set (absolute, default) or adjust (deltas)'),
    dry_run: describe(
      z.optional(z.boolean()),
      'true: the file is checked row by row against current stock and nothing is written (the job lists each would-apply row with its diff)',
    ),
  }),
);
export const uploadParams = pure(() => z.object({ id: ownId(/^upl_[0-9A-Za-z]+$/, 'is not an upload id') }));
export const uploadQuery = pure(() =>
  z.object({
    format: format(),
    part: describe(z.optional(z.enum(['errors', 'changes'])), 'with format=csv: the failed rows (default) or, for a dry run, the would-apply rows'),
  }),
);
export const uploadCreatedResponse = pure(() =>
  z.object({
    data: z.object({
      id: z.string(),
      mode: z.enum(['set', 'adjust']),
      dry_run: z.optional(z.literal(true)),
      status: z.literal('awaiting_upload'),
      upload_url: z.string(),
      upload_method: z.literal('PUT'),
      expires_at: z.string(),
    }),
  }),
);
const uploadRowError = pure(() =>
  z.object({ line: int(), code: z.string(), message: z.string(), sku: z.nullable(z.string()), warehouse_id: z.nullable(z.string()) }),
);
export const uploadSchema = pure(() =>
  z.object({
    id: z.string(),
    status: z.enum(['awaiting_upload', 'processing', 'completed', 'failed']),
    mode: z.enum(['set', 'adjust']),
    dry_run: z.optional(describe(z.literal(true), 'a dry run: nothing is applied; rows_would_apply and changes say what a real upload would do')),
    rows_would_apply: z.optional(int()),
    changes: z.optional(
      describe(
        z.array(
          z.object({
            line: int(),
            sku: z.nullable(z.string()),
            warehouse_id: z.nullable(z.string()),
            diff: rowDiff,
            creates_level: z.optional(z.literal(true)),
          }),
        ),
        'dry run: the first 20 would-apply rows with their diff; all of them at changes_url',
      ),
    ),
    changes_url: z.optional(z.string()),
    rows_total: z.nullable(int()),
    rows_done: int(),
    rows_applied: int(),
    rows_unchanged: int(),
    rows_failed: int(),
    error: z.nullable(z.object({ code: z.string(), message: z.string() })),
    errors: describe(z.array(uploadRowError), 'the first 20 failed rows; all of them with ?format=csv'),
    errors_url: z.string(),
    created_at: z.string(),
    updated_at: z.string(),
    completed_at: z.nullable(z.string()),
  }),
);
export const uploadResponse = pure(() => z.object({ data: uploadSchema }));
