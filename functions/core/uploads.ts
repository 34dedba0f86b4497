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
 * Per chunk: the rows' levels are updated once each (version-guarded), with one ledger row per changed
 * row, a writable check per warehouse, a Put per failed row (keyed by line) and the checkpoint move —
 * at most 100 actions. A failed row's error exists exactly when its chunk committed.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { DomainError, notFound } from './errors.ts';
import { ulid } from './ids.ts';
import { ADJUSTMENT_REASONS, MAX_QUANTITY } from './model.ts';
import type { Actor, AdjustmentReason, Level, Warehouse } from './model.ts';
import { sees } from './access.ts';
import { readCsv } from './csv.ts';
import type { CsvRecord } from './csv.ts';
import { keys } from '../store/keys.ts';
import { TxCancelled } from '../store/db.ts';
import type { TxAction } from '../store/db.ts';
import { readBlobStream, uploadUrl } from '../store/blobs.ts';
import { createLevel } from '../store/levels.ts';
import { ledgerPut } from '../store/ledger.ts';
import { asLevel, asWarehouse, batchRows, setStocked } from '../store/stock.ts';
import {
  actorOfJob, checkpointAction, claimUploadToken, commitChunk, finishJob, getJob, listRowErrors, putJob, rowErrorPut, startJob,
} from '../store/uploads.ts';
import type { RowError, UploadJob, UploadMode } from '../store/uploads.ts';

export const UPLOAD_COLUMNS = ['sku', 'warehouse_id', 'quantity', 'reason', 'note'] as const;
const REQUIRED = ['sku', 'warehouse_id', 'quantity'];
/** The upload URL is valid this long. */
export const UPLOAD_URL_SECONDS = 3600;
/** Errors shown inline in the job's status. */
export const INLINE_ERRORS = 20;
/** Records read and looked up together (3 batched reads per this many rows, at most). */
const BATCH_ROWS = 500;
const MAX_TX_ACTIONS = 100;

const nowIso = () => new Date().toISOString();
const hash = (s: string) => createHash('sha256').update(s).digest('hex');
export const uploadObjectKey = (tenant: string, id: string) => `uploads/${tenant}/${id}.csv`;
/** `uploads/<tenant>/<id>.csv` → its tenant and id (the S3 event names only the object). */
export function parseUploadObjectKey(key: string): { tenant: string; id: string } | undefined {
  const m = /^uploads\/([^/]+)\/(upl_[0-9A-Za-z]+)\.csv$/.exec(decodeURIComponent(key.replace(/\+/g, ' ')));
  return m ? { tenant: m[1]!, id: m[2]! } : undefined;
}

// ---------- the API ----------

export async function createUpload(actor: Actor, input: { mode?: UploadMode }, localBase: () => string) {
  const id = `upl_${ulid()}`;
  const now = nowIso();
  const token = randomBytes(24).toString('base64url');
  const expires = new Date(Date.now() + UPLOAD_URL_SECONDS * 1000).toISOString();
  const job: UploadJob = {
    id,
    tenant: actor.tenant,
    status: 'awaiting_upload',
    mode: input.mode ?? 'set',
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
  const url = await uploadUrl(job.object_key, UPLOAD_URL_SECONDS, () => `${localBase()}/local/uploads/${encodeURIComponent(actor.tenant)}/${id}?token=${token}`);
  return { data: { id, mode: job.mode, status: job.status, upload_url: url, upload_method: 'PUT', expires_at: expires } };
}

export async function getUpload(actor: Actor, id: string) {
  const job = await getJob(actor.tenant, id);
  if (!job) throw notFound('Upload', id);
  const errors = job.rows_failed ? await listRowErrors(actor.tenant, id, INLINE_ERRORS) : [];
  return { data: view(job, errors) };
}

export async function uploadErrorsCsv(actor: Actor, id: string): Promise<string> {
  const job = await getJob(actor.tenant, id);
  if (!job) throw notFound('Upload', id);
  const rows = await listRowErrors(actor.tenant, id);
  const cell = (v: unknown) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return ['line,code,message,sku,warehouse_id', ...rows.map((r) => [r.line, r.code, r.message, r.sku, r.warehouse_id].map(cell).join(','))].join('\r\n') + '\r\n';
}

function view(job: UploadJob, errors: RowError[]) {
  return {
    id: job.id,
    status: job.status,
    mode: job.mode,
    rows_total: job.rows_total,
    rows_done: job.rows_done,
    rows_applied: job.rows_applied,
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

interface Row {
  line: number;
  end: number;
  sku: string | null;
  warehouse_id: string | null;
  quantity?: number;
  reason?: AdjustmentReason;
  note?: string | null;
  error?: { code: string; message: string };
}

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
  const run = new Run(job, opts);
  let batch: Row[] = [];
  for await (const rec of readCsv(stream, { offset: job.next_offset, line: job.next_line })) {
    batch.push(run.parse(rec));
    if (batch.length >= BATCH_ROWS) {
      const out = await run.apply(batch);
      if (out !== 'ok') return out;
      batch = [];
    }
  }
  const out = await run.apply(batch);
  if (out !== 'ok') return out;
  return (await finishJob(tenant, id, 'completed', { offset: run.offset }, nowIso())) ? 'completed' : 'superseded';
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
    return fail('INVALID_FILE', `The header row is too wide: ${columns.length} columns, ${header.end} bytes (at most ${MAX_COLUMNS} columns and ${MAX_HEADER_BYTES} bytes)`);
  }
  if (missing.length) return fail('MISSING_COLUMN', `The header row lacks ${missing.join(', ')} (expected sku,warehouse_id,quantity[,reason,note])`);
  const started = await startJob(job.tenant, job.id, columns, total, header.end, nowIso());
  return started ? 'started' : 'superseded';
}

/** The widest header an upload accepts (the five known columns and some the file may carry besides). */
export const MAX_COLUMNS = 100;
export const MAX_HEADER_BYTES = 16_384;

interface LevelState {
  level: Level;
  version: number;
}

class Run {
  readonly actor: Actor;
  offset: number;
  line: number;
  private readonly items = new Map<string, string | null>(); // sku → item id (null: none)
  private readonly warehouses = new Map<string, Warehouse | null>();

  constructor(
    readonly job: UploadJob,
    readonly opts: ProcessOptions,
  ) {
    this.actor = actorOfJob(job);
    this.offset = job.next_offset;
    this.line = job.next_line;
  }

  private count(n: number) {
    if (this.opts.requests) this.opts.requests.count += n;
  }

  parse(rec: CsvRecord): Row {
    const base = { line: rec.line, end: rec.end, sku: null, warehouse_id: null };
    if (rec.error) return { ...base, error: { code: 'BROKEN_QUOTING', message: 'The row has broken quoting (a quote inside an unquoted field, text after a closing quote, or a quote never closed)' } };
    const cols = this.job.columns!;
    const get = (name: string) => {
      const i = cols.indexOf(name);
      return i < 0 ? undefined : rec.fields[i];
    };
    const sku = get('sku')?.trim() ?? null;
    const wid = get('warehouse_id')?.trim() ?? null;
    const row: Row = { ...base, sku: sku || null, warehouse_id: wid || null };
    if (rec.fields.length < cols.length) {
      return { ...row, error: { code: 'MISSING_COLUMN', message: `The row has ${rec.fields.length} of the header's ${cols.length} columns` } };
    }
    if (rec.fields.length > cols.length) {
      return { ...row, error: { code: 'VALIDATION_ERROR', message: `The row has ${rec.fields.length} columns, the header ${cols.length}` } };
    }
    if (!sku) return { ...row, error: { code: 'VALIDATION_ERROR', message: 'sku: required' } };
    if (!wid) return { ...row, error: { code: 'VALIDATION_ERROR', message: 'warehouse_id: required' } };
    const q = get('quantity')!.trim();
    if (!/^[+-]?\d{1,10}$/.test(q) || Math.abs(Number(q)) > MAX_QUANTITY) {
      return { ...row, error: { code: 'INVALID_QUANTITY', message: `quantity: expected a whole number up to ${MAX_QUANTITY}, got "${q.slice(0, 40)}"` } };
    }
    const quantity = Number(q);
    if (this.job.mode === 'set' && quantity < 0) return { ...row, error: { code: 'NEGATIVE_QUANTITY', message: `quantity: cannot be negative in set mode (got ${quantity})` } };
    const reasonText = get('reason')?.trim();
    if (reasonText && !(ADJUSTMENT_REASONS as readonly string[]).includes(reasonText)) {
      return { ...row, error: { code: 'VALIDATION_ERROR', message: `reason: expected one of ${ADJUSTMENT_REASONS.join(', ')}` } };
    }
    const note = get('note') ?? null;
    if (note && note.length > 1000) return { ...row, error: { code: 'VALIDATION_ERROR', message: 'note: at most 1000 characters' } };
    return { ...row, quantity, reason: (reasonText || 'bulk_import') as AdjustmentReason, note: note || null };
  }

  /** Look up what a batch's rows name, then apply it chunk by chunk. */
  async apply(rows: Row[]): Promise<'ok' | 'paused' | 'superseded'> {
    if (!rows.length) return 'ok';
    const t = this.job.tenant;
    // items by sku and warehouses, cached for the run; levels fresh for every batch
    const skus = [...new Set(rows.filter((r) => !r.error && !this.items.has(r.sku!)).map((r) => r.sku!))];
    const wids = [...new Set(rows.filter((r) => !r.error && !this.warehouses.has(r.warehouse_id!)).map((r) => r.warehouse_id!))];
    const [guards, whs] = await Promise.all([batchRows(skus.map((s) => keys.skuGuard(t, s))), batchRows(wids.map((w) => keys.warehouse(t, w)))]);
    this.count(guards.requests + whs.requests);
    const prefix = keys.skuGuard(t, '').PK;
    for (const s of skus) this.items.set(s, null);
    for (const g of guards.rows) this.items.set(String(g.PK).slice(prefix.length), g.inventory_item_id as string);
    for (const w of wids) this.warehouses.set(w, null);
    for (const w of whs.rows) this.warehouses.set(String(w.id), asWarehouse(w));
    if (this.items.size > 200_000) this.items.clear(); // bounded memory on huge catalogues

    // rows that cannot apply whatever the stock is
    for (const r of rows) {
      if (r.error) continue;
      const wh = this.warehouses.get(r.warehouse_id!);
      if (!sees(this.actor, r.warehouse_id!)) r.error = { code: 'FORBIDDEN_WAREHOUSE', message: `The key that created this upload may not change stock at warehouse ${r.warehouse_id}` };
      else if (!this.items.get(r.sku!)) r.error = { code: 'INVENTORY_NOT_FOUND', message: `SKU ${r.sku} has no inventory record` };
      else if (!wh) r.error = { code: 'WAREHOUSE_NOT_FOUND', message: `Warehouse ${r.warehouse_id} does not exist` };
      else if (wh.is_readonly) r.error = { code: 'READONLY_WAREHOUSE', message: `Warehouse ${r.warehouse_id} is read-only: its stock cannot be changed here` };
    }
    const levels = await this.readLevels(rows);
    // a level that does not exist yet is created empty (no stock, no ledger row; harmless to repeat), then set like any other
    const missing = rows.filter((r) => !r.error && !levels.has(levelKey(this.items.get(r.sku!)!, r.warehouse_id!)));
    if (missing.length) {
      const ctx = { tenant: t, by: this.job.created_by, now: nowIso() };
      for (const key of new Set(missing.map((r) => levelKey(this.items.get(r.sku!)!, r.warehouse_id!)))) {
        const [iid, wid] = key.split('|') as [string, string];
        try {
          await createLevel(ctx, iid, { location_id: wid });
        } catch (err) {
          if (!(err instanceof DomainError)) throw err;
          if (err.code !== 'CONFLICT') for (const r of missing) if (levelKey(this.items.get(r.sku!)!, r.warehouse_id!) === key) r.error = { code: err.code, message: err.message };
        }
        this.count(3);
      }
      for (const [k, v] of await this.readLevels(missing)) levels.set(k, v);
    }

    // chunks: as many rows as fit in one transaction, in file order
    let i = 0;
    while (i < rows.length) {
      if (this.opts.shouldStop?.()) return 'paused';
      let attempt = 0;
      for (;;) {
        const plan = this.plan(rows, i, levels, attempt >= 3);
        try {
          await this.commit(plan);
          i += plan.rows.length;
          break;
        } catch (err) {
          if (!(err instanceof TxCancelled)) throw err;
          if (err.cancellation.failed.has('checkpoint')) return 'superseded';
          attempt++;
          // a level moved underneath (another writer) or its warehouse turned read-only (the level's copy
          // of the flag says so) or went with it: read again, retry; from the fourth attempt one row at
          // a time, and a row that still fails alone is reported
          for (const [k, v] of await this.readLevels(plan.rows)) levels.set(k, v);
          const whFailed = [...err.cancellation.failed.entries()]
            .filter(([l, old]) => l.startsWith('level:') && (!old || old.wh_readonly === true))
            .map(([l]) => l.slice('level:'.length).split('|')[1]!);
          for (const w of whFailed) this.warehouses.delete(w);
          if (attempt >= 3 && plan.rows.length === 1) {
            const r = plan.rows[0]!;
            r.error = whFailed.length
              ? { code: 'READONLY_WAREHOUSE', message: `Warehouse ${r.warehouse_id} is read-only (or gone): its stock cannot be changed here` }
              : { code: 'CONFLICT', message: 'The level kept changing while this row was applied; send it again' };
          }
          if (attempt > 12) throw err;
        }
      }
      this.opts.onChunk?.({ rows_done: this.job.rows_done });
    }
    return 'ok';
  }

  private async readLevels(rows: Row[]): Promise<Map<string, LevelState>> {
    const t = this.job.tenant;
    const keyList = rows.filter((r) => !r.error).map((r) => keys.level(t, this.items.get(r.sku!)!, r.warehouse_id!));
    const read = await batchRows(keyList);
    this.count(read.requests);
    return new Map(read.rows.map((r) => [levelKey(String(r.inventory_item_id), String(r.location_id)), { level: asLevel(r), version: Number(r.version ?? 1) }]));
  }

  /** The rows from `start` that fit one transaction, and what they do. */
  private plan(rows: Row[], start: number, levels: Map<string, LevelState>, single: boolean) {
    const touched = new Map<string, { state: LevelState; quantity: number }>();
    const ledger: { row: Row; key: string; before: number; after: number }[] = [];
    const errors: RowError[] = [];
    const taken: Row[] = [];
    let unchanged = 0;
    for (let i = start; i < rows.length; i++) {
      const r = rows[i]!;
      if (single && taken.length) break;
      // every row error is a Put of the chunk's transaction too
      if (touched.size + ledger.length + errors.length + 1 + 2 > MAX_TX_ACTIONS) break;
      if (r.error) {
        taken.push(r);
        errors.push({ line: r.line, code: r.error.code, message: r.error.message, sku: r.sku, warehouse_id: r.warehouse_id });
        continue;
      }
      const key = levelKey(this.items.get(r.sku!)!, r.warehouse_id!);
      const state = levels.get(key)!;
      const current = touched.get(key)?.quantity ?? state.level.stocked_quantity;
      const target = this.job.mode === 'set' ? r.quantity! : current + r.quantity!;
      if (target < 0 || target > MAX_QUANTITY) {
        taken.push(r);
        const code = target < 0 ? 'NEGATIVE_QUANTITY' : 'INVALID_QUANTITY';
        errors.push({ line: r.line, code, message: `stocked_quantity would become ${target} (current ${current}, change ${r.quantity})`, sku: r.sku, warehouse_id: r.warehouse_id });
        continue;
      }
      if (target === current) {
        taken.push(r);
        unchanged++;
        continue;
      }
      const actions = (touched.has(key) ? 0 : 1) + 1;
      if (touched.size + ledger.length + errors.length + 1 + actions > MAX_TX_ACTIONS) break;
      touched.set(key, { state, quantity: target });
      ledger.push({ row: r, key, before: current, after: target });
      taken.push(r);
    }
    return { rows: taken, touched, ledger, errors, unchanged };
  }

  private async commit(plan: ReturnType<Run['plan']>) {
    const t = this.job.tenant;
    const now = nowIso();
    const actions: TxAction[] = plan.errors.map((e) => rowErrorPut(t, this.job.id, e));
    for (const [key, { state, quantity }] of plan.touched) actions.push(setStocked(t, state.level, state.version, quantity, now, `level:${key}`));
    for (const l of plan.ledger) {
      const state = plan.touched.get(l.key)!.state;
      actions.push(
        ledgerPut({
          tenant: t, sku: l.row.sku, inventory_item_id: state.level.inventory_item_id, warehouse_id: state.level.location_id, field: 'stocked_quantity',
          before: l.before, after: l.after, reason: l.row.reason!, note: l.row.note, reference: `upload:${this.job.id}:${l.row.line}`, created_by: this.job.created_by, at: now,
        }),
      );
    }
    const last = plan.rows[plan.rows.length - 1]!;
    const checkpoint = { from: this.offset, to: last.end, nextLine: last.line + 1, done: plan.rows.length, applied: plan.ledger.length, unchanged: plan.unchanged, failed: plan.errors.length, now };
    await commitChunk(actions, checkpointAction(t, this.job.id, checkpoint));
    this.count(1);
    // what is now true in the table
    for (const [, { state, quantity }] of plan.touched) {
      state.level = { ...state.level, stocked_quantity: quantity, available_quantity: state.level.available_quantity + (quantity - state.level.stocked_quantity) };
      state.version++;
    }
    this.offset = last.end;
    this.line = last.line + 1;
    this.job.rows_done += plan.rows.length;
  }
}

const levelKey = (iid: string, wid: string) => `${iid}|${wid}`;
