/**
 * `npx inventory <command>` (or `npm run cli -- <command>`):
 * - keys: manage API keys of any tenant directly in the table, locally or deployed (for
 *   bootstrapping a new tenant before it has a key to call the API with);
 * - upload: send a CSV file through the API and follow it (bin/upload.ts);
 * - inbound: inbound supply and availability by date through the API (bin/inbound.ts);
 * - reconcile: check (or repair) a tenant's levels against its reservations and ledger, in the table;
 * - stream redrive: hand the local stream runner's dead-lettered records to the stream consumer again;
 * - move, transfer: named-state moves and transfers as shipments, through the API (bin/stock.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { connect } from 'node:net';
import { parseArgs } from 'node:util';
import { TENANT_PATTERN } from '../functions/core/api-keys.ts';
import { createKey, listKeys, revokeKey } from '../functions/core/keys.ts';
import { DomainError } from '../functions/core/errors.ts';
import { SCOPES } from '../functions/core/model.ts';
import type { Scope } from '../functions/core/model.ts';
import { db, runAs } from '../functions/store/db.ts';
import { reconcile } from '../functions/core/reconcile.ts';
import { publish } from '../functions/edge/publisher.ts';
import { upload, UsageError } from './upload.ts';
import { move, MOVE_HELP, transfer, TRANSFER_HELP } from './stock.ts';
import { hold, inbound } from './inbound.ts';
import { deadLetterFile, redriveDeadLetters } from '../lib/local/stream-dead-letters.ts';
import { shortPath } from '../lib/local/terminal.ts';

const WHERE = `Where the table is:
  --table NAME      table name (env TABLE_NAME, default "inventory")
  --endpoint URL    a DynamoDB endpoint, e.g. http://127.0.0.1:8000
                    (env DYNAMODB_ENDPOINT)
  --local           the table of a running npm start: the address it leaves in
                    .local/dynamodb-endpoint (without the file,
                    http://127.0.0.1:\${DYNAMODB_PORT:-8000})
  --region R        AWS region of a deployed table (env AWS_REGION);
                    credentials from the usual AWS chain
  --json            print JSON instead of text
`;

const UPLOAD_HELP = `Usage: npx inventory upload FILE.csv [--mode set|adjust] [--dry-run]
                            [--url URL] [--key KEY] [--json]
       npx inventory upload --status ID [--url URL] [--key KEY]

  Upload a CSV (header sku,warehouse_id,quantity[,reason,note]) through the
  API, show progress while it is sent and processed, and write the failed
  rows to FILE.errors.csv.

  --mode set|adjust   absolute quantities (default) or deltas
  --dry-run           check every row against current stock and write
                      nothing: prints what would change (before → after),
                      all of it in FILE.changes.csv
  --status ID         follow an upload already sent
  --url URL           the API (env INVENTORY_URL,
                      default http://127.0.0.1:\${PORT:-3000})
  --key KEY           an API key with inventory:write (env INVENTORY_API_KEY,
                      default .local/dev-key)
  --json              print the job as JSON

  Exit status: 0 all rows applied or unchanged, 3 some rows failed,
  1 the upload failed, 2 bad usage.
`;

const KEYS_HELP = `Usage: npx inventory keys <create|list|revoke> --tenant T …
                          [where the table is]

  keys create --tenant T --name N --scopes S1,S2 [--warehouses W1,W2]
                                  create a key; its secret is printed once
  keys list   --tenant T          the tenant's keys (no secrets)
  keys revoke --tenant T --id ID  revoke a key (it stops working at once)

${WHERE}
Scopes: ${SCOPES.join(', ')}
`;

const HELP = `Usage: npx inventory <command> … (or npm run cli -- …)

Commands:
  upload FILE.csv          upload a CSV through the API and follow it
  inbound create|show|list|receive|cancel|expect|atp
                           stock on its way, with dates
  hold SKU --quantity Q    hold stock for an order (--allow-future: inbound too)
  keys create|list|revoke  manage API keys straight in the table
  reconcile                check (or repair) levels against reservations
  stream redrive           hand the stream's dead letters to the consumer
  move SKU                 move units between states (available, damaged, …)
  transfer create|ship|receive|cancel|close|show|list
                           transfers as shipments, step by step

  npx inventory <command> --help explains a command.

Options:
  -h, --help               this help, or a command's help after the command
  -v, --version            the CLI's version
`;

const RECONCILE_HELP = `Usage: npx inventory reconcile --tenant T [--sku S] [--repair]
                               [where the table is]

  Recompute every level's reserved quantity from its open reservations,
  check available against stocked - reserved - safety stock and the ledger
  sum against stocked, and report each drift. --repair corrects reserved /
  available under the usual guards.
  Exit status: 0 no drift left, 3 a drift left unrepaired, 2 bad usage.

${WHERE}`;

const STREAM_HELP = `Usage: npx inventory stream redrive [--file FILE] [where the table is]

  Hand the records the local stream runner dead-lettered (retries used up, or older than the
  maximum record age) to the stream consumer again, in their order, as the StreamConsumer
  function. Records that fail again are written back to the file as new lines; the others leave it.
  The consumer is replay-safe: a record older than what a level already shows changes nothing.

  --file FILE       the dead-letter file (env INVENTORY_STREAM_DEAD_LETTERS,
                    default .local/stream-dead-letters.ndjson)
  Events the consumer publishes go to INVENTORY_EVENTS_FILE (default .local/events.ndjson), as with npm start.
  Exit status: 0 every record applied (or none to redrive), 3 some failed again, 2 bad usage.

${WHERE}`;

const INBOUND_HELP = `Usage: npx inventory inbound <create|show|list|receive|cancel|expect|atp> … [--url URL] [--key KEY] [--json]

Inbound supply through the API (stock on its way, with expected dates):

  inbound create --warehouse W --reference R [--type purchase_order|transfer|production_run]
                 --line SKU:QTY:DATE [--line …] [--note TEXT]
  inbound show ID
  inbound list [--sku S] [--warehouse W] [--status open|closed]   newest first
  inbound expect ID --line N --date YYYY-MM-DD             a new expected date (holds
                                                           it no longer reaches are re-planned)
  inbound receive ID --line N --quantity Q [--note TEXT]   in parts, never past the line
  inbound cancel ID --line N [--note TEXT]                 what is left no longer comes
  inbound atp SKU --date YYYY-MM-DD [--quantity Q]         available-to-promise by then

  --url URL           the API (env INVENTORY_URL, default http://127.0.0.1:3000)
  --key KEY           an API key (env INVENTORY_API_KEY, else npm start's .local/dev-key)

Exit status: 0 done (atp: it can be promised), 3 atp: it cannot, 1 refused by the API, 2 bad usage.
`;

const HOLD_HELP = `Usage: npx inventory hold SKU --quantity Q [--reference R] [--warehouse W]
                          [--allow-future --due YYYY-MM-DD] [--url URL] [--key KEY] [--json]

  Hold Q units of SKU for an order (one line; reference defaults to cli-<time>).
  --allow-future --due D   what is not on hand may be promised from inbound lines
                           expected by D (receiving them turns it into a reservation)

Exit status: 0 held, 3 not enough, 1 refused by the API, 2 bad usage.
`;

const COMMAND_HELP: Record<string, string> = {
  hold: HOLD_HELP,
  upload: UPLOAD_HELP,
  keys: KEYS_HELP,
  reconcile: RECONCILE_HELP,
  stream: STREAM_HELP,
  move: MOVE_HELP,
  transfer: TRANSFER_HELP,
  inbound: INBOUND_HELP,
};

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { name: string; version: string };
  return `${pkg.name} ${pkg.version} (node ${process.version})`;
}

function fail(message: string, help = '--help'): never {
  process.stderr.write(`${message}\n\nRun npx inventory ${help} for usage.\n`);
  process.exit(2);
}

/** A failure that is not the command line's: say what and what to do, exit 1. */
function die(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

/** Whether something listens at the endpoint's host and port (a second at most). */
function answers(endpoint: string): Promise<boolean> {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return Promise.resolve(true); // not ours to judge: the SDK will say what is wrong with it
  }
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  return new Promise((done) => {
    const socket = connect({ host: url.hostname, port, timeout: 1000 });
    const end = (ok: boolean) => (socket.destroy(), done(ok));
    socket.once('connect', () => end(true));
    socket.once('timeout', () => end(false));
    socket.once('error', () => end(false));
  });
}

/**
 * `--local`: the table of a running npm start, through the address it leaves in
 * .local/dynamodb-endpoint (checked to answer: a file left by an npm start that was killed names a
 * port where nothing listens), else DynamoDB Local's own port.
 */
async function localEndpoint(): Promise<string> {
  const file = resolve(process.env.INVENTORY_LOCAL_DIR ?? '.local', 'dynamodb-endpoint');
  const shown = shortPath(file);
  const fallback = `http://127.0.0.1:${process.env.DYNAMODB_PORT ?? 8000}`;
  const recorded = existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
  if (recorded && (await answers(recorded))) return recorded;
  const stale = recorded
    ? `${shown} names ${recorded},\nwhere nothing answers: it was left by an npm start that did not stop cleanly\n(killed?). npm start writes it anew.\n`
    : '';
  if (await answers(fallback)) {
    if (stale) process.stderr.write(`${stale}Using DynamoDB at ${fallback} (DYNAMODB_PORT) instead.\n`);
    return fallback;
  }
  die(
    `${stale}Cannot reach npm start's DynamoDB: nothing answers at ${fallback}.\n` +
      'Start the service with npm start, which writes the address to use into\n' +
      `  ${shown}\nor name a table with --endpoint URL or --region R.`,
  );
}

/** parseArgs throws Node's own error text (with a stack) for an unknown option: say it plainly. */
function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, strict: true, options: OPTIONS });
  } catch (err) {
    const group = argv.find((a) => !a.startsWith('-'));
    const help = group && COMMAND_HELP[group] ? `${group} --help` : '--help';
    const m = /Unknown option '([^']+)'/.exec((err as Error).message);
    if (m) fail(`Unknown option ${m[1]}`, help);
    const v = /Option '([^']+)' argument missing/.exec((err as Error).message);
    if (v) fail(`Option ${v[1].split(',').pop()!.trim().split(' ')[0]} needs a value`, help);
    fail(((err as Error).message.split('\n')[0] ?? 'Bad arguments').replace(/^TypeError \[\w+\]: /, ''), help);
  }
}

const OPTIONS = {
  tenant: { type: 'string' },
  name: { type: 'string' },
  scopes: { type: 'string' },
  warehouses: { type: 'string' },
  id: { type: 'string' },
  table: { type: 'string' },
  endpoint: { type: 'string' },
  region: { type: 'string' },
  local: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
  mode: { type: 'string' },
  status: { type: 'string' },
  url: { type: 'string' },
  key: { type: 'string' },
  sku: { type: 'string' },
  repair: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  warehouse: { type: 'string' },
  reference: { type: 'string' },
  type: { type: 'string' },
  line: { type: 'string', multiple: true },
  quantity: { type: 'string' },
  date: { type: 'string' },
  note: { type: 'string' },
  file: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  reason: { type: 'string' },
  'allow-future': { type: 'boolean' },
  due: { type: 'string' },
} as const;

async function main(argv: string[]) {
  const { values, positionals } = parse(argv);
  const [group, command] = positionals;
  if (values.version) {
    process.stdout.write(`${version()}\n`);
    return;
  }
  if (positionals.length === 0) {
    process.stdout.write(HELP);
    return;
  }
  if (!COMMAND_HELP[group!]) fail(`Unknown command: ${group}`);
  if (values.help || ((group === 'keys' || group === 'stream' || group === 'transfer' || group === 'inbound') && command === undefined)) {
    process.stdout.write(COMMAND_HELP[group!]!);
    return;
  }
  if (group === 'hold') {
    try {
      process.exitCode = await hold({
        sku: command,
        quantity: values.quantity,
        reference: values.reference,
        warehouse: values.warehouse,
        allowFuture: values['allow-future'],
        due: values.due,
        url: values.url,
        key: values.key,
        json: values.json,
      });
    } catch (err) {
      if (err instanceof UsageError) fail(err.message, 'hold --help');
      process.stderr.write(`${(err as Error).message}\n`);
      process.exitCode = 1;
    }
    return;
  }
  if (group === 'inbound') {
    try {
      process.exitCode = await inbound({
        command,
        args: positionals.slice(2),
        warehouse: values.warehouse,
        reference: values.reference,
        type: values.type,
        lines: command === 'create' ? values.line : undefined,
        line: command === 'create' ? undefined : values.line?.[0],
        quantity: values.quantity,
        date: values.date,
        note: values.note,
        status: values.status,
        sku: values.sku,
        url: values.url,
        key: values.key,
        json: values.json,
      });
    } catch (err) {
      if (err instanceof UsageError) fail(err.message, 'inbound --help');
      process.stderr.write(`${(err as Error).message}\n`);
      process.exitCode = 1;
    }
    return;
  }
  if (group === 'upload') {
    try {
      process.exitCode = await upload({
        file: command,
        status: values.status,
        mode: values.mode,
        dryRun: values['dry-run'],
        url: values.url,
        key: values.key,
        json: values.json,
      });
    } catch (err) {
      if (err instanceof UsageError) fail(err.message, 'upload --help');
      throw err;
    }
    return;
  }
  if (group === 'move' || group === 'transfer') {
    const print = (text: string, json: unknown) => process.stdout.write(values.json ? `${JSON.stringify(json, null, 2)}\n` : `${text}\n`);
    try {
      if (group === 'move') await move(command, values, print);
      else await transfer(command, positionals[2], values, print);
    } catch (err) {
      if (err instanceof UsageError) fail(err.message, `${group} --help`);
      throw err;
    }
    return;
  }
  if (group === 'keys' && !['create', 'list', 'revoke'].includes(command ?? ''))
    fail(`Unknown keys command: ${command} (create, list or revoke)`, 'keys --help');
  if (group === 'stream' && command !== 'redrive') fail(`Unknown stream command: ${command} (redrive)`, 'stream --help');
  process.env.TABLE_NAME = values.table ?? process.env.TABLE_NAME ?? 'inventory';
  // npm start leaves its DynamoDB front's address in .local/dynamodb-endpoint: the CLI goes through it (as `admin`)
  if (values.local) process.env.DYNAMODB_ENDPOINT = await localEndpoint();
  if (values.endpoint) {
    process.env.DYNAMODB_ENDPOINT = values.endpoint;
    if (!(await answers(values.endpoint))) die(`Cannot reach DynamoDB: nothing answers at ${values.endpoint}.\nIs it running? (npm start's: --local)`);
  }
  if (values.region) process.env.AWS_REGION = values.region;
  const print = (text: string, json: unknown) => process.stdout.write(values.json ? `${JSON.stringify(json, null, 2)}\n` : `${text}\n`);
  if (group === 'stream') {
    await streamRedrive(values.file, print);
    return;
  }
  const tenant = values.tenant ?? fail('--tenant is required');
  if (!TENANT_PATTERN.test(tenant)) fail(`--tenant must match ${TENANT_PATTERN} (lower-case letters, digits and -)`);
  try {
    if (group === 'reconcile') {
      const out = await reconcile(tenant, { sku: values.sku, repair: !!values.repair, by: 'cli', publish });
      const lines = out.drifts.map(
        (d) =>
          `${d.sku ?? d.inventory_item_id} @ ${d.warehouse_id}: ${d.kind} recorded ${d.recorded}, expected ${d.expected}${d.repaired ? ' (repaired)' : ''}${d.note ? ` (${d.note})` : ''}`,
      );
      print(
        `${out.levels_checked} levels, ${out.reservations_counted} open reservations: ${out.drifts.length ? `${out.drifts.length} drift(s)` : 'no drift'}${lines.length ? `\n${lines.join('\n')}` : ''}`,
        out,
      );
      if (out.drifts.some((d) => !d.repaired)) process.exitCode = 3;
    } else if (command === 'create') {
      const name = values.name ?? fail('--name is required');
      const scopes = (values.scopes ?? fail('--scopes is required'))
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
      if (unknown.length || !scopes.length) fail(`--scopes must be a comma list of ${SCOPES.join(', ')} (unknown: ${unknown.join(', ') || 'none given'})`);
      const warehouse_ids = values.warehouses
        ?.split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const key = await createKey(tenant, { name, scopes: scopes as Scope[], warehouse_ids });
      print(`Created key ${key.id} "${key.name}" for tenant ${tenant} (${key.scopes.join(', ')}).\nSecret (shown once, keep it safe):\n  ${key.key}`, key);
    } else if (command === 'list') {
      const list = await listKeys(tenant);
      print(
        list.length
          ? list
              .map(
                (k) => `${k.id}  ${k.prefix}…  ${k.name}  [${k.scopes.join(' ')}]  created ${k.created_at}${k.revoked_at ? `  REVOKED ${k.revoked_at}` : ''}`,
              )
              .join('\n')
          : `Tenant ${tenant} has no keys.`,
        list,
      );
    } else {
      const id = values.id ?? fail('--id is required');
      const key = await revokeKey(tenant, id);
      print(`Revoked key ${key.id} "${key.name}" at ${key.revoked_at}.`, key);
    }
  } catch (err) {
    if (err instanceof DomainError) fail(err.message);
    if ((err as Error).name === 'ResourceNotFoundException') fail(`Table ${process.env.TABLE_NAME} not found at ${process.env.DYNAMODB_ENDPOINT ?? 'AWS'}`);
    // DynamoDB went away while the command ran (npm start stopped meanwhile): say so, not the socket's words
    if (['ECONNREFUSED', 'ECONNRESET'].includes(String((err as { code?: string }).code))) {
      die(`Lost DynamoDB at ${process.env.DYNAMODB_ENDPOINT} (${(err as { code?: string }).code}) while the command ran: is npm start still running?`);
    }
    throw err;
  } finally {
    db().destroy();
  }
}

/** `stream redrive`: the dead-letter file's records to the stream consumer, as npm start's runner hands them over. */
async function streamRedrive(fileOption: string | undefined, print: (text: string, json: unknown) => void) {
  const file = fileOption ? resolve(fileOption) : deadLetterFile();
  // the consumer publishes where npm start's does
  process.env.INVENTORY_EVENTS_FILE ??= resolve(process.env.INVENTORY_LOCAL_DIR ?? '.local', 'events.ndjson');
  const { handler } = await import('../functions/stream/handler.ts');
  try {
    const out = await redriveDeadLetters(file, handler as never);
    print(
      out.letters
        ? `Redrove ${out.letters} dead letter(s) from ${file}: ${out.records} record(s), ${out.applied} applied, ${out.failed} failed again${out.failed ? ' (written back to the file)' : ''}.`
        : `No dead letters in ${file}: nothing to redrive.`,
      out,
    );
    if (out.failed) process.exitCode = 3;
  } catch (err) {
    if ((err as Error).name === 'ResourceNotFoundException') fail(`Table ${process.env.TABLE_NAME} not found at ${process.env.DYNAMODB_ENDPOINT ?? 'AWS'}`);
    throw err;
  } finally {
    runAs('StreamConsumer', () => db().destroy());
  }
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
