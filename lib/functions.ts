/**
 * Every function the stack deploys: one per route of the route table, and the service's own
 * (authorizer, stream consumer, scheduled jobs). The stack, the bundle-size check and the benchmark
 * read this list, so a function added here is bundled, checked and measured everywhere.
 */
import { routes } from '../functions/routes.ts';
import type { Route } from '../functions/routes.ts';
import { tableGrant } from './access.ts';
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
export const SERVICE_ACCESS: Record<ServiceFunction, { access: TableAccessDeclaration; checks?: boolean; blobs?: BlobAccess; publishes?: boolean }> = {
  // the key lookup, and the key's last use (at most hourly): nothing else
  Authorizer: { access: { actions: ['GetItem', 'UpdateItem'] } },
  // the level's flag sequence (GetItem), the items' titles (BatchGetItem), the flag (UpdateItem); the
  // copies on levels: a warehouse's levels (Query of GSI1) and an item's (Query of its partition),
  // each level's copy (UpdateItem); hot levels: a snapshot of level and shards (TransactGetItems: GetItem)
  // and parking / rebalancing (TransactWriteItems of Updates: UpdateItem)
  StreamConsumer: { access: { actions: ['GetItem', 'BatchGetItem', 'Query', 'UpdateItem'], indexes: true }, publishes: true },
  LowStockReport: { access: 'write', blobs: { put: 'reports/' }, publishes: true },
  ExpireReservations: { access: 'write' },
  // the daily run in report mode: reads levels, reservations and ledgers per tenant, publishes drift
  Reconcile: { access: 'read', publishes: true },
  UploadProcessor: { access: 'write', checks: true, blobs: { get: 'uploads/' } },
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
    const declared = f.route ?? SERVICE_ACCESS[f.name as ServiceFunction];
    out.set(f.name, tableGrant(declared.access, declared.checks));
  }
  return out;
}
