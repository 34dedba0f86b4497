/**
 * P5: the low-stock report, POST /api/reports/low-stock (makes one now), over a catalogue whose
 * levels are 1 % low and flagged. The figure is the items DynamoDB returned to the service's
 * functions for the request — counted at the client from each answer (Query Items, BatchGet
 * Responses, GetItem Item), every read included — divided by the flagged levels.
 */
import { client, ok } from './lib/http.ts';
import type { Catalogue } from './lib/seed.ts';
import type { Stack } from './lib/stack.ts';

export interface P5Figure {
  levels: number;
  flagged: number;
  rows: number;
  itemsRead: number;
  itemsByCommand: Record<string, number>;
  requests: number;
  ms: number;
  ratio: number;
}

export async function runP5(stack: Stack, cat: Catalogue): Promise<P5Figure> {
  const http = client(stack.url, cat.key, 1);
  await ok(http, 'GET', '/api/inventory/warehouses'); // warm the authorizer cache
  await stack.resetCounters();
  const res = await ok(http, 'POST', '/api/reports/low-stock');
  const counters = await stack.readCounters();
  http.close();
  const rows = res.body.data.data.length;
  if (rows !== cat.flagged) throw new Error(`the report lists ${rows} levels; ${cat.flagged} are low`);
  return {
    levels: cat.size,
    flagged: cat.flagged,
    rows,
    itemsRead: counters.itemsRead,
    itemsByCommand: counters.itemsByCommand,
    requests: counters.attempts,
    ms: res.ms,
    ratio: counters.itemsRead / cat.flagged,
  };
}
