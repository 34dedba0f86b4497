import { DomainError } from '../../functions/core/errors.ts';

/** How a core write ended: 'ok', or the code of the DomainError it was refused with (anything else is thrown on). */
export async function codeOf(write: Promise<unknown>): Promise<string> {
  try {
    await write;
    return 'ok';
  } catch (err) {
    if (err instanceof DomainError) return err.code;
    throw err;
  }
}
