/**
 * P6: the first page of 50 SKUs, GET /api/inventory?limit=50, at two catalogue sizes. Requests: the
 * DynamoDB requests the service's functions sent for one page (counted at the client, authorizer
 * cache warm). Latency: per round, the two catalogues' pages are asked for in turn; the round's
 * figure is the median latency at the large size over the median at the small one, the result the
 * median of the rounds.
 */
import { client, ok } from './lib/http.ts';
import type { Catalogue } from './lib/seed.ts';
import type { Stack } from './lib/stack.ts';
import { median, medianRatio } from './lib/stats.ts';

const PAGE = '/api/inventory?limit=50';

export interface P6Result {
  requests: { small: number; large: number };
  /** Items DynamoDB returned for one page (counted at the client). */
  itemsRead: { small: number; large: number };
  commands: Record<string, number>;
  smallMs: number[];
  largeMs: number[];
  ratio: number;
}

export async function runP6(
  stack: Stack,
  small: Catalogue,
  large: Catalogue,
  opts: { rounds: number; perRound: number },
  log: (s: string) => void,
): Promise<P6Result> {
  const clients = { small: client(stack.url, small.key, 1), large: client(stack.url, large.key, 1) };
  const sizes = { small: small.size, large: large.size };

  // one counted page of each, checked for content
  const requests = { small: 0, large: 0 };
  const itemsRead = { small: 0, large: 0 };
  let commands: Record<string, number> = {};
  for (const which of ['small', 'large'] as const) {
    for (let i = 0; i < 3; i++) await ok(clients[which], 'GET', PAGE); // warm (authorizer cache, JIT)
    await stack.resetCounters();
    const res = await ok(clients[which], 'GET', PAGE);
    const counters = await stack.readCounters();
    if (res.body.data.length !== 50 || res.body.meta.total !== sizes[which] || !res.body.meta.nextCursor) {
      throw new Error(`unexpected page at ${sizes[which]} SKUs: ${res.body.data.length} SKUs, total ${res.body.meta.total}`);
    }
    requests[which] = counters.attempts;
    itemsRead[which] = counters.itemsRead;
    commands = counters.commands;
  }

  const smallMs: number[] = [];
  const largeMs: number[] = [];
  for (let r = 0; r < opts.rounds; r++) {
    const lat = { small: [] as number[], large: [] as number[] };
    for (let i = 0; i < opts.perRound; i++) {
      // alternate which size goes first
      for (const which of i % 2 ? (['large', 'small'] as const) : (['small', 'large'] as const)) lat[which].push((await ok(clients[which], 'GET', PAGE)).ms);
    }
    smallMs.push(median(lat.small));
    largeMs.push(median(lat.large));
    log(
      `  round ${r + 1}/${opts.rounds}: page of 50 at ${small.size} SKUs ${smallMs.at(-1)!.toFixed(1)} ms, at ${large.size} SKUs ${largeMs.at(-1)!.toFixed(1)} ms`,
    );
  }
  clients.small.close();
  clients.large.close();
  return { requests, itemsRead, commands, smallMs, largeMs, ratio: medianRatio(largeMs, smallMs) };
}

/** Pages of the large catalogue one after another, for the profiler. */
export function p6ProfileLoad(stack: Stack, large: Catalogue, count: number) {
  const http = client(stack.url, large.key, 1);
  return async () => {
    for (let i = 0; i < count; i++) await ok(http, 'GET', PAGE);
    http.close();
    return count;
  };
}
