/**
 * What each function may do to the table: ONE declaration, read by the CDK stack (its IAM grants)
 * and by the local DynamoDB front (lib/local/dynamo-front.ts), which refuses anything else with
 * AccessDeniedException. Routes declare `access` in the route table; the service functions declare
 * theirs in lib/functions.ts (SERVICE_ACCESS) the same way.
 */
import type { BlobAccess, TableAccess, TableAction, TableUse } from '../functions/routes.ts';

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
