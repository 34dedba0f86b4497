/**
 * The load generator's HTTP client: Node's own http module with a keep-alive agent (one socket per
 * concurrent caller), JSON in and out, and the time of each request measured around it.
 */
import { Agent, request as httpRequest } from 'node:http';

export interface Reply<T = any> {
  status: number;
  body: T;
  /** Wall time from sending the request to the last byte of the answer, ms. */
  ms: number;
  /** The answer's Retry-After header (seconds), when it has one. */
  retryAfter?: number;
}

export interface Client {
  request<T = any>(method: string, path: string, body?: unknown): Promise<Reply<T>>;
  close(): void;
}

export function client(baseUrl: string, key: string, maxSockets = 64): Client {
  const url = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets });
  return {
    request(method, path, body) {
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const headers: Record<string, string | number> = { authorization: `Bearer ${key}` };
      if (payload) Object.assign(headers, { 'content-type': 'application/json', 'content-length': payload.length });
      return new Promise((resolve, reject) => {
        const t0 = performance.now();
        const req = httpRequest({ host: url.hostname, port: url.port, method, path, headers, agent }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const ms = performance.now() - t0;
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              /* not JSON: keep the text */
            }
            const after = Number(res.headers['retry-after']);
            resolve({ status: res.statusCode ?? 0, body: parsed as any, ms, ...(Number.isFinite(after) ? { retryAfter: after } : {}) });
          });
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end(payload);
      });
    },
    close: () => agent.destroy(),
  };
}

/** The request, or an error naming what came back when it is not a 2xx. */
export async function ok<T = any>(c: Client, method: string, path: string, body?: unknown): Promise<Reply<T>> {
  const res = await c.request<T>(method, path, body);
  if (res.status < 200 || res.status > 299) throw new Error(`${method} ${path}: HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
  return res;
}
