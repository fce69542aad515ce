/**
 * What the gateway can tell about a statement from its text alone, before it runs: how many
 * statements the text holds, what kind each is, whether it moves files, and whether it sets the
 * session's QUERY_TAG. A small lexer that knows Snowflake's quoting and comments; it classifies,
 * it does not parse.
 */

/** Statement kinds recorded in the audit log (StatementEvent.statementType). */
export type StatementType =
  | 'SELECT'
  | 'INSERT'
  | 'UPDATE'
  | 'DELETE'
  | 'MERGE'
  | 'COPY'
  | 'DDL'
  | 'DCL'
  | 'ALTER_SESSION'
  | 'USE'
  | 'SHOW'
  | 'DESCRIBE'
  | 'TRANSACTION'
  | 'CALL'
  | 'FILE_TRANSFER'
  | 'MULTI'
  | 'OTHER';

const KEYWORD_TYPES: Record<string, StatementType> = {
  SELECT: 'SELECT',
  WITH: 'SELECT',
  VALUES: 'SELECT',
  EXPLAIN: 'SELECT',
  INSERT: 'INSERT',
  UPDATE: 'UPDATE',
  DELETE: 'DELETE',
  MERGE: 'MERGE',
  COPY: 'COPY',
  CREATE: 'DDL',
  DROP: 'DDL',
  TRUNCATE: 'DDL',
  UNDROP: 'DDL',
  COMMENT: 'DDL',
  GRANT: 'DCL',
  REVOKE: 'DCL',
  USE: 'USE',
  SHOW: 'SHOW',
  LIST: 'SHOW',
  LS: 'SHOW',
  DESCRIBE: 'DESCRIBE',
  DESC: 'DESCRIBE',
  BEGIN: 'TRANSACTION',
  START: 'TRANSACTION',
  COMMIT: 'TRANSACTION',
  ROLLBACK: 'TRANSACTION',
  CALL: 'CALL',
  EXECUTE: 'CALL',
  PUT: 'FILE_TRANSFER',
  GET: 'FILE_TRANSFER',
};

/** Index just past a quoted run that opens at `index` with `quote`; doubled quotes escape. */
function quotedEnd(text: string, index: number, quote: string): number {
  let i = index + 1;
  while (i < text.length) {
    const char = text[i];
    if (char === '\\' && quote === "'") i += 2;
    else if (char === quote && text[i + 1] === quote) i += 2;
    else if (char === quote) return i + 1;
    else i++;
  }
  return text.length;
}

/** Index just past a comment or quoted run at `index`, or `index` when none starts there. */
function skipOpaque(text: string, index: number): number {
  const pair = text.slice(index, index + 2);
  if (pair === '--' || pair === '//') {
    const newline = text.indexOf('\n', index);
    return newline === -1 ? text.length : newline + 1;
  }
  if (pair === '/*') {
    const close = text.indexOf('*/', index + 2);
    return close === -1 ? text.length : close + 2;
  }
  if (pair === '$$') {
    const close = text.indexOf('$$', index + 2);
    return close === -1 ? text.length : close + 2;
  }
  const char = text[index];
  if (char === "'" || char === '"') return quotedEnd(text, index, char);
  return index;
}

/** The text split on top-level semicolons, each piece trimmed, empty pieces dropped. */
export function splitStatements(text: string): string[] {
  const pieces: string[] = [];
  let start = 0;
  let i = 0;
  while (i < text.length) {
    const skipped = skipOpaque(text, i);
    if (skipped !== i) {
      i = skipped;
      continue;
    }
    if (text[i] === ';') {
      pieces.push(text.slice(start, i));
      start = i + 1;
    }
    i++;
  }
  pieces.push(text.slice(start));
  return pieces.map((piece) => piece.trim()).filter((piece) => hasCode(piece));
}

/** Whether a piece holds anything besides whitespace and comments. */
function hasCode(piece: string): boolean {
  return leadingWords(piece, 1).length > 0;
}

/** The first `count` words of a statement, upper-cased, past comments and opening brackets. */
export function leadingWords(text: string, count: number): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < text.length && words.length < count) {
    const skipped = text[i] === "'" || text[i] === '"' ? i : skipOpaque(text, i);
    if (skipped !== i) {
      i = skipped;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(text.slice(i, i + 128));
    if (word === null) {
      if (!/[\s(]/.test(text[i] ?? '')) break;
      i++;
      continue;
    }
    words.push(word[0].toUpperCase());
    i += word[0].length;
  }
  return words;
}

/** The kind of one statement, from its leading keywords. */
export function classifyStatement(text: string): StatementType {
  const [first, second] = leadingWords(text, 2);
  if (first === undefined) return 'OTHER';
  if (first === 'ALTER') return second === 'SESSION' ? 'ALTER_SESSION' : 'DDL';
  if (first === 'SET' || first === 'UNSET') return 'ALTER_SESSION';
  return KEYWORD_TYPES[first] ?? 'OTHER';
}

/** What the gateway learns about a statement text before forwarding it. */
export interface StatementShape {
  type: StatementType;
  /** The statements the text holds (one for most requests). */
  parts: string[];
  /** A PUT or GET anywhere in the text: these hand the client cloud-storage credentials. */
  transfersFiles: boolean;
}

/** The shape of a statement text; several statements make it MULTI. */
export function shapeOf(sqlText: string): StatementShape {
  const parts = splitStatements(sqlText);
  const types = parts.map(classifyStatement);
  const transfersFiles = types.includes('FILE_TRANSFER');
  if (parts.length > 1) return { type: 'MULTI', parts, transfersFiles };
  return { type: types[0] ?? 'OTHER', parts, transfersFiles };
}

/** A change to the session's QUERY_TAG made by `ALTER SESSION SET/UNSET`. */
export type QueryTagChange = { kind: 'set'; value: string } | { kind: 'unset' } | null;

const SET_QUERY_TAG = /\bQUERY_TAG\s*=\s*'((?:[^'\\]|\\.|'')*)'/i;
const UNSET_QUERY_TAG = /^\s*ALTER\s+SESSION\s+UNSET\b[\s\S]*\bQUERY_TAG\b/i;

/** The QUERY_TAG change an ALTER SESSION statement makes, if any. */
export function queryTagChange(statement: string): QueryTagChange {
  if (classifyStatement(statement) !== 'ALTER_SESSION') return null;
  if (UNSET_QUERY_TAG.test(statement)) return { kind: 'unset' };
  const match = SET_QUERY_TAG.exec(statement);
  if (match === null) return null;
  return { kind: 'set', value: unquote(match[1] ?? '') };
}

/** A single-quoted literal's content with its escapes resolved. */
function unquote(literal: string): string {
  return literal.replace(/''/g, "'").replace(/\\(.)/g, '$1');
}
