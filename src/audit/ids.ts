import { randomBytes } from 'node:crypto';

/** Crockford's base32 alphabet: no I, L, O or U, so ids read aloud without confusion. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

const TIME_CHARS = 10;
const RANDOM_BYTES = 10;

/**
 * Makes sortable ids: 26 characters, 10 encoding the millisecond time and 16 encoding 80 random
 * bits (the layout of a ULID). Sorting ids as strings sorts them by time; within one millisecond,
 * or when the clock steps back, one generator increments the random part so its ids stay ordered.
 */
export class SortableIdGenerator {
  #lastTime = -1;
  /** The ten characters of `#lastTime`: a batch of ids made in one millisecond shares them. */
  #timePart = '';
  #random: Buffer = Buffer.alloc(RANDOM_BYTES);

  next(now: number = Date.now()): string {
    if (now > this.#lastTime) {
      this.#setTime(now);
      this.#random = randomBytes(RANDOM_BYTES);
    } else if (!increment(this.#random)) {
      // 2^80 ids in one millisecond cannot happen in practice; borrow the next millisecond anyway.
      this.#setTime(this.#lastTime + 1);
    }

    return this.#timePart + encodeRandom(this.#random);
  }

  #setTime(time: number): void {
    this.#lastTime = time;
    this.#timePart = encodeBase32(time, TIME_CHARS);
  }
}

const shared = new SortableIdGenerator();

/** A new sortable id from the process-wide generator (for record ids and statement ids). */
export function newAuditId(): string {
  return shared.next();
}

/** Adds one to a big-endian byte string; false when it wrapped around to zero. */
function increment(bytes: Buffer): boolean {
  for (let index = bytes.length - 1; index >= 0; index -= 1) {
    const next = (bytes[index]! + 1) & 0xff;
    bytes[index] = next;
    if (next !== 0) return true;
  }
  return false;
}

/** 80 bits as 16 characters, five bytes (40 bits, exact in a double) at a time. */
function encodeRandom(bytes: Buffer): string {
  return encodeBase32(bytes.readUIntBE(0, 5), 8) + encodeBase32(bytes.readUIntBE(5, 5), 8);
}

function encodeBase32(value: number, chars: number): string {
  let rest = value;
  let text = '';
  for (let index = 0; index < chars; index += 1) {
    text = ALPHABET[rest % 32] + text;
    rest = Math.floor(rest / 32);
  }
  return text;
}
