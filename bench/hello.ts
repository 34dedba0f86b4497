/**
 * P3's baseline: the smallest useful function — a handler module that creates a DynamoDB document
 * client, bundled with the stack's own options (lib/bundling.ts), the AWS SDK left external as in
 * Lambda. Each function's bundle size and cold import time is set against this one's.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export const handler = async () => ({
  statusCode: 200,
  body: JSON.stringify({ hello: 'world', client: typeof client.send }),
});
