/**
 * POST /api/inventory/bulk: up to 500 absolute stock sets. Rows are independent: each valid row
 * is applied exactly once, each invalid one reported with its index and code. Validated here, then
 * the row pipeline of core/rows.ts (the same as CSV uploads): batched reads, transactions of up to
 * 100 actions. A row already at its target quantity is `unchanged` and writes no ledger row.
 *
 * With an Idempotency-Key the bulk takes effect at most once, like every keyed request: its first
 * transaction carries the key's claim (the key is used from then on), and each of its transactions
 * records the rows it decided on the key's progress row (store/idempotency.ts). A retry whose
 * answer was never stored (a crash or error after a commit) is answered from that row — the rows of
 * the committed transactions with their results, any rows after them `failed` with NOT_APPLIED —
 * and runs nothing again: re-running absolute sets would undo whatever moved the stock meanwhile.
 */
import { DomainError } from './errors.ts';
import type { Actor } from './model.ts';
import { bulkRow, MAX_BULK_UPDATES } from './schemas.ts';
import { toDomainError } from './validate.ts';
import { RowPipeline } from './rows.ts';
import type { Chunk, PipelineRow, RowDiff } from './rows.ts';
import { progressAction, progressKey, readProgress } from '../store/idempotency.ts';

export interface BulkResult {
  index: number;
  sku: string | null;
  warehouse_id: string | null;
  status: 'applied' | 'would_apply' | 'unchanged' | 'failed';
  error?: { code: string; message: string };
  /** Dry run: before → after per field at the row's level. */
  diff?: RowDiff;
  /** Dry run: the level does not exist yet; a real run creates it empty, then sets it. */
  creates_level?: true;
}

/** validate: one JSON row → a pipeline row (its stock write, or why it has none). */
function validate(u: unknown, index: number): PipelineRow {
  const raw = (u ?? {}) as Record<string, unknown>;
  const named = { at: index, sku: typeof raw.sku === 'string' ? raw.sku : null, warehouse_id: typeof raw.warehouse_id === 'string' ? raw.warehouse_id : null };
  const parsed = bulkRow.safeParse(u);
  if (!parsed.success) {
    const e = toDomainError('body', parsed.error, u);
    return { ...named, error: { code: e.code, message: e.message } };
  }
  const r = parsed.data;
  return {
    ...named,
    row: {
      sku: r.sku,
      warehouse_id: r.warehouse_id,
      quantity: r.quantity,
      reason: r.reason ?? 'bulk_import',
      note: r.note ?? null,
      reference: r.reference ?? null,
      expected_quantity: r.expected_quantity,
    },
  };
}

const resultOf = (r: PipelineRow, dryRun = false): BulkResult => {
  const error = r.failure ?? r.error;
  const status = r.outcome ?? 'failed';
  return {
    index: r.at,
    sku: r.sku,
    warehouse_id: r.warehouse_id,
    status: dryRun && status === 'applied' ? 'would_apply' : status,
    ...(r.outcome !== 'applied' && r.outcome !== 'unchanged' && error ? { error } : {}),
    ...(dryRun && r.diff ? { diff: r.diff } : {}),
    ...(dryRun && r.createsLevel && r.outcome !== 'failed' ? { creates_level: true as const } : {}),
  };
};

function summary(results: BulkResult[], dryRun = false) {
  const count = (s: BulkResult['status']) => results.filter((r) => r.status === s).length;
  return {
    ...(dryRun ? { dry_run: true as const, would_apply: count('would_apply') } : {}),
    applied: count('applied'),
    unchanged: count('unchanged'),
    failed: count('failed'),
    results,
  };
}

/**
 * A row's result as the progress row keeps it: compact, so 500 rows stay far below DynamoDB's 400 KB
 * item limit (sku and warehouse are the request's: a replay has the same body, by its fingerprint).
 */
interface Recorded {
  s: BulkResult['status'];
  c?: string;
  m?: string;
}
const MESSAGE_KEPT = 300;

/**
 * Dry run (`dry_run: true`): the same reads and decisions, each row's outcome (`would_apply`,
 * `unchanged`, `failed`) and, for a row that would apply, its diff against the stock as it is now
 * (and as the rows before it in the request would leave it); nothing is written — no level, no
 * ledger row, no new level, no Idempotency-Key record (the handler does not claim a key for it).
 */
export async function bulkDryRun(actor: Actor, updates: unknown[]) {
  if (updates.length > MAX_BULK_UPDATES) {
    throw new DomainError('TOO_MANY_UPDATES', `At most ${MAX_BULK_UPDATES} updates per request (got ${updates.length}); nothing was checked`);
  }
  const rows = updates.map(validate);
  let requests = 0;
  await new RowPipeline(actor, { mode: 'set', by: actor.keyName, dryRun: true, count: (n) => (requests += n) }).run(rows);
  return {
    data: summary(
      rows.map((r) => resultOf(r, true)),
      true,
    ),
    requests,
  };
}

/** `idemKey`: the request's Idempotency-Key (its transactions record their progress for a replay). */
export async function bulkUpdate(actor: Actor, updates: unknown[], idemKey?: string) {
  if (updates.length > MAX_BULK_UPDATES) {
    throw new DomainError('TOO_MANY_UPDATES', `At most ${MAX_BULK_UPDATES} updates per request (got ${updates.length}); nothing was applied`);
  }
  const rows = updates.map(validate);
  let requests = 0;
  const progress = idemKey === undefined ? undefined : progressKey({ tenant: actor.tenant, keyId: actor.keyId }, idemKey);
  let recorded = 0;
  // each chunk's rows as its transaction commits them (decided as in RowPipeline.commit)
  const extra = progress
    ? (chunk: Chunk, _now: string, applied: ReadonlySet<PipelineRow>) => {
        const failed = new Map(chunk.failed.map((f) => [f.row, f.error]));
        const results = chunk.rows.map((r): Recorded => {
          const error = failed.get(r);
          return error ? { s: 'failed', c: error.code, m: error.message.slice(0, MESSAGE_KEPT) } : { s: applied.has(r) ? 'applied' : 'unchanged' };
        });
        return [progressAction(progress, recorded === 0, recorded + chunk.rows.length, results)];
      }
    : undefined;
  await new RowPipeline(actor, {
    mode: 'set',
    by: actor.keyName,
    count: (n) => (requests += n),
    // keyed: one action for the claim (the first transaction), one for the progress
    ...(extra ? { extra, reserved: 2, committed: (chunk: Chunk) => (recorded += chunk.rows.length) } : {}),
  }).run(rows);
  return { data: summary(rows.map((r) => resultOf(r))), requests };
}

/** A row the request never reached: its transaction did not commit before the request ended. */
const NOT_APPLIED = {
  code: 'NOT_APPLIED',
  message: 'The request stopped before this row was applied; nothing was changed for it: send it again with a new Idempotency-Key',
};

/**
 * A retry of a keyed bulk whose answer was not kept: what its transactions committed, nothing run
 * again. Rows after the last committed transaction are `failed` with NOT_APPLIED, and `message`
 * says so.
 */
export async function bulkReplay(actor: Actor, updates: unknown[], idemKey: string) {
  const progress = await readProgress(progressKey({ tenant: actor.tenant, keyId: actor.keyId }, idemKey));
  const recorded = (progress?.results ?? []) as Recorded[];
  const results = updates.map((u, i): BulkResult => {
    const named = validate(u, i);
    const r = recorded[i];
    const base = { index: i, sku: named.sku, warehouse_id: named.warehouse_id };
    if (!r) return { ...base, status: 'failed', error: NOT_APPLIED };
    return r.s === 'failed' ? { ...base, status: 'failed', error: { code: r.c ?? 'FAILED', message: r.m ?? '' } } : { ...base, status: r.s };
  });
  const stopped = (progress?.done ?? 0) < updates.length;
  return {
    data: summary(results),
    ...(stopped
      ? {
          message: `This request was applied once (Idempotency-Key) but stopped after ${progress?.done ?? 0} of ${updates.length} rows: the rows from index ${progress?.done ?? 0} on were not applied (NOT_APPLIED). Send them again with a new Idempotency-Key.`,
        }
      : {}),
  };
}
