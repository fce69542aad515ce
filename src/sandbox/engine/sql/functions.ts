import { unsupported } from '../errors.js';
import { type AstNode, fieldsOf, rewrite } from './ast.js';

/**
 * Snowflake functions whose polyglot-sql translation gives a different answer on DuckDB, rewritten
 * in the Snowflake tree to calls of the sandbox's own DuckDB macros (see macros.ts) before the
 * tree is transpiled:
 *
 * - DATEDIFF: polyglot casts both sides to DATE, which loses hours, minutes and seconds.
 * - TO_VARCHAR / TO_CHAR: DuckDB has neither, and polyglot keeps Snowflake's format pattern.
 * - Division: DuckDB answers x / 0 with Infinity or NULL, Snowflake with an error.
 */
export function rewriteFunctions(ast: unknown): void {
  rewrite(ast, (node) => {
    const division = fieldsOf(node, 'div');
    if (division !== null) return functionCall('SF_DIV', [division.left, division.right]);

    const dateDiff = fieldsOf(node, 'date_diff');
    if (dateDiff !== null) return dateDiffCall(dateDiff);

    const call = fieldsOf(node, 'function');
    if (call === null) return undefined;
    const name = String(call.name).toLowerCase();
    if (name === 'to_varchar' || name === 'to_char') return toVarcharCall(call);
    return undefined;
  });
}

function dateDiffCall(fields: AstNode): AstNode {
  const unit = String(fields.unit ?? 'day').toLowerCase();
  return functionCall('SF_DATEDIFF', [stringLiteral(unit), fields.expression, fields.this]);
}

function toVarcharCall(call: AstNode): AstNode {
  const args = Array.isArray(call.args) ? call.args : [];
  if (args.length === 1) return functionCall('SF_TO_VARCHAR', args);

  const format = fieldsOf(args[1], 'literal');
  if (args.length !== 2 || format === null || format.literal_type !== 'string') {
    throw unsupported('TO_VARCHAR with a format that is not a string literal');
  }
  return functionCall('STRFTIME', [args[0], stringLiteral(strftimePattern(String(format.value)))]);
}

/** Snowflake's date and time format elements and their strftime spelling, longest first. */
const FORMAT_ELEMENTS: [string, string][] = [
  ['YYYY', '%Y'],
  ['HH24', '%H'],
  ['HH12', '%I'],
  ['MMMM', '%B'],
  ['TZH:TZM', '%z'],
  ['FF9', '%n'],
  ['FF6', '%f'],
  ['FF3', '%g'],
  ['MON', '%b'],
  ['DY', '%a'],
  ['YY', '%y'],
  ['MM', '%m'],
  ['DD', '%d'],
  ['HH', '%I'],
  ['MI', '%M'],
  ['SS', '%S'],
  ['AM', '%p'],
  ['PM', '%p'],
  ['FF', '%n'],
];

/**
 * Converts a Snowflake date/time format (`YYYY-MM-DD HH24:MI:SS`) to a strftime pattern.
 * Text in double quotes is literal; a numeric format (`999.99`) is refused.
 */
export function strftimePattern(format: string): string {
  let pattern = '';
  let i = 0;
  while (i < format.length) {
    const char = format[i] as string;
    if (char === '"') {
      const end = format.indexOf('"', i + 1);
      const literal = end === -1 ? format.slice(i + 1) : format.slice(i + 1, end);
      pattern += literal.replaceAll('%', '%%');
      i = end === -1 ? format.length : end + 1;
      continue;
    }

    const element = FORMAT_ELEMENTS.find(
      ([name]) => format.slice(i, i + name.length).toUpperCase() === name,
    );
    if (element !== undefined) {
      pattern += element[1];
      i += element[0].length;
      continue;
    }

    if (/[0-9]/.test(char)) throw unsupported('TO_VARCHAR with a numeric format');
    pattern += char === '%' ? '%%' : char;
    i++;
  }
  return pattern;
}

function functionCall(name: string, args: unknown[]): AstNode {
  return {
    function: {
      name,
      args,
      distinct: false,
      use_bracket_syntax: false,
      no_parens: false,
      quoted: false,
    },
  };
}

function stringLiteral(value: string): AstNode {
  return { literal: { literal_type: 'string', value } };
}
