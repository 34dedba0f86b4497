/**
 * The OpenAPI 3.1 document, generated from the route table with zod 4's own JSON Schema output:
 * every operation's parameters and bodies, its success response, the error responses its route can
 * give (from what the route table says it does) in its family's shape, each with an example of the
 * code the route answers it with, a hand-written example of each request body (openapi-examples.ts),
 * a description of every field a client sets, the main resources as named schemas
 * (components/schemas: Warehouse, InventoryItem, Level, Reservation, Hold, …), tags per family, and
 * `servers`. What /docs pre-fills is what a first click should send: the body example, required
 * parameters; never an optional filter or an Idempotency-Key.
 */
import * as z from 'zod/mini';
import { routes } from '../routes.ts';
import type { Family, Route } from '../routes.ts';
import * as s from '../core/schemas.ts';
import { holdSchema } from '../core/schemas-holds.ts';
import { DomainError, insufficientStock, negativeQuantity, quantityMismatch } from '../core/errors.ts';
import type { ErrorCode } from '../core/errors.ts';
import { FIELD_DESCRIPTIONS, FAMILY_TAGS } from './openapi-text.ts';
import { DEFAULT_ERROR_CODES, ERROR_CODES, REQUEST_EXAMPLES } from './openapi-examples.ts';
import { renderError, renderUnexpected } from './render.ts';

// biome-ignore lint/suspicious/noExplicitAny: JSON Schema documents are open-ended objects
type Schema = Record<string, any>;

const jsonSchema = (schema: z.ZodMiniType, io: 'input' | 'output'): Schema => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Schema;
  return rest;
};

/** Describe every property a client sets that has no description of its own (recursively). */
function describeFields(s: Schema): Schema {
  if (!s || typeof s !== 'object') return s;
  if (s.properties) {
    for (const [name, p] of Object.entries<Schema>(s.properties)) {
      describeFields(p);
      if (!p.description && FIELD_DESCRIPTIONS[name]) p.description = FIELD_DESCRIPTIONS[name];
    }
  }
  for (const k of ['items', 'additionalProperties']) if (s[k] && typeof s[k] === 'object') describeFields(s[k]);
  for (const k of ['anyOf', 'oneOf', 'allOf']) if (Array.isArray(s[k])) s[k].forEach(describeFields);
  return s;
}

// ---------- examples, made from the schemas themselves (so they always validate) ----------
const SAMPLE_STRINGS = ['SKU-001', 'wh_01JEXAMPLE', 'example', '10', 'a'];
const SAMPLE_BY_NAME: Record<string, unknown> = {
  sku: 'SKU-001',
  title: 'Blue Widget 500ml',
  name: 'Main warehouse',
  location_id: 'wh_01JEXAMPLE',
  warehouse_id: 'wh_01JEXAMPLE',
  from_warehouse_id: 'wh_01JEXAMPLE',
  to_warehouse_id: 'wh_02JEXAMPLE',
  inventory_item_id: 'iitem_01JEXAMPLE',
  id: 'wh_01JEXAMPLE',
  currency_code: 'eur',
  country_code: 'de',
  origin_country: 'DE',
  reason: 'cycle_count',
  note: 'counted twice',
  productId: 'prod_abc123',
  warehouseId: 'wh_def456',
  email: 'ops@example.com',
  line_item_id: 'item_456',
};

function sampleString(s: Schema, name?: string): string {
  if (s.format === 'date-time') return '2026-01-15T09:30:00.000Z';
  if (s.format === 'date') return '2026-01-15';
  if (s.format === 'email') return 'ops@example.com';
  if (s.format === 'uri' || s.format === 'url') return 'https://example.com/file';
  const fits = (v: string) => v.length >= (s.minLength ?? 0) && v.length <= (s.maxLength ?? Infinity) && (!s.pattern || new RegExp(s.pattern, 'u').test(v));
  const named = name !== undefined ? SAMPLE_BY_NAME[name] : undefined;
  // an id pattern such as ^upl_[0-9A-Za-z]+$: its prefix and a sample id
  const prefix = /^\^([a-z]+_)/.exec(s.pattern ?? '')?.[1];
  const candidates = [...(typeof named === 'string' ? [named] : []), ...(prefix ? [`${prefix}01JEXAMPLE`] : []), ...SAMPLE_STRINGS];
  for (const v of candidates) if (fits(v)) return v;
  return 'x'.repeat(Math.max(1, s.minLength ?? 1));
}

export function example(s: Schema | undefined, name?: string, depth = 0): unknown {
  if (!s || depth > 12) return undefined;
  if ('const' in s) return s.const;
  if (s.examples?.length) return s.examples[0];
  if (s.default !== undefined) return s.default;
  if (s.enum) return s.enum[0];
  for (const k of ['anyOf', 'oneOf'] as const) {
    if (Array.isArray(s[k])) {
      const branch = s[k].find((b: Schema) => b.type !== 'null') ?? s[k][0];
      return example(branch, name, depth + 1);
    }
  }
  if (Array.isArray(s.allOf)) return example(s.allOf[0], name, depth + 1);
  const type = Array.isArray(s.type) ? s.type.find((t: string) => t !== 'null') : s.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, p] of Object.entries<Schema>(s.properties ?? {})) {
        // required fields, and optional ones that show a typical request
        if ((s.required ?? []).includes(k) || depth === 0) {
          const v = example(p, k, depth + 1);
          if (v !== undefined) out[k] = v;
        }
      }
      return out;
    }
    case 'array': {
      const item = example(s.items, name, depth + 1);
      return item === undefined || (s.maxItems ?? 1) < 1 ? [] : Array.from({ length: Math.max(1, s.minItems ?? 1) }, () => item);
    }
    case 'string':
      return sampleString(s, name);
    case 'integer':
    case 'number': {
      const preferred = typeof SAMPLE_BY_NAME[name ?? ''] === 'number' ? (SAMPLE_BY_NAME[name!] as number) : 10;
      const min = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : -Infinity);
      const max = s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : Infinity);
      return Math.min(max, Math.max(min, preferred));
    }
    case 'boolean':
      return false;
    case 'null':
      return null;
    default:
      return undefined;
  }
}

/** Path parameters shown as the example world of openapi-examples.ts names them. */
const PATH_EXAMPLES: Record<string, string> = { sku: 'SHIRT-MD-BLU' };

function parameters(route: Route) {
  const out: unknown[] = [];
  for (const [where, schema] of [
    ['path', route.params],
    ['query', route.query],
  ] as const) {
    if (!schema) continue;
    const js = jsonSchema(schema, 'input') as { properties?: Record<string, Schema>; required?: string[] };
    for (const [name, p] of Object.entries(js.properties ?? {})) {
      const description = p.description ?? FIELD_DESCRIPTIONS[name] ?? `the ${name.replace(/_/g, ' ')}`;
      const required = where === 'path' || (js.required ?? []).includes(name);
      // Swagger UI pre-fills a parameter's example: an optional filter stays empty (a prefilled one
      // would narrow the first list to nothing); a required one shows what it takes
      const shown = where === 'path' ? (PATH_EXAMPLES[name] ?? example(p, name)) : example(p, name);
      out.push({ name, in: where, required, description, schema: p, ...(required ? { example: shown } : {}) });
    }
  }
  if (route.method !== 'GET' && route.scope !== 'public') out.push({ $ref: '#/components/parameters/IdempotencyKey' });
  return out;
}

// ---------- errors: each family's shape, and what each route can answer ----------
const DETAILS: Schema = {
  type: 'array',
  description: 'One entry per field at fault (validation errors)',
  items: {
    type: 'object',
    properties: { field: { type: 'string', description: 'the field, dotted for nested ones (e.g. updates.3.quantity)' }, message: { type: 'string' } },
    required: ['field', 'message'],
  },
};
const ERROR_SCHEMAS: Record<Exclude<Family, 'meta'>, Schema> = {
  admin: {
    type: 'object',
    description: "The admin family's error (Medusa's shape): a type, the service's code, a message, and the fields at fault",
    properties: {
      type: { type: 'string', enum: ['invalid_data', 'not_found', 'not_allowed', 'conflict', 'duplicate_error', 'unauthorized', 'unknown_error'] },
      code: { type: 'string', description: 'the service error code, e.g. INSUFFICIENT_STOCK' },
      message: { type: 'string' },
      details: DETAILS,
    },
    required: ['type', 'code', 'message'],
    additionalProperties: true,
    example: {
      type: 'invalid_data',
      code: 'VALIDATION_ERROR',
      message: 'sku: Too big: expected string to have <=256 characters',
      details: [{ field: 'sku', message: 'Too big: expected string to have <=256 characters' }],
    },
  },
  inventory: {
    type: 'object',
    description: "The inventory family's error: `error.code`, `error.message`, and the fields at fault",
    properties: {
      error: {
        type: 'object',
        properties: { code: { type: 'string', description: 'the service error code, e.g. QUANTITY_MISMATCH' }, message: { type: 'string' }, details: DETAILS },
        required: ['code', 'message'],
        additionalProperties: true,
      },
    },
    required: ['error'],
    example: {
      error: {
        code: 'VALIDATION_ERROR',
        message: 'quantity: Invalid input: expected number, received string',
        details: [{ field: 'quantity', message: 'Invalid input: expected number, received string' }],
      },
    },
  },
  records: {
    type: 'object',
    description: "The records family's error: `status: false`, a code and a message",
    properties: { status: { const: false }, code: { type: 'string' }, message: { type: 'string' } },
    required: ['status', 'code', 'message'],
    example: { status: false, code: 'VALIDATION_ERROR', message: 'initialQty: Invalid input: expected number, received undefined' },
  },
};
const ERROR_NAMES: Record<Family, string> = { admin: 'AdminError', inventory: 'InventoryError', records: 'RecordsError', meta: 'InventoryError' };
const THROTTLED = {
  type: 'object',
  title: 'Throttled',
  description:
    "API Gateway's own answer when the stage's rate limit is exceeded, or the service's when DynamoDB throttles the record written (Retry-After: 1): the same shape for both",
  properties: { message: { type: 'string', description: 'Too Many Requests, and what to do' } },
  required: ['message'],
  example: { message: 'Too Many Requests' },
};

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad request: a field is invalid (named in the message and details); in the admin family also not enough stock (INSUFFICIENT_STOCK, as Medusa answers it)',
  401: 'No API key, or an unknown or revoked one',
  403: "The key lacks the route's scope (FORBIDDEN), or is limited to other warehouses (FORBIDDEN_WAREHOUSE), or the warehouse is read-only (READONLY_WAREHOUSE)",
  404: 'Not found (another tenant’s ids are not found either)',
  409: 'Conflict: a guard in the write refused it (not enough stock, quantity changed meanwhile, still in use, duplicate), or the record changed too fast to apply it (CONFLICT: retry)',
  410: 'The hold has expired (its reservations are released): it can no longer be extended or fulfilled',
  413: 'The request body exceeds 256 KB',
  415: 'The body is not JSON',
  422: 'A quantity out of range (e.g. a hold line whose units pass 10⁹, named `lines.<i>.quantity`), a hold or a transfer step too large for one transaction (HOLD_TOO_LARGE, TRANSFER_TOO_LARGE), receiving more than is in transit (INVALID_QUANTITY naming `lines.<i>.accepted`), or an Idempotency-Key reused with another body',
  429: 'Too many requests (stage throttling, or a record written faster than DynamoDB takes writes to one item): retry after a moment',
  500: 'Unexpected error (no details are given away)',
};

/** The error statuses a route can answer: from what the route table says it does, and what openapi-examples.ts declares. */
export function errorStatuses(r: Route): number[] {
  const out = new Set<number>([429, 500]);
  const keyed = r.scope !== 'public';
  const writes = r.method !== 'GET';
  if (keyed) [401, 403].forEach((st) => out.add(st));
  if (r.params || r.query || r.body) out.add(400);
  if (r.params) out.add(404);
  if (r.body) [413, 415].forEach((st) => out.add(st));
  // every keyed write: a guard or contention (409), an Idempotency-Key reused with another body (422)
  if (keyed && writes) [409, 422].forEach((st) => out.add(st));
  for (const st of Object.keys(ERROR_CODES[r.id as keyof typeof ERROR_CODES] ?? {})) out.add(Number(st));
  return [...out].sort();
}

/** The code a route answers `status` with (the one its example shows). */
export function errorCode(r: Route, status: number): ErrorCode | 'INTERNAL_ERROR' {
  if (status === 500) return 'INTERNAL_ERROR';
  return ERROR_CODES[r.id as keyof typeof ERROR_CODES]?.[status] ?? DEFAULT_ERROR_CODES[status]!;
}

const scopeNeeded = (r: Route) => (r.scope === 'reservations' ? 'reservations:write (or inventory:write)' : r.scope);
const pascal = (text: string) =>
  text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');

/** An error of `code` as the service words it (the helpers the code paths use, where there is one). */
function sampleError(code: ErrorCode, r: Route): DomainError {
  switch (code) {
    case 'VALIDATION_ERROR':
      return new DomainError(code, 'quantity: Invalid input: expected number, received string', [
        { field: 'quantity', message: 'Invalid input: expected number, received string' },
      ]);
    case 'UNAUTHORIZED':
      return new DomainError(code, 'A valid API key is required (Authorization: Bearer <key> or x-api-key)');
    case 'FORBIDDEN':
      return new DomainError(code, `This API key lacks the scope ${scopeNeeded(r)}`);
    case 'NOT_FOUND':
      return new DomainError(code, 'Reservation with id: res_01JEXAMPLE was not found');
    case 'INVENTORY_NOT_FOUND':
      return new DomainError(code, 'Inventory item with sku: SHIRT-MD-BLU was not found');
    case 'WAREHOUSE_NOT_FOUND':
      return new DomainError(code, 'Stock location with id: wh_01JEXAMPLE was not found');
    case 'CONFLICT':
      return new DomainError(code, 'This record is changing too fast right now: retry the request');
    case 'DUPLICATE':
      return new DomainError(code, 'Inventory item with sku: SHIRT-MD-BLU already exists');
    case 'INSUFFICIENT_STOCK':
      return insufficientStock('SHIRT-MD-BLU', 'wh_01JEXAMPLE', 3, 10);
    case 'QUANTITY_MISMATCH':
      return quantityMismatch(120, 118);
    case 'NEGATIVE_QUANTITY':
      return negativeQuantity('stocked_quantity', 5, -10);
    case 'INVALID_QUANTITY':
      return new DomainError(code, 'quantity: must be at most 1,000,000,000 (got 2000000000)', [
        { field: 'quantity', message: 'must be at most 1,000,000,000 (got 2000000000)' },
      ]);
    case 'HOLD_TOO_LARGE':
      return new DomainError(code, 'This hold needs more than one transaction holds (99 actions). Split the order into smaller holds.', [
        { field: 'lines', message: 'too many lines for one hold' },
      ]);
    case 'TRANSFER_TOO_LARGE':
      return new DomainError(
        code,
        'This step of the transfer needs 101 actions in one transaction; at most 99 fit. Split it into smaller transfers (or receipts).',
        [{ field: 'lines', message: 'needs 101 transaction actions, at most 99' }],
      );
    case 'HOLD_EXPIRED':
      return new DomainError(code, 'Hold hold_01JEXAMPLE expired at 2026-01-15T09:45:00.000Z: it can no longer be fulfilled or extended');
    case 'TOO_MANY_UPDATES':
      return new DomainError(code, 'At most 500 updates per request (got 501); nothing was applied');
    case 'IDEMPOTENCY_KEY_REUSED':
      return new DomainError(code, 'This Idempotency-Key was used with another request');
    case 'PAYLOAD_TOO_LARGE':
      return new DomainError(code, 'The request body exceeds 262144 bytes');
    case 'UNSUPPORTED_MEDIA_TYPE':
      return new DomainError(code, 'Content-Type text/plain is not accepted: send application/json');
    default:
      return new DomainError(code, code);
  }
}

/** The responses component for a route's error status: one per family, status and code (403: and scope). */
function errorResponse(r: Route, status: number): { name: string; response: Record<string, unknown> } {
  const family = ERROR_NAMES[r.family];
  const code = errorCode(r, status);
  const body = code === 'INTERNAL_ERROR' ? renderUnexpected(r.family).body : renderError(r.family, sampleError(code, r)).body;
  const name =
    status === 403
      ? `${family}403${pascal(r.scope === 'reservations' ? 'reservations' : r.scope)}`
      : code === (DEFAULT_ERROR_CODES[status] ?? 'INTERNAL_ERROR')
        ? `${family}${status}`
        : `${family}${status}${pascal(code)}`;
  return {
    name,
    response: { description: STATUS_TEXT[status], content: { 'application/json': { schema: { $ref: `#/components/schemas/${family}` }, example: body } } },
  };
}

// ---------- the main resources, named (components/schemas): generated clients name their types after them ----------
const RESOURCES: [string, z.ZodMiniType][] = [
  ['Warehouse', s.locationSchema],
  ['InventoryItem', s.itemSchema],
  ['Level', s.levelSchema],
  ['SkuSummary', s.skuSummary],
  ['SkuDetail', s.skuDetail],
  ['Adjustment', s.adjustmentSchema],
  ['Reservation', s.reservationSchema],
  ['Hold', holdSchema],
  ['ApiKey', s.keySchema],
  ['LowStockReport', s.reportSchema],
  ['Upload', s.uploadSchema],
  ['InventoryRecord', s.recordSchema],
];

/** JSON with object keys sorted: two schemas are the same when their texts are. */
const canonical = (v: unknown): string =>
  Array.isArray(v)
    ? `[${v.map(canonical).join(',')}]`
    : v && typeof v === 'object'
      ? `{${Object.keys(v)
          .sort()
          .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
          .join(',')}}`
      : JSON.stringify(v);

/** Every place a named resource appears (the same schema, as zod writes it) becomes a $ref to it. */
function referToResources(node: unknown, named: Map<string, string>, top = true): unknown {
  if (Array.isArray(node)) return node.map((n) => referToResources(n, named, false));
  if (!node || typeof node !== 'object') return node;
  const name = top ? undefined : named.get(canonical(node));
  if (name) return { $ref: `#/components/schemas/${name}` };
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, referToResources(v, named, false)]));
}

export function openApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  const resources = RESOURCES.map(([name, schema]) => [name, jsonSchema(schema, 'output')] as const);
  const named = new Map(resources.map(([name, js]) => [canonical(js), name]));
  const errorComponents: Record<string, unknown> = {};
  for (const r of routes) {
    const output = jsonSchema(r.response, 'output');
    const success = referToResources(output, named) as Schema;
    const errors: Record<string, unknown> = {};
    for (const status of errorStatuses(r)) {
      if (status === 429) {
        errors['429'] = { $ref: '#/components/responses/Throttled' };
        continue;
      }
      const { name, response } = errorResponse(r, status);
      errorComponents[name] ??= response;
      errors[String(status)] = { $ref: `#/components/responses/${name}` };
    }
    const contentType = r.contentType ?? 'application/json';
    const json = contentType === 'application/json';
    const op: Record<string, unknown> = {
      operationId: r.id,
      summary: r.summary,
      description: `${r.summary}.${r.scope === 'public' ? ' No key needed.' : ` Scope: \`${r.scope === 'reservations' ? 'reservations:write` (or `inventory:write' : r.scope}\`.`}`,
      tags: [FAMILY_TAGS[r.family].name],
      'x-scope': r.scope,
      security: r.scope === 'public' ? [] : [{ bearer: [] }, { apiKey: [] }, { basic: [] }],
      parameters: parameters(r),
      responses: {
        [String(r.status ?? 200)]: {
          description: 'OK',
          content: { [contentType]: json ? { schema: success, example: example(output) } : { schema: { type: 'string' } } },
        },
        ...errors,
      },
    };
    if (r.body) {
      const body = jsonSchema(r.body, 'input');
      // the bulk body takes rows as they come (each is checked on its own and reported by index): publish the row's shape
      if (r.id === 'inventory.bulk') body.properties.updates = { ...body.properties.updates, maxItems: 500, items: jsonSchema(s.bulkRow, 'input') };
      describeFields(body);
      // hand-written, valid: what "Try it out" sends on the first click (openapi-examples.ts)
      const written = REQUEST_EXAMPLES[r.id as keyof typeof REQUEST_EXAMPLES];
      op.requestBody = { required: !r.body.safeParse(undefined).success, content: { 'application/json': { schema: body, example: written ?? example(body) } } };
    }
    (paths[r.path] ??= {})[r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Inventory API',
      version: '0.1.0',
      description:
        'Multi-warehouse inventory: no oversell, no lost stock change. Three families over one domain: admin (`/admin/…`), ' +
        "inventory (SKU-addressed, `/api/…`) and records (`/v1/inventory`). Send a key as `Authorization: Bearer <key>`, as `Authorization: Basic base64(<key>:)` (the key as user name, no password: what Medusa's JS SDK sends for `apiKey`) or in `x-api-key`. " +
        'Writes accept an `Idempotency-Key`: a value of your own, new for each change you mean to make once (e.g. a UUID), the same when you send that change again.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [
      { url: '/', description: 'This API (the host that serves this document)' },
      { url: 'http://127.0.0.1:3000', description: 'npm start on this machine' },
    ],
    tags: Object.values(FAMILY_TAGS),
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API key, e.g. `inv_default_…` (npm start writes one to .local/dev-key)' },
        apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'The same API key, in the x-api-key header' },
        basic: { type: 'http', scheme: 'basic', description: "The same API key as the user name, with no password (what Medusa's JS SDK sends for `apiKey`)" },
      },
      parameters: {
        IdempotencyKey: {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description:
            'Optional. A value of your own (1–255 printable characters), new for each change you mean to make once: a UUID, or your order line and step. ' +
            'Trying a write out here, leave it empty, or type a new value per click: a value used before answers what it answered then, and with another body 422 IDEMPOTENCY_KEY_REUSED. ' +
            'A repeat with the same key and body within 24 h gets the first response (`idempotency-replayed: true`) and changes nothing. ' +
            "When that response was not kept (too large, lost to a crash after the commit, or holding a new API key's secret, which is never stored) " +
            'the repeat answers the original status from what the first request committed: e.g. the key without its secret (`key: null`), ' +
            "or a bulk's rows as committed (rows never reached: NOT_APPLIED).",
          schema: { type: 'string', minLength: 1, maxLength: 255 },
        },
      },
      schemas: {
        ...Object.fromEntries(resources.map(([name, js]) => [name, { title: name, ...js }])),
        AdminError: ERROR_SCHEMAS.admin,
        InventoryError: ERROR_SCHEMAS.inventory,
        RecordsError: ERROR_SCHEMAS.records,
        Throttled: THROTTLED,
      },
      responses: {
        Throttled: { description: STATUS_TEXT[429], content: { 'application/json': { schema: { $ref: '#/components/schemas/Throttled' } } } },
        ...Object.fromEntries(Object.entries(errorComponents).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
      },
    },
    paths,
  };
}
