/**
 * A TCP proxy between the service and DynamoDB Local that misbehaves on purpose: it refuses
 * connections, delays responses, and resets a connection after the request reached DynamoDB and
 * its answer came back (the write happened; the caller cannot know). Bytes are forwarded in order.
 */
import { createConnection, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';

export interface FaultRates {
  /** Per connection: closed at once, nothing forwarded. */
  refuse: number;
  /** Per response chunk: the client connection is reset instead of receiving it. */
  reset: number;
  /** Per response chunk: held back for 20–300 ms. */
  delay: number;
}

export interface FaultProxy {
  url: string;
  rates: FaultRates;
  counts: { connections: number; refused: number; resets: number; delays: number };
  close(): Promise<void>;
}

export async function startFaultProxy(target: URL, rates: FaultRates, random: () => number = Math.random): Promise<FaultProxy> {
  const sockets = new Set<Socket>();
  const proxy: FaultProxy = {
    url: '',
    rates,
    counts: { connections: 0, refused: 0, resets: 0, delays: 0 },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  const server: Server = createServer((client) => {
    proxy.counts.connections++;
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => {});
    if (random() < proxy.rates.refuse) {
      proxy.counts.refused++;
      client.resetAndDestroy();
      return;
    }
    const upstream = createConnection({ host: target.hostname, port: Number(target.port) });
    sockets.add(upstream);
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    client.pipe(upstream);
    let chain = Promise.resolve();
    upstream.on('data', (chunk: Buffer) => {
      chain = chain.then(async () => {
        if (client.destroyed) return;
        if (random() < proxy.rates.reset) {
          proxy.counts.resets++;
          client.resetAndDestroy();
          upstream.destroy();
          return;
        }
        if (random() < proxy.rates.delay) {
          proxy.counts.delays++;
          await new Promise((r) => setTimeout(r, 20 + random() * 280));
        }
        if (!client.destroyed) client.write(chunk);
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const address = server.address();
  proxy.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return proxy;
}
