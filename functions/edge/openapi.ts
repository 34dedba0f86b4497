/** The OpenAPI 3.1 document, generated from the route table with zod 4's own JSON Schema output. */
import * as z from 'zod';
import { routes } from '../routes.ts';
import type { Route } from '../routes.ts';

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

function parameters(route: Route) {
  const out: unknown[] = [];
  for (const [where, schema] of [
    ['path', route.params],
    ['query', route.query],
  ] as const) {
    if (!schema) continue;
    const js = jsonSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, s] of Object.entries(js.properties ?? {})) {
      out.push({ name, in: where, required: where === 'path' || (js.required ?? []).includes(name), schema: s });
    }
  }
  return out;
}

const ERROR_SHAPES: Record<Route['family'], unknown> = {
  admin: { type: 'object', properties: { type: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' } } },
  inventory: {
    type: 'object',
    properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'array' } } } },
  },
  records: { type: 'object', properties: { status: { const: false }, code: { type: 'string' }, message: { type: 'string' } } },
  meta: { type: 'object' },
};

export function openApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const op: Record<string, unknown> = {
      operationId: r.id,
      summary: r.summary,
      tags: [r.family],
      'x-scope': r.scope,
      security: r.scope === 'public' ? [] : [{ bearer: [] }, { apiKey: [] }],
      parameters: parameters(r),
      responses: {
        [String(r.status ?? 200)]: {
          description: 'OK',
          content: { [r.contentType ?? 'application/json']: { schema: jsonSchema(r.response, 'output') } },
        },
        default: { description: 'Error', content: { 'application/json': { schema: ERROR_SHAPES[r.family] } } },
      },
    };
    if (r.body) {
      op.requestBody = { required: !r.body.safeParse(undefined).success, content: { 'application/json': { schema: jsonSchema(r.body, 'input') } } };
    }
    (paths[r.path] ??= {})[r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Inventory API', version: '0.1.0', description: 'Multi-warehouse inventory: no oversell, no lost stock change.' },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
      },
    },
    paths,
  };
}
