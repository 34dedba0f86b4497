/**
 * The one wrapper every HTTP handler goes through: it finds the route in the route table,
 * checks the caller's scope, validates path, query and body with the route's schemas, calls the
 * handler's domain function, and renders the result or the error in the route's family shape.
 */
import { count, instrumented, logger } from './observability.ts';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type * as core from 'zod/v4/core';
import { DomainError } from '../core/errors.ts';
import { SCOPES } from '../core/model.ts';
import type { Actor, Scope } from '../core/model.ts';
import type { Route } from '../routes.ts';
import { renderError, renderUnexpected } from './render.ts';
import { toDomainError } from '../core/validate.ts';
import { idempotent } from './idempotency.ts';
import { normaliseQuery, refuseUnknown } from './query.ts';
import { isThrottled, trackingWrites, wroteInThisRequest } from '../store/db.ts';

/** Requests larger than this are refused before parsing (API Gateway's own cap is 10 MB). */
export const MAX_BODY_BYTES = 256 * 1024;

/*
 * A handler's types come from its route's schemas (zod/v4/core's input / output, which classic zod
 * and zod/mini schemas share): parsed params, query and body are the schemas' outputs; what it
 * returns must be accepted by the response schema (its input).
 */
type Parsed<R, K extends 'params' | 'query' | 'body', Else> = R extends { [k in K]: infer S extends core.$ZodType } ? core.output<S> : Else;
/** Path parameters as parsed by the route's `params` schema; none to read without one. */
export type ParamsOf<R> = Parsed<R, 'params', Record<never, never>>;
/** Query parameters as parsed by the route's `query` schema; none to read without one. */
export type QueryOf<R> = Parsed<R, 'query', Record<never, never>>;
/** The body as parsed by the route's `body` schema; none without one. */
export type BodyOf<R> = Parsed<R, 'body', undefined>;
/** What the route's response schema accepts. */
export type ResponseOf<R> = R extends { response: infer S extends core.$ZodType } ? core.input<S> : unknown;

export interface Request<R = Route> {
  actor: Actor;
  params: ParamsOf<R>;
  query: QueryOf<R>;
  body: BodyOf<R>;
  headers: Record<string, string | undefined>;
  event: APIGatewayProxyEventV2;
}

/** A response with a status or headers of its own: a body its schema accepts, or a raw string. */
export type Reply<T = unknown> = {
  status?: number;
  headers?: Record<string, string>;
} & (
  | { body: T; raw?: false }
  /** Send `body` as it is (a string) rather than as JSON. */
  | { body: string; raw: true }
);

/** What a handler of route R may return: the response body, or a Reply carrying it. */
export type Result<R> = ResponseOf<R> | Reply<ResponseOf<R>>;

export type Event = APIGatewayProxyEventV2 & {
  requestContext: APIGatewayProxyEventV2['requestContext'] & { authorizer?: { lambda?: Record<string, unknown> } };
};

/** Kept back from a request's time for its answer: retries after a write stop this long before the function's timeout. */
const ANSWER_MS = 1000;

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
};

/**
 * `replay`: how a retry of a used Idempotency-Key is answered when the first response could not be
 * stored (too large, or an error or crash after the commit): the resource's current state, read
 * without changing anything (`ref` is the id of a resource the request created). Routes without one
 * answer the original status with a short body saying the request was applied.
 */
export interface HandlerOptions<R = Route> {
  replay?: (req: Request<R>, ref: string | undefined) => Promise<Result<R>> | Result<R>;
  /**
   * False: the answer holds something that must never be at rest in plaintext (a new API key's
   * secret). It is not stored with the Idempotency-Key's record; a retry answers from `replay`.
   */
  keepResponse?: boolean;
  /**
   * True for a request that changes nothing (a dry run): its Idempotency-Key is not claimed, so it
   * leaves no record and is never replayed — as on a GET, the key is ignored.
   */
  changesNothing?: (req: Request<R>) => boolean;
}

/**
 * `defineHandler(<route's export in the table>)(fn, opts)`: a handler bound to its own entry of the route table
 * (routes.ts). Two calls, so the route's types are fixed before `fn` is checked against them (one
 * generic call would infer them while checking `fn` and widen its literals: `deleted: true`).
 */
export function defineHandler<R extends Route>(route: R) {
  if (!route?.id) throw new Error('defineHandler: no such route in the route table');
  return (fn: (req: Request<R>) => Promise<Result<R>>, opts: HandlerOptions<R> = {}) => wrap(route, fn, opts);
}

function wrap<R extends Route>(route: R, fn: (req: Request<R>) => Promise<Result<R>>, opts: HandlerOptions<R>) {
  const respond = async (event: Event): Promise<APIGatewayProxyStructuredResultV2> => {
    try {
      const actor = authenticate(route, event);
      const req = {
        actor,
        params: parse(route.params, event.pathParameters ?? {}, 'path'),
        query: parse(route.query, queryOf(route, event), 'query'),
        body: route.body ? parse(route.body, readBody(event), 'body') : undefined,
        headers: lowerCase(event.headers ?? {}),
        event,
      } as Request<R>;
      const render = (out: unknown, status?: number) => {
        const reply: Reply = isReply(out) ? out : { body: out };
        return {
          statusCode: status ?? reply.status ?? route.status ?? 200,
          headers: { 'content-type': route.contentType ?? 'application/json', ...SECURITY_HEADERS, ...reply.headers },
          body: reply.raw ? String(reply.body) : JSON.stringify(reply.body),
        };
      };
      const run = async () => render(await fn(req));
      const replay = async (status: number, ref: string | undefined) =>
        render(
          opts.replay
            ? await opts.replay(req, ref)
            : { message: 'This request was applied once; its response was not kept. Read the resource for its current state.' },
          status,
        );
      const idemKey = req.headers['idempotency-key'];
      // reads change nothing: an Idempotency-Key on a GET is ignored
      if (idemKey === undefined || route.method === 'GET' || route.scope === 'public' || opts.changesNothing?.(req)) return await run();
      return await idempotent(route, actor, idemKey, event, run, renderFailure, replay, { keep: opts.keepResponse });
    } catch (err) {
      return renderFailure(err);
    }
  };

  const handler = instrumented<Event, APIGatewayProxyStructuredResultV2>(route.id, async (event, context) => {
    // every log line of this request can be joined to the API's access log (its requestId) and names who and what
    const lambda = event.requestContext?.authorizer?.lambda;
    logger.appendKeys({
      request_id: event.requestContext?.requestId,
      route: route.id,
      ...(lambda?.tenant ? { tenant: String(lambda.tenant), key_name: String(lambda.key_name ?? '') } : {}),
    });
    // the request's time: a read retried after its write stops a second before the function would be cut off
    const res = await trackingWrites(() => respond(event), { deadline: Date.now() + context.getRemainingTimeInMillis() - ANSWER_MS });
    const status = res.statusCode ?? 200;
    count(status >= 500 ? 'ServerErrors' : status >= 400 ? 'ClientErrors' : 'Successes', 1, { family: route.family });
    // one line per request at DEBUG (POWERTOOLS_LOG_LEVEL=DEBUG): the function's side of the access log line
    logger.debug('answered', { status });
    return res;
  });
  return handler;

  function renderFailure(err: unknown): APIGatewayProxyStructuredResultV2 & { statusCode: number } {
    if (isThrottled(err) && !wroteInThisRequest()) {
      // one record (a hot SKU's level) written faster than DynamoDB takes writes to one item, past the
      // SDK's own retries, before anything was written (an Idempotency-Key's own record does not count:
      // store/db.ts `untracked`): the caller slows down and sends it again.
      // (After a write, a throttled read is not "nothing happened": store/db.ts tries such a read again
      // for about 3 s, within the request's time; past that it stays a 500.)
      logger.warn('throttled by DynamoDB', err as Error);
      return {
        statusCode: 429,
        headers: { 'content-type': 'application/json', 'retry-after': '1', ...SECURITY_HEADERS },
        body: JSON.stringify({ message: THROTTLED_MESSAGE }),
      };
    }
    const rendered =
      err instanceof DomainError
        ? renderError(route.family, err)
        : isStoreRejection(err)
          ? (logger.warn('input rejected by DynamoDB', err as Error),
            renderError(route.family, new DomainError('VALIDATION_ERROR', 'The request holds a value that cannot be stored; check its sizes and nesting')))
          : (logger.error('unexpected error', err as Error), renderUnexpected(route.family));
    return {
      statusCode: rendered.status,
      headers: { 'content-type': 'application/json', ...SECURITY_HEADERS },
      body: JSON.stringify(rendered.body),
    };
  }
}

export const THROTTLED_MESSAGE = 'Too Many Requests: this record takes writes more slowly than they arrive; retry after a moment';

/** DynamoDB refusing a value (size, nesting, number range) is the input's fault: a 400, never a 5xx. */
function isStoreRejection(err: unknown): boolean {
  return (err as { name?: string })?.name === 'ValidationException';
}

function isReply(x: unknown): x is Reply {
  return typeof x === 'object' && x !== null && 'body' in x && Object.keys(x).every((k) => ['status', 'body', 'headers', 'raw'].includes(k));
}

/** The authorizer put the key's facts in the request context; the route table says what scope it needs. */
function authenticate(route: Route, event: Event): Actor {
  const ctx = event.requestContext?.authorizer?.lambda;
  if (route.scope === 'public') return { tenant: '', keyId: '', keyName: 'anonymous', scopes: [] };
  if (!ctx || !ctx.tenant)
    throw new DomainError('UNAUTHORIZED', 'A valid API key is required (Authorization: Bearer <key>, Authorization: Basic base64(<key>:), or x-api-key)');
  const scopes = String(ctx.scopes ?? '')
    .split(' ')
    .filter((s): s is Scope => (SCOPES as readonly string[]).includes(s));
  const warehouseIds = String(ctx.warehouse_ids ?? '')
    .split(' ')
    .filter(Boolean);
  const actor: Actor = {
    tenant: String(ctx.tenant),
    keyId: String(ctx.key_id ?? ''),
    keyName: String(ctx.key_name ?? ''),
    scopes,
    ...(warehouseIds.length ? { warehouseIds } : {}),
  };
  const ok = route.scope === 'reservations' ? scopes.includes('reservations:write') || scopes.includes('inventory:write') : scopes.includes(route.scope);
  if (!ok) {
    const needed = route.scope === 'reservations' ? 'reservations:write (or inventory:write)' : route.scope;
    throw new DomainError('FORBIDDEN', `This API key lacks the scope ${needed}`);
  }
  return actor;
}

function parse(schema: Route['params'] | Route['body'], input: unknown, where: 'body' | 'query' | 'path') {
  if (!schema) return input;
  const res = schema.safeParse(input);
  if (!res.success) throw toDomainError(where, res.error, input);
  return res.data;
}

function readBody(event: Event): unknown {
  const raw = event.body ?? '';
  const type = Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === 'content-type')?.[1];
  // JSON only: a body sent as a form, text or anything else is refused before it is read
  if (raw && type && !/^application\/([\w.+-]*\+)?json\s*(;|$)/i.test(type)) {
    throw new DomainError('UNSUPPORTED_MEDIA_TYPE', `Content-Type ${type.split(';')[0]} is not accepted: send application/json`);
  }
  const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) {
    throw new DomainError('PAYLOAD_TOO_LARGE', `The request body exceeds ${MAX_BODY_BYTES} bytes`);
  }
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new DomainError('VALIDATION_ERROR', 'body: malformed JSON', [{ field: 'body', message: 'is not valid JSON' }]);
  }
}

/**
 * The route's query: the three array encodings read alike (query.ts), and every parameter the route
 * does not declare refused with a 400 naming it (the meta pages excepted: a browser may add its own).
 */
function queryOf(route: Route, event: Event): Record<string, string> {
  const query = normaliseQuery(event.queryStringParameters);
  if (route.family === 'meta') return query;
  return refuseUnknown(query, Object.keys(route.query?.shape ?? {}));
}

function lowerCase(h: Record<string, string | undefined>): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}
