/**
 * Every relative link in README.md and docs/*.md resolves: the file exists, and a `#fragment` into a
 * Markdown file names one of its headings (GitHub's anchors: lower case, punctuation dropped, spaces
 * as dashes, `-1`, `-2`… for repeats). Links inside code (fenced blocks, `inline`) are not links.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const pages = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

const withoutCode = (md: string) => md.replace(/^(`{3,})[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, '').replace(/`[^`\n]*`/g, '');

export function anchors(md: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of withoutCode(md).matchAll(/^#{1,6}[ \t]+(.+?)[ \t#]*$/gm)) {
    const base = m[1]!
      .replace(/<[^>]+>/g, '')
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M}\- _]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n ? `${base}-${n}` : base);
  }
  return out;
}

/** Headings as written with their inline code kept (a heading's `code` is part of its anchor). */
const headingAnchors = (md: string) => anchors(md.replace(/^(#{1,6}[ \t].*)$/gm, (h) => h.replace(/`/g, '')));

const links = (md: string) => [...withoutCode(md).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!);

test('README.md and every page in docs/ are checked, the runbook among them', () => {
  expect(pages).toEqual(expect.arrayContaining(['README.md', 'docs/runbook.md', 'docs/operations.md']));
});

test.each(pages)('%s: every relative link resolves', (page) => {
  const md = readFileSync(join(ROOT, page), 'utf8');
  const broken: string[] = [];
  for (const link of links(md)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(link)) continue; // https:, mailto:, …
    const [path, fragment] = link.split('#') as [string, string | undefined];
    const target = path ? resolve(ROOT, dirname(page), decodeURIComponent(path)) : join(ROOT, page);
    if (!target.startsWith(ROOT) || !existsSync(target)) {
      broken.push(`${link}: no file ${relative(ROOT, target)}`);
      continue;
    }
    if (fragment && statSync(target).isFile() && target.endsWith('.md') && !headingAnchors(readFileSync(target, 'utf8')).has(fragment)) {
      broken.push(`${link}: no heading #${fragment} in ${relative(ROOT, target)}`);
    }
  }
  expect(broken).toEqual([]);
});

test('the README and operations.md link the runbook', () => {
  expect(links(readFileSync(join(ROOT, 'README.md'), 'utf8'))).toContain('docs/runbook.md');
  expect(links(readFileSync(join(ROOT, 'docs/operations.md'), 'utf8'))).toContain('runbook.md');
});

test('anchors follow GitHub: punctuation dropped, spaces as dashes, repeats numbered', () => {
  expect([...anchors("# Hot mode (one SKU beyond one item's write capacity)\n## A / B\n## A / B\n")]).toEqual([
    'hot-mode-one-sku-beyond-one-items-write-capacity',
    'a--b',
    'a--b-1',
  ]);
});
