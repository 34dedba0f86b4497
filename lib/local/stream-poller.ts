/**
 * Locally, DynamoDB Local's stream stands in for the Lambda event source mapping: this polls it and
 * hands batches of the deployed shape (DynamoDBStreamEvent) to the same stream handler. As the
 * deployed mapping (lib/stream-source.ts, the settings the stack uses): at most `batchSize` records a
 * batch, one batch per shard at a time; the records stay held until the handler has answered, so a
 * handler that throws gets the same batch again and loses nothing; a record the handler reports as
 * failed is handed over again with the ones after it (ReportBatchItemFailures). Not yet as deployed:
 * no bisecting, no retry bound or maximum record age, no dead-letter file; shards one after another.
 */
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { localClient } from './table.ts';
import { runAs } from '../../functions/store/db.ts';
import { localContext } from '../../functions/edge/observability.ts';
import { STREAM_SOURCE } from '../stream-source.ts';

type Handler = (event: DynamoDBStreamEvent, context: any) => Promise<{ batchItemFailures: { itemIdentifier: string }[] } | void>;

export interface StreamPoller {
  /** Poll until a pass finds nothing new (tests wait on this instead of sleeping). */
  drain(): Promise<number>;
  stop(): Promise<void>;
}

export interface PollerOptions {
  endpoint: string;
  tableName: string;
  handler: Handler;
  intervalMs?: number;
  /** TRIM_HORIZON replays what the stream still holds (safe: the handler is replay-safe). */
  from?: 'TRIM_HORIZON' | 'LATEST';
  onError?: (err: unknown) => void;
  /** The identity the handler runs as (its DynamoDB calls are checked against this function's grants). */
  functionName?: string;
}

function toLambdaRecord(r: _Record, arn: string): DynamoDBRecord {
  const d = r.dynamodb!;
  return {
    eventID: r.eventID,
    eventName: r.eventName as DynamoDBRecord['eventName'],
    eventVersion: r.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: r.awsRegion ?? 'local',
    eventSourceARN: arn,
    dynamodb: {
      ApproximateCreationDateTime: d.ApproximateCreationDateTime ? Math.floor(new Date(d.ApproximateCreationDateTime).getTime() / 1000) : undefined,
      Keys: d.Keys as any,
      NewImage: d.NewImage as any,
      OldImage: d.OldImage as any,
      SequenceNumber: d.SequenceNumber,
      SizeBytes: d.SizeBytes,
      StreamViewType: d.StreamViewType as any,
    },
  };
}

export async function startStreamPoller(opts: PollerOptions): Promise<StreamPoller> {
  const ddb = localClient(opts.endpoint);
  const streams = new DynamoDBStreamsClient({ endpoint: opts.endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const table = await ddb.send(new DescribeTableCommand({ TableName: opts.tableName }));
  ddb.destroy();
  const arn = table.Table?.LatestStreamArn;
  if (!arn) throw new Error(`Table ${opts.tableName} has no stream`);
  const iterators = new Map<string, string | null>(); // shard id → iterator (null: closed and drained)
  const pending = new Map<string, DynamoDBRecord[]>(); // failed records to hand over again, per shard
  let busy: Promise<number> | undefined;
  let stopped = false;

  // Shards found at start begin at `from`; a shard that appears later is read from its beginning
  // (it holds only what was written since), as Lambda reads a child shard.
  async function discover(type: 'TRIM_HORIZON' | 'LATEST' = 'TRIM_HORIZON') {
    let start: string | undefined;
    do {
      const d = await streams.send(new DescribeStreamCommand({ StreamArn: arn, ExclusiveStartShardId: start }));
      for (const shard of d.StreamDescription?.Shards ?? []) {
        if (iterators.has(shard.ShardId!)) continue;
        const it = await streams.send(
          new GetShardIteratorCommand({ StreamArn: arn, ShardId: shard.ShardId!, ShardIteratorType: type }),
        );
        iterators.set(shard.ShardId!, it.ShardIterator ?? null);
      }
      start = d.StreamDescription?.LastEvaluatedShardId;
    } while (start);
  }

  async function pass(): Promise<number> {
    await discover();
    let seen = 0;
    for (const [shard, iterator] of iterators) {
      // one batch per shard, as the mapping: what is waiting to be handed over again first, else new records
      const waiting = pending.get(shard) ?? [];
      let records = waiting.slice(0, STREAM_SOURCE.batchSize);
      let next = iterator;
      if (!records.length && iterator) {
        const res = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: STREAM_SOURCE.batchSize }));
        records = (res.Records ?? []).map((r) => toLambdaRecord(r, arn!));
        next = res.NextShardIterator ?? null;
      }
      // the records are held (pending) from here until the handler has answered: a handler that throws loses nothing
      pending.set(shard, waiting.length ? waiting : records);
      iterators.set(shard, next);
      if (!records.length) continue;
      seen += records.length;
      const name = opts.functionName ?? 'StreamConsumer';
      // the context Lambda gives each invocation: the function's name and a request id of its own
      const out = await runAs(name, () => opts.handler({ Records: records }, localContext(name, 60_000)));
      const failed = new Set((out?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
      // as Lambda does: hand over again from the first failed record on
      const firstFailed = records.findIndex((r) => failed.has(r.dynamodb!.SequenceNumber!));
      const rest = (pending.get(shard) ?? []).slice(records.length);
      pending.set(shard, [...(firstFailed < 0 ? [] : records.slice(firstFailed)), ...rest]);
    }
    return seen;
  }

  // iterators now: with LATEST, what is written from this moment on is seen
  await discover(opts.from ?? 'TRIM_HORIZON');
  const once = () => (busy ??= pass().finally(() => (busy = undefined)));
  const timer = setInterval(() => {
    if (!stopped) once().catch((err) => opts.onError?.(err));
  }, opts.intervalMs ?? 250);
  timer.unref();

  return {
    async drain() {
      let total = 0;
      for (let i = 0; i < 100; i++) {
        const n = await once();
        // a timer pass may be in flight: run one more of our own before deciding
        const m = n ? 0 : await once();
        total += n + m;
        if (!n && !m) return total;
      }
      return total;
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await busy?.catch(() => undefined);
      streams.destroy();
    },
  };
}
