/**
 * `npx inventory <command>` (or `npm run cli -- <command>`):
 * - keys: manage API keys of any tenant directly in the table, locally or deployed (for
 *   bootstrapping a new tenant before it has a key to call the API with);
 * - upload: send a CSV file through the API and follow it (bin/upload.ts);
 * - reconcile: check (or repair) a tenant's levels against its reservations and ledger, in the table.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { TENANT_PATTERN } from '../functions/core/api-keys.ts';
import { createKey, listKeys, revokeKey } from '../functions/core/keys.ts';
import { DomainError } from '../functions/core/errors.ts';
import { SCOPES } from '../functions/core/model.ts';
import type { Scope } from '../functions/core/model.ts';
import { db } from '../functions/store/db.ts';
import { reconcile } from '../functions/core/reconcile.ts';
import { upload, UsageError } from './upload.ts';

const HELP = `Usage: npx inventory <keys|upload|reconcile> … (or npm run cli -- …)

  upload FILE.csv [--mode set|adjust]
                                  upload a CSV (header sku,warehouse_id,quantity[,reason,note]),
                                  follow it with a progress bar, write failed rows to FILE.errors.csv
  upload --status ID              follow an upload already sent
     --url URL        the API (env INVENTORY_URL, default http://127.0.0.1:\${PORT:-3000})
     --key KEY        an API key with inventory:write (env INVENTORY_API_KEY, default .local/dev-key)
     Exit status: 0 all rows applied or unchanged, 3 some rows failed, 1 the upload failed.

  keys create --tenant T --name N --scopes S1,S2 [--warehouses W1,W2]
                                  create a key; its secret is printed once
  keys list   --tenant T          the tenant's keys (no secrets)
  keys revoke --tenant T --id ID  revoke a key (it stops working at once)

  reconcile --tenant T [--sku S] [--repair]
                                  recompute reserved from open reservations, check available and the
                                  ledger; report drifts (exit 3 when any is left unrepaired), --repair corrects

Where the table is:
  --table NAME      table name (env TABLE_NAME, default "inventory")
  --endpoint URL    a DynamoDB endpoint, e.g. http://127.0.0.1:8000 for npm start's (env DYNAMODB_ENDPOINT)
  --local           the same as --endpoint http://127.0.0.1:\${DYNAMODB_PORT:-8000}
  --region R        AWS region of a deployed table (env AWS_REGION); credentials from the usual AWS chain
  --json            print JSON instead of text

Scopes: ${SCOPES.join(', ')}
`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\nRun with --help for usage.\n`);
  process.exit(2);
}

async function main(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
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
      mode: { type: 'string' },
      status: { type: 'string' },
      url: { type: 'string' },
      key: { type: 'string' },
      sku: { type: 'string' },
      repair: { type: 'boolean' },
    },
  });
  if (values.help || positionals.length === 0) {
    process.stdout.write(HELP);
    return;
  }
  const [group, command] = positionals;
  if (group === 'upload') {
    try {
      process.exitCode = await upload({ file: command, status: values.status, mode: values.mode, url: values.url, key: values.key, json: values.json });
    } catch (err) {
      if (err instanceof UsageError) fail(err.message);
      throw err;
    }
    return;
  }
  if (group !== 'keys' && group !== 'reconcile') fail(`Unknown command: ${positionals.join(' ')}`);
  if (group === 'keys' && !['create', 'list', 'revoke'].includes(command ?? '')) fail(`Unknown command: ${positionals.join(' ')}`);
  process.env.TABLE_NAME = values.table ?? process.env.TABLE_NAME ?? 'inventory';
  // npm start leaves its DynamoDB front's address in .local/dynamodb-endpoint: the CLI goes through it (as `admin`)
  const frontFile = resolve(process.env.INVENTORY_LOCAL_DIR ?? '.local', 'dynamodb-endpoint');
  if (values.local) process.env.DYNAMODB_ENDPOINT = existsSync(frontFile) ? readFileSync(frontFile, 'utf8').trim() : `http://127.0.0.1:${process.env.DYNAMODB_PORT ?? 8000}`;
  if (values.endpoint) process.env.DYNAMODB_ENDPOINT = values.endpoint;
  if (values.region) process.env.AWS_REGION = values.region;
  const tenant = values.tenant ?? fail('--tenant is required');
  if (!TENANT_PATTERN.test(tenant)) fail(`--tenant must match ${TENANT_PATTERN} (lower-case letters, digits and -)`);
  const print = (text: string, json: unknown) => process.stdout.write(values.json ? `${JSON.stringify(json, null, 2)}\n` : `${text}\n`);
  try {
    if (group === 'reconcile') {
      const out = await reconcile(tenant, { sku: values.sku, repair: !!values.repair, by: 'cli' });
      const lines = out.drifts.map((d) => `${d.sku ?? d.inventory_item_id} @ ${d.warehouse_id}: ${d.kind} recorded ${d.recorded}, expected ${d.expected}${d.repaired ? ' (repaired)' : ''}${d.note ? ` (${d.note})` : ''}`);
      print(`${out.levels_checked} levels, ${out.reservations_counted} open reservations: ${out.drifts.length ? `${out.drifts.length} drift(s)` : 'no drift'}${lines.length ? `\n${lines.join('\n')}` : ''}`, out);
      if (out.drifts.some((d) => !d.repaired)) process.exitCode = 3;
    } else if (command === 'create') {
      const name = values.name ?? fail('--name is required');
      const scopes = (values.scopes ?? fail('--scopes is required')).split(',').map((s) => s.trim()).filter(Boolean);
      const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
      if (unknown.length || !scopes.length) fail(`--scopes must be a comma list of ${SCOPES.join(', ')} (unknown: ${unknown.join(', ') || 'none given'})`);
      const warehouse_ids = values.warehouses?.split(',').map((s) => s.trim()).filter(Boolean);
      const key = await createKey(tenant, { name, scopes: scopes as Scope[], warehouse_ids });
      print(`Created key ${key.id} "${key.name}" for tenant ${tenant} (${key.scopes.join(', ')}).\nSecret (shown once, keep it safe):\n  ${key.key}`, key);
    } else if (command === 'list') {
      const list = await listKeys(tenant);
      print(
        list.length
          ? list.map((k) => `${k.id}  ${k.prefix}…  ${k.name}  [${k.scopes.join(' ')}]  created ${k.created_at}${k.revoked_at ? `  REVOKED ${k.revoked_at}` : ''}`).join('\n')
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
    throw err;
  } finally {
    db().destroy();
  }
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
