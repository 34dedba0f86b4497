/**
 * Upload jobs: the job row (status, counters and the checkpoint: the byte offset and line where the
 * next unprocessed record starts) and one row per failed line. The checkpoint only moves inside the
 * transaction that applies the rows it moves past (checkpointAction, committed with the rows by
 * store/rows.ts commitChunk), which is what makes a rerun or a
 * second delivery apply each row exactly once.
 */
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { Actor } from '../core/model.ts';
import { db, tableName, writeItem, unlessConditionFails } from './db.ts';
import type { TxAction } from './db.ts';
import { Upload, UploadChange, UploadError } from './entities.ts';
import * as keys from './key-builders.ts';

export type UploadStatus = 'awaiting_upload' | 'processing' | 'completed' | 'failed';
export type UploadMode = 'set' | 'adjust';

export interface UploadJob {
  id: string;
  tenant: string;
  status: UploadStatus;
  mode: UploadMode;
  /** A dry run: rows are decided, never applied; rows_applied counts the rows that would apply. */
  dry_run?: boolean;
  object_key: string;
  /** Who created it: the ledger's created_by, and the warehouses the key is limited to. */
  created_by: string;
  key_id: string;
  warehouse_ids: string[] | null;
  upload_token_hash: string | null;
  expires_at: string;
  columns: string[] | null;
  rows_total: number | null;
  rows_done: number;
  rows_applied: number;
  rows_unchanged: number;
  rows_failed: number;
  next_offset: number;
  next_line: number;
  error: { code: string; message: string } | null;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
}

export interface RowError {
  line: number;
  code: string;
  message: string;
  sku: string | null;
  warehouse_id: string | null;
}

/** A dry run's row that would apply: what it would change at its level. */
export interface RowChangeRecord {
  line: number;
  sku: string | null;
  warehouse_id: string | null;
  stocked_before: number;
  stocked_after: number;
  available_before: number;
  available_after: number;
  status_before: string;
  status_after: string;
  creates_level: boolean;
}

/** Jobs and their errors are kept 30 days (TTL), like the uploaded files (bucket lifecycle). */
const KEEP_SECONDS = 30 * 86_400;

const JOB_FIELDS = [
  'id',
  'tenant',
  'status',
  'mode',
  'dry_run',
  'object_key',
  'created_by',
  'key_id',
  'warehouse_ids',
  'upload_token_hash',
  'expires_at',
  'columns',
  'rows_total',
  'rows_done',
  'rows_applied',
  'rows_unchanged',
  'rows_failed',
  'next_offset',
  'next_line',
  'error',
  'created_at',
  'updated_at',
  'completed_at',
] as const;

const asJob = (row: Record<string, unknown>): UploadJob => Object.fromEntries(JOB_FIELDS.map((f) => [f, row[f] ?? null])) as unknown as UploadJob;

export async function putJob(job: UploadJob): Promise<void> {
  await writeItem({
    Put: {
      TableName: tableName(),
      Item: Upload.row(job.tenant, job, { ttl: Math.floor(Date.now() / 1000) + KEEP_SECONDS }),
      ConditionExpression: 'attribute_not_exists(PK)',
    },
  });
}

export async function getJob(tenant: string, id: string): Promise<UploadJob | undefined> {
  const res = await db().send(new GetCommand({ TableName: tableName(), Key: keys.upload(tenant, id), ConsistentRead: true }));
  return res.Item ? asJob(res.Item) : undefined;
}

/** Locally: use the upload token up (once): only the first PUT of the file is taken. */
export async function claimUploadToken(tenant: string, id: string, tokenHash: string): Promise<boolean> {
  return (
    (await unlessConditionFails(() =>
      db().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.upload(tenant, id),
          UpdateExpression: 'SET upload_token_hash = :null',
          ConditionExpression: 'upload_token_hash = :hash AND #s = :awaiting',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':null': null, ':hash': tokenHash, ':awaiting': 'awaiting_upload' },
        }),
      ),
    )) !== undefined
  );
}

/** awaiting_upload → processing, once: the first processor to arrive records the header and the row count. */
export async function startJob(tenant: string, id: string, columns: string[], rowsTotal: number, firstOffset: number, now: string): Promise<boolean> {
  return (
    (await unlessConditionFails(() =>
      db().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.upload(tenant, id),
          UpdateExpression: 'SET #s = :processing, #c = :columns, rows_total = :total, next_offset = :off, next_line = :line, updated_at = :now',
          ConditionExpression: '#s = :awaiting',
          ExpressionAttributeNames: { '#s': 'status', '#c': 'columns' },
          ExpressionAttributeValues: {
            ':processing': 'processing',
            ':awaiting': 'awaiting_upload',
            ':columns': columns,
            ':total': rowsTotal,
            ':off': firstOffset,
            ':line': 2,
            ':now': now,
          },
        }),
      ),
    )) !== undefined
  );
}

/** End a job (completed, or failed with a file-level error), only from `processing` at this checkpoint. */
export async function finishJob(
  tenant: string,
  id: string,
  status: 'completed' | 'failed',
  at: { offset: number },
  now: string,
  error?: { code: string; message: string },
): Promise<boolean> {
  return (
    (await unlessConditionFails(() =>
      db().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.upload(tenant, id),
          UpdateExpression: 'SET #s = :status, completed_at = :now, updated_at = :now, #e = :error',
          ConditionExpression: '#s IN (:processing, :awaiting) AND (attribute_not_exists(next_offset) OR next_offset = :off)',
          ExpressionAttributeNames: { '#s': 'status', '#e': 'error' },
          ExpressionAttributeValues: {
            ':status': status,
            ':now': now,
            ':error': error ?? null,
            ':processing': 'processing',
            ':awaiting': 'awaiting_upload',
            ':off': at.offset,
          },
        }),
      ),
    )) !== undefined
  );
}

export interface Checkpoint {
  from: number;
  to: number;
  nextLine: number;
  done: number;
  applied: number;
  unchanged: number;
  failed: number;
  now: string;
}

/** The label of an upload's checkpoint move in its chunk's transaction. */
export const CHECKPOINT = 'checkpoint';

/** The checkpoint move: valid only if the job is still processing at `from` (no one else moved it). */
export function checkpointAction(tenant: string, id: string, c: Checkpoint): TxAction {
  return {
    label: CHECKPOINT,
    item: {
      Update: {
        TableName: tableName(),
        Key: keys.upload(tenant, id),
        UpdateExpression:
          'SET next_offset = :to, next_line = :line, rows_done = rows_done + :done, rows_applied = rows_applied + :applied, rows_unchanged = rows_unchanged + :unchanged, rows_failed = rows_failed + :failed, updated_at = :now',
        ConditionExpression: '#s = :processing AND next_offset = :from',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: {
          ':to': c.to,
          ':line': c.nextLine,
          ':done': c.done,
          ':applied': c.applied,
          ':unchanged': c.unchanged,
          ':failed': c.failed,
          ':now': c.now,
          ':processing': 'processing',
          ':from': c.from,
        },
      },
    },
  };
}

/**
 * A row error as an action of its chunk's transaction: it exists exactly when the chunk (and the
 * checkpoint past its line) committed, so a line applied in the end never keeps an error row.
 * Keyed by line: a rerun writing it again overwrites it with the same content.
 */
export function rowErrorPut(tenant: string, id: string, e: RowError): TxAction {
  const ttl = Math.floor(Date.now() / 1000) + KEEP_SECONDS;
  return { label: `error:${e.line}`, item: { Put: { TableName: tableName(), Item: UploadError.row(tenant, { upload_id: id, error: e }, { ttl }) } } };
}

/** A dry run's would-apply row as an action of its chunk's transaction (like rowErrorPut: exactly when the chunk committed). */
export function rowChangePut(tenant: string, id: string, c: RowChangeRecord): TxAction {
  const ttl = Math.floor(Date.now() / 1000) + KEEP_SECONDS;
  return { label: `change:${c.line}`, item: { Put: { TableName: tableName(), Item: UploadChange.row(tenant, { upload_id: id, change: c }, { ttl }) } } };
}

/** An upload's rows under one sort-key prefix, in line order; `limit` for the first few, none for all (paged internally). */
async function listUploadRows<T>(
  tenant: string,
  id: string,
  prefix: string,
  limit: number | undefined,
  map: (r: NonNullable<QueryCommandOutput['Items']>[number]) => T,
): Promise<T[]> {
  const out: T[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res: QueryCommandOutput = await db().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.uploadPartition(tenant, id), ':prefix': prefix },
        ExclusiveStartKey: start,
        ...(limit ? { Limit: limit - out.length } : {}),
      }),
    );
    for (const r of res.Items ?? []) out.push(map(r));
    start = res.LastEvaluatedKey;
  } while (start && (!limit || out.length < limit));
  return out;
}

/** A dry run's would-apply rows in line order; `limit` for the first few, none for all. */
export const listRowChanges = (tenant: string, id: string, limit?: number): Promise<RowChangeRecord[]> =>
  listUploadRows(tenant, id, 'CHG#', limit, (r) => ({
    line: r.line,
    sku: r.sku ?? null,
    warehouse_id: r.warehouse_id ?? null,
    stocked_before: r.stocked_before,
    stocked_after: r.stocked_after,
    available_before: r.available_before,
    available_after: r.available_after,
    status_before: r.status_before,
    status_after: r.status_after,
    creates_level: r.creates_level === true,
  }));

/** Row errors in line order; `limit` for the first few, none for all. */
export const listRowErrors = (tenant: string, id: string, limit?: number): Promise<RowError[]> =>
  listUploadRows(tenant, id, 'ERR#', limit, (r) => ({
    line: r.line,
    code: r.code,
    message: r.message,
    sku: r.sku ?? null,
    warehouse_id: r.warehouse_id ?? null,
  }));

export const actorOfJob = (job: UploadJob): Actor => ({
  tenant: job.tenant,
  keyId: job.key_id,
  keyName: job.created_by,
  scopes: ['inventory:write'],
  ...(job.warehouse_ids?.length ? { warehouseIds: job.warehouse_ids } : {}),
});
