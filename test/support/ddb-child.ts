/** A process that starts a file-backed DynamoDB Local and idles (the lifecycle test kills it): `node --import tsx ddb-child.ts DIR`. */
import { startDynamoDbLocal } from '../../lib/local/dynamodb-local.ts';

const ddb = await startDynamoDbLocal({ dbPath: process.argv[2] });
process.stdout.write(`up ${ddb.port}\n`);
setInterval(() => undefined, 60_000);
