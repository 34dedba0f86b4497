/**
 * `inventory upload FILE.csv [--mode set|adjust]`: create the upload, PUT the file (streamed, with its
 * length, as S3 wants it), then follow the job with a progress bar (rows done / total, rate, ETA) until
 * it ends; print the summary, and write the failed rows (as they were in the file, plus their error)
 * to FILE.errors.csv. `inventory upload --status ID` follows one already running.
 */
import { closeSync, createReadStream, createWriteStream, existsSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { csvCell, readCsv } from '../functions/core/csv.ts';

export interface UploadOptions {
  file?: string;
  status?: string;
  mode?: string;
  /** Check the file against current stock, write nothing (the job lists what would change). */
  dryRun?: boolean;
  url?: string;
  key?: string;
  interval?: number;
  json?: boolean;
}

interface Job {
  id: string;
  status: 'awaiting_upload' | 'processing' | 'completed' | 'failed';
  rows_total: number | null;
  rows_done: number;
  rows_applied: number;
  rows_unchanged: number;
  rows_failed: number;
  error: { code: string; message: string } | null;
  errors: { line: number; code: string; message: string }[];
  dry_run?: true;
  rows_would_apply?: number;
  changes?: {
    line: number;
    sku: string;
    warehouse_id: string;
    diff: { stocked_quantity: { before: number; after: number }; status: { before: string; after: string } };
  }[];
}

export class UsageError extends Error {}

export function apiKey(opt?: string): string {
  const devKey = resolve(process.env.INVENTORY_LOCAL_DIR ?? '.local', 'dev-key');
  const key = opt ?? process.env.INVENTORY_API_KEY ?? (existsSync(devKey) ? readFileSync(devKey, 'utf8').trim() : undefined);
  if (!key) throw new UsageError('No API key: pass --key, set INVENTORY_API_KEY, or run npm start once (it writes .local/dev-key)');
  return key;
}

/** The service is not there (refused, unknown host, reset): say where the CLI looked and what to do. */
export class UnreachableError extends Error {}

function unreachable(base: string, err: unknown): UnreachableError {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  const why = cause?.code ?? cause?.message ?? (err as Error)?.message ?? String(err);
  return new UnreachableError(
    `Cannot reach the inventory API at ${base} (${why}).\n` +
      'Start it with `npm start` (it listens on PORT, default 3000), or point the CLI at a running one with --url URL or INVENTORY_URL.',
  );
}

/**
 * An answer the API refused, as a person reads it: what was asked, the status, the error's code and
 * message (from whichever family's shape it came in), and what to do about a key that does not fit.
 */
export function refused(what: string, res: { status: number; body: unknown; text: string }): Error {
  const b = res.body as { error?: { code?: string; message?: string }; code?: string; message?: string } | undefined;
  const code = b?.error?.code ?? b?.code;
  const message = b?.error?.message ?? b?.message ?? (res.text.trim().slice(0, 200) || '(no answer body)');
  const hint =
    res.status === 401
      ? '\nThe API key is missing, unknown or revoked: pass --key KEY or set INVENTORY_API_KEY\n(npm start keeps its dev key in .local/dev-key).'
      : res.status === 403 && code === 'FORBIDDEN'
        ? '\nUse a key with that scope: --key KEY or INVENTORY_API_KEY.'
        : '';
  return new Error(`${what}: the API answered ${res.status}${code ? ` ${code}` : ''}.\n${message}${hint}`);
}

export async function api<T>(base: string, key: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T; text: string }> {
  let res: Response;
  try {
    res = await fetch(base + path, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw unreachable(base, err);
  }
  const text = await res.text();
  // biome-ignore lint/suspicious/noExplicitAny: the answer is any of the API's JSON bodies; only printed
  let parsed: any;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed, text };
}

/** PUT a file to a URL with its Content-Length (S3 refuses chunked PUTs to presigned URLs). */
function putFile(url: string, file: string, onBytes: (sent: number, total: number) => void): Promise<number> {
  const size = statSync(file).size;
  const u = new URL(url);
  const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolvePut, reject) => {
    const req = send(u, { method: 'PUT', headers: { 'content-type': 'text/csv', 'content-length': size } }, (res) => {
      res.resume();
      res.on('end', () => resolvePut(res.statusCode ?? 0));
    });
    req.on('error', reject);
    let sent = 0;
    const stream = createReadStream(file);
    stream.on('data', (chunk) => {
      sent += chunk.length;
      onBytes(sent, size);
    });
    stream.on('error', reject);
    stream.pipe(req);
  });
}

const fmt = (n: number) => n.toLocaleString('en-US');
function duration(s: number) {
  if (!Number.isFinite(s)) return '–';
  if (s < 60) return `${Math.ceil(s)}s`;
  return `${Math.floor(s / 60)}m${String(Math.ceil(s % 60)).padStart(2, '0')}s`;
}

/** `[####....] text`, the bar as wide as `columns` leaves room for (at most 30, at least 10). */
function bar(frac: number, text: string, columns: number): string {
  const width = Math.max(10, Math.min(30, columns - 1 - 3 - text.length));
  const filled = Math.round(Math.min(1, Math.max(0, frac)) * width);
  const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}`;
  // never wider than the terminal: a line that wraps leaves a copy behind at every redraw
  return line.length > columns - 1 ? line.slice(0, Math.max(0, columns - 1)) : line;
}

/**
 * One line of progress, at most `columns` − 1 characters (a terminal's width; 120 when not a
 * terminal): a bar on a terminal, a plain line otherwise (logs, CI).
 */
export function progressLine(job: Pick<Job, 'rows_done' | 'rows_total' | 'status'>, rate: number, columns = 120): string {
  const total = job.rows_total ?? 0;
  const frac = total ? Math.min(1, job.rows_done / total) : 0;
  const eta = rate > 0 && total ? (total - job.rows_done) / rate : Infinity;
  const text = `${fmt(job.rows_done)}/${total ? fmt(total) : '?'} rows ${(frac * 100).toFixed(0).padStart(3)}%  ${fmt(Math.round(rate))} rows/s  ETA ${duration(eta)}  ${job.status}`;
  return bar(frac, text, columns);
}

/** Progress of the file being sent, as wide as `progressLine`. */
export function sendingLine(sent: number, size: number, columns = 120): string {
  const [unit, div] = size >= 1048576 ? ['MB', 1048576] : ['KB', 1024];
  const n = (b: number) => (b / div).toFixed(1);
  const frac = size ? sent / size : 1;
  return bar(frac, `sending ${n(sent)}/${n(size)} ${unit} ${(frac * 100).toFixed(0).padStart(3)}%`, columns);
}

const columns = () => (process.stderr.isTTY ? process.stderr.columns || 80 : 120);

/** Follow a job to its end, drawing progress on stderr. */
async function follow(base: string, key: string, id: string, interval: number): Promise<Job> {
  const tty = process.stderr.isTTY;
  let last = { at: Date.now(), done: 0 };
  let rate = 0;
  let lastPrint = 0;
  for (;;) {
    const res = await api<{ data: Job }>(base, key, 'GET', `/api/inventory/uploads/${id}`);
    if (res.status !== 200) throw refused(`Reading upload ${id}`, res);
    const job = res.body.data;
    const now = Date.now();
    if (now > last.at && job.rows_done > last.done) {
      const instant = ((job.rows_done - last.done) * 1000) / (now - last.at);
      rate = rate ? 0.7 * rate + 0.3 * instant : instant;
      last = { at: now, done: job.rows_done };
    }
    const line = progressLine(job, rate, columns());
    if (tty) process.stderr.write(`\r${line}\x1b[K`);
    else if (now - lastPrint > 2000 || job.status === 'completed' || job.status === 'failed') {
      process.stderr.write(`${line}\n`);
      lastPrint = now;
    }
    if (job.status === 'completed' || job.status === 'failed') {
      if (tty) process.stderr.write('\n');
      return job;
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** The failed rows as they were in the input, each with its error: ready to fix and upload again. */
async function writeFailedRows(base: string, key: string, job: Job, input: string): Promise<string | undefined> {
  if (!job.rows_failed) return undefined;
  const res = await api<unknown>(base, key, 'GET', `/api/inventory/uploads/${job.id}?format=csv`);
  const errors = new Map<number, { code: string; message: string }>();
  for await (const rec of readCsv(
    (async function* () {
      yield new TextEncoder().encode(res.text);
    })(),
  )) {
    if (rec.line === 1) continue;
    errors.set(Number(rec.fields[0]), { code: rec.fields[1] ?? '', message: rec.fields[2] ?? '' });
  }
  const out = join(dirname(input), `${basename(input, extname(input))}.errors.csv`);
  const w = createWriteStream(out);
  // the input's own fields go back as they were (the file is fixed and uploaded again); the service's words are guarded
  const own = (v: string) => csvCell(v, { guard: false });
  for await (const rec of readCsv(createReadStream(input))) {
    if (rec.line === 1) w.write(`line,${rec.fields.map(own).join(',')},error_code,error_message\n`);
    const e = errors.get(rec.line);
    if (e) w.write(`${rec.line},${rec.fields.map(own).join(',')},${csvCell(e.code)},${csvCell(e.message)}\n`);
  }
  await new Promise<void>((r, j) => w.end((err?: Error | null) => (err ? j(err) : r())));
  return out;
}

/** A dry run's would-apply rows (line, sku, warehouse, before → after) next to the input: FILE.changes.csv. */
async function writeChanges(base: string, key: string, job: Job, input: string): Promise<string | undefined> {
  if (!job.rows_would_apply) return undefined;
  const res = await api<string>(base, key, 'GET', `/api/inventory/uploads/${job.id}?format=csv&part=changes`);
  if (res.status !== 200) throw refused("Reading the dry run's changes", res);
  const out = join(dirname(input), `${basename(input, extname(input))}.changes.csv`);
  writeFileSync(out, res.text);
  return out;
}

export async function upload(opts: UploadOptions): Promise<number> {
  const base = (opts.url ?? process.env.INVENTORY_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`).replace(/\/$/, '');
  const key = apiKey(opts.key);
  const interval = opts.interval ?? 500;
  let id = opts.status;
  let input: string | undefined;
  if (!id) {
    if (!opts.file) throw new UsageError('upload needs a FILE.csv (or --status ID)');
    input = resolve(opts.file);
    if (!existsSync(input)) throw new UsageError(`No such file: ${opts.file}`);
    // checked before the job is created, so a wrong path leaves no upload job behind
    if (statSync(input).isDirectory()) throw new UsageError(`${opts.file} is a directory: give the CSV file inside it`);
    try {
      closeSync(openSync(input, 'r'));
    } catch (err) {
      throw new UsageError(`Cannot read ${opts.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    const mode = opts.mode ?? 'set';
    if (mode !== 'set' && mode !== 'adjust') throw new UsageError('--mode must be set or adjust');
    const created = await api<{ data: { id: string; upload_url: string } }>(base, key, 'POST', '/api/inventory/uploads', {
      mode,
      ...(opts.dryRun ? { dry_run: true } : {}),
    });
    if (created.status !== 201) throw refused('Starting the upload', created);
    id = created.body.data.id;
    process.stderr.write(`Upload ${id} (${mode}${opts.dryRun ? ', dry run: nothing is written' : ''}): sending ${basename(input)}…\n`);
    const tty = process.stderr.isTTY;
    let drawn = 0;
    const status = await putFile(created.body.data.upload_url, input, (sent, size) => {
      const now = Date.now();
      if (tty && (now - drawn > 100 || sent === size)) {
        process.stderr.write(`\r${sendingLine(sent, size, columns())}\x1b[K`);
        drawn = now;
      }
    });
    if (tty) process.stderr.write('\n');
    else process.stderr.write(`${sendingLine(statSync(input).size, statSync(input).size)}\n`);
    if (status < 200 || status >= 300)
      throw new Error(`Sending the file: its upload URL answered ${status} (the upload URL expires after a while: upload again)`);
  }
  const job = await follow(base, key, id, interval);
  const failedFile = input && job.status === 'completed' ? await writeFailedRows(base, key, job, input) : undefined;
  const changesFile = input && job.status === 'completed' && job.dry_run ? await writeChanges(base, key, job, input) : undefined;
  if (opts.json)
    process.stdout.write(
      `${JSON.stringify({ ...job, failed_rows_file: failedFile ?? null, ...(job.dry_run ? { changes_file: changesFile ?? null } : {}) }, null, 2)}\n`,
    );
  else {
    const counts = job.dry_run
      ? `${fmt(job.rows_would_apply ?? 0)} would apply, ${fmt(job.rows_unchanged)} unchanged, ${fmt(job.rows_failed)} would fail (dry run: nothing was written)`
      : `${fmt(job.rows_applied)} applied, ${fmt(job.rows_unchanged)} unchanged, ${fmt(job.rows_failed)} failed`;
    const lines = [
      `Upload ${job.id}: ${job.status}`,
      `  rows ${fmt(job.rows_done)} of ${fmt(job.rows_total ?? 0)}: ${counts}`,
      ...(job.changes ?? [])
        .slice(0, 5)
        .map(
          (c) =>
            `  line ${c.line}: ${c.sku} at ${c.warehouse_id}: stocked ${c.diff.stocked_quantity.before} → ${c.diff.stocked_quantity.after} (${c.diff.status.before} → ${c.diff.status.after})`,
        ),
      ...(changesFile ? [`  every change written to ${changesFile}`] : []),
      ...(job.error ? [`  ${job.error.code}: ${job.error.message}`] : []),
      ...job.errors.slice(0, 5).map((e) => `  line ${e.line}: ${e.code} ${e.message}`),
      ...(failedFile ? [`  failed rows written to ${failedFile}`] : []),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return job.status === 'completed' ? (job.rows_failed ? 3 : 0) : 1;
}
