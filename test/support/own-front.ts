/**
 * A DynamoDB front of the test file's own (lib/local/dynamo-front.ts), in front of the run's
 * DynamoDB Local, that the store uses for that file's tests — for a file that needs the front's
 * options set its own way or counts what the front answered. Call at the top of the file: it
 * registers the beforeAll / afterAll that start it, point the store at it, and put everything back.
 */
import { setClient } from '../../functions/store/db.ts';
import { startFrontFor } from '../../lib/local/dynamo-front.ts';
import type { DynamoFront, FrontOptions } from '../../lib/local/dynamo-front.ts';

/** `start` gets DynamoDB Local's endpoint; the answer reads the running front. */
export function useOwnFront(start: (target: string) => Promise<DynamoFront>): () => DynamoFront {
  let front: DynamoFront | undefined;
  const previous = process.env.DYNAMODB_ENDPOINT;
  beforeAll(async () => {
    front = await start(process.env.DYNAMODB_LOCAL_ENDPOINT ?? previous!);
    process.env.DYNAMODB_ENDPOINT = front.endpoint;
    setClient(undefined);
  });
  afterAll(async () => {
    setClient(undefined);
    process.env.DYNAMODB_ENDPOINT = previous;
    await front?.stop();
  });
  return () => front!;
}

/**
 * A front of the file's own whose index queries see each write only `lagMs` after it (GSI reads are
 * eventually consistent on AWS), otherwise as the run's front (IAM and conflicts on, throughput off,
 * the environment's switches; `more` over them). For tests that prove a reader of an index right
 * when the index lags (e.g. reconcile reading open reservations through GSI1).
 */
export function useFrontWithIndexLag(lagMs: number, more: Partial<Omit<FrontOptions, 'target'>> = {}): () => DynamoFront {
  return useOwnFront((target) => startFrontFor(target, { iam: true, conflicts: true, throughput: false }, 0, { indexLagMs: lagMs, ...more }));
}
