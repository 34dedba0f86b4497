/** The streaming CSV reader: quoting, line breaks, BOM, offsets that let a reader resume mid-file. */
import { csvCell, readCsv } from '../../functions/core/csv.ts';
import type { CsvRecord } from '../../functions/core/csv.ts';

async function* chunked(bytes: Uint8Array, size: number) {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}
async function read(text: string | Uint8Array, size = 3, start?: { offset: number; line: number }): Promise<CsvRecord[]> {
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  const out: CsvRecord[] = [];
  for await (const r of readCsv(chunked(bytes.subarray(start?.offset ?? 0), size), start)) out.push(r);
  return out;
}

test('plain rows, LF or CRLF, with or without a final line break', async () => {
  for (const text of ['a,b,c\n1,2,3\n', 'a,b,c\r\n1,2,3\r\n', 'a,b,c\n1,2,3', 'a,b,c\r\n1,2,3']) {
    const rows = await read(text, 2);
    expect(rows.map((r) => r.fields)).toEqual([
      ['a', 'b', 'c'],
      ['1', '2', '3'],
    ]);
    expect(rows.map((r) => r.line)).toEqual([1, 2]);
    expect(rows[1]!.end).toBe(new TextEncoder().encode(text).length);
  }
});

test('quoted fields: commas, doubled quotes, line breaks inside; empty fields', async () => {
  const rows = await read('sku,note\n"A,1","say ""hi""\nthere"\nB,\n,x\n', 4);
  expect(rows.map((r) => r.fields)).toEqual([
    ['sku', 'note'],
    ['A,1', 'say "hi"\nthere'],
    ['B', ''],
    ['', 'x'],
  ]);
  expect(rows.map((r) => r.line)).toEqual([1, 2, 4, 5]);
});

test('a UTF-8 BOM is skipped; multi-byte characters survive any chunking', async () => {
  const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('sku,title\nÄ-1,Größe 😀\n')]);
  for (const size of [1, 2, 5, 64]) {
    const rows = await read(bytes, size);
    expect(rows.map((r) => r.fields)).toEqual([
      ['sku', 'title'],
      ['Ä-1', 'Größe 😀'],
    ]);
  }
});

test('blank lines are not records', async () => {
  const rows = await read('a\n\n\r\nb\n\n');
  expect(rows.map((r) => [r.line, r.fields[0]])).toEqual([
    [1, 'a'],
    [4, 'b'],
  ]);
});

test('broken quoting is reported on its line and reading goes on', async () => {
  const rows = await read('a,b\nx"y,1\n"ok",2\n"closed"junk,3\nlast,4\n"open,5\n');
  expect(rows.map((r) => [r.line, r.error ?? r.fields.join('|')])).toEqual([
    [1, 'a|b'],
    [2, 'BROKEN_QUOTING'],
    [3, 'ok|2'],
    [4, 'BROKEN_QUOTING'],
    [5, 'last|4'],
    [6, 'BROKEN_QUOTING'],
  ]);
});

test("resuming at a record's end offset gives exactly the records after it", async () => {
  const text = 'h1,h2\r\n"a\nb",1\r\nc,2\r\nd,3\r\n';
  const all = await read(text, 3);
  for (let k = 0; k < all.length; k++) {
    const rest = await read(text, 2, { offset: all[k]!.end, line: all[k + 1]?.line ?? 99 });
    expect(rest).toEqual(all.slice(k + 1));
  }
});

test('every CSV the service writes spells a cell one way: quoted when needed, formulas neutralised', async () => {
  expect(['plain', 'a,b', 'say "hi"', 'two\nlines', null, undefined, 12, -3].map((v) => csvCell(v))).toEqual([
    'plain',
    '"a,b"',
    '"say ""hi"""',
    '"two\nlines"',
    '',
    '',
    '12',
    '-3',
  ]);
  // text a spreadsheet would run as a formula is shown as text; a negative number stays a number
  expect(['=1+1', '+A1', '-RED', '@SUM(A1)', '=HYPERLINK("x","y")'].map((v) => csvCell(v))).toEqual([
    "'=1+1",
    "'+A1",
    "'-RED",
    "'@SUM(A1)",
    `"'=HYPERLINK(""x"",""y"")"`,
  ]);
  // a file the uploader reads back keeps its own fields as they were
  expect(csvCell('-RED', { guard: false })).toBe('-RED');
  // what is written reads back as the same text
  const line = ['a,b', 'say "hi"', '=1+1'].map((v) => csvCell(v)).join(',');
  const [rec] = await read(`${line}\n`, 4);
  expect(rec!.fields).toEqual(['a,b', 'say "hi"', "'=1+1"]);
});
