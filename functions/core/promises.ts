/**
 * Future holds when their inbound goes away (issue 25 item 3): a hold promised units of an inbound
 * line that was cancelled, moved past the hold's due date or is late (past expected_at, not
 * received) is re-planned onto other open lines of the same item and warehouse expected by its due
 * date, with units no other hold was promised; when they cannot cover it, the hold is released
 * (its reservations back to their levels, its other promises off their lines) with the reason on
 * it. Each step is one transaction on the hold's version and every touched line's promise version:
 * a step that lost a race reads again and decides again, and a step already done finds nothing to do.
 */
import { notFound } from './errors.ts';
import type { InventoryEvent } from './events.ts';
import { RETRY, withRetry } from './retry.ts';
import { loadItem } from '../store/items.ts';
import type { ItemRecord } from '../store/items.ts';
import { freeOf, isLate, latePromisedLines, MAX_PROMISES_PER_LINE } from '../store/inbound.ts';
import type { InboundLineRow } from '../store/inbound.ts';
import * as store from '../store/holds.ts';
import type { Hold, HoldPromise } from '../store/holds.ts';

const key = (p: { inbound_id: string; line: number }) => `${p.inbound_id}#${p.line}`;

/** Why a promise can no longer stand on its line (undefined: it stands). */
export function promiseTrouble(p: HoldPromise, row: InboundLineRow | undefined, h: Hold, now: string): string | undefined {
  const at = `inbound ${p.reference} line ${p.line}`;
  if (!row || row.status === 'cancelled') return `${at} was cancelled`;
  if (row.status === 'received') return `${at} was received without these units`;
  if (h.due_at && row.expected_at > h.due_at) return `${at} is now expected ${row.expected_at}, after the hold's due date ${h.due_at}`;
  if (isLate(row, now)) return `${at} is late (expected ${row.expected_at}, not received)`;
  if ((row.promises?.[h.id] ?? 0) < (store.promisedPerLine(h).get(key(p)) ?? 0)) return `${at} no longer carries this hold's promise`;
  return undefined;
}

export interface ReplanOutcome {
  hold_id: string;
  outcome: 'replanned' | 'released' | 'unchanged';
  reason?: string;
  event?: InventoryEvent;
}

/**
 * Re-plan (or release) one hold whose promises lost their footing. `by`: who caused it (the key
 * that cancelled the line, `sweep`, …).
 */
export async function replanHold(tenant: string, hid: string, by: string, note?: string | null): Promise<ReplanOutcome> {
  return withRetry(async () => {
    const s = await store.getHold(tenant, hid);
    if (!s) throw notFound('Hold', hid);
    const { hold: h, version } = s;
    if (h.status !== 'active') return { hold_id: hid, outcome: 'unchanged' as const };
    const now = new Date().toISOString();
    const iids = [...new Set(h.lines.flatMap((l) => (l.promises ?? []).map((p) => p.inventory_item_id)))];
    if (!iids.length) return { hold_id: hid, outcome: 'unchanged' as const };
    const recs = new Map<string, ItemRecord>();
    for (const [i, rec] of (await Promise.all(iids.map((iid) => loadItem(tenant, iid)))).entries()) if (rec) recs.set(iids[i], rec);
    const rows = new Map([...recs.values()].flatMap((r) => r.inbound).map((l) => [key(l), l]));
    const troubles: string[] = [];
    const bad = new Set<string>();
    for (const l of h.lines)
      for (const p of l.promises ?? []) {
        const why = promiseTrouble(p, rows.get(key(p)), h, now);
        if (why) {
          troubles.push(why);
          bad.add(key(p));
        }
      }
    if (!bad.size) return { hold_id: hid, outcome: 'unchanged' as const };

    // candidate lines: open, not late, by the due date, same item and warehouse, with free units
    const free = new Map<string, number>();
    for (const [k, row] of rows) {
      if (bad.has(k) || row.status !== 'open' || isLate(row, now) || (h.due_at && row.expected_at > h.due_at)) continue;
      const room = row.promises?.[h.id] !== undefined || Object.keys(row.promises ?? {}).length < MAX_PROMISES_PER_LINE;
      if (room && freeOf(row) > 0) free.set(k, freeOf(row));
    }
    const candidates = [...rows.values()]
      .filter((r) => free.has(key(r)))
      .sort((a, b) => a.expected_at.localeCompare(b.expected_at) || a.inbound_id.localeCompare(b.inbound_id) || a.line - b.line);
    let short = 0;
    const lines = h.lines.map((l) => {
      const promises: HoldPromise[] = [];
      for (const p of l.promises ?? []) {
        if (!bad.has(key(p))) {
          promises.push(p);
          continue;
        }
        let need = p.quantity;
        for (const c of candidates) {
          if (need <= 0) break;
          if (c.inventory_item_id !== p.inventory_item_id || c.warehouse_id !== p.warehouse_id) continue;
          const take = Math.min(need, free.get(key(c)) ?? 0);
          if (take <= 0) continue;
          free.set(key(c), (free.get(key(c)) ?? 0) - take);
          need -= take;
          promises.push({ ...p, inbound_id: c.inbound_id, line: c.line, reference: c.reference, expected_at: c.expected_at, quantity: take });
        }
        short += need;
      }
      return { ...l, promises };
    });
    const reason = `${troubles.join('; ')}`;
    const event = (type: 'replanned' | 'released', detail: Record<string, unknown>): InventoryEvent => ({
      id: `${hid}:${version + 1}`,
      type: `inventory.hold.${type}`,
      time: now,
      detail: { hold_id: hid, reference: h.reference, due_at: h.due_at ?? null, reason, by, ...(note ? { note } : {}), ...detail },
    });

    if (short > 0) {
      // nothing else comes in time: release the hold whole, with the reason on it
      const released = `released by the service: ${reason}; no other inbound line at its warehouse is expected by ${h.due_at} with ${short} more unit(s) free`;
      const open = await store.openReservations(tenant, h);
      if (!(await store.releaseHold(tenant, h, version, open, now, released))) return RETRY;
      return { hold_id: hid, outcome: 'released' as const, reason: released, event: event('released', { release_reason: released }) };
    }

    // every bad promise found room: move them, in one transaction with each touched line
    if (!(await store.movePromises(tenant, h, version, lines, [...rows.values()], now))) return RETRY;
    const moved = lines.flatMap((l) =>
      (l.promises ?? []).filter((p) => !h.lines[l.index]?.promises?.some((q) => key(q) === key(p) && q.quantity === p.quantity)),
    );
    return {
      hold_id: hid,
      outcome: 'replanned' as const,
      reason,
      event: event('replanned', {
        promises: moved.map((p) => ({ inbound_id: p.inbound_id, line: p.line, reference: p.reference, quantity: p.quantity, expected_at: p.expected_at })),
      }),
    };
  });
}

/** Re-plan every hold promised on a line (after a cancel, a new expected date, …): their outcomes, each its own step. */
export async function replanLine(tenant: string, iid: string, inboundId: string, line: number, by: string, note?: string | null): Promise<ReplanOutcome[]> {
  const rec = await loadItem(tenant, iid);
  const row = rec?.inbound.find((l) => l.inbound_id === inboundId && l.line === line);
  const out: ReplanOutcome[] = [];
  for (const hid of Object.keys(row?.promises ?? {}).sort()) out.push(await replanHold(tenant, hid, by, note));
  return out;
}

/**
 * The sweep's step (functions/scheduled/expire-reservations.ts): every line carrying promises whose
 * expected instant passed without its receipt (one Query of the promised-lines index) re-plans its
 * holds — onto another line still expected in time, else released. Answers the events to publish.
 */
export async function replanLate(tenant: string, now = new Date().toISOString()): Promise<InventoryEvent[]> {
  const events: InventoryEvent[] = [];
  for (const l of await latePromisedLines(tenant, now)) {
    for (const o of await replanLine(tenant, l.iid, l.id, l.line, 'late-sweep')) if (o.event) events.push(o.event);
  }
  return events;
}
