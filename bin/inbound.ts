/**
 * `inventory inbound …`: inbound supply through the API (docs/api-walkthroughs.md, "Inbound supply").
 *
 *   inbound create --warehouse W --reference R [--type T] --line SKU:QTY:DATE [--line …]
 *   inbound show ID
 *   inbound receive ID --line N --quantity Q [--note TEXT]
 *   inbound cancel ID --line N [--note TEXT]
 *   inbound atp SKU --date DATE [--quantity Q]     available-to-promise by a date
 *   inbound list [--sku S] [--warehouse W] [--status open|closed]
 *   inbound expect ID --line N --date DATE          a line's new expected date
 *   hold SKU --quantity Q [--reference R] [--warehouse W] [--allow-future --due DATE]
 */
import { api, apiKey, refused, UsageError } from './upload.ts';

export interface InboundOptions {
  command?: string;
  args: string[];
  warehouse?: string;
  reference?: string;
  type?: string;
  lines?: string[];
  line?: string;
  quantity?: string;
  date?: string;
  note?: string;
  status?: string;
  sku?: string;
  url?: string;
  key?: string;
  json?: boolean;
}

interface Line {
  line: number;
  sku: string;
  quantity: number;
  received_quantity: number;
  remaining_quantity: number;
  promised_quantity?: number;
  expected_at: string;
  status: string;
}
interface Inbound {
  id: string;
  type: string;
  reference: string;
  warehouse_id: string;
  status: string;
  lines: Line[];
}

const positive = (v: string | undefined, what: string) => {
  if (!v || !/^[1-9]\d{0,9}$/.test(v)) throw new UsageError(`${what} must be a whole number ≥ 1${v ? ` (got ${v})` : ''}`);
  return Number(v);
};

function printInbound(r: Inbound): string {
  return [
    `Inbound ${r.id}: ${r.type} ${r.reference} at ${r.warehouse_id} (${r.status})`,
    ...r.lines.map(
      (l) =>
        `  line ${l.line}: ${l.sku} ${l.received_quantity}/${l.quantity} received, ${l.remaining_quantity} expected ${l.expected_at.slice(0, 10)}${l.promised_quantity ? ` (${l.promised_quantity} promised to future holds)` : ''} (${l.status})`,
    ),
  ].join('\n');
}

/** 0 done, 1 refused by the API or not reachable; usage errors throw UsageError. */
export async function inbound(o: InboundOptions): Promise<number> {
  const base = (o.url ?? process.env.INVENTORY_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`).replace(/\/$/, '');
  const key = apiKey(o.key);
  const [first] = o.args;
  const out = (body: unknown, text: string) => process.stdout.write(`${o.json ? JSON.stringify(body, null, 2) : text}\n`);
  if (o.command === 'create') {
    if (!o.warehouse || !o.reference || !o.lines?.length)
      throw new UsageError('inbound create needs --warehouse, --reference and at least one --line SKU:QTY:DATE');
    const lines = o.lines.map((spec) => {
      const m = /^(.+):(\d+):(\d{4}-\d{2}-\d{2}(?:T[^:]*:.*)?)$/.exec(spec);
      if (!m) throw new UsageError(`--line must be SKU:QTY:DATE, e.g. MUG:40:2026-12-20 (got ${spec})`);
      return { sku: m[1], quantity: positive(m[2], '--line quantity'), expected_at: m[3] };
    });
    const res = await api<{ data: Inbound }>(base, key, 'POST', '/api/inbound', {
      type: o.type ?? 'purchase_order',
      reference: o.reference,
      warehouse_id: o.warehouse,
      ...(o.note ? { note: o.note } : {}),
      lines,
    });
    if (res.status !== 201) throw refused('Creating the inbound record', res);
    out(res.body.data, printInbound(res.body.data));
    return 0;
  }
  if (o.command === 'list') {
    const q = new URLSearchParams();
    if (o.sku) q.set('sku', o.sku);
    if (o.warehouse) q.set('warehouse_id', o.warehouse);
    if (o.status) q.set('status', o.status);
    const res = await api<{ data: Inbound[]; meta: { nextCursor: string | null } }>(base, key, 'GET', `/api/inbound?${q}`);
    if (res.status !== 200) throw refused('Listing inbound records', res);
    out(res.body.data, res.body.data.length ? res.body.data.map(printInbound).join('\n') : 'No inbound records.');
    return 0;
  }
  if (!first) throw new UsageError(`inbound ${o.command ?? ''} needs ${o.command === 'atp' ? 'a SKU' : 'an inbound id'}`.trim());
  if (o.command === 'show') {
    const res = await api<{ data: Inbound }>(base, key, 'GET', `/api/inbound/${encodeURIComponent(first)}`);
    if (res.status !== 200) throw refused('Reading the inbound record', res);
    out(res.body.data, printInbound(res.body.data));
    return 0;
  }
  if (o.command === 'receive' || o.command === 'cancel') {
    const line = positive(o.line, '--line');
    const body =
      o.command === 'receive' ? { quantity: positive(o.quantity, '--quantity'), ...(o.note ? { note: o.note } : {}) } : o.note ? { note: o.note } : {};
    const res = await api<{ data: Inbound }>(base, key, 'POST', `/api/inbound/${encodeURIComponent(first)}/lines/${line}/${o.command}`, body);
    if (res.status !== 200) throw refused(o.command === 'receive' ? 'Receiving the line' : 'Cancelling the line', res);
    out(res.body.data, printInbound(res.body.data));
    return 0;
  }
  if (o.command === 'expect') {
    const line = positive(o.line, '--line');
    if (!o.date) throw new UsageError('inbound expect needs --date DATE (YYYY-MM-DD)');
    const res = await api<{ data: Inbound }>(base, key, 'POST', `/api/inbound/${encodeURIComponent(first)}/lines/${line}/expected`, { expected_at: o.date });
    if (res.status !== 200) throw refused("Changing the line's expected date", res);
    out(res.body.data, printInbound(res.body.data));
    return 0;
  }
  if (o.command === 'atp') {
    if (!o.date) throw new UsageError('inbound atp needs --date DATE (YYYY-MM-DD)');
    const q = o.quantity ? positive(o.quantity, '--quantity') : 1;
    const res = await api<{
      data: { allocatable: number | null; can_hold: boolean; reason: string; components: { warehouses: { warehouse_id: string; why: string }[] }[] };
    }>(base, key, 'GET', `/api/inventory/${encodeURIComponent(first)}/availability?quantity=${q}&date=${encodeURIComponent(o.date)}`);
    if (res.status !== 200) throw refused('Reading availability', res);
    const d = res.body.data;
    out(d, [d.reason, ...d.components.flatMap((c) => c.warehouses.map((w) => `  ${w.warehouse_id}: ${w.why}`))].join('\n'));
    return d.can_hold ? 0 : 3;
  }
  throw new UsageError(`Unknown inbound command: ${o.command ?? '(none)'} (create, show, list, receive, cancel, expect or atp)`);
}

export interface HoldOptions {
  sku?: string;
  quantity?: string;
  reference?: string;
  warehouse?: string;
  allowFuture?: boolean;
  due?: string;
  url?: string;
  key?: string;
  json?: boolean;
}

interface HoldAnswer {
  id: string;
  status: string;
  due_at?: string | null;
  expires_at: string;
  lines: {
    allocations: { warehouse_id: string; quantity: number }[];
    promises?: { reference: string; line: number; quantity: number; expected_at: string }[];
  }[];
}

/** `hold SKU --quantity Q …`: a one-line hold; with --allow-future --due DATE it may promise inbound expected by then. 0 held, 3 not enough. */
export async function hold(o: HoldOptions): Promise<number> {
  const base = (o.url ?? process.env.INVENTORY_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`).replace(/\/$/, '');
  const key = apiKey(o.key);
  if (!o.sku) throw new UsageError('hold needs a SKU');
  if (o.allowFuture && !o.due) throw new UsageError('hold --allow-future needs --due DATE (YYYY-MM-DD)');
  if (o.due && !o.allowFuture) throw new UsageError('hold --due is for --allow-future');
  const body = {
    reference: o.reference ?? `cli-${Date.now()}`,
    lines: [{ sku: o.sku, quantity: positive(o.quantity, '--quantity'), ...(o.warehouse ? { warehouse_id: o.warehouse } : {}) }],
    ...(o.allowFuture ? { allow_future: true, due_at: o.due } : {}),
  };
  const res = await api<{ data: HoldAnswer }>(base, key, 'POST', '/api/holds', body);
  if (res.status === 409) {
    process.stdout.write(
      `${o.json ? JSON.stringify(res.body, null, 2) : `Not enough: ${(res.body as unknown as { message?: string }).message ?? 'refused'}`}\n`,
    );
    return 3;
  }
  if (res.status !== 201) throw refused('Holding', res);
  const h = res.body.data;
  const text = [
    `Hold ${h.id} (${h.status})${h.due_at ? `, due ${h.due_at.slice(0, 10)}` : ''}, expires ${h.expires_at}`,
    ...h.lines.flatMap((l) => [
      ...l.allocations.map((a) => `  ${a.quantity} on hand at ${a.warehouse_id}`),
      ...(l.promises ?? []).map((p) => `  ${p.quantity} promised from ${p.reference} line ${p.line}, expected ${p.expected_at.slice(0, 10)}`),
    ]),
  ].join('\n');
  process.stdout.write(`${o.json ? JSON.stringify(h, null, 2) : text}\n`);
  return 0;
}
