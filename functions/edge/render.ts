/** Each family renders a domain error in its own shape, here and only here. */
import type { DomainError } from '../core/errors.ts';
import type { Family } from '../routes.ts';

const MEDUSA_TYPE: Record<string, string> = {
  VALIDATION_ERROR: 'invalid_data',
  INVALID_QUANTITY: 'invalid_data',
  NEGATIVE_QUANTITY: 'invalid_data',
  NOT_FOUND: 'not_found',
  INVENTORY_NOT_FOUND: 'not_found',
  WAREHOUSE_NOT_FOUND: 'not_found',
  INSUFFICIENT_STOCK: 'not_allowed',
  QUANTITY_MISMATCH: 'conflict',
  CONFLICT: 'conflict',
  DUPLICATE: 'duplicate_error',
  READONLY_WAREHOUSE: 'not_allowed',
  UNAUTHORIZED: 'unauthorized',
  FORBIDDEN: 'not_allowed',
  FORBIDDEN_WAREHOUSE: 'not_allowed',
  UNSUPPORTED_MEDIA_TYPE: 'invalid_data',
  PAYLOAD_TOO_LARGE: 'invalid_data',
  IDEMPOTENCY_KEY_REUSED: 'conflict',
  TOO_MANY_UPDATES: 'invalid_data',
  HAS_RESERVATIONS: 'not_allowed',
};

/**
 * The admin family's HTTP status where Medusa's differs from the code's own: insufficient stock
 * (400 not_allowed), and a negative quantity — one the request gave, or one a stock change would
 * leave — (400 invalid_data, Medusa's validation answer). Other quantity errors keep 422.
 */
function adminStatus(err: DomainError): number {
  if (err.code === 'INSUFFICIENT_STOCK' || err.code === 'NEGATIVE_QUANTITY') return 400;
  if (err.code === 'INVALID_QUANTITY' && err.negativeInput) return 400;
  return err.status;
}

export interface Rendered {
  status: number;
  body: unknown;
}

export function renderError(family: Family, err: DomainError): Rendered {
  if (family === 'admin') {
    return {
      status: adminStatus(err),
      body: {
        type: MEDUSA_TYPE[err.code] ?? 'invalid_data',
        code: err.code,
        message: err.message,
        ...(err.details ? { details: err.details } : {}),
        ...(err.extra ?? {}),
      },
    };
  }
  if (family === 'records') {
    return { status: err.status, body: { status: false, code: err.code, message: err.message } };
  }
  return {
    status: err.status,
    body: { error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}), ...(err.extra ?? {}) } },
  };
}

export function renderUnexpected(family: Family): Rendered {
  const message = 'An unexpected error occurred';
  if (family === 'admin') return { status: 500, body: { type: 'unknown_error', code: 'INTERNAL_ERROR', message } };
  if (family === 'records') return { status: 500, body: { status: false, code: 'INTERNAL_ERROR', message } };
  return { status: 500, body: { error: { code: 'INTERNAL_ERROR', message } } };
}
