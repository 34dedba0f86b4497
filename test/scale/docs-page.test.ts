/**
 * The API reference as a person sees it: Debian's Chromium, headless, opens /docs on the local
 * runtime, every operation of the OpenAPI document is on the page, the filter box is there, a Bearer
 * key is entered with "Authorize", and try-it-out works on the first click: Execute on a write and on
 * a list, with what the page pre-fills (no Idempotency-Key, no optional filter), answers 2xx; a read
 * with an id typed in too. Every request the page makes goes to the API itself.
 * Chromium is required (apt-get install chromium; .ci/run installs it): without it this test fails.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { startApi } from '../support/api.ts';
import type { Api } from '../support/api.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOT = resolve(import.meta.dirname, '../../test-results/docs-page.png');

let api: Api;
let browser: Browser;
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
  api = await startApi();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    // no background traffic: this machine reaches no other host, and the page must not need one
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await api?.close();
});

test('/docs renders every operation with Swagger UI, and try-it-out with a Bearer key succeeds', async () => {
  const wh = await api.post('/api/warehouses', { id: 'wh_docs', name: 'Docs warehouse' });
  expect(wh.status).toBe(201);
  const doc = (await api.get('/api/openapi.json', null)).body;
  const operations = Object.values(doc.paths as Record<string, object>).reduce((n, item) => n + Object.keys(item).length, 0);

  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const requested: string[] = [];
  const problems: string[] = [];
  page.on('request', (r) => requested.push(r.url()));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('response', (r) => r.status() >= 400 && problems.push(`${r.status()} ${r.url()}`));

  await page.goto(`${api.url}/docs`);
  await page.waitForSelector('.opblock', { timeout: 30_000 });
  expect(await page.locator('.opblock').count()).toBe(operations);
  expect(await page.locator('.info .title').innerText()).toContain('Inventory API');

  // Authorize with the key as a Bearer token
  await page.click('.btn.authorize');
  const bearer = page.locator('.auth-container').filter({ hasText: 'bearer' }).first();
  await bearer.locator('input').fill(api.key);
  await bearer.locator('button.authorize').click();
  await page.click('.btn-done');
  // the filter box is on
  expect(await page.locator('input.operation-filter-input').count()).toBe(1);

  /** An operation's block, opened. */
  const open = async (method: string, path: string) => {
    const op = page.locator(`.opblock.opblock-${method}`).filter({ has: page.locator(`[data-path="${path}"]`) });
    expect(await op.count()).toBe(1);
    await op.locator('.opblock-summary').click();
    return op;
  };
  /** Execute as pre-filled; the status of the answer. */
  const execute = async (op: ReturnType<typeof page.locator>) => {
    await op.locator('button.execute').click();
    const answered = op.locator('.live-responses-table tbody .response-col_status').first();
    await answered.waitFor({ timeout: 15_000 });
    return (await answered.innerText()).trim();
  };

  // a write, as pre-filled: its body example, no Idempotency-Key
  const create = await open('post', '/api/warehouses');
  expect(await create.locator('tr[data-param-name="Idempotency-Key"] input').inputValue()).toBe('');
  expect(await execute(create)).toBe('201');
  expect(await create.locator('.live-responses-table tbody .microlight').first().innerText()).toContain('Main warehouse');
  // a list, as pre-filled: no optional filter narrows it
  const list = await open('get', '/admin/reservations');
  for (const input of await list.locator('tr[data-param-name] input').all()) expect(await input.inputValue()).toBe('');
  expect(await execute(list)).toBe('200');

  // try it out: GET /api/warehouses/{id} with the warehouse made above
  const op = page.locator('.opblock.opblock-get').filter({ has: page.locator('[data-path="/api/warehouses/{id}"]') });
  expect(await op.count()).toBe(1);
  await op.locator('.opblock-summary').click();
  await op.locator('input[placeholder="id"], tr[data-param-name="id"] input').first().fill('wh_docs');
  await op.locator('button.execute').click();
  const status = op.locator('.live-responses-table tbody .response-col_status').first();
  await status.waitFor({ timeout: 15_000 });
  expect((await status.innerText()).trim()).toBe('200');
  expect(await op.locator('.live-responses-table tbody .microlight').first().innerText()).toContain('Docs warehouse');
  // the request carried the key as a Bearer token (the curl line Swagger UI shows)
  expect(await op.locator('.curl-command').innerText()).toContain('Authorization: Bearer inv_');

  await status.scrollIntoViewIfNeeded();
  mkdirSync(resolve(SCREENSHOT, '..'), { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: false });
  console.log(`docs page screenshot: ${SCREENSHOT}`);

  const elsewhere = requested.filter((u) => !u.startsWith(`${api.url}/`) && !u.startsWith('data:'));
  expect(elsewhere).toEqual([]);
  expect(requested).toEqual(
    expect.arrayContaining([
      `${api.url}/docs/swagger-ui-bundle.js`,
      `${api.url}/api/openapi.json`,
      `${api.url}/api/warehouses`,
      `${api.url}/admin/reservations`,
      `${api.url}/api/warehouses/wh_docs`,
    ]),
  );
  expect(problems).toEqual([]);
}, 90_000);
