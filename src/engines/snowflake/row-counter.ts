/**
 * Counts the rows of a JSON result chunk as it streams past. A chunk body is rows joined by
 * commas without the outer brackets (`["a",null],["b","1"]`), so every `[` at depth zero outside
 * a string opens a row. Strings are skipped with native searches for `"` and `\`, which is where
 * almost all of a chunk's bytes are.
 */

const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \
const OPEN_BRACKET = 0x5b; // [
const CLOSE_BRACKET = 0x5d; // ]
const OPEN_BRACE = 0x7b; // {
const CLOSE_BRACE = 0x7d; // }

/** Not yet searched for in the current buffer (indexOf returns -1 for "none left"). */
const UNSEARCHED = -2;

export class JsonRowCounter {
  /** Rows seen so far. */
  rows = 0;
  /** Plain (inflated) bytes seen so far. */
  bytes = 0;
  #depth = 0;
  #inString = false;
  #escaped = false;

  /** Feeds the next piece of the chunk body. */
  push(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    const scan = { quote: UNSEARCHED, backslash: UNSEARCHED };
    let i = 0;
    while (i < chunk.length) {
      i = this.#inString ? this.#insideString(chunk, i, scan) : this.#outsideString(chunk, i);
    }
  }

  /** Steps past one structural byte outside any string. */
  #outsideString(chunk: Uint8Array, i: number): number {
    const code = chunk[i];
    if (code === QUOTE) this.#inString = true;
    else if (code === OPEN_BRACKET) this.#open(true);
    else if (code === OPEN_BRACE) this.#open(false);
    else if (code === CLOSE_BRACKET || code === CLOSE_BRACE) this.#depth--;
    return i + 1;
  }

  #open(isArray: boolean): void {
    if (isArray && this.#depth === 0) this.rows++;
    this.#depth++;
  }

  /** Jumps to the end of the string (or of the buffer, if the string goes on). */
  #insideString(chunk: Uint8Array, i: number, scan: { quote: number; backslash: number }): number {
    if (this.#escaped) {
      this.#escaped = false;
      return i + 1;
    }
    if (scan.backslash !== -1 && scan.backslash < i) {
      scan.backslash = indexOf(chunk, BACKSLASH, i);
    }
    if (scan.quote !== -1 && scan.quote < i) scan.quote = indexOf(chunk, QUOTE, i);

    const escapeFirst = scan.backslash !== -1 && (scan.quote === -1 || scan.backslash < scan.quote);
    if (escapeFirst) return this.#skipEscape(chunk, scan.backslash);
    if (scan.quote === -1) return chunk.length;

    this.#inString = false;
    return scan.quote + 1;
  }

  /** Steps over a backslash and the character it escapes, which may be in the next buffer. */
  #skipEscape(chunk: Uint8Array, backslash: number): number {
    if (backslash + 1 < chunk.length) return backslash + 2;
    this.#escaped = true;
    return chunk.length;
  }
}

function indexOf(chunk: Uint8Array, byte: number, from: number): number {
  return chunk.indexOf(byte, from);
}
