import { compilationError } from './errors.js';
import { Dialect, tokenize } from './sql/polyglot.js';

interface Token {
  token_type: string;
  text: string;
  /** Offsets in Unicode code points, not JavaScript (UTF-16) string indices. */
  span: { start: number; end: number };
}

/** One statement of a multi-statement text, with how many `?` placeholders it holds. */
export interface StatementPiece {
  text: string;
  placeholders: number;
}

/**
 * Splits a multi-statement text (a seed file, a request with MULTI_STATEMENT_COUNT) into its
 * statements. Semicolons inside strings, quoted identifiers, `$$` blocks and comments do not
 * split; statements holding nothing but comments are dropped.
 */
export function splitStatements(text: string): string[] {
  return splitStatementPieces(text).map((piece) => piece.text);
}

/**
 * {@link splitStatements}, also counting each statement's `?` placeholders, so positional binds
 * can be handed out statement by statement.
 */
export function splitStatementPieces(text: string): StatementPiece[] {
  const tokens = tokensOf(text);
  const indexOf = utf16IndexOf(text);
  const pieces: StatementPiece[] = [];
  let first: Token | null = null;
  let last: Token | null = null;
  let placeholders = 0;

  const finish = () => {
    if (first === null || last === null) return;
    pieces.push({
      text: text.slice(indexOf(first.span.start), indexOf(last.span.end)),
      placeholders,
    });
  };
  for (const token of tokens) {
    if (token.token_type !== 'SEMICOLON') {
      first ??= token;
      last = token;
      if (token.token_type === 'PARAMETER' && token.text === '?') placeholders += 1;
      continue;
    }
    finish();
    first = null;
    last = null;
    placeholders = 0;
  }
  finish();
  return pieces;
}

function tokensOf(text: string): Token[] {
  const result = tokenize(text, Dialect.Snowflake);
  if (!result.success || !result.tokens) {
    throw compilationError('syntax', 'syntax error line 1 at position 0 unexpected end of input.');
  }
  return result.tokens as unknown as Token[];
}

/**
 * Maps the tokenizer's code-point offsets to string indices. They differ once the text holds a
 * character outside the Basic Multilingual Plane (an emoji, say), which takes two UTF-16 units.
 */
function utf16IndexOf(text: string): (codePoint: number) => number {
  if (!/[\uD800-\uDBFF]/.test(text)) return (codePoint) => codePoint;

  const indices: number[] = [];
  let index = 0;
  for (const char of text) {
    indices.push(index);
    index += char.length;
  }
  indices.push(index);
  return (codePoint) => indices[codePoint] ?? text.length;
}
