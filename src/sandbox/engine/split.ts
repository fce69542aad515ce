import { compilationError } from './errors.js';
import { Dialect, tokenize } from './sql/polyglot.js';

interface Token {
  token_type: string;
  span: { start: number; end: number };
}

/**
 * Splits a multi-statement text (a seed file, a request with MULTI_STATEMENT_COUNT) into its
 * statements. Semicolons inside strings, quoted identifiers, `$$` blocks and comments do not
 * split; statements holding nothing but comments are dropped.
 */
export function splitStatements(text: string): string[] {
  const result = tokenize(text, Dialect.Snowflake);
  if (!result.success || !result.tokens) {
    throw compilationError('syntax', 'syntax error line 1 at position 0 unexpected end of input.');
  }

  const statements: string[] = [];
  let first: Token | null = null;
  let last: Token | null = null;
  for (const token of result.tokens as unknown as Token[]) {
    if (token.token_type !== 'SEMICOLON') {
      first ??= token;
      last = token;
      continue;
    }
    if (first !== null && last !== null)
      statements.push(text.slice(first.span.start, last.span.end));
    first = null;
    last = null;
  }
  if (first !== null && last !== null) statements.push(text.slice(first.span.start, last.span.end));
  return statements;
}
