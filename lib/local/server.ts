/**
 * The local HTTP server: every route of the route table on one port. Each request becomes the
 * API Gateway HTTP API (payload 2.0) event the deployed function receives; the same authorizer
 * runs first, then the route's own handler module. As the HTTP API: a request id on every answer
 * (`apigw-requestid`, the `request_id` of the functions' log lines), 404 `Not Found` for a method or
 * path no route has (HEAD and OPTIONS included: the API has no such routes), and CORS only when
 * origins are configured (INVENTORY_CORS_ORIGINS, as the stack's `corsOrigins`: lib/cors.ts).
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { routes } from '../../functions/routes.ts';
import type { Route } from '../../functions/routes.ts';
import { handler as authorizer } from '../../functions/authorizer/handler.ts';
import { acceptLocalUpload, processUpload } from '../../functions/core/uploads.ts';
import { writeLocalBlobStream } from '../../functions/store/blobs.ts';
import { runAs } from '../../functions/store/db.ts';
import { localContext } from '../../functions/edge/observability.ts';
import { functionName } from '../functions.ts';
import { allowedOrigin, parseOrigins, preflightHeaders } from '../cors.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** API Gateway refuses bodies above 10 MB; so do we. */
const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

interface Compiled {
  route: Route;
  regex: RegExp;
  names: string[];
  staticSegments: number;
}

function compile(route: Route): Compiled {
  const names: string[] = [];
  const segments = route.path.split('/').filter(Boolean);
  const pattern = segments
    .map((seg) => {
      const m = /^\{(\w+)\}$/.exec(seg);
      if (m) {
        names.push(m[1]);
        return '([^/]+)';
      }
      return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { route, regex: new RegExp(`^/${pattern}/?$`), names, staticSegments: segments.filter((s) => !s.startsWith('{')).length };
}

/** Most specific first, as API Gateway picks routes: more literal segments win. */
const compiled = routes.map(compile).sort((a, b) => b.staticSegments - a.staticSegments);

export function matchRoute(method: string, path: string): { route: Route; params: Record<string, string> } | 'method' | undefined {
  let pathMatched = false;
  for (const c of compiled) {
    const m = c.regex.exec(path);
    if (!m) continue;
    pathMatched = true;
    if (c.route.method !== method) continue;
    const params: Record<string, string> = {};
    c.names.forEach((n, i) => {
      try {
        params[n] = decodeURIComponent(m[i + 1]);
      } catch {
        params[n] = m[i + 1];
      }
    });
    return { route: c.route, params };
  }
  return pathMatched ? 'method' : undefined;
}

type LambdaHandler = (event: unknown, context: unknown) => Promise<{ statusCode: number; headers?: Record<string, string>; body?: string }>;
const modules = new Map<string, Promise<LambdaHandler>>();
function loadHandler(route: Route): Promise<LambdaHandler> {
  let m = modules.get(route.handler);
  if (!m) {
    m = import(pathToFileURL(resolve(ROOT, route.handler)).href).then((mod) => mod.handler as LambdaHandler);
    modules.set(route.handler, m);
  }
  return m;
}

function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolvePromise, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_REQUEST_BYTES) chunks.push(c);
    });
    req.on('end', () => resolvePromise(size > MAX_REQUEST_BYTES ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body);
}

/** What the per-request log line says beyond method, path and status. */
interface RequestInfo {
  route?: string;
  tenant?: string;
  keyName?: string;
  requestId?: string;
}

/** An API Gateway HTTP API request id (`$context.requestId`, the `apigw-requestid` header): 16 characters, e.g. `Fsd3iH4yoAMEbVw=`. */
export const apiGatewayRequestId = () => `${randomBytes(11).toString('base64url')}=`;

export interface LocalServerOptions {
  /** One line per request on the console (npm start). */
  log?: boolean;
  /** Origins allowed by CORS (`*`: any); none: no CORS, as the stack without `corsOrigins`. Default: INVENTORY_CORS_ORIGINS. */
  corsOrigins?: string[];
}

export async function handle(req: IncomingMessage, res: ServerResponse, info: RequestInfo = {}, corsOrigins: readonly string[] = []): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = (req.method ?? 'GET').toUpperCase();
  info.requestId ??= apiGatewayRequestId();
  if (!res.headersSent) res.setHeader('apigw-requestid', info.requestId);
  const upload = /^\/local\/uploads\/([^/]+)\/(upl_[0-9A-Za-z]+)$/.exec(url.pathname);
  if (upload) return receiveUpload(req, res, method, decodeURIComponent(upload[1]!), upload[2]!, url.searchParams.get('token') ?? '');
  const origin = allowedOrigin(corsOrigins, req.headers.origin);
  // with CORS configured, the API answers every OPTIONS itself (the preflight), without a route
  if (method === 'OPTIONS' && corsOrigins.length) {
    req.resume();
    res.writeHead(204, origin ? preflightHeaders(origin) : {});
    return void res.end();
  }
  if (origin && !res.headersSent) {
    res.setHeader('access-control-allow-origin', origin);
    if (origin !== '*') res.setHeader('vary', 'origin');
  }
  const match = matchRoute(method, url.pathname);
  // no route for this method and path (HEAD and OPTIONS have none): the HTTP API's own 404
  if (match === undefined || match === 'method') {
    req.resume();
    return send(res, 404, JSON.stringify({ message: 'Not Found' }));
  }
  const body = await readBody(req);
  if (body === 'too-large') return send(res, 413, JSON.stringify({ message: 'Request Entity Too Large' }));

  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
  const { route, params } = match;
  info.route = route.id;
  const textual = !body.length || /json|text|csv|xml|x-www-form-urlencoded/i.test(headers['content-type'] ?? 'application/json');
  const now = new Date();
  const event = {
    version: '2.0',
    routeKey: `${route.method} ${route.path}`,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    pathParameters: Object.keys(params).length ? params : undefined,
    body: body.length ? (textual ? body.toString('utf8') : body.toString('base64')) : undefined,
    isBase64Encoded: body.length > 0 && !textual,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: { method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
      requestId: info.requestId,
      routeKey: `${route.method} ${route.path}`,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      authorizer: undefined as undefined | { lambda: Record<string, string> },
    },
  };
  if (route.scope !== 'public') {
    const auth = await runAs('Authorizer', () => authorizer({ headers, requestContext: { requestId: info.requestId } }));
    if (!auth.isAuthorized) return send(res, 403, JSON.stringify({ message: 'Forbidden' }));
    event.requestContext.authorizer = { lambda: auth.context };
    info.tenant = auth.context.tenant;
    info.keyName = auth.context.key_name;
  }
  const fn = await loadHandler(route);
  // each function calls DynamoDB with its own identity (the local DynamoDB front checks its grants),
  // and logs with its own name (function_name), as deployed. Its time: 30 s, API Gateway's longest
  // integration wait, not the route function's deployed 10 s (this machine runs DynamoDB too)
  const name = functionName(route);
  const out = await runAs(name, () => fn(event, localContext(name, 30_000)));
  send(res, out.statusCode, out.body ?? '', out.headers ?? {});
}

/**
 * One concise line per request (`npm start`): time, method, path, status, duration, the route, the
 * tenant and key name, and API Gateway's request id (the one the function's log lines carry).
 */
export function requestLine(method: string, path: string, status: number, ms: number, info: RequestInfo): string {
  const who = info.tenant ? ` tenant=${info.tenant} key=${JSON.stringify(info.keyName ?? '')}` : '';
  const route = info.route ? ` ${info.route}` : '';
  return `${new Date().toISOString().slice(11, 23)} ${method} ${path} ${status} ${ms.toFixed(0)}ms${route}${who}${info.requestId ? ` req=${info.requestId}` : ''}`;
}

export function createLocalServer(opts: LocalServerOptions = {}): Server {
  const corsOrigins = opts.corsOrigins ?? parseOrigins(process.env.INVENTORY_CORS_ORIGINS);
  const server = createServer((req, res) => {
    const started = performance.now();
    const info: RequestInfo = { requestId: apiGatewayRequestId() };
    if (opts.log) {
      res.on('finish', () => {
        const path = (req.url ?? '/').split('?')[0]!;
        console.log(requestLine((req.method ?? 'GET').toUpperCase(), path, res.statusCode, performance.now() - started, info));
      });
    }
    handle(req, res, info, corsOrigins).catch((err) => {
      console.error(err);
      if (!res.headersSent) send(res, 500, JSON.stringify({ message: 'Internal Server Error' }));
      else res.end();
    });
  });
  // idle keep-alive connections are left for the client to close (as a load balancer does): a server
  // closing one just as a client reuses it makes that client's request fail with ECONNRESET
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return server;
}

export async function listen(server: Server, port: number, host = '127.0.0.1'): Promise<number> {
  await new Promise<void>((r, j) => {
    server.once('error', j);
    server.listen(port, host, () => r());
  });
  return (server.address() as { port: number }).port;
}

/**
 * Locally, the upload URL of POST /api/inventory/uploads points here: the file is streamed into
 * the local blob folder (no size limit), and the processor starts as the S3 event would start it
 * when deployed. `uploadsInFlight` lets the caller (tests) wait for it.
 */
export const uploadsInFlight = new Set<Promise<unknown>>();

async function receiveUpload(req: IncomingMessage, res: ServerResponse, method: string, tenant: string, id: string, token: string) {
  if (method !== 'PUT') return send(res, 405, JSON.stringify({ message: 'Method Not Allowed: PUT the file' }));
  const job = await acceptLocalUpload(tenant, id, token);
  if (!job) {
    req.resume();
    return send(res, 403, JSON.stringify({ message: 'This upload URL is not valid (unknown, expired or already used)' }));
  }
  const bytes = await writeLocalBlobStream(job.object_key, req);
  send(res, 200, JSON.stringify({ id, bytes }));
  const run = runAs('UploadProcessor', () => processUpload(tenant, id))
    .catch((err) => console.error(`upload ${id}: processing failed:`, err))
    .finally(() => uploadsInFlight.delete(run));
  uploadsInFlight.add(run);
}
