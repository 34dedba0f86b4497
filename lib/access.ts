/**
 * What each function may do to the table: ONE declaration, read by the CDK stack (its IAM grants)
 * and by the local DynamoDB front (lib/local/dynamo-front.ts), which refuses anything else with
 * AccessDeniedException. Routes declare `access` in the route table; the service functions declare
 * theirs in lib/functions.ts (SERVICE_ACCESS) the same way.
 */
import type { BlobAccess, TableAccess } from '../functions/routes.ts';

export type { BlobAccess };

/** DynamoDB actions as IAM names them (without the `dynamodb:` prefix). A transaction needs the actions inside it. */
export type TableAction =
  | 'GetItem'
  | 'BatchGetItem'
  | 'Query'
  | 'ConditionCheckItem'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'BatchWriteItem';

/**
 * No Scan: nothing of ours scans. No BatchWriteItem: nothing of ours sends one. ConditionCheckItem only
 * where a function's transactions check a row they do not write (`checks`). test/infra/grants.test.ts
 * compares every role with what its function's bundle can call.
 */
export const TABLE_READ: TableAction[] = ['GetItem', 'BatchGetItem', 'Query'];
export const TABLE_WRITE: TableAction[] = [...TABLE_READ, 'PutItem', 'UpdateItem', 'DeleteItem'];

/**
 * A function's table access: `read` / `write` (the table and its indexes), or an explicit list of
 * actions on the table alone (its indexes too with `indexes: true`).
 */
export type TableAccessDeclaration = TableAccess | { actions: TableAction[]; indexes?: boolean };

export interface TableGrant {
  actions: TableAction[];
  /** The grant covers the table's indexes (`<table arn>/index/*`) too. */
  indexes: boolean;
}

/** `checks`: the function's transactions hold ConditionCheck items (route table `checks`). */
export function tableGrant(access: TableAccessDeclaration, checks = false): TableGrant | undefined {
  if (access === 'none') return undefined;
  const check: TableAction[] = checks ? ['ConditionCheckItem'] : [];
  if (access === 'read') return { actions: [...TABLE_READ, ...check], indexes: true };
  if (access === 'write') return { actions: [...TABLE_WRITE, ...check], indexes: true };
  return { actions: [...access.actions, ...check], indexes: access.indexes ?? false };
}
