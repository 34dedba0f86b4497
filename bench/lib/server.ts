/**
 * The service under test, in its own Node process: the local runtime (lib/local/server.ts — every
 * route through the same authorizer and handler modules `npm start` serves) with the store's
 * DynamoDB client replaced by one that counts, at the client, every request the functions make.
 *
 * Started by bench/lib/stack.ts with `fork`; it takes orders over the IPC channel:
 *   reset            zero the counters
 *   read             the counters since the last reset
 *   profile-start    start the V8 CPU profiler (node:inspector, the same profiler as --cpu-prof)
 *   profile-stop     stop it and write the .cpuprofile to the given file
 *   env              set (or, with null, unset) environment variables of the service (e.g. INVENTORY_HOT_DESIGN)
 *   stop             close the server and exit
 * Every reply carries the id of the order it answers.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import type { ServiceInputTypes, ServiceOutputTypes } from '@aws-sdk/client-dynamodb';
import type { DeserializeMiddleware, InitializeMiddleware } from '@smithy/types';
import { decorateClients } from '../../functions/store/db.ts';
import { createLocalServer, listen } from '../../lib/local/server.ts';

/** What the functions asked of DynamoDB since the last reset. */
export interface Counters {
  /** Commands sent, by name (e.g. QueryCommand), counted once per `send`. */
  commands: Record<string, number>;
  /** HTTP requests that reached DynamoDB (equals the commands unless the SDK retried). */
  attempts: number;
  /** Items DynamoDB returned: Query/Scan Items, BatchGet Responses, GetItem Item. */
  itemsRead: number;
  /** itemsRead by command name. */
  itemsByCommand: Record<string, number>;
}

const fresh = (): Counters => ({ commands: {}, attempts: 0, itemsRead: 0, itemsByCommand: {} });
let counters = fresh();

/** Items in a (marshalled) DynamoDB response. */
function itemsIn(output: Record<string, unknown>): number {
  if (Array.isArray(output.Items)) return output.Items.length;
  if (output.Responses && typeof output.Responses === 'object') {
    return Object.values(output.Responses as Record<string, unknown[]>).reduce((n, rows) => n + (Array.isArray(rows) ? rows.length : 0), 0);
  }
  return output.Item ? 1 : 0;
}

/** One count per `send`, and the items its answer holds (initialize: outside the SDK's retries). */
const countCommands: InitializeMiddleware<ServiceInputTypes, ServiceOutputTypes> = (next, context) => async (args) => {
  const name = String(context.commandName);
  counters.commands[name] = (counters.commands[name] ?? 0) + 1;
  const result = await next(args);
  const n = itemsIn(result.output as unknown as Record<string, unknown>);
  counters.itemsRead += n;
  if (n) counters.itemsByCommand[name] = (counters.itemsByCommand[name] ?? 0) + n;
  return result;
};

/** One count per HTTP request (deserialize: inside the SDK's retry loop). */
const countAttempts: DeserializeMiddleware<ServiceInputTypes, ServiceOutputTypes> = (next) => async (args) => {
  counters.attempts++;
  return next(args);
};

// the store's clients (functions/store/db.ts, one per function: each calls DynamoDB as itself), plus the counters
decorateClients((base) => {
  base.middlewareStack.add(countCommands, { step: 'initialize', name: 'benchCountCommands' });
  base.middlewareStack.add(countAttempts, { step: 'deserialize', name: 'benchCountAttempts' });
});

const server = createLocalServer();
const port = await listen(server, 0);
// keep-alive connections of the load generator must not be cut between rounds
server.keepAliveTimeout = 60_000;

let profiler: Session | undefined;

type Order = { id: number; type: 'reset' | 'read' | 'profile-start' | 'profile-stop' | 'env' | 'stop'; file?: string; env?: Record<string, string | null> };
process.on('message', async (msg: Order) => {
  const reply = (body: object = {}) => process.send!({ id: msg.id, ...body });
  switch (msg.type) {
    case 'reset':
      counters = fresh();
      return reply();
    case 'read':
      return reply({ counters });
    case 'profile-start':
      profiler = new Session();
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.setSamplingInterval', { interval: 200 }); // µs
      await profiler.post('Profiler.start');
      return reply();
    case 'profile-stop': {
      const { profile } = await profiler!.post('Profiler.stop');
      writeFileSync(msg.file!, JSON.stringify(profile));
      profiler!.disconnect();
      profiler = undefined;
      return reply({ file: msg.file });
    }
    case 'env':
      for (const [k, v] of Object.entries(msg.env ?? {})) {
        if (v === null) delete process.env[k];
        else process.env[k] = v;
      }
      return reply();
    case 'stop':
      server.closeAllConnections();
      server.close();
      process.send!({ id: msg.id }, () => process.exit(0));
      return;
  }
});

process.send!({ type: 'ready', port });
