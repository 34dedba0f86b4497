/**
 * The OpenAPI 3.1 document, generated from the route table with zod 4's own JSON Schema output:
 * every operation's parameters and bodies, its success response, the error responses its route can
 * give (from what the route table says it does) in its family's shape, an example of each request and
 * response, a description of every field a client sets, tags per family, and `servers`.
 */
import * as z from 'zod/mini';
import { routes } from '../routes.ts';
import type { Family, Route } from '../routes.ts';
import { bulkRow } from '../core/schemas.ts';
import { FIELD_DESCRIPTIONS, FAMILY_TAGS } from './openapi-text.ts';

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
  sku: 'SKU-001', title: 'Blue Widget 500ml', name: 'Main warehouse', location_id: 'wh_01JEXAMPLE', warehouse_id: 'wh_01JEXAMPLE',
  from_warehouse_id: 'wh_01JEXAMPLE', to_warehouse_id: 'wh_02JEXAMPLE', inventory_item_id: 'iitem_01JEXAMPLE', id: 'wh_01JEXAMPLE',
  currency_code: 'eur', country_code: 'de', origin_country: 'DE', reason: 'cycle_count', note: 'counted twice',
  productId: 'prod_abc123', warehouseId: 'wh_def456', email: 'ops@example.com', line_item_id: 'item_456',
};

function sampleString(s: Schema, name?: string): string {
  if (s.format === 'date-time') return '2026-01-15T09:30:00.000Z';
  if (s.format === 'date') return '2026-01-15';
  if (s.format === 'email') return 'ops@example.com';
  if (s.format === 'uri' || s.format === 'url') return 'https://example.com/file';
  const fits = (v: string) =>
    v.length >= (s.minLength ?? 0) && v.length <= (s.maxLength ?? Infinity) && (!s.pattern || new RegExp(s.pattern, 'u').test(v));
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

function parameters(route: Route) {
  const out: unknown[] = [];
  for (const [where, schema] of [
    ['path', route.params],
    ['query', route.query],
  ] as const) {
    if (!schema) continue;
    const js = jsonSchema(schema, 'input') as { properties?: Record<string, Schema>; required?: string[] };
    for (const [name, s] of Object.entries(js.properties ?? {})) {
      const description = s.description ?? FIELD_DESCRIPTIONS[name] ?? `the ${name.replace(/_/g, ' ')}`;
      out.push({ name, in: where, required: where === 'path' || (js.required ?? []).includes(name), description, schema: s, example: example(s, name) });
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
    example: { type: 'invalid_data', code: 'VALIDATION_ERROR', message: 'sku: Too big: expected string to have <=256 characters', details: [{ field: 'sku', message: 'Too big: expected string to have <=256 characters' }] },
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
    example: { error: { code: 'VALIDATION_ERROR', message: 'quantity: Invalid input: expected number, received string', details: [{ field: 'quantity', message: 'Invalid input: expected number, received string' }] } },
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
const THROTTLED = { type: 'object', description: "API Gateway's own answer when the stage's rate limit is exceeded, or the service's when DynamoDB throttles the record written (Retry-After: 1)", properties: { message: { type: 'string' } }, example: { message: 'Too Many Requests' } };

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad request: a field is invalid (named in the message and details)',
  401: 'No API key, or an unknown or revoked one',
  403: "The key lacks the route's scope, or is limited to other warehouses, or the warehouse is read-only",
  404: 'Not found (another tenant’s ids are not found either)',
  409: 'Conflict: a guard in the write refused it (not enough stock, quantity changed meanwhile, still in use, duplicate)',
  413: 'The request body exceeds 256 KB',
  415: 'The body is not JSON',
  422: 'A quantity out of range (e.g. a hold line whose units pass 10⁹, named `lines.<i>.quantity`), a hold too large for one transaction (HOLD_TOO_LARGE), or an Idempotency-Key reused with another body',
  429: 'Too many requests (stage throttling, or a record written faster than DynamoDB takes writes to one item): retry after a moment',
  500: 'Unexpected error (no details are given away)',
};

/** The error statuses a route can answer, from what the route table says it does. */
export function errorStatuses(r: Route): number[] {
  const out = new Set<number>([429, 500]);
  const keyed = r.scope !== 'public';
  const writes = r.method !== 'GET';
  if (keyed) [401, 403].forEach((s) => out.add(s));
  if (r.params || r.query || r.body) out.add(400);
  if (r.params) out.add(404);
  if (r.body) [413, 415, 422].forEach((s) => out.add(s));
  if (keyed && writes) [409, 422].forEach((s) => out.add(s));
  // the admin family answers not enough stock, negative quantities and deletes blocked by reservations with 400 (Medusa); others with 409 / 422
  if (keyed && writes && r.family === 'admin') out.add(400);
  if (keyed && (r.access === 'read' || r.access === 'write') && (r.body || r.params)) out.add(404);
  return [...out].sort();
}

function errorResponses(r: Route): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const status of errorStatuses(r)) {
    out[String(status)] = status === 429 ? { $ref: '#/components/responses/Throttled' } : { $ref: `#/components/responses/${ERROR_NAMES[r.family]}${status}` };
  }
  return out;
}

function componentsResponses(): Record<string, unknown> {
  const out: Record<string, unknown> = { Throttled: { description: STATUS_TEXT[429], content: { 'application/json': { schema: { $ref: '#/components/schemas/Throttled' } } } } };
  for (const name of new Set(Object.values(ERROR_NAMES))) {
    for (const status of [400, 401, 403, 404, 409, 413, 415, 422, 500]) {
      out[`${name}${status}`] = { description: STATUS_TEXT[status], content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}` } } } };
    }
  }
  return out;
}

export function openApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const success = jsonSchema(r.response, 'output');
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
          content: { [contentType]: json ? { schema: success, example: example(success) } : { schema: { type: 'string' } } },
        },
        ...errorResponses(r),
      },
    };
    if (r.body) {
      const body = jsonSchema(r.body, 'input');
      // the bulk body takes rows as they come (each is checked on its own and reported by index): publish the row's shape
      if (r.id === 'inventory.bulk') body.properties.updates = { ...body.properties.updates, maxItems: 500, items: jsonSchema(bulkRow, 'input') };
      describeFields(body);
      op.requestBody = { required: !r.body.safeParse(undefined).success, content: { 'application/json': { schema: body, example: example(body) } } };
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
        'inventory (SKU-addressed, `/api/…`) and records (`/v1/inventory`). Send a key as `Authorization: Bearer <key>`, as `Authorization: Basic base64(<key>:)` (the key as user name, no password: what Medusa\'s JS SDK sends for `apiKey`) or in `x-api-key`. ' +
        'Writes accept an `Idempotency-Key`.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/', description: 'This API (the host that serves this document)' }, { url: 'http://127.0.0.1:3000', description: 'npm start on this machine' }],
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
            'A repeat with the same key and body within 24 h gets the first response (`idempotency-replayed: true`) and changes nothing. ' +
            'When that response was not kept (too large, lost to a crash after the commit, or holding a new API key\'s secret, which is never stored) ' +
            'the repeat answers the original status from what the first request committed: e.g. the key without its secret (`key: null`), ' +
            'or a bulk\'s rows as committed (rows never reached: NOT_APPLIED).',
          schema: { type: 'string', minLength: 1, maxLength: 255 },
          example: 'order-4711-reserve',
        },
      },
      schemas: { AdminError: ERROR_SCHEMAS.admin, InventoryError: ERROR_SCHEMAS.inventory, RecordsError: ERROR_SCHEMAS.records, Throttled: THROTTLED },
      responses: componentsResponses(),
    },
    paths,
  };
}
