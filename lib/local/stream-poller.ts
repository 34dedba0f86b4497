/**
 * Locally, DynamoDB Local's stream stands in for the Lambda event source mapping: this polls it and
 * hands batches of the deployed shape (DynamoDBStreamEvent) to the same stream handler, with the
 * mapping's settings (lib/stream-source.ts, the object the stack reads) and AWS's documented
 * semantics for them:
 *
 * - At most `batchSize` records a batch; one batch in flight per shard; shards run concurrently;
 *   a child shard (ParentShardId) is read only once its parent is closed and read to its end
 *   ("an application must always process a parent shard before it processes a child shard":
 *   https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html).
 * - The shard's checkpoint moves only past records the handler answered as done: a batch stays held
 *   (the iterator is not used again) until it is done or dead-lettered, so nothing is lost.
 * - The handler throws (a function error): with `bisectBatchOnError` the batch is split in two and
 *   each half handed over, first half first; "Splitting batches doesn't consume the retry quota".
 *   A batch that cannot be split (one record, or bisecting off) is retried; after `retryAttempts`
 *   retries it goes to the on-failure destination and the shard moves on
 *   (https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html).
 * - The handler answers batchItemFailures (`reportBatchItemFailures`): the checkpoint moves to the
 *   failed record with the lowest sequence number and the batch's records from there on are handed
 *   over again; that counts as a retry. An itemIdentifier that is no record of the batch fails the
 *   whole batch (https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html).
 * - A record older than `maxRecordAgeHours` is not handed over: it goes to the destination
 *   (condition RecordAgeExceeded) and the shard moves on
 *   (https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-params.html, MaximumRecordAgeInSeconds).
 *
 * The on-failure destination is an NDJSON file (lib/local/stream-dead-letters.ts), one line per
 * dead-lettered batch with the records in it. Not modelled: retry back-off (a failed batch is handed
 * over again on the next poll), ParallelizationFactor (1, the deployed value), batching windows.
 */
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import type { _Record, Shard } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { localClient } from './table.ts';
import { appendDeadLetter, deadLetter, deadLetterFile } from './stream-dead-letters.ts';
import type { DeadLetter, DeadLetterCondition } from './stream-dead-letters.ts';
import { runAs } from '../../functions/store/db.ts';
import { localContext } from '../../functions/edge/observability.ts';
import { STREAM_SOURCE } from '../stream-source.ts';

// biome-ignore lint/suspicious/noExplicitAny: the Lambda context the consumer takes; the runner passes a stand-in
type Handler = (event: DynamoDBStreamEvent, context: any) => Promise<{ batchItemFailures: { itemIdentifier: string }[] } | void>;

export interface StreamPoller {
  /** Poll until a pass finds nothing new and nothing is held (tests wait on this instead of sleeping). */
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
  /** A poll that failed (not the handler's errors: those are the mapping's business, see onHandlerError). */
  onError?: (err: unknown) => void;
  /** The handler threw, or answered failed records: the batch is split, retried or dead-lettered. */
  onHandlerError?: (err: unknown, batch: { shardId: string; records: number }) => void;
  /** Records went to the dead-letter file. */
  onDeadLetter?: (letter: DeadLetter, file: string) => void;
  /** The identity the handler runs as (its DynamoDB calls are checked against this function's grants). */
  functionName?: string;
  /** The on-failure destination (default: deadLetterFile(), `.local/stream-dead-letters.ndjson`). */
  deadLetters?: string;
  /** The clock record ages are measured with (ms since the epoch; tests move it, not wait hours). */
  clock?: () => number;
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
      // biome-ignore lint/suspicious/noExplicitAny: the streams client's attribute values are the Lambda event's, typed apart by two SDKs
      Keys: d.Keys as any,
      // biome-ignore lint/suspicious/noExplicitAny: the streams client's attribute values are the Lambda event's, typed apart by two SDKs
      NewImage: d.NewImage as any,
      // biome-ignore lint/suspicious/noExplicitAny: the streams client's attribute values are the Lambda event's, typed apart by two SDKs
      OldImage: d.OldImage as any,
      SequenceNumber: d.SequenceNumber,
      SizeBytes: d.SizeBytes,
      // biome-ignore lint/suspicious/noExplicitAny: the streams client's attribute values are the Lambda event's, typed apart by two SDKs
      StreamViewType: d.StreamViewType as any,
    },
  };
}

/** A held batch: records not yet past the checkpoint, with what they have used up so far. */
interface Batch {
  records: DynamoDBRecord[];
  /** Retries used (splitting uses none). */
  retries: number;
  /** Handler calls that included these records. */
  invokes: number;
}

interface ShardState {
  id: string;
  parent?: string;
  /** undefined: not opened yet; null: closed and read to its end. */
  iterator: string | null | undefined;
  /** Held batches in stream order; the checkpoint is before the first. */
  held: Batch[];
  /** Sequence number of the last record read (to reopen an expired iterator after it). */
  lastRead?: string;
  running?: Promise<number>;
}

/** A shard is finished when it is closed, read to its end, and nothing of it is held. */
const finished = (s: ShardState | undefined) => !!s && s.iterator === null && !s.held.length;

/**
 * The shards that may take a batch now: not finished, and whose parent is finished or unknown (a
 * parent trimmed from the stream, or one before the runner started, has nothing left to read).
 */
export function readyShards<S extends { id: string; parent?: string }>(shards: Map<string, S>, isFinished: (s: S) => boolean): S[] {
  return [...shards.values()].filter((s) => !isFinished(s) && (!s.parent || !shards.has(s.parent) || isFinished(shards.get(s.parent)!)));
}

const MAX_RECORD_AGE_MS = STREAM_SOURCE.maxRecordAgeHours * 3_600_000;

export async function startStreamPoller(opts: PollerOptions): Promise<StreamPoller> {
  const ddb = localClient(opts.endpoint);
  const streams = new DynamoDBStreamsClient({ endpoint: opts.endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const table = await ddb.send(new DescribeTableCommand({ TableName: opts.tableName }));
  ddb.destroy();
  const arn = table.Table?.LatestStreamArn;
  if (!arn) throw new Error(`Table ${opts.tableName} has no stream`);
  const file = opts.deadLetters ?? deadLetterFile();
  const clock = opts.clock ?? Date.now;
  const shards = new Map<string, ShardState>();
  let discovering: Promise<void> | undefined;
  let stopped = false;

  async function describe(): Promise<Shard[]> {
    const all: Shard[] = [];
    let start: string | undefined;
    do {
      const d = await streams.send(new DescribeStreamCommand({ StreamArn: arn, ExclusiveStartShardId: start }));
      all.push(...(d.StreamDescription?.Shards ?? []));
      start = d.StreamDescription?.LastEvaluatedShardId;
    } while (start);
    return all;
  }

  // Shards found later are read from their beginning (TRIM_HORIZON: a new shard holds only what was
  // written since it opened), as Lambda reads a child shard. With LATEST at start, the shards open
  // then start at their end and the closed ones count as read.
  async function discover(startAt?: 'TRIM_HORIZON' | 'LATEST') {
    for (const shard of await describe()) {
      const id = shard.ShardId!;
      if (shards.has(id)) continue;
      const closed = !!shard.SequenceNumberRange?.EndingSequenceNumber;
      const state: ShardState = { id, parent: shard.ParentShardId, iterator: undefined, held: [] };
      if (startAt === 'LATEST') {
        if (closed) state.iterator = null;
        else
          state.iterator =
            (await streams.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: id, ShardIteratorType: 'LATEST' }))).ShardIterator ?? null;
      }
      shards.set(id, state);
    }
  }
  const rediscover = () => (discovering ??= discover().finally(() => (discovering = undefined)));

  function toDestination(
    shard: ShardState,
    records: DynamoDBRecord[],
    condition: DeadLetterCondition,
    batch: Batch,
    extra: { error?: string; failed?: string[] } = {},
  ) {
    const letter = deadLetter(
      records,
      { shardId: shard.id, streamArn: arn! },
      { condition, invokes: batch.invokes, retries: batch.retries, ...extra, at: new Date(clock()) },
    );
    appendDeadLetter(file, letter);
    opts.onDeadLetter?.(letter, file);
  }

  /** The batch failed as a whole (or from `from` on, a partial answer): retry it, or past the quota, dead-letter it. */
  function retryOrDeadLetter(shard: ShardState, batch: Batch, extra: { error?: string; failed?: string[] }) {
    if (batch.retries < STREAM_SOURCE.retryAttempts) {
      batch.retries++;
      return;
    }
    shard.held.shift();
    toDestination(shard, batch.records, 'RetryAttemptsExhausted', batch, extra);
  }

  /** One step of one shard: read a batch if none is held, then hand the first held batch over. Returns records handed over or dead-lettered. */
  async function step(shard: ShardState): Promise<number> {
    if (!shard.held.length) {
      if (shard.iterator === undefined) {
        const it = await streams.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: shard.id, ShardIteratorType: 'TRIM_HORIZON' }));
        shard.iterator = it.ShardIterator ?? null;
      }
      if (!shard.iterator) return 0;
      let res;
      try {
        res = await streams.send(new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: STREAM_SOURCE.batchSize }));
      } catch (err) {
        if ((err as Error).name !== 'ExpiredIteratorException') throw err;
        const it = await streams.send(
          new GetShardIteratorCommand(
            shard.lastRead
              ? { StreamArn: arn, ShardId: shard.id, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: shard.lastRead }
              : { StreamArn: arn, ShardId: shard.id, ShardIteratorType: 'TRIM_HORIZON' },
          ),
        );
        shard.iterator = it.ShardIterator ?? null;
        return 0;
      }
      const records = (res.Records ?? []).map((r) => toLambdaRecord(r, arn!));
      // from here the records are held until done or dead-lettered; the iterator is not asked again before
      shard.iterator = res.NextShardIterator ?? null;
      if (!records.length) return 0;
      shard.lastRead = records.at(-1)!.dynamodb!.SequenceNumber;
      shard.held.push({ records, retries: 0, invokes: 0 });
    }
    const batch = shard.held[0]!;

    // MaximumRecordAgeInSeconds: expired records are not handed over but sent to the destination
    const now = clock();
    const expired = batch.records.filter((r) => now - (r.dynamodb?.ApproximateCreationDateTime ?? now / 1000) * 1000 > MAX_RECORD_AGE_MS);
    if (expired.length) {
      toDestination(shard, expired, 'RecordAgeExceeded', batch);
      batch.records = batch.records.filter((r) => !expired.includes(r));
      if (!batch.records.length) shard.held.shift();
      return expired.length;
    }

    batch.invokes++;
    const seen = batch.records.length;
    let out: Awaited<ReturnType<Handler>>;
    try {
      const name = opts.functionName ?? 'StreamConsumer';
      // the context Lambda gives each invocation: the function's name and a request id of its own
      out = await runAs(name, () => opts.handler({ Records: batch.records }, localContext(name, 60_000)));
    } catch (err) {
      opts.onHandlerError?.(err, { shardId: shard.id, records: seen });
      const error = err instanceof Error ? err.message : String(err);
      if (STREAM_SOURCE.bisectBatchOnError && batch.records.length > 1) {
        // split in two, first half first; splitting uses none of the retry quota
        const half = Math.ceil(batch.records.length / 2);
        shard.held.splice(0, 1, { ...batch, records: batch.records.slice(0, half) }, { ...batch, records: batch.records.slice(half) });
      } else {
        retryOrDeadLetter(shard, batch, { error });
      }
      return seen;
    }

    const failures = STREAM_SOURCE.reportBatchItemFailures ? (out?.batchItemFailures ?? []) : [];
    if (!failures.length) {
      shard.held.shift(); // done: the checkpoint moves past the batch
      return seen;
    }
    const failed = failures.map((f) => f.itemIdentifier);
    const positions = failed.map((id) => batch.records.findIndex((r) => !!id && r.dynamodb?.SequenceNumber === id));
    opts.onHandlerError?.(new Error(`batchItemFailures: ${failed.join(', ')}`), { shardId: shard.id, records: seen });
    if (positions.some((p) => p < 0)) {
      // an identifier that is no record of the batch: the whole batch failed
      retryOrDeadLetter(shard, batch, { error: `batchItemFailures named no record of the batch: ${failed.join(', ')}`, failed });
      return seen;
    }
    // the checkpoint moves to the lowest failed sequence number; the records from there on are handed over again
    batch.records = batch.records.slice(Math.min(...positions));
    retryOrDeadLetter(shard, batch, { error: `the handler reported ${failed.length} failed record(s)`, failed });
    return seen;
  }

  const kick = (shard: ShardState) => (shard.running ??= step(shard).finally(() => (shard.running = undefined)));

  /** Every ready shard takes one step, concurrently; resolves with the records they moved. */
  async function pass(): Promise<number> {
    await rediscover();
    const counts = await Promise.all(readyShards(shards, finished).map(kick));
    return counts.reduce((a, b) => a + b, 0);
  }

  await discover(opts.from ?? 'TRIM_HORIZON');
  const timer = setInterval(() => {
    if (!stopped) pass().catch((err) => opts.onError?.(err));
  }, opts.intervalMs ?? 250);
  timer.unref();

  return {
    async drain() {
      let total = 0;
      // bounded: every held batch is done, split, retried (at most retryAttempts times) or dead-lettered on each step
      for (;;) {
        const n = await pass();
        // a timer step may have been in flight: run one more of our own before deciding
        const m = n ? 0 : await pass();
        total += n + m;
        if (!n && !m && ![...shards.values()].some((s) => s.held.length)) return total;
      }
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await Promise.all([...shards.values()].map((s) => s.running?.catch(() => undefined)));
      streams.destroy();
    },
  };
}
