/** The deployed processor's handler: an S3 event starts it; near its time limit it pauses and hands over to its next run. */
import { mkdtempSync } from 'node:fs';
import { runAs } from '../../functions/store/db.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context, S3Event } from 'aws-lambda';
import { continuation, handler } from '../../functions/uploads/processor.ts';
import type { ContinueEvent } from '../../functions/uploads/processor.ts';
import { getJob } from '../../functions/store/uploads.ts';
import { adjustFile, catalogue, stageUpload } from '../support/uploads.ts';

/** The processor with its own grants (the tests' DynamoDB front checks them). */
const asProcessor: typeof handler = (event, ctx) => runAs('UploadProcessor', () => handler(event as never, ctx));

process.env.INVENTORY_BLOB_DIR = mkdtempSync(join(tmpdir(), 'inventory-processor-'));

/** A Lambda context whose clock runs out after `calls` checks. */
const context = (calls: number) => {
  let n = 0;
  return {
    invokedFunctionArn: 'arn:aws:lambda:eu-central-1:123456789012:function:processor',
    getRemainingTimeInMillis: () => (n++ < calls ? 600_000 : 30_000),
  } as unknown as Context;
};
const s3Event = (key: string) => ({ Records: [{ s3: { object: { key } } }] }) as unknown as S3Event;

test('the S3 event starts the job; each run stops a minute before its end and the next continues from the checkpoint', async () => {
  const c = await catalogue(20, 1, 100);
  const f = adjustFile(c, 1_200);
  const id = await stageUpload(c, f.csv, 'adjust');
  const handed: ContinueEvent[] = [];
  const original = continuation.invoke;
  continuation.invoke = async (_arn, next) => {
    handed.push(next);
  };
  try {
    let out = await asProcessor(s3Event(`uploads/${c.actor.tenant}/${id}.csv`), context(3));
    expect(out.jobs).toEqual([{ id, outcome: 'paused' }]);
    let hops = 0;
    while (handed.length) {
      const next = handed.shift()!;
      expect(next.continue).toMatchObject({ tenant: c.actor.tenant, id, hop: ++hops });
      out = await asProcessor(next, context(3));
    }
    expect(out.jobs[0]!.outcome).toBe('completed');
    expect(hops).toBeGreaterThan(1);
    expect((await getJob(c.actor.tenant, id))!).toMatchObject({ status: 'completed', rows_done: 1_200, rows_applied: f.changing });
  } finally {
    continuation.invoke = original;
  }
});

test('objects outside uploads/ are ignored; an event for a finished job changes nothing', async () => {
  expect((await asProcessor(s3Event('reports/x/y.json'), context(100))).jobs).toEqual([]);
  const c = await catalogue(5, 1, 10);
  const id = await stageUpload(c, adjustFile(c, 20).csv, 'adjust');
  const key = `uploads/${c.actor.tenant}/${id}.csv`;
  expect((await asProcessor(s3Event(key), context(100))).jobs[0]!.outcome).toBe('completed');
  const before = await getJob(c.actor.tenant, id);
  expect((await asProcessor(s3Event(key), context(100))).jobs[0]!.outcome).toBe('completed');
  expect(await getJob(c.actor.tenant, id)).toEqual(before);
});
