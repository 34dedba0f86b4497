/**
 * Typed domain errors. The core throws these; each HTTP family renders them in its own shape
 * (functions/edge/render.ts). `status` is the HTTP status of the inventory family; the admin
 * family maps a few of them differently (Medusa's shape), see render.ts.
 */
export type ErrorCode =
  | 'VALIDATION_ERROR'
  | 'INVALID_QUANTITY'
  | 'NEGATIVE_QUANTITY'
  | 'NOT_FOUND'
  | 'INVENTORY_NOT_FOUND'
  | 'WAREHOUSE_NOT_FOUND'
  | 'INSUFFICIENT_STOCK'
  | 'QUANTITY_MISMATCH'
  | 'CONFLICT'
  | 'DUPLICATE'
  | 'READONLY_WAREHOUSE'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'FORBIDDEN_WAREHOUSE'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'TOO_MANY_UPDATES'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'HOLD_EXPIRED'
  | 'HOLD_TOO_LARGE'
  | 'TRANSFER_TOO_LARGE'
  | 'HAS_RESERVATIONS';

const STATUS: Record<ErrorCode, number> = {
  VALIDATION_ERROR: 400,
  INVALID_QUANTITY: 422,
  NEGATIVE_QUANTITY: 422,
  NOT_FOUND: 404,
  INVENTORY_NOT_FOUND: 404,
  WAREHOUSE_NOT_FOUND: 404,
  INSUFFICIENT_STOCK: 409,
  QUANTITY_MISMATCH: 409,
  CONFLICT: 409,
  DUPLICATE: 409,
  READONLY_WAREHOUSE: 403,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  FORBIDDEN_WAREHOUSE: 403,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  TOO_MANY_UPDATES: 422,
  IDEMPOTENCY_KEY_REUSED: 422,
  HOLD_EXPIRED: 410,
  HOLD_TOO_LARGE: 422,
  TRANSFER_TOO_LARGE: 422,
  // deleting an item or a level that still has open reservations (admin routes only; Medusa's 400 not_allowed)
  HAS_RESERVATIONS: 400,
};

export interface ErrorDetail {
  field: string;
  message: string;
}

export class DomainError extends Error {
  readonly status: number;
  /**
   * The request's own quantities were negative (each quantity the input got wrong was below zero):
   * the admin family answers those 400 as Medusa does, the other families by the code's status.
   */
  negativeInput = false;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetail[],
    /** Extra facts a client can act on, e.g. the current quantity of a QUANTITY_MISMATCH. */
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
    this.status = STATUS[code];
  }
}

export const notFound = (what: string, id: string, code: ErrorCode = 'NOT_FOUND') => new DomainError(code, `${what} with id: ${id} was not found`);

export const validation = (field: string, message: string) => new DomainError('VALIDATION_ERROR', `${field}: ${message}`, [{ field, message }]);

export const insufficientStock = (sku: string, locationId: string, available: number, requested: number) =>
  new DomainError(
    'INSUFFICIENT_STOCK',
    `Not enough stock available for item ${sku} at location ${locationId}: requested ${requested}, available ${available}`,
    undefined,
    { available_quantity: available, requested_quantity: requested },
  );

export const negativeQuantity = (field: string, current: number, change: number) =>
  new DomainError('NEGATIVE_QUANTITY', `${field} cannot become negative: current ${current}, change ${change}`, [{ field, message: 'would become negative' }], {
    current_quantity: current,
  });

/** A relative write (adjust, transfer) that would take a stock quantity above the maximum an absolute set accepts. */
export const quantityTooLarge = (field: string, current: number, change: number, max: number) =>
  new DomainError(
    'INVALID_QUANTITY',
    `${field}: the stocked quantity would become ${current + change}, above the maximum ${max} (current ${current}, change ${change})`,
    [{ field, message: `would take the stocked quantity above ${max}` }],
    { current_quantity: current },
  );

export const readonlyWarehouse = (locationId: string) =>
  new DomainError('READONLY_WAREHOUSE', `Stock location ${locationId} is read-only: its stock cannot be changed here`);

export const quantityMismatch = (expected: number, current: number) =>
  new DomainError(
    'QUANTITY_MISMATCH',
    `expected_quantity ${expected} does not match the current stocked quantity ${current}`,
    [{ field: 'expected_quantity', message: `current stocked quantity is ${current}` }],
    { current_quantity: current },
  );
