/**
 * docs/benchmarks.md shows the AWS-model tables of the committed run: the block between its markers
 * is exactly what bench/aws-tables.ts makes of bench/results-aws-model.json (after a new run:
 * `npx tsx bench/aws-tables.ts`, and paste it between the markers).
 */
import { readFileSync } from 'node:fs';
import { awsModelTables, RESULTS_FILE } from '../../bench/aws-tables.ts';

test('the AWS-model tables in docs/benchmarks.md are those of bench/results-aws-model.json', () => {
  const page = readFileSync(new URL('../../docs/benchmarks.md', import.meta.url), 'utf8');
  const block = /<!-- aws-model tables: npx tsx bench\/aws-tables\.ts -->\n([\s\S]*?)\n<!-- \/aws-model tables -->/.exec(page);
  expect(block).not.toBeNull();
  expect(block![1].trim()).toBe(awsModelTables(JSON.parse(readFileSync(RESULTS_FILE, 'utf8'))).trim());
});
