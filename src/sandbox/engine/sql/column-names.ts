import { Dialect, tokenize } from './polyglot.js';

interface Token {
  token_type: string;
  text: string;
  span: { start: number; end: number };
}

/** Tokens that end a SELECT list when met outside parentheses. */
const LIST_END = new Set([
  'FROM',
  'WHERE',
  'GROUP',
  'GROUP_BY',
  'HAVING',
  'QUALIFY',
  'ORDER',
  'ORDER_BY',
  'LIMIT',
  'UNION',
  'EXCEPT',
  'MINUS',
  'INTERSECT',
  'WINDOW',
  'SEMICOLON',
  'INTO',
  'FETCH',
  'OFFSET',
]);

const OPENERS = new Set(['L_PAREN', 'L_BRACKET', 'L_BRACE']);
const CLOSERS = new Set(['R_PAREN', 'R_BRACKET', 'R_BRACE']);

/**
 * The names Snowflake gives the items of a statement's outermost SELECT list: the item's text
 * as written, upper-cased outside quoted identifiers (`select count(*)` gives `COUNT(*)`).
 * Null when the statement has no SELECT list this can find.
 */
export function selectItemNames(sql: string): string[] | null {
  const result = tokenize(sql, Dialect.Snowflake);
  if (!result.success || !result.tokens) return null;

  const tokens = result.tokens as unknown as Token[];
  const start = listStart(tokens);
  if (start === null) return null;
  return splitItems(tokens, start).map((item) => itemName(sql, item));
}

function listStart(tokens: Token[]): number | null {
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const type = tokens[i]?.token_type ?? '';
    depth += depthChange(type);
    if (depth === 0 && type === 'SELECT') return skipModifiers(tokens, i + 1);
  }
  return null;
}

function skipModifiers(tokens: Token[], index: number): number {
  let i = index;
  while (tokens[i]?.token_type === 'DISTINCT' || tokens[i]?.token_type === 'ALL') i++;
  if (tokens[i]?.token_type === 'TOP') i += 2;
  return i;
}

function splitItems(tokens: Token[], start: number): Token[][] {
  const items: Token[][] = [[]];
  let depth = 0;
  for (let i = start; i < tokens.length; i++) {
    const token = tokens[i] as Token;
    depth += depthChange(token.token_type);
    if (depth < 0 || (depth === 0 && endsList(token, tokens[i - 1]))) break;
    if (depth === 0 && token.token_type === 'COMMA') items.push([]);
    else items[items.length - 1]?.push(token);
  }
  return items;
}

/** `WITHIN GROUP (ORDER BY ...)` belongs to an aggregate, not to the statement. */
function endsList(token: Token, previous: Token | undefined): boolean {
  if (!LIST_END.has(token.token_type)) return false;
  return !(token.token_type === 'GROUP' && previous?.text.toUpperCase() === 'WITHIN');
}

function depthChange(type: string): number {
  if (OPENERS.has(type)) return 1;
  return CLOSERS.has(type) ? -1 : 0;
}

function itemName(sql: string, item: Token[]): string {
  let name = '';
  for (let i = 0; i < item.length; i++) {
    const token = item[i] as Token;
    const previous = item[i - 1];
    if (previous !== undefined) name += sql.slice(previous.span.end, token.span.start);
    const text = sql.slice(token.span.start, token.span.end);
    name += token.token_type === 'QUOTED_IDENTIFIER' ? text : text.toUpperCase();
  }
  return name;
}
