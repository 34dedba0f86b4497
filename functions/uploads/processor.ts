/**
 * The upload processor (deployed): started by the bucket's ObjectCreated event for `uploads/…`, or
 * by itself to continue a large file. It works until a minute is left of its 15, then invokes itself
 * again with the job (the checkpoint is in the table, so the next run goes on from there). A second
 * delivery of the same event finds the job done or ahead of it and changes nothing.
 */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { Context, S3Event } from 'aws-lambda';
import { parseUploadObjectKey, processUpload } from '#core/uploads.ts';
import type { ProcessOutcome } from '#core/uploads.ts';
import { count, instrumented, logger } from '#edge/observability.ts';

/** Stop taking new chunks when less than this is left of the invocation. */
export const RESERVE_MS = 60_000;

export interface ContinueEvent {
  continue: { tenant: string; id: string; hop: number };
}

let lambda: LambdaClient | undefined;

/** How the next run is started (a Lambda Invoke; the tests put a recorder here: there is no Lambda locally). */
export const continuation = {
  invoke: async (functionArn: string, next: ContinueEvent) => {
    const sdk = await import('@aws-sdk/client-lambda'); // only a long file needs it
    lambda ??= new sdk.LambdaClient({});
    await lambda.send(new sdk.InvokeCommand({ FunctionName: functionArn, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify(next)) }));
  },
};

export const handler = instrumented(
  'UploadProcessor',
  async (event: S3Event | ContinueEvent, context: Context): Promise<{ jobs: { id: string; outcome: ProcessOutcome }[] }> => {
    const jobs = 'continue' in event ? [{ ...event.continue }] : jobsOf(event);
    const out: { id: string; outcome: ProcessOutcome }[] = [];
    for (const job of jobs) {
      const outcome = await processUpload(job.tenant, job.id, { shouldStop: () => context.getRemainingTimeInMillis() < RESERVE_MS });
      logger.info('upload processed', { tenant: job.tenant, id: job.id, outcome, hop: job.hop });
      if (outcome === 'paused') await continuation.invoke(context.invokedFunctionArn, { continue: { tenant: job.tenant, id: job.id, hop: job.hop + 1 } });
      out.push({ id: job.id, outcome });
    }
    count('UploadRuns', out.length);
    return { jobs: out };
  },
);

function jobsOf(event: S3Event) {
  return (event.Records ?? []).flatMap((r) => {
    const job = parseUploadObjectKey(r.s3?.object?.key ?? '');
    if (!job) logger.warn('not an upload object, ignored', { key: r.s3?.object?.key });
    return job ? [{ ...job, hop: 0 }] : [];
  });
}
