/**
 * The low-stock report: per tenant, only the flagged levels are read (the stream consumer keeps
 * them), written as JSON and CSV to blob storage, recorded in the table, and announced.
 */
import { randomBytes } from 'node:crypto';
import type * as z from 'zod';
import type { reportResponse } from './schemas.ts';
import { notFound } from './errors.ts';
import { csvCell } from './csv.ts';
import { mayWriteEverywhere } from './access.ts';
import type { Actor } from './model.ts';
import { levelStatus } from './model.ts';
import type { Level } from './model.ts';
import { flaggedLevels } from '../store/flags.ts';
import { getItems } from '../store/items.ts';
import { listWarehouses } from '../store/locations.ts';
import { getBlob, putBlob } from '../store/blobs.ts';
import { getReport, latestReport, putReport } from '../store/reports.ts';
import type { ReportRecord } from '../store/reports.ts';
import type { Publish } from './events.ts';

export const REPORT_COLUMNS = [
  'sku',
  'title',
  'warehouse',
  'bin',
  'stocked',
  'reserved',
  'incoming',
  'available',
  'safety_stock',
  'reorder_level',
  'suggested_reorder_quantity',
  'status',
] as const;
/** A row of the report: what the route's response schema says one is. */
export type ReportRow = z.output<typeof reportResponse>['data']['data'][number];

/** Enough to lift available (with what is incoming) above the reorder level, and at least the level's reorder quantity. */
export function suggestedReorder(l: Pick<Level, 'available_quantity' | 'incoming_quantity' | 'reorder_level' | 'reorder_quantity'>): number {
  const shortfall = l.reorder_level + 1 - (l.available_quantity + l.incoming_quantity);
  return shortfall > 0 ? Math.max(shortfall, l.reorder_quantity) : 0;
}

export const toCsv = (rows: ReportRow[]) =>
  [REPORT_COLUMNS.join(','), ...rows.map((r) => REPORT_COLUMNS.map((c) => csvCell(r[c])).join(','))].join('\r\n') + '\r\n';

export async function generateReport(tenant: string, publish: Publish): Promise<ReportRecord & { data: ReportRow[] }> {
  const flagged = await flaggedLevels(tenant);
  // the title comes with the flag; only flags written before titles were stamped need their item
  const untitled = [...new Set(flagged.filter((f) => f.title === undefined).map((f) => f.level.inventory_item_id))];
  const [items, warehouses] = await Promise.all([getItems(tenant, untitled), listWarehouses(tenant)]);
  const names = new Map(warehouses.map((w) => [w.id, w.name]));
  const levels = flagged.map((f) => f.level);
  const rows: ReportRow[] = flagged
    .map(({ level: l, title }) => {
      const item = items.get(l.inventory_item_id);
      return {
        sku: l.sku ?? item?.sku ?? null,
        title: title === undefined ? (item?.title ?? null) : title,
        warehouse: names.get(l.location_id) ?? l.location_id,
        bin: l.bin_location,
        stocked: l.stocked_quantity,
        reserved: l.reserved_quantity,
        incoming: l.incoming_quantity,
        available: l.available_quantity,
        safety_stock: l.safety_stock,
        reorder_level: l.reorder_level,
        suggested_reorder_quantity: suggestedReorder(l),
        status: levelStatus(l.available_quantity, l.safety_stock, l.reorder_level),
      };
    })
    // the flag follows the stream: a level back to normal a moment ago is not reported
    .filter((r) => r.status !== 'normal')
    .sort((a, b) => String(a.sku).localeCompare(String(b.sku)) || String(a.warehouse).localeCompare(String(b.warehouse)));
  const now = new Date();
  const createdAt = now.toISOString();
  const id = `rep_${createdAt.replace(/[-:.]/g, '')}_${randomBytes(6).toString('hex')}`;
  const base = `reports/${tenant}/low-stock/${id}`;
  const record: ReportRecord = {
    id,
    tenant_id: tenant,
    created_at: createdAt,
    rows: rows.length,
    items_read: levels.length + items.size,
    json_key: `${base}.json`,
    csv_key: `${base}.csv`,
  };
  await putBlob(record.json_key, JSON.stringify({ id, created_at: createdAt, data: rows }), 'application/json');
  await putBlob(record.csv_key, toCsv(rows), 'text/csv');
  await putReport(tenant, record);
  await publish([
    { id: `report-${id}`, type: 'inventory.report.generated', time: createdAt, detail: { tenant_id: tenant, report_id: id, rows: rows.length, at: createdAt } },
  ]);
  return { ...record, data: rows };
}

export async function reportContent(tenant: string, id: string | 'latest', format: 'json' | 'csv') {
  const rec = id === 'latest' ? await latestReport(tenant) : await getReport(tenant, id);
  if (!rec) throw notFound('Low-stock report', id);
  const body = await getBlob(format === 'csv' ? rec.csv_key : rec.json_key);
  if (body === undefined) throw notFound('Low-stock report', rec.id);
  return { record: rec, body };
}

/** The HTTP face: reports cover every warehouse, so a warehouse-limited key gets none. */
export async function reportFor(actor: Actor, id: string | 'latest', format: 'json' | 'csv') {
  mayWriteEverywhere(actor, 'read tenant-wide reports');
  const { body } = await reportContent(actor.tenant, id, format);
  return format === 'csv' ? { body, raw: true as const, headers: { 'content-type': 'text/csv; charset=utf-8' } } : { body: { data: JSON.parse(body) } };
}

export async function reportNow(actor: Actor, publish: Publish) {
  mayWriteEverywhere(actor, 'make tenant-wide reports');
  const r = await generateReport(actor.tenant, publish);
  return { data: { id: r.id, created_at: r.created_at, data: r.data } };
}
