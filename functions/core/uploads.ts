/**
 * CSV bulk uploads: `sku,warehouse_id,quantity,reason,note` (reason and note optional), absolute
 * (`set`, default) or relative (`adjust`), any size.
 *
 * Exactly once per row: the processor reads the file as a stream from the job's checkpoint (a byte
 * offset and a line), and every transaction that applies rows also moves the checkpoint past them,
 * conditioned on the checkpoint being where the processor read it. So a row is either inside a
 * committed transaction (applied, and the checkpoint is past it) or not (the next run starts before
 * it). A processor killed at any point, rerun, or a second delivery of the same event, applies no row
 * twice: a second processor's transaction fails on the checkpoint and it stops.
 *
 * Per chunk: the rows' levels are updated once each (version- and writable-guarded), with one ledger
 * row per changed row, a Put per failed row (keyed by line) and the checkpoint move —
 * at most 100 actions. A failed row's error exists exactly when its chunk committed.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { notFound } from './errors.ts';
import { ulid } from './ids.ts';
import { MAX_QUANTITY } from './model.ts';
import type { Actor } from './model.ts';
import { csvCell, readCsv } from './csv.ts';
import type { CsvRecord } from './csv.ts';
import { bulkRow } from './schemas.ts';
import { toDomainError } from './validate.ts';
import { RowPipeline } from './rows.ts';
import type { PipelineRow } from './rows.ts';
import { readBlobStream, uploadUrl } from '../store/blobs.ts';
import {
  actorOfJob,
  checkpointAction,
  claimUploadToken,
  finishJob,
  getJob,
  listRowChanges,
  listRowErrors,
  putJob,
  rowChangePut,
  rowErrorPut,
  startJob,
} from '../store/uploads.ts';
import type { RowChangeRecord, RowError, UploadJob, UploadMode } from '../store/uploads.ts';
import type { LevelStatus } from './model.ts';

const REQUIRED = ['sku', 'warehouse_id', 'quantity'];
/** The upload URL is valid this long. */
export const UPLOAD_URL_SECONDS = 3600;
/** Errors shown inline in the job's status. */
export const INLINE_ERRORS = 20;
/** Records read and looked up together (3 batched reads per this many rows, at most). */
const BATCH_ROWS = 500;

const nowIso = () => new Date().toISOString();
const hash = (s: string) => createHash('sha256').update(s).digest('hex');
export const uploadObjectKey = (tenant: string, id: string) => `uploads/${tenant}/${id}.csv`;
/** `uploads/<tenant>/<id>.csv` → its tenant and id (the S3 event names only the object). */
export function parseUploadObjectKey(key: string): { tenant: string; id: string } | undefined {
  const m = /^uploads\/([^/]+)\/(upl_[0-9A-Za-z]+)\.csv$/.exec(decodeURIComponent(key.replace(/\+/g, ' ')));
  return m ? { tenant: m[1]!, id: m[2]! } : undefined;
}

// ---------- the API ----------

export async function createUpload(actor: Actor, input: { mode?: UploadMode; dry_run?: boolean }, localBase: () => string) {
  const id = `upl_${ulid()}`;
  const now = nowIso();
  const token = randomBytes(24).toString('base64url');
  const expires = new Date(Date.now() + UPLOAD_URL_SECONDS * 1000).toISOString();
  const job: UploadJob = {
    id,
    tenant: actor.tenant,
    status: 'awaiting_upload',
    mode: input.mode ?? 'set',
    ...(input.dry_run ? { dry_run: true } : {}),
    object_key: uploadObjectKey(actor.tenant, id),
    created_by: actor.keyName,
    key_id: actor.keyId,
    warehouse_ids: actor.warehouseIds?.length ? actor.warehouseIds : null,
    upload_token_hash: process.env.BLOB_BUCKET ? null : hash(token),
    expires_at: expires,
    columns: null,
    rows_total: null,
    rows_done: 0,
    rows_applied: 0,
    rows_unchanged: 0,
    rows_failed: 0,
    next_offset: 0,
    next_line: 1,
    error: null,
    created_at: now,
    updated_at: now,
    completed_at: null,
  };
  await putJob(job);
  const url = await uploadUrl(
    job.object_key,
    UPLOAD_URL_SECONDS,
    () => `${localBase()}/local/uploads/${encodeURIComponent(actor.tenant)}/${id}?token=${token}`,
  );
  return {
    data: {
      id,
      mode: job.mode,
      ...(job.dry_run ? { dry_run: true as const } : {}),
      status: 'awaiting_upload' as const,
      upload_url: url,
      upload_method: 'PUT' as const,
      expires_at: expires,
    },
  };
}

export async function getUpload(actor: Actor, id: string) {
  const job = await getJob(actor.tenant, id);
  if (!job) throw notFound('Upload', id);
  const [errors, changes] = await Promise.all([
    job.rows_failed ? listRowErrors(actor.tenant, id, INLINE_ERRORS) : [],
    job.dry_run && job.rows_applied ? listRowChanges(actor.tenant, id, INLINE_ERRORS) : [],
  ]);
  return { data: view(job, errors, changes) };
}

/** A dry run's would-apply rows as CSV (`?format=csv&part=changes`): line, sku, warehouse, before → after. */
export async function uploadChangesCsv(actor: Actor, id: string): Promise<string> {
  const job = await getJob(actor.tenant, id);
  if (!job) throw notFound('Upload', id);
  const rows = await listRowChanges(actor.tenant, id);
  const cols = [
    'line',
    'sku',
    'warehouse_id',
    'stocked_before',
    'stocked_after',
    'available_before',
    'available_after',
    'status_before',
    'status_after',
    'creates_level',
  ] as const;
  return [cols.join(','), ...rows.map((r) => cols.map((c) => csvCell(r[c])).join(','))].join('\r\n') + '\r\n';
}

export async function uploadErrorsCsv(actor: Actor, id: string): Promise<string> {
  const job = await getJob(actor.tenant, id);
  if (!job) throw notFound('Upload', id);
  const rows = await listRowErrors(actor.tenant, id);
  return (
    ['line,code,message,sku,warehouse_id', ...rows.map((r) => [r.line, r.code, r.message, r.sku, r.warehouse_id].map((v) => csvCell(v)).join(','))].join(
      '\r\n',
    ) + '\r\n'
  );
}

function view(job: UploadJob, errors: RowError[], changes: RowChangeRecord[]) {
  const dry = job.dry_run
    ? {
        dry_run: true as const,
        rows_would_apply: job.rows_applied,
        changes: changes.map((c) => ({
          line: c.line,
          sku: c.sku,
          warehouse_id: c.warehouse_id,
          diff: {
            stocked_quantity: { before: c.stocked_before, after: c.stocked_after },
            available_quantity: { before: c.available_before, after: c.available_after },
            status: { before: c.status_before as LevelStatus, after: c.status_after as LevelStatus },
          },
          ...(c.creates_level ? { creates_level: true as const } : {}),
        })),
        changes_url: `/api/inventory/uploads/${job.id}?format=csv&part=changes`,
      }
    : {};
  return {
    id: job.id,
    status: job.status,
    mode: job.mode,
    ...dry,
    rows_total: job.rows_total,
    rows_done: job.rows_done,
    rows_applied: job.dry_run ? 0 : job.rows_applied,
    rows_unchanged: job.rows_unchanged,
    rows_failed: job.rows_failed,
    error: job.error,
    errors,
    errors_url: `/api/inventory/uploads/${job.id}?format=csv`,
    created_at: job.created_at,
    updated_at: job.updated_at,
    completed_at: job.completed_at,
  };
}

/** Locally: may this token upload this job's file? Once: the token is used up by the first PUT. (Deployed, S3 checks the presigned URL.) */
export async function acceptLocalUpload(tenant: string, id: string, token: string): Promise<UploadJob | undefined> {
  const job = await getJob(tenant, id);
  if (!job || job.status !== 'awaiting_upload' || !job.upload_token_hash) return undefined;
  if (Date.parse(job.expires_at) < Date.now()) return undefined;
  const a = Buffer.from(hash(token));
  const b = Buffer.from(job.upload_token_hash);
  if (a.length !== b.length || !timingSafeEqual(a, b)) return undefined;
  return (await claimUploadToken(tenant, id, job.upload_token_hash)) ? job : undefined;
}

// ---------- the processor ----------

export interface ProcessOptions {
  /** Checked between chunks: true to stop (Lambda's time is running out); the job stays `processing`. */
  shouldStop?: () => boolean;
  /** Called after each committed chunk (tests use it to stop a processor part way). */
  onChunk?: (job: { rows_done: number }) => void;
  /** DynamoDB requests made, for the benchmark and the tests (counted here as they are sent). */
  requests?: { count: number };
}

export type ProcessOutcome = 'completed' | 'failed' | 'paused' | 'superseded' | 'not_uploaded' | 'not_found';

/** Stream the file from the checkpoint, a batch of records at a time, through the row pipeline (core/rows.ts). */
export async function processUpload(tenant: string, id: string, opts: ProcessOptions = {}): Promise<ProcessOutcome> {
  let job = await getJob(tenant, id);
  if (!job) return 'not_found';
  if (job.status === 'completed' || job.status === 'failed') return job.status;
  if (job.status === 'awaiting_upload') {
    const begun = await begin(job);
    if (begun !== 'started') return begun;
    job = (await getJob(tenant, id))!;
    if (job.status !== 'processing') return job.status === 'failed' ? 'failed' : 'superseded';
  }
  const stream = await readBlobStream(job.object_key, job.next_offset);
  if (!stream) return 'not_uploaded';
  const run = checkpointed(job, opts);
  let batch: CsvRow[] = [];
  for await (const rec of readCsv(stream, { offset: job.next_offset, line: job.next_line })) {
    batch.push(csvRow(rec, job.columns!, job.mode));
    if (batch.length >= BATCH_ROWS) {
      const out = await run.apply(batch);
      if (out !== 'ok') return out;
      batch = [];
    }
  }
  const out = await run.apply(batch);
  if (out !== 'ok') return out;
  return (await finishJob(tenant, id, 'completed', { offset: run.offset() }, nowIso())) ? 'completed' : 'superseded';
}

/** The first pass: the header, and how many records follow (for progress and ETA). */
async function begin(job: UploadJob): Promise<'started' | 'failed' | 'not_uploaded' | 'superseded'> {
  const stream = await readBlobStream(job.object_key, 0);
  if (!stream) return 'not_uploaded';
  let header: CsvRecord | undefined;
  let total = 0;
  for await (const rec of readCsv(stream)) {
    if (!header) header = rec;
    else total++;
  }
  const columns = (header?.fields ?? []).map((c) => c.trim().toLowerCase());
  const missing = REQUIRED.filter((c) => !columns.includes(c));
  const fail = async (code: string, message: string) =>
    (await finishJob(job.tenant, job.id, 'failed', { offset: 0 }, nowIso(), { code, message })) ? ('failed' as const) : ('superseded' as const);
  if (!header) return fail('INVALID_FILE', 'The file is empty: it needs a header row sku,warehouse_id,quantity[,reason,note]');
  if (header.error) return fail('INVALID_FILE', 'The header row has broken quoting');
  // the header is kept on the job: one that could not be stored would leave the job waiting forever
  if (columns.length > MAX_COLUMNS || header.end > MAX_HEADER_BYTES) {
    return fail(
      'INVALID_FILE',
      `The header row is too wide: ${columns.length} columns, ${header.end} bytes (at most ${MAX_COLUMNS} columns and ${MAX_HEADER_BYTES} bytes)`,
    );
  }
  if (missing.length) return fail('MISSING_COLUMN', `The header row lacks ${missing.join(', ')} (expected sku,warehouse_id,quantity[,reason,note])`);
  const started = await startJob(job.tenant, job.id, columns, total, header.end, nowIso());
  return started ? 'started' : 'superseded';
}

/** The widest header an upload accepts (the five known columns and some the file may carry besides). */
export const MAX_COLUMNS = 100;
export const MAX_HEADER_BYTES = 16_384;

/** A CSV record (with its line and the byte offset after it) as a pipeline row. */
type CsvRow = PipelineRow & { end: number };

/**
 * validate: one CSV record → a pipeline row. The same rules as a bulk row (its schema checks sku,
 * warehouse_id, reason and note); the quantity is text here: a whole number, signed in adjust mode.
 */
function csvRow(rec: CsvRecord, cols: string[], mode: UploadMode): CsvRow {
  const base = { at: rec.line, end: rec.end, sku: null, warehouse_id: null };
  if (rec.error)
    return {
      ...base,
      error: {
        code: 'BROKEN_QUOTING',
        message: 'The row has broken quoting (a quote inside an unquoted field, text after a closing quote, or a quote never closed)',
      },
    };
  const get = (name: string) => {
    const i = cols.indexOf(name);
    return i < 0 ? undefined : rec.fields[i];
  };
  const sku = get('sku')?.trim() || null;
  const wid = get('warehouse_id')?.trim() || null;
  const named = { ...base, sku, warehouse_id: wid };
  const invalid = (code: string, message: string): CsvRow => ({ ...named, error: { code, message } });
  if (rec.fields.length < cols.length) return invalid('MISSING_COLUMN', `The row has ${rec.fields.length} of the header's ${cols.length} columns`);
  if (rec.fields.length > cols.length) return invalid('VALIDATION_ERROR', `The row has ${rec.fields.length} columns, the header ${cols.length}`);
  if (!sku) return invalid('VALIDATION_ERROR', 'sku: required');
  if (!wid) return invalid('VALIDATION_ERROR', 'warehouse_id: required');
  const q = get('quantity')!.trim();
  if (!/^[+-]?\d{1,10}$/.test(q) || Math.abs(Number(q)) > MAX_QUANTITY) {
    return invalid('INVALID_QUANTITY', `quantity: expected a whole number up to ${MAX_QUANTITY}, got "${q.slice(0, 40)}"`);
  }
  const quantity = Number(q);
  if (mode === 'set' && quantity < 0) return invalid('NEGATIVE_QUANTITY', `quantity: cannot be negative in set mode (got ${quantity})`);
  const reason = get('reason')?.trim() || undefined;
  const note = get('note') || undefined;
  // the bulk row's schema for the other fields (the quantity, checked above, may be a signed delta)
  const parsed = bulkRow.safeParse({ sku, warehouse_id: wid, quantity: 0, ...(reason ? { reason } : {}), ...(note ? { note } : {}) });
  if (!parsed.success) {
    const e = toDomainError('body', parsed.error, {});
    return invalid(e.code, e.message);
  }
  return { ...named, row: { sku, warehouse_id: wid, quantity, reason: parsed.data.reason ?? 'bulk_import', note: note ?? null, reference: null } };
}

/**
 * The pipeline with the checkpoint: each chunk also writes its failed rows' errors and moves the
 * checkpoint past its rows, on condition that it is still where this run read it. A chunk refused on
 * the checkpoint means another processor has the job: this one stops (`superseded`).
 */
function checkpointed(job: UploadJob, opts: ProcessOptions) {
  let offset = job.next_offset;
  const pipeline = new RowPipeline(actorOfJob(job), {
    mode: job.mode,
    by: job.created_by,
    reserved: 1,
    errorsInChunk: true,
    cacheLookups: true,
    count: (n) => opts.requests && (opts.requests.count += n),
    shouldStop: opts.shouldStop,
    // a dry run writes no stock: its chunks commit the checkpoint, the errors and a row per would-apply line
    dryRun: job.dry_run === true,
    extra: (chunk, now) => {
      const last = chunk.rows[chunk.rows.length - 1] as CsvRow;
      const errors = chunk.failed.map(({ row, error }) =>
        rowErrorPut(job.tenant, job.id, { line: row.at, ...error, sku: row.sku, warehouse_id: row.warehouse_id }),
      );
      if (job.dry_run) {
        for (const r of chunk.rows) {
          if (!r.diff) continue;
          errors.push(
            rowChangePut(job.tenant, job.id, {
              line: r.at,
              sku: r.sku,
              warehouse_id: r.warehouse_id,
              stocked_before: r.diff.stocked_quantity.before,
              stocked_after: r.diff.stocked_quantity.after,
              available_before: r.diff.available_quantity.before,
              available_after: r.diff.available_quantity.after,
              status_before: r.diff.status.before,
              status_after: r.diff.status.after,
              creates_level: r.createsLevel === true,
            }),
          );
        }
      }
      const moved = {
        from: offset,
        to: last.end,
        nextLine: last.at + 1,
        done: chunk.rows.length,
        applied: chunk.applied,
        unchanged: chunk.unchanged,
        failed: chunk.failed.length,
        now,
      };
      return [...errors, checkpointAction(job.tenant, job.id, moved)];
    },
    committed: (chunk) => {
      offset = (chunk.rows[chunk.rows.length - 1] as CsvRow).end;
      job.rows_done += chunk.rows.length;
      opts.onChunk?.({ rows_done: job.rows_done });
    },
  });
  return {
    offset: () => offset,
    async apply(rows: CsvRow[]): Promise<'ok' | 'paused' | 'superseded'> {
      for (const r of rows) if (r.row) r.row.reference = `upload:${job.id}:${r.at}`;
      const out = await pipeline.run(rows);
      return out === 'stopped' ? 'superseded' : out;
    },
  };
}
