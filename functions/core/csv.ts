/**
 * A streaming CSV reader (RFC 4180 with the usual tolerances): UTF-8 with or without BOM, CRLF or
 * LF, quoted fields with "" escapes and line breaks inside quotes. It works on bytes, so every
 * record carries the byte offset where the next one starts: an upload processor can checkpoint that
 * offset and resume there (S3 Range / fs start) without reading the file again from the top.
 * A record whose quoting is broken is yielded with `error` (and the reader goes on at the next line).
 */

export interface CsvRecord {
  /** Line number (1-based) where the record starts. */
  line: number;
  fields: string[];
  /** Byte offset just past the record (its line break included): where the next record starts. */
  end: number;
  /** Set when the record cannot be read; `fields` is then empty. */
  error?: 'BROKEN_QUOTING';
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const CR = 0x0d;
const LF = 0x0a;

/**
 * Read records from a byte stream that starts at `offset` of the file, whose first record is on
 * `line`. At offset 0 a UTF-8 BOM is skipped. Blank lines are not records.
 */
export async function* readCsv(chunks: AsyncIterable<Uint8Array>, start: { offset: number; line: number } = { offset: 0, line: 1 }): AsyncGenerator<CsvRecord> {
  const decoder = new TextDecoder('utf-8');
  let pos = start.offset; // absolute offset of the byte being read
  let line = start.line; // line the reader is on
  let recordLine = line;
  let fields: string[] = [];
  let field: number[] = []; // bytes of the field being read
  let state: 'start' | 'unquoted' | 'quoted' | 'quote-in-quoted' | 'broken' = 'start';
  let fieldStarted = false; // the record has at least one character (blank lines are skipped)
  let pendingCR = false;
  let bom = start.offset === 0 ? 0 : 3; // bytes of the BOM seen so far (3 = done)
  const bomBytes = [0xef, 0xbb, 0xbf];
  let held: number[] = [];
  // a record ended by CR waits for the next byte: if it is LF, the record's end moves past it
  let lastRecord: CsvRecord | undefined;

  const text = () => {
    const s = decoder.decode(Uint8Array.from(field));
    field = [];
    return s;
  };
  const endRecord = (endOffset: number): CsvRecord | undefined => {
    let out: CsvRecord | undefined;
    if (state === 'broken') out = { line: recordLine, fields: [], end: endOffset, error: 'BROKEN_QUOTING' };
    else if (fieldStarted) {
      fields.push(text());
      out = { line: recordLine, fields, end: endOffset };
    }
    fields = [];
    field = [];
    state = 'start';
    fieldStarted = false;
    return out;
  };

  for await (const chunk of chunks) {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      pos++;
      if (bom < 3) {
        if (b === bomBytes[bom]) {
          held.push(b);
          bom++;
          if (bom === 3) held = [];
          continue;
        }
        // not a BOM after all: replay what was held as ordinary bytes
        bom = 3;
        if (held.length) {
          const replay = held;
          held = [];
          for (const h of replay) {
            field.push(h);
            fieldStarted = true;
            state = 'unquoted';
          }
        }
      }
      if (pendingCR) {
        pendingCR = false;
        if (b === LF) {
          // the CRLF's LF: the record already ended at the CR; move its end past the LF
          if (lastRecord) lastRecord.end = pos;
          continue;
        }
      }
      if (lastRecord) {
        yield lastRecord;
        lastRecord = undefined;
      }
      switch (state) {
        case 'quoted':
          if (b === QUOTE) state = 'quote-in-quoted';
          else {
            if (b === LF) line++;
            field.push(b);
          }
          continue;
        case 'quote-in-quoted':
          if (b === QUOTE) {
            field.push(QUOTE);
            state = 'quoted';
            continue;
          }
          if (b === COMMA) {
            fields.push(text());
            state = 'start';
            continue;
          }
          if (b === CR || b === LF) break; // end of record, below
          state = 'broken'; // characters after a closing quote
          continue;
        case 'broken':
          if (b === CR || b === LF) break;
          continue;
        case 'start':
          if (b === QUOTE) {
            state = 'quoted';
            fieldStarted = true;
            continue;
          }
          if (b === COMMA) {
            fields.push('');
            fieldStarted = true;
            continue;
          }
          if (b === CR || b === LF) break;
          state = 'unquoted';
          fieldStarted = true;
          field.push(b);
          continue;
        case 'unquoted':
          if (b === COMMA) {
            fields.push(text());
            state = 'start';
            continue;
          }
          if (b === QUOTE) {
            state = 'broken'; // a quote inside an unquoted field
            continue;
          }
          if (b === CR || b === LF) break;
          field.push(b);
          continue;
      }
      // here b is CR or LF outside quotes: the record ends
      const rec = endRecord(pos);
      if (b === CR) pendingCR = true;
      line++;
      recordLine = line;
      if (rec && b === CR) lastRecord = rec;
      else if (rec) yield rec;
    }
  }
  if (lastRecord) yield lastRecord;
  // the last record may have no line break; an open quote at the end of the file is broken quoting
  if (state === 'quoted') {
    state = 'broken';
    fieldStarted = true;
  }
  if (held.length) {
    for (const h of held) field.push(h);
    fieldStarted = true;
  }
  const last = endRecord(pos);
  if (last) yield last;
}

/**
 * One CSV cell, as every CSV this service writes spells it: quoted when it holds a quote, comma or
 * line break (a quote doubled inside). Text starting with = + - @ gets a leading ' so a spreadsheet
 * shows it instead of running it as a formula; numbers are written as they are. `guard: false`
 * leaves text as it is: only for a file that goes back to the uploader (the CLI's rows to fix).
 */
export function csvCell(v: string | number | boolean | null | undefined, opts: { guard?: boolean } = {}): string {
  const s = v === null || v === undefined ? '' : String(v);
  const safe = opts.guard !== false && typeof v === 'string' && /^[=+\-@]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
