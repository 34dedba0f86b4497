import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ServiceInputTypes, ServiceOutputTypes } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { InitializeMiddleware } from '@smithy/types';
import { db, setClient } from '../../functions/store/db.ts';

/** Swap the store's client for one on the test run's DynamoDB Local with a middleware of the test's own. */
export function useClientWith(name: string, middleware: InitializeMiddleware<ServiceInputTypes, ServiceOutputTypes>): () => void {
  const base = new DynamoDBClient({
    endpoint: process.env.DYNAMODB_ENDPOINT,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  base.middlewareStack.add(middleware, { step: 'initialize', name });
  setClient(DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } }));
  return () => {
    db().destroy();
    setClient(undefined);
  };
}

/**
 * Count the DynamoDB requests the store sends (a middleware on the test's own client): install it
 * in beforeAll, `count(fn)` runs fn and answers what it cost, `restore()` in afterAll.
 */
export function requestCounter() {
  const counted: string[] = [];
  let restore: () => void = () => {};
  return {
    counted,
    install() {
      restore = useClientWith('countRequests', (next, context) => async (args) => {
        counted.push(String(context.commandName));
        return next(args);
      });
    },
    restore: () => restore(),
    async count<T>(fn: () => Promise<T>): Promise<{ out: T; requests: number; kinds: Record<string, number> }> {
      counted.length = 0;
      const out = await fn();
      const kinds: Record<string, number> = {};
      for (const c of counted) kinds[c] = (kinds[c] ?? 0) + 1;
      return { out, requests: counted.length, kinds };
    },
  };
}
