/**
 * What each function may do to the table: ONE declaration, read by the CDK stack (its IAM grants)
 * and by the local DynamoDB front (lib/local/dynamo-front.ts), which refuses anything else with
 * AccessDeniedException. Routes declare `access` in the route table; the service functions declare
 * theirs in lib/functions.ts (SERVICE_ACCESS) the same way.
 */
import type { BlobAccess, Route, TableAccess, TableAction, TableUse } from '../functions/routes.ts';

export type { BlobAccess, TableAction, TableUse };

/**
 * No Scan and no BatchWriteItem: nothing of ours sends one. The classes' defaults are only for a
 * declaration without `table` (test/infra/grants.test.ts requires `table` everywhere): each function
 * gets exactly what its `table` lists.
 */
export const TABLE_READ: TableAction[] = ['GetItem', 'BatchGetItem', 'Query'];
export const TABLE_WRITE: TableAction[] = [...TABLE_READ, 'PutItem', 'UpdateItem', 'DeleteItem'];

/** A function's declaration as the stack and the front read it (a route, or SERVICE_ACCESS in lib/functions.ts). */
export interface TableAccessDeclaration {
  access: TableAccess;
  table?: TableUse;
}

export interface TableGrant {
  actions: TableAction[];
  /** The grant covers the table's indexes (`<table arn>/index/*`) too. */
  indexes: boolean;
}

/** What the function may do to the table: its `table`, exactly. */
export function tableGrant(d: TableAccessDeclaration): TableGrant | undefined {
  if (d.access === 'none') return undefined;
  if (d.table) return { actions: [...d.table.actions], indexes: !!d.table.indexes };
  return { actions: d.access === 'read' ? TABLE_READ : TABLE_WRITE, indexes: true };
}

/**
 * What every keyed write route sends besides its own work: its Idempotency-Key's record is claimed
 * (PutItem), read back when the claim is refused — a retry, another body, a request in flight
 * (GetItem) — and completed or released (UpdateItem); functions/edge/idempotency.ts. Any POST, PUT,
 * PATCH or DELETE behind a key may carry one, so its grant holds these whatever its own `table` says.
 */
export const IDEMPOTENCY_ACTIONS: readonly TableAction[] = ['GetItem', 'PutItem', 'UpdateItem'];

/** A route's table use as granted: its `table`, and for a keyed write the Idempotency-Key's record too. */
export function routeTable(r: Pick<Route, 'method' | 'scope' | 'access' | 'table'>): TableUse | undefined {
  if (!r.table || r.method === 'GET' || r.scope === 'public') return r.table;
  const order: TableAction[] = ['GetItem', 'BatchGetItem', 'Query', 'ConditionCheckItem', 'PutItem', 'UpdateItem', 'DeleteItem'];
  const actions = new Set<TableAction>([...r.table.actions, ...IDEMPOTENCY_ACTIONS]);
  return { ...r.table, actions: order.filter((a) => actions.has(a)) };
}
