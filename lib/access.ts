/**
 * What each function may do to the table: ONE declaration, read by the CDK stack (its IAM grants)
 * and by the local DynamoDB front (lib/local/dynamo-front.ts), which refuses anything else with
 * AccessDeniedException. Routes declare `access` in the route table; the service functions declare
 * theirs in lib/functions.ts (SERVICE_ACCESS) the same way.
 */
import type { TableAccess } from '../functions/routes.ts';

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

/** No Scan: nothing of ours scans. */
export const TABLE_READ: TableAction[] = ['GetItem', 'BatchGetItem', 'Query', 'ConditionCheckItem'];
export const TABLE_WRITE: TableAction[] = [...TABLE_READ, 'PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'];

/**
 * A function's table access: `read` / `write` (the table and its indexes), or an explicit list of
 * actions on the table alone (its indexes too with `indexes: true`).
 */
export type TableAccessDeclaration = TableAccess | { actions: TableAction[]; indexes?: boolean };

/** What a function may do to the blob bucket (reports, uploads). */
export type BlobAccess = 'read' | 'write' | 'read-uploads';

export interface TableGrant {
  actions: TableAction[];
  /** The grant covers the table's indexes (`<table arn>/index/*`) too. */
  indexes: boolean;
}

export function tableGrant(access: TableAccessDeclaration): TableGrant | undefined {
  if (access === 'none') return undefined;
  if (access === 'read') return { actions: TABLE_READ, indexes: true };
  if (access === 'write') return { actions: TABLE_WRITE, indexes: true };
  return { actions: access.actions, indexes: access.indexes ?? false };
}
