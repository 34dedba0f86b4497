/**
 * The local stream runner's on-failure destination: an NDJSON file, one line per dead-lettered
 * batch (lib/local/stream-poller.ts writes them), and its redrive (`npx inventory stream redrive`).
 *
 * Deployed, the destination is the SQS queue `StreamFailures` (lib/inventory-stack.ts), and what
 * Lambda sends there is metadata only: the failure (`requestContext.condition`,
 * `approximateInvokeCount`) and the batch's place in the stream (`DDBStreamBatchInfo`: shard id,
 * first and last sequence number, batch size, stream ARN) — not the records, which must be read back
 * from the stream before its 24-hour retention drops them
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html). A line here carries
 * the same fields under the same names, and the records too, so a redrive needs no stream.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { runAs } from '../../functions/store/db.ts';
import { STREAM_SOURCE } from '../stream-source.ts';

/** Why records left the stream for the destination: AWS's `requestContext.condition` values. */
export type DeadLetterCondition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded';

export interface DeadLetter {
  /** When the batch was dead-lettered (AWS: `timestamp`). */
  timestamp: string;
  requestContext: {
    condition: DeadLetterCondition;
    /** Handler calls that included these records (AWS: the same field; 0 when they expired unseen). */
    approximateInvokeCount: number;
    /** Retries the batch used up (of `retryAttempts`); splitting a batch uses none. */
    retries: number;
  };
  /** The last error: the handler's own, or the records it reported failed. */
  error?: string;
  /** Sequence numbers the handler reported in batchItemFailures on its last call. */
  failed?: string[];
  DDBStreamBatchInfo: {
    shardId: string;
    startSequenceNumber: string;
    endSequenceNumber: string;
    approximateArrivalOfFirstRecord?: string;
    approximateArrivalOfLastRecord?: string;
    batchSize: number;
    streamArn: string;
  };
  /** The records themselves: what AWS does not put in the queue. */
  records: DynamoDBRecord[];
  /** How many times `stream redrive` has handed these records over and they failed again. */
  redrives?: number;
}

/** The file: INVENTORY_STREAM_DEAD_LETTERS, else `stream-dead-letters.ndjson` in the local folder (.local). */
export function deadLetterFile(): string {
  return resolve(process.env.INVENTORY_STREAM_DEAD_LETTERS ?? resolve(process.env.INVENTORY_LOCAL_DIR ?? '.local', 'stream-dead-letters.ndjson'));
}

const arrival = (r: DynamoDBRecord | undefined) => {
  const t = r?.dynamodb?.ApproximateCreationDateTime;
  return t === undefined ? undefined : new Date(t * 1000).toISOString();
};

/** A dead letter of these records (in stream order) of one shard. */
export function deadLetter(
  records: DynamoDBRecord[],
  where: { shardId: string; streamArn: string },
  how: { condition: DeadLetterCondition; invokes: number; retries: number; error?: string; failed?: string[]; at: Date },
): DeadLetter {
  return {
    timestamp: how.at.toISOString(),
    requestContext: { condition: how.condition, approximateInvokeCount: how.invokes, retries: how.retries },
    ...(how.error ? { error: how.error } : {}),
    ...(how.failed?.length ? { failed: how.failed } : {}),
    DDBStreamBatchInfo: {
      shardId: where.shardId,
      startSequenceNumber: records[0]?.dynamodb?.SequenceNumber ?? '',
      endSequenceNumber: records.at(-1)?.dynamodb?.SequenceNumber ?? '',
      approximateArrivalOfFirstRecord: arrival(records[0]),
      approximateArrivalOfLastRecord: arrival(records.at(-1)),
      batchSize: records.length,
      streamArn: where.streamArn,
    },
    records,
  };
}

export function appendDeadLetter(file: string, letter: DeadLetter): void {
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, `${JSON.stringify(letter)}\n`);
}

export function readDeadLetters(file: string): DeadLetter[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as DeadLetter);
}

// biome-ignore lint/suspicious/noExplicitAny: the Lambda context the consumer takes; the runner passes a stand-in
type Handler = (event: DynamoDBStreamEvent, context: any) => Promise<{ batchItemFailures: { itemIdentifier: string }[] } | void>;

export interface RedriveResult {
  file: string;
  /** Dead letters read from the file. */
  letters: number;
  records: number;
  /** Records the consumer answered as done. */
  applied: number;
  /** Records that failed again: written back to the file as new lines. */
  failed: number;
}

/**
 * Hand every dead-lettered record to the consumer again, in its line's order, in batches of at most
 * `batchSize`; a batch that throws is split in two (bisectBatchOnError) down to single records, a
 * partial answer fails the records from its first failed one on (the mapping's checkpoint). Each
 * record is handed over once per redrive. The file is moved aside first, so the runner can keep
 * appending while this runs; what fails again is appended back as new lines.
 */
export async function redriveDeadLetters(file: string, handler: Handler, opts: { functionName?: string; now?: () => Date } = {}): Promise<RedriveResult> {
  const result: RedriveResult = { file, letters: 0, records: 0, applied: 0, failed: 0 };
  if (!existsSync(file)) return result;
  const taken = `${file}.redrive-${process.pid}-${Date.now()}`;
  renameSync(file, taken);
  const letters = readDeadLetters(taken);
  const now = opts.now ?? (() => new Date());
  const invoke = async (records: DynamoDBRecord[]): Promise<{ failedFrom: number; error?: string; failed?: string[] }> => {
    try {
      const out = await runAs(opts.functionName ?? 'StreamConsumer', () =>
        handler({ Records: records }, { functionName: 'stream-redrive', awsRequestId: 'redrive' }),
      );
      const failed = (STREAM_SOURCE.reportBatchItemFailures ? (out?.batchItemFailures ?? []) : []).map((f) => f.itemIdentifier);
      const first = records.findIndex((r) => failed.includes(r.dynamodb?.SequenceNumber ?? ''));
      return first < 0 ? { failedFrom: records.length } : { failedFrom: first, failed, error: `reported ${failed.length} failed record(s)` };
    } catch (err) {
      if (STREAM_SOURCE.bisectBatchOnError && records.length > 1) {
        const half = Math.ceil(records.length / 2);
        const a = await invoke(records.slice(0, half));
        if (a.failedFrom < half) return a; // the rest waits behind the failed record, as on the stream
        const b = await invoke(records.slice(half));
        return { ...b, failedFrom: half + b.failedFrom };
      }
      return { failedFrom: 0, error: err instanceof Error ? err.message : String(err) };
    }
  };
  for (const letter of letters) {
    result.letters++;
    result.records += letter.records.length;
    const left: DynamoDBRecord[] = [];
    let last: { error?: string; failed?: string[] } = {};
    for (let i = 0; i < letter.records.length; i += STREAM_SOURCE.batchSize) {
      const batch = letter.records.slice(i, i + STREAM_SOURCE.batchSize);
      if (left.length) {
        left.push(...batch); // behind a failed record of its line: not handed over out of order
        continue;
      }
      const out = await invoke(batch);
      result.applied += out.failedFrom;
      if (out.failedFrom < batch.length) {
        left.push(...batch.slice(out.failedFrom));
        last = out;
      }
    }
    if (left.length) {
      result.failed += left.length;
      const again = deadLetter(left, letter.DDBStreamBatchInfo, {
        condition: letter.requestContext.condition,
        invokes: letter.requestContext.approximateInvokeCount + 1,
        retries: letter.requestContext.retries,
        error: last.error,
        failed: last.failed,
        at: now(),
      });
      appendDeadLetter(file, { ...again, redrives: (letter.redrives ?? 0) + 1 });
    }
  }
  rmSync(taken);
  return result;
}
