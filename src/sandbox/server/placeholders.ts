/**
 * Counts the `?` bind markers of one statement, skipping those inside 'strings',
 * "identifiers", $$dollar strings$$ and comments. Positional binds are numbered across a whole
 * multi-statement request, so each statement takes as many binds as it has markers.
 */
export function countPlaceholders(sqlText: string): number {
  let count = 0;
  let i = 0;
  while (i < sqlText.length) {
    const skipped = skipQuotedOrComment(sqlText, i);
    if (skipped > i) {
      i = skipped;
      continue;
    }
    if (sqlText[i] === '?') count += 1;
    i += 1;
  }
  return count;
}

/** If a string, quoted identifier or comment starts at `i`, the index just past it; else `i`. */
function skipQuotedOrComment(text: string, i: number): number {
  const two = text.slice(i, i + 2);
  if (two === '--' || two === '//') return endOf(text, '\n', i + 2);
  if (two === '/*') return endOf(text, '*/', i + 2);
  if (two === '$$') return endOf(text, '$$', i + 2);

  const ch = text[i];
  if (ch === "'") return endOfQuoted(text, "'", i + 1, true);
  if (ch === '"') return endOfQuoted(text, '"', i + 1, false);
  return i;
}

/** Index past the next `terminator` at or after `from`, or the end of the text if unterminated. */
function endOf(text: string, terminator: string, from: number): number {
  const at = text.indexOf(terminator, from);
  return at === -1 ? text.length : at + terminator.length;
}

/** Quoted text where the quote doubles to escape itself, and (for strings) backslash escapes. */
function endOfQuoted(text: string, quote: string, from: number, backslashEscapes: boolean): number {
  let i = from;
  while (i < text.length) {
    const ch = text[i];
    if (backslashEscapes && ch === '\\') {
      i += 2;
    } else if (ch === quote && text[i + 1] === quote) {
      i += 2;
    } else if (ch === quote) {
      return i + 1;
    } else {
      i += 1;
    }
  }
  return text.length;
}
