import { unsupported } from '../errors.js';
import { type AstNode, fieldsOf, isIdentifier, isNode, rewrite } from './ast.js';

/** Name of the DuckDB table macro that stands in for Snowflake's FLATTEN. */
export const FLATTEN_MACRO = 'SF_FLATTEN';

/**
 * DuckDB table macro with FLATTEN's output columns (SEQ, KEY, PATH, INDEX, VALUE, THIS), built
 * on DuckDB's json_each. Created as a TEMP macro on each connection so it resolves whatever
 * database and schema the session is in.
 */
export const FLATTEN_MACRO_SQL = `CREATE OR REPLACE TEMP MACRO ${FLATTEN_MACRO}(input, json_path, keep_empty) AS TABLE
SELECT
  CAST(1 AS DECIMAL(38, 0)) AS "SEQ",
  CASE WHEN json_type(to_json(input), json_path) = 'OBJECT' THEN e.key END AS "KEY",
  regexp_replace(e.fullkey, '^\\$\\.?', '') AS "PATH",
  CASE WHEN json_type(to_json(input), json_path) = 'ARRAY'
    THEN CAST(e.key AS DECIMAL(38, 0)) END AS "INDEX",
  e.value AS "VALUE",
  json_extract(to_json(input), json_path) AS "THIS"
FROM (SELECT 1) AS one
LEFT JOIN json_each(to_json(input), json_path) AS e ON TRUE
WHERE keep_empty OR e.key IS NOT NULL`;

const POSITIONS = ['input', 'path', 'outer', 'recursive', 'mode'] as const;
type FlattenArgument = (typeof POSITIONS)[number];

/**
 * Replaces FLATTEN(...) calls (under LATERAL or TABLE(...)) with calls of {@link FLATTEN_MACRO}.
 * Returns true when the tree changed. RECURSIVE and MODE are refused, not ignored.
 */
export function rewriteFlatten(ast: unknown): boolean {
  let changed = false;
  rewrite(ast, (node) => {
    const table = tableWrapper(node);
    const call = fieldsOf(table ?? node, 'function');
    if (call === null || String(call.name).toLowerCase() !== 'flatten') return undefined;

    changed = true;
    return macroCall(flattenArguments(call));
  });
  return changed;
}

/** `TABLE(FLATTEN(...))`: the inner call, so the TABLE wrapper disappears with the rewrite. */
function tableWrapper(node: AstNode): AstNode | null {
  const call = fieldsOf(node, 'function');
  if (call === null || String(call.name).toLowerCase() !== 'table') return null;

  const args = call.args;
  if (!Array.isArray(args) || args.length !== 1) return null;
  const inner = fieldsOf(args[0], 'function');
  return inner !== null && String(inner.name).toLowerCase() === 'flatten'
    ? (args[0] as AstNode)
    : null;
}

function flattenArguments(call: AstNode): Map<FlattenArgument, unknown> {
  const found = new Map<FlattenArgument, unknown>();
  const args = Array.isArray(call.args) ? call.args : [];
  args.forEach((arg, position) => {
    const named = fieldsOf(arg, 'named_argument');
    const name =
      named !== null && isIdentifier(named.name)
        ? named.name.name.toLowerCase()
        : POSITIONS[position];
    if (!isFlattenArgument(name))
      throw unsupported(`FLATTEN argument ${String(name).toUpperCase()}`);
    found.set(name, named === null ? arg : named.value);
  });
  return found;
}

function isFlattenArgument(name: unknown): name is FlattenArgument {
  return typeof name === 'string' && (POSITIONS as readonly string[]).includes(name);
}

function macroCall(args: Map<FlattenArgument, unknown>): AstNode {
  if (!args.has('input')) throw unsupported('FLATTEN without INPUT');
  if (isTrue(args.get('recursive'))) throw unsupported('FLATTEN with RECURSIVE => TRUE');
  if (args.has('mode')) throw unsupported('FLATTEN with MODE');

  return {
    function: {
      name: FLATTEN_MACRO,
      args: [
        args.get('input'),
        jsonPathLiteral(args.get('path')),
        booleanLiteral(isTrue(args.get('outer'))),
      ],
      distinct: false,
      use_bracket_syntax: false,
      no_parens: false,
      quoted: false,
    },
  };
}

/** Snowflake's `a.b[0]` path as the `$.a.b[0]` JSON path json_each takes. */
function jsonPathLiteral(path: unknown): AstNode {
  if (path === undefined) return stringLiteral('$');

  const literal = fieldsOf(path, 'literal');
  if (literal === null || literal.literal_type !== 'string') {
    throw unsupported('FLATTEN with a PATH that is not a string literal');
  }
  const text = String(literal.value);
  if (text === '') return stringLiteral('$');
  return stringLiteral(text.startsWith('[') ? `$${text}` : `$.${text}`);
}

function isTrue(value: unknown): boolean {
  const boolean = fieldsOf(value, 'boolean');
  if (boolean !== null) return boolean.value === true;

  const literal = fieldsOf(value, 'literal');
  return isNode(literal) && String(literal.value).toUpperCase() === 'TRUE';
}

function stringLiteral(value: string): AstNode {
  return { literal: { literal_type: 'string', value } };
}

function booleanLiteral(value: boolean): AstNode {
  return { boolean: { value } };
}
