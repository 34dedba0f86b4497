/**
 * The OpenAPI document passes Redocly CLI's recommended rules (redocly.yaml), run offline, with no
 * error and no warning; and it says what a client needs: errors per operation, examples, field
 * descriptions, tags, servers.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openApiDocument } from '../../functions/edge/openapi.ts';
import { routes } from '../../functions/routes.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const doc = openApiDocument() as any;

test('Redocly CLI (recommended rules) finds no error and no warning', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'openapi-')), 'openapi.json');
  writeFileSync(file, JSON.stringify(doc));
  const res = spawnSync(
    process.execPath,
    [resolve(ROOT, 'node_modules/@redocly/cli/bin/cli.js'), 'lint', file, '--config', resolve(ROOT, 'redocly.yaml'), '--format', 'json'],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
      timeout: 60_000,
    },
  );
  const json = res.stdout.slice(res.stdout.indexOf('{'));
  const report = JSON.parse(json) as { totals: { errors: number; warnings: number }; problems: { ruleId: string; message: string }[] };
  expect(report.problems.map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
  expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  expect(res.status).toBe(0);
}, 60_000);

test('every operation: a 4xx in its family shape, an example of each body, tags; servers and components', () => {
  expect(doc.servers.length).toBeGreaterThan(0);
  expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['AdminError', 'InventoryError', 'RecordsError']));
  // the admin error carries the details the service sends
  expect(doc.components.schemas.AdminError.properties.details.items.properties).toHaveProperty('field');
  for (const r of routes) {
    const op = doc.paths[r.path][r.method.toLowerCase()];
    expect(op.tags).toEqual([r.family]);
    const codes = Object.keys(op.responses);
    expect(codes.some((c) => c.startsWith('4'))).toBe(true);
    if (r.scope !== 'public') expect(codes).toEqual(expect.arrayContaining(['401', '403']));
    const shape = { admin: 'AdminError', inventory: 'InventoryError', records: 'RecordsError', meta: 'InventoryError' }[r.family];
    if (r.scope !== 'public') expect(op.responses['401'].$ref).toBe(`#/components/responses/${shape}401`);
    const ok = op.responses[String(r.status ?? 200)].content;
    if (ok['application/json']) expect(ok['application/json'].example).toBeDefined();
    if (op.requestBody) expect(op.requestBody.content['application/json'].example).toBeDefined();
  }
});

test('every field a client sets is described', () => {
  const missing: string[] = [];
  const walk = (s: any, at: string) => {
    if (!s || typeof s !== 'object') return;
    for (const [k, p] of Object.entries<any>(s.properties ?? {})) {
      if (!p.description) missing.push(`${at}.${k}`);
      walk(p, `${at}.${k}`);
    }
    for (const key of ['items', 'anyOf', 'oneOf']) [s[key]].flat().forEach((x) => walk(x, at));
  };
  for (const r of routes) {
    const op = doc.paths[r.path][r.method.toLowerCase()];
    walk(op.requestBody?.content['application/json'].schema, `${r.id} body`);
    for (const p of op.parameters) if (!p.$ref && !p.description) missing.push(`${r.id} ${p.in} ${p.name}`);
  }
  expect(missing).toEqual([]);
});
