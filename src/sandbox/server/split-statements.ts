/** One statement of a request's SQL text, with how many `?` placeholders it holds. */
export interface SplitStatement {
  text: string;
  placeholders: number;
}

/**
 * Splits SQL text into statements at top-level semicolons, the way Snowflake counts them for
 * MULTI_STATEMENT_COUNT: semicolons inside 'strings', "identifiers", $$dollar strings$$, and
 * -- or // or block comments do not split. Pieces holding only comments and blanks are dropped.
 */
export function splitStatements(sqlText: string): SplitStatement[] {
  const statements: SplitStatement[] = [];
  let start = 0;
  let placeholders = 0;
  let hasCode = false;
  let i = 0;

  while (i < sqlText.length) {
    const skipped = skipQuotedOrComment(sqlText, i);
    if (skipped > i) {
      hasCode ||= !isCommentAt(sqlText, i);
      i = skipped;
      continue;
    }

    const ch = sqlText[i];
    if (ch === ';') {
      if (hasCode) statements.push({ text: sqlText.slice(start, i).trim(), placeholders });
      start = i + 1;
      placeholders = 0;
      hasCode = false;
    } else if (ch === '?') {
      placeholders += 1;
      hasCode = true;
    } else if (ch !== undefined && !/\s/.test(ch)) {
      hasCode = true;
    }
    i += 1;
  }

  if (hasCode) statements.push({ text: sqlText.slice(start).trim(), placeholders });
  return statements;
}

function isCommentAt(text: string, i: number): boolean {
  const two = text.slice(i, i + 2);
  return two === '--' || two === '//' || two === '/*';
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
