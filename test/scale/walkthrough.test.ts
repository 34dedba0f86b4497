/**
 * The README's walk-through and docs/api-walkthroughs.md as a newcomer runs them: every `sh` block
 * (the README's first, the two commands, excepted), in the pages' order and in one shell session
 * (test/support/doc-shell.ts), against `npm start`'s runtime (bin/local.ts in a child process with
 * its own in-memory DynamoDB Local, front, table and `.local` folder).
 *
 * Two things a reader's default `npm start` sets are rewritten in the blocks: the API's address
 * (`http://127.0.0.1:3000` → the child's port) and its folder (`.local/` → the child's
 * INVENTORY_LOCAL_DIR); the CLI gets the same through INVENTORY_URL / INVENTORY_API_KEY.
 *
 * The pages' dates (inbound lines expected, holds due) are written as of DATES_AS_OF, a few days to
 * weeks ahead of it; the test moves every `YYYY-MM-DD` in a block forward by the days since then, so
 * the examples keep their order and stay in the future on a later run.
 *
 * Each block must exit 0 (`set -euo pipefail`); every variable it captures (`X=$(…)`) must be set
 * and not `null` (a capture from an error answer is `null`); no answer may be a 5xx; and every error
 * code it prints must be one the page mentions (a refusal the page shows on purpose names its code).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../../lib/local/dynamodb-local.ts';
import { DocShell, shellBlocks } from '../support/doc-shell.ts';
import { startLocalChild } from '../support/local-child.ts';
import type { LocalChild } from '../support/local-child.ts';
import type { DocBlock } from '../support/doc-shell.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const PAGES = ['README.md', 'docs/api-walkthroughs.md'];
const text = Object.fromEntries(PAGES.map((p) => [p, readFileSync(join(ROOT, p), 'utf8')]));
const blocks: [string, DocBlock][] = PAGES.flatMap((page) =>
  shellBlocks(text[page]!)
    .filter((b) => !(page === 'README.md' && /npm ci && npm start/.test(b.code)))
    .map((b): [string, DocBlock] => [`${page} line ${b.line}`, b]),
);

const DATES_AS_OF = Date.parse('2026-12-07T00:00:00Z');
const DAY = 86_400_000;
const shift = Math.max(0, Math.floor((Date.now() - DATES_AS_OF) / DAY));
const moved = (code: string) => code.replace(/\b(20\d\d-\d\d-\d\d)\b/g, (d) => new Date(Date.parse(`${d}T00:00:00Z`) + shift * DAY).toISOString().slice(0, 10));

/**
 * A block's time limit. Alone a block takes 3–18 s here; in CI, beside the 100,000-row upload on the
 * same DynamoDB Local, the README's 20 requests took over 2 minutes once (each ~10 s): a limit, not a timing.
 */
const BLOCK_MS = 540_000;

const TABLE = `walk-${randomBytes(4).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'inventory-walk-'));
let port: number;
let local: LocalChild | undefined;
let shell: DocShell;

beforeAll(async () => {
  port = await freePort();
  // a DynamoDB Local of its own (in memory), as a newcomer's npm start has: not queued behind the
  // other files' writes to the run's one
  const { DYNAMODB_ENDPOINT: _e, TABLE_NAME: _t, ...inherited } = process.env;
  const env = { ...inherited, PORT: String(port), TABLE_NAME: TABLE, INVENTORY_LOCAL_DIR: dir, INVENTORY_SWEEP_INTERVAL: '1' };
  local = await startLocalChild(port, { ...env, DYNAMODB_PORT: String(await freePort()), INVENTORY_IN_MEMORY: '1', INVENTORY_REQUEST_LOG: '0' });
  const key = readFileSync(join(dir, 'dev-key'), 'utf8').trim();
  shell = new DocShell({ cwd: ROOT, env: { ...env, INVENTORY_URL: `http://127.0.0.1:${port}`, INVENTORY_API_KEY: key }, timeoutMs: BLOCK_MS });
}, 90_000);

afterAll(async () => {
  shell?.dispose();
  await local?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('the pages have walk-through blocks', () => {
  expect(blocks.filter(([l]) => l.startsWith('README')).length).toBeGreaterThanOrEqual(1);
  expect(blocks.filter(([l]) => l.startsWith('docs/')).length).toBeGreaterThanOrEqual(8);
});

test.each(blocks)(
  'block at %s',
  async (label, block) => {
    const page = label.replace(/ line \d+$/, '');
    const code = moved(block.code)
      .replaceAll('http://127.0.0.1:3000', `http://127.0.0.1:${port}`)
      .replace(/(^|[\s"'=(])\.local\//g, `$1${dir}/`);
    const run = await shell.run(code);
    const shown = `exit ${run.code}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`;
    if (run.code !== 0) throw new Error(`the block failed: ${shown}`);
    const vars = shell.variables();
    const captured = [...block.code.matchAll(/^\s*([A-Z_][A-Z0-9_]*)=\$\(/gm)].map((m) => m[1]!);
    for (const v of captured) expect({ variable: v, value: vars[v] }).toEqual({ variable: v, value: expect.not.stringMatching(/^(null)?$/) });
    expect(run.stdout).not.toMatch(/"(status|statusCode)":\s*5\d\d|INTERNAL_ERROR/);
    const codes = new Set([...run.stdout.matchAll(/"(?:code|type)":\s*"([A-Z][A-Z_]+)"/g)].map((m) => m[1]!));
    const unexplained = [...codes].filter((c) => !text[page]!.includes(c));
    expect({ unexplained, shown }).toEqual({ unexplained: [], shown });
  },
  BLOCK_MS + 30_000,
);
