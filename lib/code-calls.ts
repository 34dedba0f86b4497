/**
 * What a function's code can call, read from its bundle as the stack builds it (lib/bundle-all.ts):
 * the AWS SDK is external to every bundle, so each DynamoDB command a function can send stays in it by
 * name in an import (`import{QueryCommand as …}from"@aws-sdk/lib-dynamodb"`), and so do the S3 and
 * EventBridge commands it reaches (loaded on first use: `sdk.PutObjectCommand`). esbuild drops what a function cannot reach, so this is
 * an upper bound of what it may ever do: the IAM grant test compares every role with it.
 */
import type { TableAction } from './access.ts';

export interface CodeCalls {
  /** Table actions the code can cause (a transaction: the actions of the items it can hold). */
  table: Set<TableAction>;
  s3Get: boolean;
  s3Put: boolean;
  publishes: boolean;
}

const COMMANDS: Record<string, TableAction[]> = {
  GetCommand: ['GetItem'],
  GetItemCommand: ['GetItem'],
  TransactGetCommand: ['GetItem'],
  TransactGetItemsCommand: ['GetItem'],
  QueryCommand: ['Query'],
  BatchGetCommand: ['BatchGetItem'],
  BatchGetItemCommand: ['BatchGetItem'],
  PutCommand: ['PutItem'],
  PutItemCommand: ['PutItem'],
  UpdateCommand: ['UpdateItem'],
  UpdateItemCommand: ['UpdateItem'],
  DeleteCommand: ['DeleteItem'],
  DeleteItemCommand: ['DeleteItem'],
  BatchWriteCommand: ['BatchWriteItem' as TableAction],
  BatchWriteItemCommand: ['BatchWriteItem' as TableAction],
  ScanCommand: ['Scan' as TableAction],
};

/** The names a bundle imports from the DynamoDB packages (`import{GetCommand as x,…}from"@aws-sdk/lib-dynamodb"`). */
function dynamoImports(bundle: string): Set<string> {
  const names = new Set<string>();
  for (const m of bundle.matchAll(/import\s*\{([^}]*)\}\s*from\s*["']@aws-sdk\/(?:lib-dynamodb|client-dynamodb)["']/g)) {
    for (const spec of m[1].split(',')) names.add(spec.trim().split(/\s+as\s+/)[0]);
  }
  return names;
}

export function codeCalls(bundle: string): CodeCalls {
  const table = new Set<TableAction>();
  const imported = dynamoImports(bundle);
  for (const [command, actions] of Object.entries(COMMANDS)) if (imported.has(command)) for (const a of actions) table.add(a);
  if (imported.has('TransactWriteCommand') || imported.has('TransactWriteItemsCommand')) {
    // a transaction's items may be built with a computed kind (`{ [kind]: … }`): any write may be in it;
    // a ConditionCheck only where the word is in the code
    for (const a of ['PutItem', 'UpdateItem', 'DeleteItem'] as const) table.add(a);
    if (/\bConditionCheck\b/.test(bundle)) table.add('ConditionCheckItem');
  }
  return {
    table,
    s3Get: /\bGetObjectCommand\b/.test(bundle),
    s3Put: /\bPutObjectCommand\b/.test(bundle),
    publishes: /\bPutEventsCommand\b/.test(bundle),
  };
}
