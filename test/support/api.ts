/**
 * An API test's world: the local server (the same one `npm start` runs) on a free port,
 * in this process, against the run's DynamoDB Local, and a fresh tenant with its own keys.
 */
import type { Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newId } from '../../functions/core/ids.ts';
import { SCOPES } from '../../functions/core/model.ts';
import type { Scope } from '../../functions/core/model.ts';
import { keyPrefix } from '../../functions/core/api-keys.ts';
import { putApiKey } from '../../functions/store/api-keys.ts';
import { db, setClient } from '../../functions/store/db.ts';
import { createLocalServer, listen, matchRoute } from '../../lib/local/server.ts';
import * as z from 'zod';
import { openApiDocument } from '../../functions/edge/openapi.ts';
import { startStreamPoller } from '../../lib/local/stream-poller.ts';
import { handler as streamHandler } from '../../functions/stream/handler.ts';
import type { DynamoDBStreamEvent } from 'aws-lambda';

export interface Response<T = any> {
  status: number;
  body: T;
  headers: Headers;
  text: string;
}

export interface Api {
  url: string;
  tenant: string;
  key: string;
  /** Make another key of this tenant with the given scopes. */
  keyWith(scopes: Scope[], name?: string): Promise<string>;
  /** A new tenant with a full key (for isolation tests). */
  otherTenant(): Promise<{ tenant: string; key: string }>;
  request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    opts?: { key?: string | null; headers?: Record<string, string>; raw?: string },
  ): Promise<Response<T>>;
  get<T = any>(path: string, key?: string | null): Promise<Response<T>>;
  post<T = any>(path: string, body?: unknown, key?: string | null): Promise<Response<T>>;
  del<T = any>(path: string, key?: string | null): Promise<Response<T>>;
  /** With `startApi({ stream: true })`: wait until the stream consumer has handled every change so far. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export const newTenant = () => `t-${randomBytes(6).toString('hex')}`;

export async function makeKey(tenant: string, scopes: Scope[] = [...SCOPES], name = 'test', warehouseIds: string[] | null = null): Promise<string> {
  const key = `inv_${tenant}_${randomBytes(18).toString('base64url')}`;
  await putApiKey(key, {
    id: newId('key'),
    tenant,
    name,
    prefix: keyPrefix(key),
    scopes,
    warehouse_ids: warehouseIds,
    created_at: new Date().toISOString(),
    revoked_at: null,
  });
  return key;
}

export async function startApi(opts: { stream?: boolean } = {}): Promise<Api> {
  const tenant = newTenant();
  // Test files run in parallel against one table, each with its own consumer: a consumer handles only
  // its own tenants' records, or another file's consumer could take (and publish to its own sink) ours.
  const mine = new Set([tenant]);
  const ours = (event: DynamoDBStreamEvent) => ({
    Records: event.Records.filter((r) => [...mine].some((t) => String(r.dynamodb?.Keys?.PK?.S ?? '').startsWith(`T#${t}#`))),
  });
  const poller = opts.stream
    ? await startStreamPoller({
        endpoint: process.env.DYNAMODB_ENDPOINT!,
        tableName: process.env.TABLE_NAME!,
        handler: async (event, context) => {
          const own = ours(event);
          return own.Records.length ? streamHandler(own, context) : { batchItemFailures: [] };
        },
        from: 'LATEST',
        // never the working copy's .local/: a test's dead letters are its own
        deadLetters: join(tmpdir(), `inventory-dead-letters-${randomBytes(6).toString('hex')}.ndjson`),
      })
    : undefined;
  const server: Server = createLocalServer();
  const port = await listen(server, 0);
  const url = `http://127.0.0.1:${port}`;
  const key = await makeKey(tenant);
  const request: Api['request'] = async (method, path, body, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    const k = opts.key === undefined ? key : opts.key;
    if (k) headers.authorization = `Bearer ${k}`;
    let payload: string | undefined = opts.raw;
    if (payload === undefined && body !== undefined) {
      payload = JSON.stringify(body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(url + path, { method, headers, body: payload });
    const text = await res.text();
    let parsed: any = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    if (res.ok && typeof parsed === 'object' && parsed !== null) checkPublished(method, path, res.status, parsed);
    return { status: res.status, body: parsed, headers: res.headers, text };
  };
  return {
    url,
    tenant,
    key,
    keyWith: (scopes, name) => makeKey(tenant, scopes, name),
    async otherTenant() {
      const t = newTenant();
      mine.add(t);
      return { tenant: t, key: await makeKey(t) };
    },
    request,
    get: (path, k) => request('GET', path, undefined, { key: k }),
    post: (path, body, k) => request('POST', path, body, { key: k }),
    del: (path, k) => request('DELETE', path, undefined, { key: k }),
    settle: async () => {
      if (!poller) throw new Error('startApi({ stream: true }) runs the stream consumer');
      await poller.drain();
    },
    close: async () => {
      await poller?.stop();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      db().destroy();
      setClient(undefined);
    },
  };
}

/**
 * Every 2xx JSON body a route test receives must match the response schema the OpenAPI document
 * publishes for that route and status (the document as clients see it, not the zod schema).
 */
const published = new Map<string, z.ZodType>();
export function checkPublished(method: string, path: string, status: number, body: unknown) {
  const match = matchRoute(method.toUpperCase(), new URL(path, 'http://x').pathname);
  if (!match || typeof match !== 'object') return;
  const { route } = match;
  const key = `${route.id} ${status}`;
  let schema = published.get(key);
  if (!schema) {
    const doc = openApiDocument() as any;
    const op = doc.paths[route.path][route.method.toLowerCase()];
    const js = op.responses[String(status)]?.content?.['application/json']?.schema;
    if (!js) throw new Error(`${method} ${path} answered ${status}, which the OpenAPI document does not publish for ${route.id}`);
    schema = z.fromJSONSchema(resolveRefs(js, doc));
    published.set(key, schema);
  }
  const res = schema.safeParse(body);
  if (!res.success) {
    throw new Error(`${method} ${path} (${route.id}) answered ${status} with a body that does not match its published schema:\n${z.prettifyError(res.error)}`);
  }
}

/** The schema with every `#/components/schemas/…` reference replaced by the named schema itself. */
function resolveRefs(node: unknown, doc: { components: { schemas: Record<string, unknown> } }): any {
  if (Array.isArray(node)) return node.map((n) => resolveRefs(n, doc));
  if (!node || typeof node !== 'object') return node;
  const ref = (node as { $ref?: string }).$ref;
  if (ref?.startsWith('#/components/schemas/')) {
    const { title: _title, ...named } = doc.components.schemas[ref.slice('#/components/schemas/'.length)] as Record<string, unknown>;
    return resolveRefs(named, doc);
  }
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, resolveRefs(v, doc)]));
}
