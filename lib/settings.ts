/**
 * A deployment's settings, from CDK context (`-c stage=prod -c corsOrigins=https://shop.example`,
 * or the `context` block of cdk.json). Everything has a default; only `stage` changes behaviour
 * that cannot be undone (RETAIN and deletion protection outside `dev`).
 */
import { parseOrigins } from './cors.ts';

export interface StackSettings {
  /** `dev` (default) is disposable: the table and buckets are destroyed with the stack. Any other stage keeps them. */
  stage: string;
  /** Origins allowed by CORS; none (default) means no CORS headers at all. `*` allows any origin. */
  corsOrigins: string[];
  /** Stage throttling: steady requests per second and burst (defaults 100 / 200). */
  throttleRate: number;
  throttleBurst: number;
  /** Seconds an authorizer answer is reused per key (default 60; 0 turns the cache off). */
  authorizerCacheTtl: number;
  /** Alarm notifications go to this address when set (an SNS e-mail subscription to confirm). */
  alarmEmail?: string;
  /**
   * The table's capacity before a known peak (a sale): warm throughput (`warmReadUnits`,
   * `warmWriteUnits`: what the table and each index serve at once, without the ramp-up a new on-demand
   * table has from 12,000 reads / 4,000 writes per second; set on the table and on every index, since
   * a level write writes its index entries too) and an on-demand maximum (`maxReadUnits`,
   * `maxWriteUnits`: a ceiling on cost; requests above it are throttled). Unset: AWS's defaults.
   * AWS: "Understanding DynamoDB warm throughput",
   * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/warm-throughput.html and
   * "Maximum throughput for on-demand tables",
   * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/on-demand-capacity-mode-max-throughput.html
   */
  table: { warmReadUnits?: number; warmWriteUnits?: number; maxReadUnits?: number; maxWriteUnits?: number };
}

type Context = { tryGetContext(key: string): unknown };

const num = (v: unknown, fallback: number, name: string, min = 0): number => {
  if (v === undefined || v === null || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) throw new Error(`context ${name} must be a number ≥ ${min}, got ${String(v)}`);
  return n;
};

export function settingsFrom(node: Context): StackSettings {
  const stage = String(node.tryGetContext('stage') ?? 'dev');
  if (!/^[a-z][a-z0-9-]{0,19}$/.test(stage)) throw new Error(`context stage must be lowercase letters, digits and dashes (≤ 20), got ${stage}`);
  const corsOrigins = parseOrigins(node.tryGetContext('corsOrigins'));
  const alarmEmail = node.tryGetContext('alarmEmail');
  return {
    stage,
    corsOrigins,
    throttleRate: num(node.tryGetContext('throttleRate'), 100, 'throttleRate', 1),
    throttleBurst: num(node.tryGetContext('throttleBurst'), 200, 'throttleBurst', 1),
    authorizerCacheTtl: num(node.tryGetContext('authorizerCacheTtl'), 60, 'authorizerCacheTtl'),
    ...(alarmEmail ? { alarmEmail: String(alarmEmail) } : {}),
    table: tableCapacity(node),
  };
}

/** Warm throughput can only be raised above the table's current values; AWS refuses less than a new table's 12,000 / 4,000. */
const WARM_MIN = { warmReadUnits: 12_000, warmWriteUnits: 4_000 } as const;

function tableCapacity(node: Context): StackSettings['table'] {
  const out: StackSettings['table'] = {};
  for (const name of ['warmReadUnits', 'warmWriteUnits', 'maxReadUnits', 'maxWriteUnits'] as const) {
    const v = node.tryGetContext(name);
    if (v === undefined || v === null || v === '') continue;
    const min = name in WARM_MIN ? WARM_MIN[name as keyof typeof WARM_MIN] : 1;
    const n = num(v, 0, name, min);
    if (!Number.isInteger(n)) throw new Error(`context ${name} must be a whole number of units per second, got ${String(v)}`);
    out[name] = n;
  }
  if ((out.warmReadUnits === undefined) !== (out.warmWriteUnits === undefined))
    throw new Error('context warmReadUnits and warmWriteUnits go together (AWS takes both)');
  return out;
}
