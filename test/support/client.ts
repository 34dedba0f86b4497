import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ServiceInputTypes, ServiceOutputTypes } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { InitializeMiddleware } from '@smithy/types';
import { db, setClient } from '../../functions/store/db.ts';

/** Swap the store's client for one on the test run's DynamoDB Local with a middleware of the test's own. */
export function useClientWith(name: string, middleware: InitializeMiddleware<ServiceInputTypes, ServiceOutputTypes>): () => void {
  const base = new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  base.middlewareStack.add(middleware, { step: 'initialize', name });
  setClient(DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } }));
  return () => {
    db().destroy();
    setClient(undefined);
  };
}
