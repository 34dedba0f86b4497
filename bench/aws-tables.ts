/**
 * The tables docs/benchmarks.md shows for `npm run bench -- --aws-model`, made from
 * bench/results-aws-model.json, so the page says what the committed run measured
 * (test/unit/bench-tables.test.ts compares them). `npx tsx bench/aws-tables.ts` prints them.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

type Results = Record<string, any>;

const f2 = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) ? n.toFixed(2) : '—');
const aws = (ratio: unknown) => (typeof ratio === 'number' && Number.isFinite(ratio) ? `≈ ${Math.round(ratio * 1000).toLocaleString('en-US')}/s` : '—');

/** Each headline key at each T, its goal and its AWS projection at T = 25 ms. */
function headline(r: Results): string {
  const ts = Object.keys(r.at_commit_ms ?? {}).sort((a, b) => Number(a) - Number(b));
  const keys: [string, string, boolean][] = [
    ['p7_hot_sku_model_ratio', '≥ 0.8', true],
    ['p7_hot_mode_escrow_2_model_ratio', '', true],
    ['p7_hot_mode_2_model_ratio', '', true],
    ['p8_hot_mode_ratio', '≥ 5', true],
    ['p8_hot_mode_escrow_ratio', '', true],
    ['p8_hot_mode_shards_ratio', '', true],
    ['p8_current_ratio', '', true],
    ['p11_tenant_ratio', '≥ 10', true],
    ['p12_hot_read_ok', '≥ 0.99', false],
    ['p9_cross_sku_conflicts', '0', false],
    ['p9_cross_warehouse_conflicts', '0', false],
  ];
  const head = `| key | goal | ${ts.map((t) => `T = ${t} ms`).join(' | ')} | AWS, T = 25 ms |\n|---|---|${ts.map(() => '---:').join('|')}|---:|`;
  const lines = keys.map(
    ([k, goal, ratio]) => `| \`${k}\` | ${goal} | ${ts.map((t) => f2(r.at_commit_ms[t]?.[k])).join(' | ')} | ${ratio ? aws(r.at_commit_ms['25']?.[k]) : ''} |`,
  );
  return [head, ...lines].join('\n');
}

/** Rows of one workload (design × concurrency) at the top-level T. */
function byConcurrency(rows: { design: string; concurrency: number; perSecond: number; ratio: number; errors: number }[]): string {
  const cs = [...new Set(rows.map((x) => x.concurrency))].sort((a, b) => a - b);
  const designs = [...new Set(rows.map((x) => x.design))];
  const head = `| design | ${cs.map((c) => `c = ${c}`).join(' | ')} |\n|---|${cs.map(() => '---:').join('|')}|`;
  const lines = designs.map((d) => {
    const cells = cs.map((c) => {
      const x = rows.find((y) => y.design === d && y.concurrency === c);
      return x ? `${f2(x.ratio)}${x.errors ? ` (${x.errors} err.)` : ''}` : '—';
    });
    return `| ${d} | ${cells.join(' | ')} |`;
  });
  return [head, ...lines].join('\n');
}

/** P8's write units per accepted reservation, per design (table, indexes). */
function units(r: Results): string {
  const u = (r.p8?.writeUnitsPerReservation ?? {}) as Record<string, { table: number; indexes: number }>;
  const names: Record<string, string> = { one: 'one level', shards: 'hot mode, 32 transactional shards', escrow: 'hot mode, escrow, 32 shards' };
  return [
    '| design | table | indexes |\n|---|---:|---:|',
    ...Object.entries(u).map(([k, v]) => `| ${names[k] ?? k} | ${f2(v.table)} | ${f2(v.indexes)} |`),
  ].join('\n');
}

export function awsModelTables(r: Results): string {
  return [
    `Run: ${r.date} (${r.wallSeconds} s, load ${(r.load ?? []).join(' / ')}), T of the detail tables: ${r.commit_ms} ms.`,
    '',
    headline(r),
    '',
    `P7, one hot SKU, scale ${r.model?.scale} (limit ${r.model?.limitPerSecond}/s), ratio to the limit:`,
    '',
    byConcurrency(r.p7 ?? []),
    '',
    `P8, scale ${r.p8?.scale} (limit ${r.p8?.limitPerSecond}/s), warm throughput ${Number(r.p8?.warmThroughput ?? 0).toLocaleString('en-US')} units/s, ratio to the limit:`,
    '',
    byConcurrency(r.p8?.rows ?? []),
    '',
    'P8, write units per accepted reservation (its share of the consumer and the rows included):',
    '',
    units(r),
    '',
    'Hot-SKU designs side by side (bare clients, P7 scale), ratio to the limit:',
    '',
    byConcurrency(r.designs?.rows ?? []),
  ].join('\n');
}

export const RESULTS_FILE = fileURLToPath(new URL('./results-aws-model.json', import.meta.url));

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(awsModelTables(JSON.parse(readFileSync(process.argv[2] ?? RESULTS_FILE, 'utf8'))));
}
