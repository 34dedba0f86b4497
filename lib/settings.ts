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
  };
}
