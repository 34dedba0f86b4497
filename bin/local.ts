/**
 * `npm start`: the whole service on this machine. DynamoDB Local (data in .local/ unless
 * INVENTORY_IN_MEMORY=1), the table from the stack's own definition, keys, and every route
 * of the route table on http://127.0.0.1:${PORT:-3000}.
 *
 * Environment: PORT, DYNAMODB_PORT, DYNAMODB_ENDPOINT (use a running DynamoDB instead),
 * INVENTORY_IN_MEMORY=1, INVENTORY_BOOTSTRAP_KEYS='[{"tenant","key","scopes","name"}]',
 * TABLE_NAME (default "inventory"), INVENTORY_EVENTS_FILE (default .local/events.ndjson),
 * INVENTORY_BLOB_DIR (reports; default .local/blobs), INVENTORY_SWEEP_INTERVAL (s, default 60),
 * INVENTORY_REPORT_INTERVAL (s, default 86400), INVENTORY_REQUEST_LOG=0 (no line per request),
 * INVENTORY_STREAM_DEAD_LETTERS (the stream consumer's dead letters; default .local/stream-dead-letters.ndjson).
 * INVENTORY_CORS_ORIGINS (origins allowed by CORS, as the stack's corsOrigins).
 *
 * What it prints fits 80 columns (lib/local/terminal.ts); Ctrl-C stops the stream consumer and the
 * timers before DynamoDB, so nothing is left polling a DynamoDB that has gone.
 */
import '../lib/local/defaults.ts'; // first: the environment the functions' modules read as they load
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { resolve } from 'node:path';
import { startDynamoDbLocal } from '../lib/local/dynamodb-local.ts';
import type { DynamoDbLocal } from '../lib/local/dynamodb-local.ts';
import { ensureDevKey, ensureKey, parseBootstrapKeys } from '../lib/local/keys.ts';
import { createLocalServer, listen } from '../lib/local/server.ts';
import { ensureTable } from '../lib/local/table.ts';
import { startStreamPoller } from '../lib/local/stream-poller.ts';
import { deadLetterFile } from '../lib/local/stream-dead-letters.ts';
import type { StreamPoller } from '../lib/local/stream-poller.ts';
import { handler as streamHandler } from '../functions/stream/handler.ts';
import { handler as expireReservations } from '../functions/scheduled/expire-reservations.ts';
import { handler as lowStockReport } from '../functions/scheduled/low-stock-report.ts';
import { runAs } from '../functions/store/db.ts';
import { startFrontFor } from '../lib/local/dynamo-front.ts';
import type { DynamoFront } from '../lib/local/dynamo-front.ts';
import { handler as reconcileDaily } from '../functions/scheduled/reconcile.ts';
import { columns, freePortNear, labelled, shortPath } from '../lib/local/terminal.ts';

const LOCAL_DIR = resolve(process.env.INVENTORY_LOCAL_DIR ?? '.local');

let ddb: DynamoDbLocal | undefined;
let front: DynamoFront | undefined;
let poller: StreamPoller | undefined;
let server: Server | undefined;
const timers: NodeJS.Timeout[] = [];
/** Set by Ctrl-C: what fails from here on (DynamoDB going away under a poll) is the stop, not news. */
let stopping = false;

/** One start-up line: a label and what it says, fitted to the terminal. */
const say = (label: string, text: string) => console.log(labelled(label, text, columns()));

async function main() {
  const port = Number(process.env.PORT ?? 3000);
  const tableName = (process.env.TABLE_NAME ??= 'inventory');
  let endpoint = process.env.DYNAMODB_ENDPOINT;
  // Ctrl-C: the stream consumer and the timers first, then the API, then DynamoDB (nothing polls a
  // DynamoDB that is already gone, so nothing prints connection errors on the way out)
  const stopAll = async () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nStopping… ');
    timers.forEach((t) => clearInterval(t));
    await poller?.stop().catch(() => undefined);
    server?.closeAllConnections();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    if (front) rmSync(resolve(LOCAL_DIR, 'dynamodb-endpoint'), { force: true });
    await front?.stop();
    await ddb?.stop();
    console.log('stopped.');
    process.exit(0);
  };
  process.on('SIGINT', stopAll);
  process.on('SIGTERM', stopAll);

  // the HTTP port first: a port in use is reported at once, before DynamoDB Local starts or a key is written
  await assertPortFree(port, 'PORT');

  console.log('Starting the inventory service (Ctrl-C stops it)');
  if (!endpoint) {
    const inMemory = process.env.INVENTORY_IN_MEMORY === '1';
    const ddbPort = Number(process.env.DYNAMODB_PORT ?? 8000);
    ddb = await startDynamoDbLocal({ port: ddbPort, dbPath: inMemory ? undefined : resolve(LOCAL_DIR, 'dynamodb') });
    endpoint = ddb.endpoint;
    say('DynamoDB Local', `${endpoint}, ${inMemory ? 'data in memory (gone when stopped)' : `data in ${shortPath(resolve(LOCAL_DIR, 'dynamodb'))}`}`);
  } else {
    say('DynamoDB', `${endpoint} (already running: DYNAMODB_ENDPOINT)`);
  }
  const table = await ensureTable(endpoint, tableName);
  say('Table', `${tableName} (${table})`);

  // every DynamoDB call of the service goes through the front (IAM per function on by default)
  if (process.env.DYNAMO_FRONT !== '0') {
    front = await startFrontFor(endpoint, { iam: true, conflicts: false, throughput: false }, Number(process.env.DYNAMO_FRONT_PORT ?? 0));
    endpoint = front.endpoint;
    const o = front.options;
    const checks = [
      o.iam && 'each function may do only what its IAM role allows',
      o.conflicts && 'transactions conflict',
      o.throughput && 'throughput is limited',
    ]
      .filter(Boolean)
      .join('; ');
    say('AWS rules', `${checks || 'none'} (as deployed; docs/operations.md)`);
    // for the CLI's --local (it reaches the table through the front too)
    mkdirSync(LOCAL_DIR, { recursive: true });
    writeFileSync(resolve(LOCAL_DIR, 'dynamodb-endpoint'), `${endpoint}\n`);
  }
  process.env.DYNAMODB_ENDPOINT = endpoint;

  if (process.env.INVENTORY_BOOTSTRAP_KEYS) {
    for (const k of parseBootstrapKeys(process.env.INVENTORY_BOOTSTRAP_KEYS)) {
      const created = await ensureKey(k);
      say(`Key "${k.name}"`, `tenant ${k.tenant}, ${created ? 'created' : 'exists'} (${k.scopes.join(', ')})`);
    }
  } else {
    const { key, created } = await ensureDevKey(resolve(LOCAL_DIR, 'dev-key'));
    say('Dev key', key);
    say('', `tenant "default", every scope${created ? ', created now' : ''}; kept in ${shortPath(resolve(LOCAL_DIR, 'dev-key'))}`);
  }

  // the stream consumer, fed from DynamoDB Local's stream; its events go to an NDJSON file
  process.env.INVENTORY_EVENTS_FILE ??= resolve(LOCAL_DIR, 'events.ndjson');
  // its on-failure destination: records past the retries or the maximum age go to an NDJSON file
  const deadLetters = deadLetterFile();
  poller = await startStreamPoller({
    endpoint,
    tableName,
    handler: streamHandler as never,
    intervalMs: Number(process.env.INVENTORY_STREAM_INTERVAL_MS ?? 250),
    deadLetters,
    onError: (err) => stopping || console.error('stream consumer:', err instanceof Error ? err.message : err),
    onHandlerError: (err, batch) =>
      console.error(
        `stream consumer: a batch of ${batch.records} record(s) failed (${err instanceof Error ? err.message : err}); split, retried or dead-lettered`,
      ),
    onDeadLetter: (letter, file) =>
      console.error(
        `stream consumer: ${letter.records.length} record(s) dead-lettered (${letter.requestContext.condition}) to ${file}; npm run cli -- stream redrive hands them over again`,
      ),
  });
  say('Events', `${shortPath(process.env.INVENTORY_EVENTS_FILE)} (the stream consumer's)`);
  say('Dead letters', `${shortPath(deadLetters)} (npm run cli -- stream redrive)`);

  // the scheduled functions, on timers
  const every = (seconds: number, name: string, job: () => Promise<unknown>) =>
    timers.push(
      setInterval(() => job().catch((err) => stopping || console.error(`${name}:`, err instanceof Error ? err.message : err)), seconds * 1000).unref(),
    );
  every(Number(process.env.INVENTORY_SWEEP_INTERVAL ?? 60), 'expiry sweep', () => runAs('ExpireReservations', () => expireReservations()));
  every(Number(process.env.INVENTORY_REPORT_INTERVAL ?? 86_400), 'low-stock report', () => runAs('LowStockReport', () => lowStockReport()));
  every(Number(process.env.INVENTORY_RECONCILE_INTERVAL ?? 86_400), 'reconcile', () => runAs('Reconcile', () => reconcileDaily()));
  process.env.INVENTORY_BLOB_DIR ??= resolve(LOCAL_DIR, 'blobs');

  server = createLocalServer({ log: process.env.INVENTORY_REQUEST_LOG !== '0' });
  const bound = await listen(server, port).catch(async (err: NodeJS.ErrnoException) => {
    throw err.code === 'EADDRINUSE' ? await portInUse(port, 'PORT') : err;
  });
  console.log(`Inventory API on http://127.0.0.1:${bound}  (reference: /docs, health: /health)`);
}

/** Two lines, each within 80 columns: what is wrong, and a port that is free now to use instead. */
async function portInUse(port: number, variable: string): Promise<Error> {
  const free = await freePortNear(port, [Number(process.env.DYNAMODB_PORT ?? 8000)]);
  return new Error(
    `Port ${port} on 127.0.0.1 is already in use (another npm start?).\nStop what uses it, or start on a port that is free now: ${variable}=${free} npm start`,
  );
}

/** Bind the port for a moment: EADDRINUSE (or EACCES) now, rather than after the whole start-up. */
async function assertPortFree(port: number, variable: string): Promise<void> {
  const refused = await new Promise<string | undefined>((done) => {
    const probe = createNetServer();
    probe.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? 'error'));
    probe.listen(port, '127.0.0.1', () => probe.close(() => done(undefined)));
  });
  if (refused === undefined) return;
  throw refused === 'EADDRINUSE'
    ? await portInUse(port, variable)
    : new Error(`Cannot listen on 127.0.0.1:${port} (${refused}): set ${variable} to another port`);
}

main().catch(async (err) => {
  console.error(err instanceof Error ? err.message : err);
  await ddb?.stop();
  process.exit(1);
});
