/**
 * `inventory inbound …`: inbound supply through the API (docs/api-walkthroughs.md, "Inbound supply").
 *
 *   inbound create --warehouse W --reference R [--type T] --line SKU:QTY:DATE [--line …]
 *   inbound show ID
 *   inbound receive ID --line N --quantity Q [--note TEXT]
 *   inbound cancel ID --line N [--note TEXT]
 *   inbound atp SKU --date DATE [--quantity Q]     available-to-promise by a date
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
        `  line ${l.line}: ${l.sku} ${l.received_quantity}/${l.quantity} received, ${l.remaining_quantity} expected ${l.expected_at.slice(0, 10)} (${l.status})`,
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
  throw new UsageError(`Unknown inbound command: ${o.command ?? '(none)'} (create, show, receive, cancel or atp)`);
}
