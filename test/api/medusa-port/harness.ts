/**
 * The world Medusa's admin integration specs run in (`medusaIntegrationTestRunner` and `api`, an
 * axios instance with the admin's headers), stood up against our local service, so that each ported
 * test keeps Medusa's own code and assertions:
 * - `api.get/post/delete(path, [body], adminHeaders)` resolve with `{ status, data }` for a 2xx and
 *   reject with an error carrying `response: { status, data }` otherwise, as axios does;
 * - Medusa empties its database before each test: here each test gets a fresh tenant (its own key),
 *   which is the same thing for every read of the admin family;
 * - `adminHeaders` stands for Medusa's admin session: our API key of that tenant (every scope).
 */
import type { Api } from '../../support/api.ts';
import { makeKey, newTenant, startApi } from '../../support/api.ts';

export interface AxiosLike {
  get(path: string, headers?: unknown): Promise<any>;
  post(path: string, body?: unknown, headers?: unknown): Promise<any>;
  delete(path: string, headers?: unknown): Promise<any>;
}

/** Medusa's admin headers: here a marker; the key is the current test's tenant's. */
export const adminHeaders = { headers: { 'x-medusa-access-token': 'admin' } };

export function medusaIntegrationTestRunner(opts: { testSuite: (ctx: { api: AxiosLike; server: () => Api }) => void }) {
  let server: Api;
  let key = '';
  beforeAll(async () => {
    server = await startApi();
  });
  afterAll(() => server.close());
  // Medusa's runner empties the database before each test: a fresh tenant here
  beforeEach(async () => {
    key = await makeKey(newTenant());
  });
  const send = async (method: string, path: string, body?: unknown) => {
    const res = await server.request(method, path, body, { key });
    const out = { status: res.status, data: res.body };
    if (res.status >= 400) throw Object.assign(new Error(`${method} ${path} answered ${res.status}: ${res.text}`), { response: out });
    return out;
  };
  const api: AxiosLike = {
    get: (path) => send('GET', path),
    post: (path, body) => send('POST', path, body ?? {}),
    delete: (path) => send('DELETE', path),
  };
  opts.testSuite({ api, server: () => server });
}
