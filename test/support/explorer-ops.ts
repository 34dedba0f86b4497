/**
 * The schedule explorer's ONLY door into functions/ (test/support/explorer.ts imports nothing from
 * there): how a request reaches the real code, how a middleware gets onto every DynamoDB client the
 * store makes, and the two background jobs that are not routes (the stream consumer's parking and
 * the expiry sweep). When the write path is refactored, rewire this file and nothing else.
 */
import { Readable } from 'node:stream';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { currentFunction, decorateClients, runAs, setClient } from '../../functions/store/db.ts';
import { materialiseLevel, ridOfKey, settleHotLevel } from '../../functions/store/levels.ts';
import { settleHot } from '../../functions/stream/handler.ts';
import { releaseExpired } from '../../functions/core/reservations.ts';
import { processUpload } from '../../functions/core/uploads.ts';
import { handle, uploadsInFlight } from '../../lib/local/server.ts';
import { makeKey } from './api.ts';

export type ClientDecorator = (client: DynamoDBClient) => void;

/**
 * Put `decorate` on every DynamoDB client the store makes from now on (one per function identity,
 * so the front keeps checking IAM per function), and drop the clients made before it.
 */
export function decorateStoreClients(decorate: ClientDecorator | undefined): void {
  decorateClients(decorate);
  setClient(undefined);
}

/** The function whose code sent the current DynamoDB call (`admin` outside any function). */
export const callerFunction = (): string => currentFunction();

/** A key with every scope for `tenant` (written straight to the table, like the API tests' keys). */
export const keyFor = (tenant: string): Promise<string> => makeKey(tenant);

export interface Answer {
  status: number;
  body: any;
}

/**
 * One HTTP request through the local server's own request handler (lib/local/server.ts: the event
 * API Gateway would build, the authorizer, the route's Lambda handler), in this process and in the
 * caller's async context — so the explorer's AsyncLocalStorage tag follows it into every DynamoDB
 * call. No socket: a loopback connection would run the handler in the server's context, untagged.
 */
export async function invoke(key: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const payload = body === undefined ? Buffer.alloc(0) : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const req = Readable.from(payload.length ? [payload] : []) as unknown as IncomingMessage;
  Object.assign(req, {
    url: path,
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', host: 'localhost', ...lower(headers) },
    socket: { remoteAddress: '127.0.0.1' },
  });
  let status = 0;
  let text = '';
  const res: { headersSent: boolean; setHeader(name: string, value: string): unknown; writeHead(s: number): unknown; end(chunk?: string | Buffer): unknown } = {
    headersSent: false,
    // the local server sets its request id header before it answers (lib/local/server.ts)
    setHeader: () => res,
    writeHead(s: number) {
      status = s;
      res.headersSent = true;
      return res;
    },
    end(chunk?: string | Buffer) {
      if (chunk !== undefined) text += chunk.toString();
      return res;
    },
  };
  await handle(req, res as unknown as ServerResponse);
  let parsed: any = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  return { status, body: parsed };
}
const lower = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));

/**
 * The stream consumer's part of hot mode: park the level's free units over its shards / rebalance
 * (one transaction), as the consumer's identity. True when it moved units.
 */
export const park = (tenant: string, iid: string, wid: string): Promise<boolean> =>
  runAs('StreamConsumer', async () => (await settleHotLevel(tenant, iid, wid, new Date().toISOString()))?.moved ?? false);

/**
 * The stream consumer's turn at a hot level (stream/handler.ts settleHot: park or rebalance, then
 * every pending reservation of its escrow shards made a row and its id removed from the map), as
 * the consumer's identity.
 */
export const consume = (tenant: string, iid: string, wid: string): Promise<void> => runAs('StreamConsumer', () => settleHot(tenant, iid, wid));

/** The materialiser alone (store/levels.ts materialiseLevel: each pending entry its row, then the ids removed), as the consumer. */
/** The reservation id of an escrow map entry's name at its level (the door's naming). */
export const pendingRid = (key: string, iid: string, wid: string): string => ridOfKey(key, iid, wid);
export const materialise = (tenant: string, iid: string, wid: string): Promise<void> => runAs('StreamConsumer', () => materialiseLevel(tenant, iid, wid));

/** The expiry sweep of one tenant, run as if a day had passed: every reservation with an expiry (holds' included) is released. */
export const expireAll = (tenant: string): Promise<number> =>
  runAs('ExpireReservations', () => releaseExpired(tenant, new Date(Date.now() + 86_400_000).toISOString()));

/**
 * A CSV upload's rows: create the upload, PUT the file to its (local) URL — which starts the upload
 * processor in this async context, as the local runtime does — and wait for the processor.
 * Answers the job as GET /api/inventory/uploads/{id} shows it once processed.
 */
export async function uploadRows(tenant: string, key: string, csv: string, headers: Record<string, string> = {}): Promise<Answer> {
  const created = await invoke(key, 'POST', '/api/inventory/uploads', { mode: 'set' }, headers);
  if (created.status >= 300) return created;
  const url = new URL(created.body.data.upload_url, 'http://localhost');
  const before = new Set(uploadsInFlight);
  const put = await invoke(key, 'PUT', url.pathname + url.search, csv, { 'content-type': 'text/csv' });
  if (put.status >= 300) return put;
  // the processor runs after the PUT is answered; others' uploads may be in flight too (waiting on them is harmless)
  await Promise.all([...uploadsInFlight].filter((p) => !before.has(p)));
  const id = created.body.data.id;
  let job = await invoke(key, 'GET', `/api/inventory/uploads/${id}`);
  // a processor that failed part way is invoked again, as Lambda retries a failed asynchronous invocation (twice)
  for (let retry = 0; retry < 2 && job.body?.data?.status === 'processing'; retry++) {
    await runAs('UploadProcessor', () => processUpload(tenant, id)).catch(() => undefined);
    job = await invoke(key, 'GET', `/api/inventory/uploads/${id}`);
  }
  return job;
}
