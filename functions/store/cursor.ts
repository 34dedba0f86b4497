import { DomainError } from '../core/errors.ts';

/** Opaque cursors: the index position after the last SKU of a page. The tenant is never in it. */
export function encodeCursor(pos: Record<string, string>): string {
  return Buffer.from(JSON.stringify(pos)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined, fields: string[]): Record<string, string> | undefined {
  if (!cursor) return undefined;
  try {
    const pos = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (pos && typeof pos === 'object' && fields.every((f) => typeof pos[f] === 'string')) return pos;
  } catch {
    /* fall through */
  }
  throw new DomainError('VALIDATION_ERROR', 'cursor: is not a cursor this API returned', [{ field: 'cursor', message: 'invalid' }]);
}
