import { Dialect, tokenize } from '../sql/polyglot.js';

/** What CREATE or DROP of a database or schema names, read from the statement's tokens. */
export interface DdlTarget {
  /** The object's name parts (`[db, schema]` or `[name]`), upper-cased unless quoted. */
  parts: string[];
  orReplace: boolean;
  ifExists: boolean;
  ifNotExists: boolean;
  /** CLONE follows the name. */
  clone: boolean;
}

interface Token {
  token_type: string;
  text: string;
}

/** Words that may come before the name: CREATE OR REPLACE TRANSIENT SCHEMA IF NOT EXISTS. */
const PREFIX_WORDS = new Set([
  'CREATE',
  'DROP',
  'OR',
  'REPLACE',
  'TRANSIENT',
  'DATABASE',
  'SCHEMA',
]);

/**
 * Reads CREATE/DROP DATABASE/SCHEMA targets from tokens. polyglot-sql's tree drops OR REPLACE
 * and the quotes of a created database's name, and cannot parse `DROP SCHEMA db.schema`, so for
 * these four statements the tokens are the reliable source.
 */
export function ddlTarget(sql: string): DdlTarget {
  const tokens = tokensOf(sql);
  const words = tokens.map((token) => token.text.toUpperCase());
  let i = 0;
  while (i < tokens.length && PREFIX_WORDS.has(words[i] ?? '')) i++;

  const target: DdlTarget = {
    parts: [],
    orReplace: words.includes('REPLACE'),
    ifExists: false,
    ifNotExists: false,
    clone: words.includes('CLONE'),
  };
  if (words[i] === 'IF' && words[i + 1] === 'NOT' && words[i + 2] === 'EXISTS') {
    target.ifNotExists = true;
    i += 3;
  } else if (words[i] === 'IF' && words[i + 1] === 'EXISTS') {
    target.ifExists = true;
    i += 2;
  }
  target.parts = nameAt(tokens, i);
  return target;
}

function nameAt(tokens: Token[], start: number): string[] {
  const parts: string[] = [];
  for (let i = start; i < tokens.length; i += 2) {
    const token = tokens[i] as Token;
    parts.push(token.token_type === 'QUOTED_IDENTIFIER' ? token.text : token.text.toUpperCase());
    if (tokens[i + 1]?.token_type !== 'DOT') break;
  }
  return parts;
}

const DDL_KINDS: Record<string, string> = {
  'CREATE DATABASE': 'create_database',
  'DROP DATABASE': 'drop_database',
  'CREATE SCHEMA': 'create_schema',
  'DROP SCHEMA': 'drop_schema',
};

/**
 * `create_database`, `drop_database`, `create_schema` or `drop_schema` when the text is one of
 * these statements, else null. polyglot-sql fails on some of them (`DROP SCHEMA db.s`, a
 * database named WAREHOUSE), which the engine still runs from their tokens.
 */
export function databaseStatementKind(sql: string): string | null {
  const words = tokensOf(sql)
    .map((token) => token.text.toUpperCase())
    .filter((word) => word !== 'OR' && word !== 'REPLACE' && word !== 'TRANSIENT');
  return DDL_KINDS[`${words[0]} ${words[1]}`] ?? null;
}

function tokensOf(sql: string): Token[] {
  const result = tokenize(sql, Dialect.Snowflake);
  return (result.tokens ?? []) as unknown as Token[];
}
