/**
 * The stream consumer's event source mapping: one settings object, read by the stack
 * (lib/inventory-stack.ts, DynamoEventSource) and by the local stream runner (lib/local/stream-poller.ts).
 */
export const STREAM_SOURCE = {
  /** Records per batch. */
  batchSize: 100,
  /** A batch whose function call fails is split in two and each half retried. */
  bisectBatchOnError: true,
  /** Retries of a failing batch before its records go to the on-failure destination. */
  retryAttempts: 5,
  /** Records older than this are not retried but sent to the on-failure destination. */
  maxRecordAgeHours: 6,
  /** The function answers with the records that failed (batchItemFailures). */
  reportBatchItemFailures: true,
} as const;
