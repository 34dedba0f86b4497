/**
 * The allocation planner of holds: a pure function from an order (lines, each made of items ×
 * quantity) and the stock it may use (per item and warehouse, how much can still be reserved) to a
 * plan (per line, per item, quantities per warehouse), or to the lines that cannot be covered.
 *
 * - Demand is summed over all lines before anything is allocated: lines share one pool of
 *   allocatable stock, so two lines that both need item X never take the same unit twice.
 * - `priority`: warehouses in priority order (higher number first, then id).
 * - `most_stock`: for each line, the warehouses with the most of what the line needs first.
 * - `fewest_warehouses`: the smallest set of warehouses that covers the whole order (ties broken by
 *   the set's priorities), filled in priority order.
 * - `allow_split: false`: a line (all its components, for a kit) comes from one warehouse.
 * - A line with `warehouse_id` is served only there (and never split).
 */

export const STRATEGIES = ['fewest_warehouses', 'priority', 'most_stock'] as const;
export type Strategy = (typeof STRATEGIES)[number];

export interface PlanComponent {
  inventory_item_id: string;
  /** Item units per unit of the line (1 for a sku line, the link's required_quantity for a kit). */
  required_quantity: number;
}

export interface PlanLine {
  index: number;
  quantity: number;
  components: PlanComponent[];
  warehouse_id?: string | null;
}

export interface PlanWarehouse {
  id: string;
  priority: number;
}

export interface PlanInput {
  lines: PlanLine[];
  /** Eligible warehouses (active, allowed by the request and the key). */
  warehouses: PlanWarehouse[];
  /** allocatable[iid][wid]: how many units can still be reserved there (Infinity: unbounded backorders). */
  allocatable: Record<string, Record<string, number>>;
  strategy: Strategy;
  allowSplit: boolean;
}

export interface PlannedAllocation {
  warehouse_id: string;
  inventory_item_id: string;
  quantity: number;
}

export interface LineShortfall {
  index: number;
  requested: number;
  /** Units of this line that could be allocated, given what the lines before it took. */
  allocatable: number;
  reason: 'insufficient_stock' | 'no_single_warehouse';
}

export type Plan =
  | { ok: true; lines: { index: number; allocations: PlannedAllocation[] }[] }
  | { ok: false; shortfalls: LineShortfall[]; demand: Record<string, number> };

/** Σ over lines of quantity × required_quantity, per item. */
export function summedDemand(lines: PlanLine[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of lines) for (const c of l.components) out[c.inventory_item_id] = (out[c.inventory_item_id] ?? 0) + l.quantity * c.required_quantity;
  return out;
}

const byPriority = (a: PlanWarehouse, b: PlanWarehouse) => b.priority - a.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Check the sums first (so a shortage is reported the same way under every strategy), then plan. */
export function plan(input: PlanInput): Plan {
  const ordered = [...input.warehouses].sort(byPriority);
  const demand = summedDemand(input.lines);
  if (input.strategy === 'fewest_warehouses') {
    const chosen = fewestWarehouses(input, ordered);
    if (chosen) return fill(input, chosen, demand);
  }
  return fill(input, ordered, demand);
}

/**
 * The smallest set of warehouses whose fill succeeds: sets of size 1, 2, … in priority order
 * (so among equally small sets the higher priorities win). Bounded: beyond MAX_SETS candidate
 * sets it gives up and the caller fills in priority order.
 */
const MAX_SETS = 2000;
function fewestWarehouses(input: PlanInput, ordered: PlanWarehouse[]): PlanWarehouse[] | undefined {
  // only warehouses that hold something the order needs, and every pinned warehouse
  const needed = new Set(input.lines.flatMap((l) => l.components.map((c) => c.inventory_item_id)));
  const pinned = new Set(input.lines.map((l) => l.warehouse_id).filter((w): w is string => !!w));
  const useful = ordered.filter((w) => pinned.has(w.id) || [...needed].some((iid) => (input.allocatable[iid]?.[w.id] ?? 0) > 0));
  const must = useful.filter((w) => pinned.has(w.id));
  const optional = useful.filter((w) => !pinned.has(w.id));
  let tried = 0;
  for (let k = 0; k <= optional.length; k++) {
    const sets: PlanWarehouse[][] = [];
    combinations(optional, k, (set) => {
      sets.push(set);
      return sets.length + tried < MAX_SETS;
    });
    tried += sets.length;
    // ties: the set with the higher priorities (lexicographic on its sorted priorities) first
    sets.sort((a, b) => comparePriorities(a, b));
    for (const set of sets) {
      const ws = [...must, ...set].sort(byPriority);
      if (fill(input, ws, {}).ok) return ws;
    }
    if (tried >= MAX_SETS) return undefined;
  }
  return undefined;
}

function comparePriorities(a: PlanWarehouse[], b: PlanWarehouse[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const d = b[i].priority - a[i].priority;
    if (d) return d;
  }
  return 0;
}

function combinations<T>(xs: T[], k: number, visit: (set: T[]) => boolean): void {
  const pick: T[] = [];
  const rec = (start: number): boolean => {
    if (pick.length === k) return visit([...pick]);
    for (let i = start; i <= xs.length - (k - pick.length); i++) {
      pick.push(xs[i]);
      if (!rec(i + 1)) return false;
      pick.pop();
    }
    return true;
  };
  rec(0);
}

/** Fill the lines from `ws` (pinned lines first: they have no choice), sharing one pool. */
function fill(input: PlanInput, ws: PlanWarehouse[], demand: Record<string, number>): Plan {
  const left: Record<string, Record<string, number>> = {};
  for (const [iid, per] of Object.entries(input.allocatable)) left[iid] = { ...per };
  const avail = (iid: string, wid: string) => left[iid]?.[wid] ?? 0;
  const allowed = new Set(ws.map((w) => w.id));
  const order = [...input.lines].sort((a, b) => Number(!a.warehouse_id) - Number(!b.warehouse_id) || a.index - b.index);
  const out = new Map<number, PlannedAllocation[]>();
  const shortfalls: LineShortfall[] = [];

  for (const line of order) {
    // units of this line one warehouse could serve whole
    const wholeAt = (wid: string) => Math.min(...line.components.map((c) => Math.floor(avail(c.inventory_item_id, wid) / c.required_quantity)));
    let candidates = line.warehouse_id ? ws.filter((w) => w.id === line.warehouse_id) : ws;
    if (line.warehouse_id && !allowed.has(line.warehouse_id)) candidates = [];
    if (input.strategy === 'most_stock') candidates = [...candidates].sort((a, b) => wholeAt(b.id) - wholeAt(a.id) || byPriority(a, b));

    if (!input.allowSplit || line.warehouse_id) {
      const at = candidates.find((w) => wholeAt(w.id) >= line.quantity);
      if (!at) {
        const best = Math.max(0, ...candidates.map((w) => wholeAt(w.id)));
        const total = splitCapacity(line, candidates, avail);
        shortfalls.push({
          index: line.index,
          requested: line.quantity,
          allocatable: best,
          reason: total >= line.quantity ? 'no_single_warehouse' : 'insufficient_stock',
        });
        continue;
      }
      const allocs = line.components.map((c) => ({
        warehouse_id: at.id,
        inventory_item_id: c.inventory_item_id,
        quantity: line.quantity * c.required_quantity,
      }));
      for (const a of allocs) left[a.inventory_item_id][a.warehouse_id] -= a.quantity;
      out.set(line.index, allocs);
      continue;
    }

    // split: each component independently, from the candidates in order
    if (splitCapacity(line, candidates, avail) < line.quantity) {
      shortfalls.push({ index: line.index, requested: line.quantity, allocatable: splitCapacity(line, candidates, avail), reason: 'insufficient_stock' });
      continue;
    }
    const allocs: PlannedAllocation[] = [];
    for (const c of line.components) {
      let need = line.quantity * c.required_quantity;
      const cs =
        input.strategy === 'most_stock'
          ? [...candidates].sort((a, b) => avail(c.inventory_item_id, b.id) - avail(c.inventory_item_id, a.id) || byPriority(a, b))
          : candidates;
      for (const w of cs) {
        if (need === 0) break;
        const q = Math.min(need, avail(c.inventory_item_id, w.id));
        if (q <= 0) continue;
        allocs.push({ warehouse_id: w.id, inventory_item_id: c.inventory_item_id, quantity: q });
        left[c.inventory_item_id][w.id] -= q;
        need -= q;
      }
    }
    out.set(line.index, allocs);
  }
  if (shortfalls.length) return { ok: false, shortfalls: shortfalls.sort((a, b) => a.index - b.index), demand };
  return { ok: true, lines: input.lines.map((l) => ({ index: l.index, allocations: out.get(l.index)! })) };
}

/** Units of the line the candidates can cover when its components may come from several warehouses. */
function splitCapacity(line: PlanLine, ws: PlanWarehouse[], avail: (iid: string, wid: string) => number): number {
  return Math.min(...line.components.map((c) => Math.floor(ws.reduce((s, w) => s + Math.max(0, avail(c.inventory_item_id, w.id)), 0) / c.required_quantity)));
}
