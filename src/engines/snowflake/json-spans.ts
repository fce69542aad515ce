/**
 * Reading and editing JSON text without parsing it into JavaScript values. Snowflake replies carry
 * integers past 2^53 (`sessionId`) and opaque state the client must get back byte for byte
 * (`queryContext`), so Tollgate locates the members it needs and splices text instead of
 * round-tripping the whole reply through `JSON.parse` and `JSON.stringify`.
 */

/** A half-open character range `[start, end)` of a JSON value inside a text. */
export interface Span {
  start: number;
  end: number;
}

const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \
const OPEN_BRACE = 0x7b; // {
const CLOSE_BRACE = 0x7d; // }
const OPEN_BRACKET = 0x5b; // [
const CLOSE_BRACKET = 0x5d; // ]
const COMMA = 0x2c; // ,
const COLON = 0x3a; // :

function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

/** Index of the first non-whitespace character at or after `index`. */
export function skipWhitespace(text: string, index: number): number {
  let i = index;
  while (i < text.length && isWhitespace(text.charCodeAt(i))) i++;
  return i;
}

/** Index just past the string literal that opens at `index`. */
function stringEnd(text: string, index: number): number {
  let i = index + 1;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === BACKSLASH) i += 2;
    else if (code === QUOTE) return i + 1;
    else i++;
  }
  throw new SyntaxError('unterminated JSON string');
}

/** Index just past the object or array that opens at `index`. */
function containerEnd(text: string, index: number): number {
  let depth = 0;
  let i = index;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      i = stringEnd(text, i);
      continue;
    }
    if (code === OPEN_BRACE || code === OPEN_BRACKET) depth++;
    else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) depth--;
    i++;
    if (depth === 0) return i;
  }
  throw new SyntaxError('unterminated JSON container');
}

/** Index just past a number, `true`, `false` or `null` that starts at `index`. */
function scalarEnd(text: string, index: number): number {
  let i = index;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === COMMA || code === CLOSE_BRACE || code === CLOSE_BRACKET || isWhitespace(code)) {
      break;
    }
    i++;
  }
  if (i === index) throw new SyntaxError(`unexpected JSON text at ${index}`);
  return i;
}

/** Index just past the JSON value that starts at `index` (after any whitespace). */
export function valueEnd(text: string, index: number): number {
  const start = skipWhitespace(text, index);
  const code = text.charCodeAt(start);
  if (code === QUOTE) return stringEnd(text, start);
  if (code === OPEN_BRACE || code === OPEN_BRACKET) return containerEnd(text, start);
  return scalarEnd(text, start);
}

/**
 * The members of the JSON object that opens at `index`, each as the span of its value. Keys are
 * decoded; values are left as text. Throws SyntaxError on text that is not an object.
 */
export function objectMembers(text: string, index: number): Map<string, Span> {
  const members = new Map<string, Span>();
  let i = skipWhitespace(text, index);
  if (text.charCodeAt(i) !== OPEN_BRACE) throw new SyntaxError('expected a JSON object');
  i = skipWhitespace(text, i + 1);
  if (text.charCodeAt(i) === CLOSE_BRACE) return members;

  for (;;) {
    const keyEnd = stringEnd(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    i = skipWhitespace(text, keyEnd);
    if (text.charCodeAt(i) !== COLON) throw new SyntaxError('expected ":" in JSON object');

    const start = skipWhitespace(text, i + 1);
    const end = valueEnd(text, start);
    members.set(key, { start, end });

    i = skipWhitespace(text, end);
    const next = text.charCodeAt(i);
    if (next === CLOSE_BRACE) return members;
    if (next !== COMMA) throw new SyntaxError('expected "," in JSON object');
    i = skipWhitespace(text, i + 1);
  }
}

/** The raw text of a span. */
export function spanText(text: string, span: Span): string {
  return text.slice(span.start, span.end);
}

/** A replacement of one span's text. */
export interface Splice {
  span: Span;
  text: string;
}

/** The text with each span replaced; spans must not overlap. */
export function applySplices(text: string, splices: Splice[]): string {
  const ordered = [...splices].sort((a, b) => a.span.start - b.span.start);
  const parts: string[] = [];
  let cursor = 0;
  for (const splice of ordered) {
    parts.push(text.slice(cursor, splice.span.start), splice.text);
    cursor = splice.span.end;
  }
  parts.push(text.slice(cursor));
  return parts.join('');
}
