import type { ServiceInputTypes, ServiceOutputTypes } from '@aws-sdk/client-dynamodb';
import type { InitializeMiddleware } from '@smithy/types';
import { decorateClients, setClient } from '../../functions/store/db.ts';

/**
 * Put a middleware of the test's own on every client the store makes (one per function locally,
 * each signing as that function), so the run's DynamoDB front still checks each function's grants
 * and records what it used (DYNAMO_FRONT_USAGE_LOG) while the test counts, stages or fails commands.
 * (A single client of the test's own would sign every function's requests with one identity that
 * the front neither checks nor records.) The answer puts the plain clients back.
 * `step`: initialize (the default) acts once per command, outside the SDK's retries; deserialize
 * acts on every attempt the SDK makes, inside them.
 */
export function useClientWith(
  name: string,
  middleware: InitializeMiddleware<ServiceInputTypes, ServiceOutputTypes>,
  step: 'initialize' | 'deserialize' = 'initialize',
): () => void {
  decorateClients((base) => base.middlewareStack.add(middleware as never, { step: step as 'initialize', name }));
  setClient(undefined); // the clients made so far are dropped: the next ones carry the middleware
  return () => {
    decorateClients(undefined);
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
