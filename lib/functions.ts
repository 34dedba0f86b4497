/**
 * Every function the stack deploys: one per route of the route table, and the service's own
 * (authorizer, stream consumer, scheduled jobs). The stack, the bundle-size check and the benchmark
 * read this list, so a function added here is bundled, checked and measured everywhere.
 */
import { routes } from '../functions/routes.ts';
import type { Route } from '../functions/routes.ts';

export const SERVICE_FUNCTIONS = {
  Authorizer: 'functions/authorizer/handler.ts',
  StreamConsumer: 'functions/stream/handler.ts',
  LowStockReport: 'functions/scheduled/low-stock-report.ts',
  ExpireReservations: 'functions/scheduled/expire-reservations.ts',
  Reconcile: 'functions/scheduled/reconcile.ts',
  UploadProcessor: 'functions/uploads/processor.ts',
} as const;

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
