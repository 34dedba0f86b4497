import { randomBytes } from 'node:crypto';

// Crockford base32, as ULID: ids sort by creation time and carry 80 random bits.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function ulid(now = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const bytes = randomBytes(16);
  let rand = '';
  for (let i = 0; i < 16; i++) rand += ALPHABET[bytes[i] & 31];
  return time + rand;
}

export const newId = (prefix: 'iitem' | 'ilev' | 'res' | 'wh' | 'adj' | 'pvitem' | 'key' | 'trf' | 'hold' | 'inb') => `${prefix}_${ulid()}`;
