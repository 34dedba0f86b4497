/**
 * CORS as the HTTP API is configured with it (lib/inventory-stack.ts `corsPreflight`, when the
 * `corsOrigins` context names origins) and as the local server answers it (INVENTORY_CORS_ORIGINS):
 * one definition for both. With origins, API Gateway answers every OPTIONS preflight itself (there
 * is no OPTIONS route) and adds the CORS headers to responses for an allowed `Origin`; without, it
 * has no OPTIONS route at all (404). It ignores CORS headers the functions return.
 */
export const CORS_ALLOW_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export const CORS_ALLOW_HEADERS = ['authorization', 'x-api-key', 'content-type', 'idempotency-key'] as const;
export const CORS_MAX_AGE_SECONDS = 3600;

/** `https://a.example, https://b.example` (or a list) → the origins; `*` allows any. */
export function parseOrigins(value: unknown): string[] {
  return (Array.isArray(value) ? value.map(String) : String(value ?? '').split(',')).map((s) => s.trim()).filter(Boolean);
}

/** The origin to answer in `access-control-allow-origin` for a request from `origin`, if allowed. */
export function allowedOrigin(origins: readonly string[], origin: string | undefined): string | undefined {
  if (!origin || !origins.length) return undefined;
  if (origins.includes('*')) return '*';
  return origins.includes(origin) ? origin : undefined;
}

/** The headers of a preflight answer (204) for an allowed origin. */
export function preflightHeaders(allowOrigin: string): Record<string, string> {
  return {
    'access-control-allow-origin': allowOrigin,
    'access-control-allow-methods': CORS_ALLOW_METHODS.join(','),
    'access-control-allow-headers': CORS_ALLOW_HEADERS.join(','),
    'access-control-max-age': String(CORS_MAX_AGE_SECONDS),
    ...(allowOrigin === '*' ? {} : { vary: 'origin' }),
  };
}
