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
 */
import '../lib/local/defaults.ts'; // first: the environment the functions' modules read as they load
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { resolve } from 'node:path';
import { startDynamoDbLocal } from '../lib/local/dynamodb-local.ts';
import type { DynamoDbLocal } from '../lib/local/dynamodb-local.ts';
import { ensureDevKey, ensureKey, parseBootstrapKeys } from '../lib/local/keys.ts';
import { createLocalServer, listen } from '../lib/local/server.ts';
import { ensureTable } from '../lib/local/table.ts';
import { startStreamPoller } from '../lib/local/stream-poller.ts';
import { deadLetterFile } from '../lib/local/stream-dead-letters.ts';
import { handler as streamHandler } from '../functions/stream/handler.ts';
import { handler as expireReservations } from '../functions/scheduled/expire-reservations.ts';
import { handler as lowStockReport } from '../functions/scheduled/low-stock-report.ts';
import { runAs } from '../functions/store/db.ts';
import { describeFront, startFrontFor } from '../lib/local/dynamo-front.ts';
import type { DynamoFront } from '../lib/local/dynamo-front.ts';
import { handler as reconcileDaily } from '../functions/scheduled/reconcile.ts';

const LOCAL_DIR = resolve(process.env.INVENTORY_LOCAL_DIR ?? '.local');

let ddb: DynamoDbLocal | undefined;
let front: DynamoFront | undefined;

async function main() {
  const port = Number(process.env.PORT ?? 3000);
  const tableName = (process.env.TABLE_NAME ??= 'inventory');
  let endpoint = process.env.DYNAMODB_ENDPOINT;
  const stopAll = async () => {
    if (front) rmSync(resolve(LOCAL_DIR, 'dynamodb-endpoint'), { force: true });
    await front?.stop();
    await ddb?.stop();
    process.exit(0);
  };
  process.on('SIGINT', stopAll);
  process.on('SIGTERM', stopAll);

  // the HTTP port first: a port in use is reported at once, before DynamoDB Local starts or a key is written
  await assertPortFree(port, 'PORT');

  if (!endpoint) {
    const inMemory = process.env.INVENTORY_IN_MEMORY === '1';
    const ddbPort = Number(process.env.DYNAMODB_PORT ?? 8000);
    ddb = await startDynamoDbLocal({ port: ddbPort, dbPath: inMemory ? undefined : resolve(LOCAL_DIR, 'dynamodb') });
    endpoint = ddb.endpoint;
    console.log(`DynamoDB Local ${inMemory ? '(in memory)' : `(data in ${resolve(LOCAL_DIR, 'dynamodb')})`} on ${endpoint}`);
  } else {
    console.log(`Using DynamoDB at ${endpoint}`);
  }
  const table = await ensureTable(endpoint, tableName);
  console.log(`Table ${tableName}: ${table}`);

  // every DynamoDB call of the service goes through the front (IAM per function on by default)
  if (process.env.DYNAMO_FRONT !== '0') {
    front = await startFrontFor(endpoint, { iam: true, conflicts: false, throughput: false }, Number(process.env.DYNAMO_FRONT_PORT ?? 0));
    endpoint = front.endpoint;
    console.log(`DynamoDB front on ${endpoint}: ${describeFront(front)}`);
    // for the CLI's --local (it reaches the table through the front too)
    mkdirSync(LOCAL_DIR, { recursive: true });
    writeFileSync(resolve(LOCAL_DIR, 'dynamodb-endpoint'), `${endpoint}\n`);
  }
  process.env.DYNAMODB_ENDPOINT = endpoint;

  if (process.env.INVENTORY_BOOTSTRAP_KEYS) {
    for (const k of parseBootstrapKeys(process.env.INVENTORY_BOOTSTRAP_KEYS)) {
      const created = await ensureKey(k);
      console.log(`Key "${k.name}" for tenant ${k.tenant}: ${created ? 'created' : 'exists'} (${k.scopes.join(', ')})`);
    }
  } else {
    const { key, created } = await ensureDevKey(resolve(LOCAL_DIR, 'dev-key'));
    console.log(`Dev key for tenant "default" (every scope${created ? ', created now' : ''}, kept in ${resolve(LOCAL_DIR, 'dev-key')}):\n  ${key}`);
  }

  // the stream consumer, fed from DynamoDB Local's stream; its events go to an NDJSON file
  process.env.INVENTORY_EVENTS_FILE ??= resolve(LOCAL_DIR, 'events.ndjson');
  // its on-failure destination: records past the retries or the maximum age go to an NDJSON file
  const deadLetters = deadLetterFile();
  await startStreamPoller({
    endpoint,
    tableName,
    handler: streamHandler as never,
    intervalMs: Number(process.env.INVENTORY_STREAM_INTERVAL_MS ?? 250),
    deadLetters,
    onError: (err) => console.error('stream consumer:', err instanceof Error ? err.message : err),
    onHandlerError: (err, batch) => console.error(`stream consumer: a batch of ${batch.records} record(s) failed (${err instanceof Error ? err.message : err}); split, retried or dead-lettered`),
    onDeadLetter: (letter, file) =>
      console.error(`stream consumer: ${letter.records.length} record(s) dead-lettered (${letter.requestContext.condition}) to ${file}; npm run cli -- stream redrive hands them over again`),
  });
  console.log(`Stream consumer running; events in ${process.env.INVENTORY_EVENTS_FILE}, dead letters in ${deadLetters}`);

  // the scheduled functions, on timers
  const every = (seconds: number, name: string, job: () => Promise<unknown>) =>
    setInterval(() => job().catch((err) => console.error(`${name}:`, err instanceof Error ? err.message : err)), seconds * 1000).unref();
  every(Number(process.env.INVENTORY_SWEEP_INTERVAL ?? 60), 'expiry sweep', () => runAs('ExpireReservations', () => expireReservations()));
  every(Number(process.env.INVENTORY_REPORT_INTERVAL ?? 86_400), 'low-stock report', () => runAs('LowStockReport', () => lowStockReport()));
  every(Number(process.env.INVENTORY_RECONCILE_INTERVAL ?? 86_400), 'reconcile', () => runAs('Reconcile', () => reconcileDaily()));
  process.env.INVENTORY_BLOB_DIR ??= resolve(LOCAL_DIR, 'blobs');

  const server = createLocalServer({ log: process.env.INVENTORY_REQUEST_LOG !== '0' });
  const bound = await listen(server, port).catch((err: NodeJS.ErrnoException) => {
    throw err.code === 'EADDRINUSE' ? portInUse(port, 'PORT') : err;
  });
  console.log(`Inventory API on http://127.0.0.1:${bound} (GET /health, GET /docs)`);
}

function portInUse(port: number, variable: string): Error {
  return new Error(
    `Port ${port} on 127.0.0.1 is already in use (another npm start?). Stop what uses it, or pick another port: ${variable}=${port + 1} npm start`,
  );
}

/** Bind the port for a moment: EADDRINUSE (or EACCES) now, rather than after the whole start-up. */
function assertPortFree(port: number, variable: string): Promise<void> {
  return new Promise((done, fail) => {
    const probe = createNetServer();
    probe.once('error', (err: NodeJS.ErrnoException) =>
      fail(err.code === 'EADDRINUSE' ? portInUse(port, variable) : new Error(`Cannot listen on 127.0.0.1:${port} (${err.code}): set ${variable} to another port`)),
    );
    probe.listen(port, '127.0.0.1', () => probe.close(() => done()));
  });
}

main().catch(async (err) => {
  console.error(err instanceof Error ? err.message : err);
  await ddb?.stop();
  process.exit(1);
});
