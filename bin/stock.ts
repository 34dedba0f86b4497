/**
 * `npx inventory move …` and `npx inventory transfer …` (issue 25): named-state moves and transfers
 * as shipments, through the API (as bin/upload.ts sends uploads): the same key, URL and answers.
 */
import { api, apiKey, refused, UsageError } from './upload.ts';

export const MOVE_HELP = `Usage: npx inventory move SKU --warehouse W --from STATE --to STATE --quantity N
                         [--reason R] [--reference REF] [--url URL] [--key KEY] [--json]

  Move units of a SKU at one warehouse between available and a named state
  (damaged, quality_control): on hand stays, available follows. Refused
  without enough in the source state (nothing changes).

  --url URL   the API (env INVENTORY_URL, default http://127.0.0.1:\${PORT:-3000})
  --key KEY   a key with inventory:write (env INVENTORY_API_KEY, default .local/dev-key)
`;

export const TRANSFER_HELP = `Usage: npx inventory transfer <command> … [--url URL] [--key KEY] [--json]

  transfer create --from W1 --to W2 --line SKU:QTY [--line …] [--reference R]
                                   a draft (nothing moves yet); prints its id
  transfer ship ID                 units leave W1's on-hand, in transit to W2
  transfer receive ID --line SKU:ACCEPTED[:REJECTED[:damaged|quality_control|source]] [--line …]
                                   accepted units on hand at W2; rejected ones
                                   in a named state there (default damaged) or back at W1
  transfer cancel ID               units still in transit go back to W1
  transfer close ID                a received (or cancelled) transfer is closed
  transfer show ID                 the transfer, its lines and steps
  transfer list [--status S] [--warehouse W] [--sku S]

  --url URL   the API (env INVENTORY_URL, default http://127.0.0.1:\${PORT:-3000})
  --key KEY   a key with inventory:write (env INVENTORY_API_KEY, default .local/dev-key)
`;

export interface StockOptions {
  url?: string;
  key?: string;
  json?: boolean;
  warehouse?: string;
  from?: string;
  to?: string;
  quantity?: string;
  reason?: string;
  reference?: string;
  line?: string[];
  status?: string;
  sku?: string;
}

const base = (o: StockOptions) => (o.url ?? process.env.INVENTORY_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`).replace(/\/$/, '');
const int = (v: string | undefined, what: string) => {
  if (v === undefined || !/^\d+$/.test(v)) throw new UsageError(`${what} must be a whole number (got ${v ?? 'nothing'})`);
  return Number(v);
};

// biome-ignore lint/suspicious/noExplicitAny: the API's answers, printed
type Json = any;

interface Transfer {
  id: string;
  status: string;
  from_warehouse_id: string;
  to_warehouse_id: string;
  lines: { sku: string; quantity: number; shipped: number; received: number; rejected: number }[];
  steps: { step: string; at: string; by: string }[];
}

const transferText = (t: Transfer) =>
  [
    `${t.id} ${t.status}: ${t.from_warehouse_id} → ${t.to_warehouse_id}`,
    ...t.lines.map((l) => `  ${l.sku}: ${l.quantity} (shipped ${l.shipped}, received ${l.received}, rejected ${l.rejected})`),
    ...t.steps.map((s) => `  ${s.at} ${s.step} by ${s.by}`),
  ].join('\n');

async function call(o: StockOptions, what: string, method: string, path: string, body?: unknown): Promise<Json> {
  const res = await api<Json>(base(o), apiKey(o.key), method, path, body);
  if (res.status >= 300) throw refused(what, res);
  return res.body;
}

/** `npx inventory move SKU …`: prints the SKU's line at the warehouse after the move. */
export async function move(sku: string | undefined, o: StockOptions, print: (text: string, json: unknown) => void): Promise<void> {
  if (!sku) throw new UsageError('move needs a SKU');
  if (!o.warehouse || !o.from || !o.to) throw new UsageError('move needs --warehouse, --from and --to');
  const body = { warehouse_id: o.warehouse, from: o.from, to: o.to, quantity: int(o.quantity, '--quantity'), reason: o.reason, reference: o.reference };
  const out = await call(o, `Moving ${sku}`, 'POST', `/api/inventory/${encodeURIComponent(sku)}/moves`, body);
  const w = out.data.inventory.warehouses.find((x: Json) => x.warehouse_id === o.warehouse) ?? {};
  const states = ['damaged', 'quality_control', 'in_transit'].filter((s) => w[s]).map((s) => `, ${s} ${w[s]}`);
  print(`${sku} @ ${o.warehouse}: moved ${body.quantity} ${o.from} → ${o.to}; on hand ${w.on_hand}, available ${w.available}${states.join('')}`, out);
}

function lines(o: StockOptions, receipt: boolean) {
  if (!o.line?.length) throw new UsageError('give at least one --line');
  return o.line.map((l) => {
    const [sku, a, r, to] = l.split(':');
    if (!sku) throw new UsageError(`--line ${l}: no SKU`);
    if (!receipt) return { sku, quantity: int(a, `--line ${l}: the quantity`) };
    return { sku, accepted: int(a, `--line ${l}: accepted`), ...(r ? { rejected: int(r, `--line ${l}: rejected`) } : {}), ...(to ? { rejected_to: to } : {}) };
  });
}

/** `npx inventory transfer <create|ship|receive|cancel|close|show|list> …` */
export async function transfer(
  command: string | undefined,
  id: string | undefined,
  o: StockOptions,
  print: (text: string, json: unknown) => void,
): Promise<void> {
  const needId = () =>
    id ??
    (() => {
      throw new UsageError(`transfer ${command} needs the transfer's id`);
    })();
  let out: Json;
  switch (command) {
    case 'create':
      if (!o.from || !o.to) throw new UsageError('transfer create needs --from and --to');
      out = await call(o, 'Creating the transfer', 'POST', '/api/transfers', {
        from_warehouse_id: o.from,
        to_warehouse_id: o.to,
        lines: lines(o, false),
        reference: o.reference,
      });
      break;
    case 'ship':
    case 'cancel':
    case 'close':
      out = await call(o, `transfer ${command}`, 'POST', `/api/transfers/${encodeURIComponent(needId())}/${command}`);
      break;
    case 'receive':
      out = await call(o, 'Receiving', 'POST', `/api/transfers/${encodeURIComponent(needId())}/receive`, { lines: lines(o, true) });
      break;
    case 'show':
      out = await call(o, 'Reading the transfer', 'GET', `/api/transfers/${encodeURIComponent(needId())}`);
      break;
    case 'list': {
      const q = new URLSearchParams();
      if (o.status) q.set('status', o.status);
      if (o.warehouse) q.set('warehouse_id', o.warehouse);
      if (o.sku) q.set('sku', o.sku);
      out = await call(o, 'Listing transfers', 'GET', `/api/transfers${q.size ? `?${q}` : ''}`);
      print(out.data.map(transferText).join('\n') || 'no transfers', out);
      return;
    }
    default:
      throw new UsageError(`Unknown transfer command: ${command} (create, ship, receive, cancel, close, show or list)`);
  }
  print(transferText(out.data), out);
}
