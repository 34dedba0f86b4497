/**
 * Every function the stack deploys: one per route of the route table, and the service's own
 * (authorizer, stream consumer, scheduled jobs). The stack, the bundle-size check and the benchmark
 * read this list, so a function added here is bundled, checked and measured everywhere.
 */
import { routes, uses } from '../functions/routes.ts';
import type { Route } from '../functions/routes.ts';
import { routeTable, tableGrant } from './access.ts';
import type { BlobAccess, TableAccessDeclaration, TableGrant } from './access.ts';

export const SERVICE_FUNCTIONS = {
  Authorizer: 'functions/authorizer/handler.ts',
  StreamConsumer: 'functions/stream/handler.ts',
  LowStockReport: 'functions/scheduled/low-stock-report.ts',
  ExpireReservations: 'functions/scheduled/expire-reservations.ts',
  Reconcile: 'functions/scheduled/reconcile.ts',
  UploadProcessor: 'functions/uploads/processor.ts',
} as const;

export type ServiceFunction = keyof typeof SERVICE_FUNCTIONS;

/**
 * What the service functions may touch, declared as routes declare theirs (`access`, `blobs`,
 * `publishes`): the stack grants exactly this and the local DynamoDB front enforces it.
 */
export const SERVICE_ACCESS: Record<ServiceFunction, TableAccessDeclaration & { blobs?: BlobAccess; publishes?: boolean }> = {
  // the key lookup, and the key's last use (at most hourly): nothing else
  Authorizer: { access: 'write', table: uses('Get', 'Update') },
  // the level's flag sequence (GetItem), the items' titles (BatchGetItem), the flag (UpdateItem); the
  // copies on levels: a warehouse's levels (Query of GSI1) and an item's (Query of its partition),
  // each level's copy (UpdateItem); hot levels: the shards (BatchGetItem), parking and rebalancing
  // (TransactWriteItems of Updates)
  StreamConsumer: { access: 'write', table: uses('Get', 'BatchGet', 'Query', 'Put', 'Update', 'Indexes'), publishes: true },
  // every tenant's flagged levels (GSI2), the report row
  LowStockReport: { access: 'write', table: uses('Get', 'BatchGet', 'Query', 'Put', 'Indexes'), blobs: { put: 'reports/' }, publishes: true },
  // expired reservations by expiry (GSI3), each released with its level; late inbound lines carrying
  // promises (GSI2): their future holds re-planned or released (holds and reservations by BatchGet), an event each
  ExpireReservations: { access: 'write', table: uses('Get', 'BatchGet', 'Query', 'Update', 'Delete', 'Indexes'), publishes: true },
  // the daily run in report mode: reads levels (hot ones with their shards), reservations and ledgers per tenant, publishes drift
  Reconcile: { access: 'read', table: uses('Get', 'BatchGet', 'Query', 'Indexes'), publishes: true },
  // the bulk row pipeline (core/rows.ts): a stock decrease at a hot level checks an empty shard (ConditionCheckItem)
  UploadProcessor: { access: 'write', table: uses('Get', 'BatchGet', 'Query', 'ConditionCheck', 'Put', 'Update'), blobs: { get: 'uploads/' } },
};

/** `admin.items.list` → `AdminItemsList` */
export const functionName = (route: Route) =>
  route.id
    .split(/[.-]/)
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');

export interface FunctionEntry {
  name: string;
  entry: string;
  route?: Route;
}

export function allFunctions(): FunctionEntry[] {
  return [
    ...routes.map((route) => ({ name: functionName(route), entry: route.handler, route })),
    ...Object.entries(SERVICE_FUNCTIONS).map(([name, entry]) => ({ name, entry })),
  ];
}

/** Every function's table grant, by function name (the access key id it has on the local front). */
export function tableGrants(): Map<string, TableGrant | undefined> {
  const out = new Map<string, TableGrant | undefined>();
  for (const f of allFunctions()) {
    const declared = f.route ? { access: f.route.access, table: routeTable(f.route) } : SERVICE_ACCESS[f.name as ServiceFunction];
    out.set(f.name, tableGrant(declared));
  }
  return out;
}
