import { unsupported } from '../errors.js';
import { type AstNode, fieldsOf, kindOf, rewrite } from './ast.js';

type CallRewrite = (call: AstNode) => AstNode;

/** Calls by their Snowflake name, rewritten to what runs the same on DuckDB. */
const CALL_REWRITES: Record<string, CallRewrite> = {
  to_varchar: toVarcharCall,
  to_char: toVarcharCall,
  to_binary: toBinaryCall,
  dateadd: dateAddCall,
  timestampadd: dateAddCall,
  timeadd: dateAddCall,
  object_construct: objectConstructCall,
  // DuckDB spells CURRENT_TIMESTAMP without parentheses, which polyglot adds.
  current_timestamp: () => functionCall('GET_CURRENT_TIMESTAMP', []),
  localtimestamp: () => functionCall('GET_CURRENT_TIMESTAMP', []),
  systimestamp: () => functionCall('GET_CURRENT_TIMESTAMP', []),
  getdate: () => functionCall('GET_CURRENT_TIMESTAMP', []),
  // Arrays may be DuckDB lists (ARRAY_CONSTRUCT) or JSON (VARIANT); the macros take both.
  get: (call) => functionCall('SF_GET', argsOf(call)),
  object_keys: (call) => functionCall('SF_OBJECT_KEYS', argsOf(call)),
  to_variant: (call) => functionCall('SF_TO_VARIANT', argsOf(call)),
};

/** Functions polyglot-sql parses into nodes of their own, by node kind. */
const NODE_REWRITES: Record<string, CallRewrite> = {
  array_size: (fields) => functionCall('SF_ARRAY_SIZE', [fields.this]),
  array_contains: (fields) => functionCall('SF_ARRAY_CONTAINS', [fields.this, fields.expression]),
  // polyglot writes DuckDB's starts_with as STARTSWITH, which DuckDB does not have.
  starts_with: (fields) => functionCall('SF_STARTS_WITH', [fields.this, fields.expression]),
};

/**
 * Snowflake functions whose polyglot-sql translation gives a different answer on DuckDB, or
 * none, rewritten in the Snowflake tree (to DuckDB functions or the sandbox's macros, see
 * macros.ts) before the tree is transpiled:
 *
 * - DATEDIFF: polyglot casts both sides to DATE, which loses hours, minutes and seconds.
 * - DATEADD: polyglot's `x + INTERVAL n DAY` only parses when n is a literal.
 * - TO_VARCHAR / TO_CHAR: DuckDB has neither, and polyglot keeps Snowflake's format pattern.
 * - TO_NUMBER and friends: DuckDB has no such function; they become (TRY_)CAST to DECIMAL.
 * - OBJECT_CONSTRUCT: polyglot builds a DuckDB struct, which cannot mix value types.
 * - TO_BINARY: DuckDB has unhex, from_base64 and encode instead.
 * - Casts to VARCHAR: DuckDB casts a JSON string to its JSON text, quotes included.
 * - Casts to VARIANT: DuckDB's CAST AS JSON parses strings; Snowflake keeps them strings.
 * - x[n] and GET(x, n): DuckDB lists count from 1, Snowflake arrays from 0.
 * - Division: DuckDB answers x / 0 with Infinity or NULL, Snowflake with an error.
 */
export function rewriteFunctions(ast: unknown): void {
  rewrite(ast, (node) => {
    const cast = fieldsOf(node, 'cast') ?? fieldsOf(node, 'try_cast');
    if (cast !== null && isStringType(cast.to)) return functionCall('SF_TO_VARCHAR', [cast.this]);
    if (cast !== null && isSemiStructured(cast.to))
      return functionCall('SF_TO_VARIANT', [cast.this]);

    const division = fieldsOf(node, 'div');
    if (division !== null) return functionCall('SF_DIV', [division.left, division.right]);

    const dateDiff = fieldsOf(node, 'date_diff');
    if (dateDiff !== null) return dateDiffCall(dateDiff);

    const toNumber = fieldsOf(node, 'to_number');
    if (toNumber !== null) return toNumberCast(toNumber);

    const subscript = fieldsOf(node, 'subscript');
    if (subscript !== null && !isStringLiteral(subscript.index)) {
      return functionCall('SF_GET', [subscript.this, subscript.index]);
    }

    const call = fieldsOf(node, 'function');
    if (call !== null) return CALL_REWRITES[String(call.name).toLowerCase()]?.(call);

    const kind = kindOf(node) ?? '';
    const fields = fieldsOf(node, kind);
    return fields === null ? undefined : NODE_REWRITES[kind]?.(fields);
  });
}

function argsOf(call: AstNode): unknown[] {
  return Array.isArray(call.args) ? call.args : [];
}

function isStringLiteral(node: unknown): boolean {
  return fieldsOf(node, 'literal')?.literal_type === 'string';
}

/** TO_NUMBER(x [, precision [, scale]]) as CAST(x AS DECIMAL(p, s)); TRY_ forms as TRY_CAST. */
function toNumberCast(fields: AstNode): AstNode {
  if (fields.format !== null && fields.format !== undefined)
    throw unsupported('TO_NUMBER with a format');
  const precision = Number(fieldsOf(fields.precision, 'literal')?.value ?? 38);
  const scale = Number(fieldsOf(fields.scale, 'literal')?.value ?? 0);
  const kind = fieldsOf(fields.safe, 'boolean')?.value === true ? 'try_cast' : 'cast';
  return {
    [kind]: {
      this: fields.this,
      to: { data_type: 'custom', name: `DECIMAL(${precision}, ${scale})` },
      trailing_comments: [],
      double_colon_syntax: false,
    },
  };
}

const STRING_TYPES = new Set(['var_char', 'char', 'string', 'text']);
const SEMI_STRUCTURED = new Set(['VARIANT', 'OBJECT', 'ARRAY']);

/**
 * `x::VARIANT` wraps x as a VARIANT: a string stays a string. DuckDB's CAST(x AS JSON) would
 * parse the string as JSON instead, which is PARSE_JSON's job.
 */
function isSemiStructured(type: unknown): boolean {
  const fields = type as AstNode | null;
  return fields?.data_type === 'custom' && SEMI_STRUCTURED.has(String(fields.name).toUpperCase());
}

function isStringType(type: unknown): boolean {
  return (
    typeof type === 'object' &&
    type !== null &&
    STRING_TYPES.has(String((type as AstNode).data_type))
  );
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

/** Snowflake's date part names and abbreviations, by the unit DuckDB calls them. */
const DATE_PARTS: Record<string, string[]> = {
  year: ['y', 'yy', 'yyy', 'yyyy', 'yr', 'years', 'yrs'],
  quarter: ['q', 'qtr', 'qtrs', 'quarters'],
  month: ['mm', 'mon', 'mons', 'months'],
  week: ['w', 'wk', 'weekofyear', 'woy', 'wy', 'weeks'],
  day: ['d', 'dd', 'days', 'dayofmonth'],
  hour: ['h', 'hh', 'hr', 'hours', 'hrs'],
  minute: ['m', 'mi', 'min', 'minutes', 'mins'],
  second: ['s', 'sec', 'seconds', 'secs'],
  millisecond: ['ms', 'msec', 'milliseconds'],
  microsecond: ['us', 'usec', 'microseconds'],
  nanosecond: ['ns', 'nsec', 'nanosec', 'nanoseconds', 'nanosecs'],
};

function datePart(node: unknown): string {
  const text = String(fieldsOf(node, 'var')?.this ?? fieldsOf(node, 'literal')?.value ?? '');
  const lower = text.toLowerCase();
  const part = Object.entries(DATE_PARTS).find(
    ([unit, aliases]) => unit === lower || aliases.includes(lower),
  );
  if (part === undefined) throw unsupported(`date part '${text}'`);
  return part[0];
}

/**
 * DATEADD(part, n, x) as SF_DATEADD('part', n, x). polyglot writes `x + INTERVAL n DAY`, which
 * DuckDB only parses when n is a literal.
 */
function dateAddCall(call: AstNode): AstNode {
  const args = argsOf(call);
  if (args.length !== 3) throw unsupported('DATEADD without three arguments');
  return functionCall('SF_DATEADD', [stringLiteral(datePart(args[0])), args[1], args[2]]);
}

/**
 * OBJECT_CONSTRUCT as DuckDB's json_object: Snowflake objects mix value types, which a DuckDB
 * struct (polyglot-sql's translation) cannot, and the `:` path operators work on JSON.
 */
function objectConstructCall(call: AstNode): AstNode {
  const args = Array.isArray(call.args) ? call.args : [];
  if (args.some((arg) => kindOf(arg) === 'star')) throw unsupported('OBJECT_CONSTRUCT(*)');
  return functionCall('JSON_OBJECT', args);
}

/** TO_BINARY(text [, 'HEX' | 'BASE64' | 'UTF-8']), HEX being Snowflake's default input format. */
function toBinaryCall(call: AstNode): AstNode {
  const args = Array.isArray(call.args) ? call.args : [];
  const format = args.length === 1 ? 'HEX' : String(fieldsOf(args[1], 'literal')?.value ?? '');
  switch (format.toUpperCase()) {
    case 'HEX':
      return functionCall('UNHEX', [args[0]]);
    case 'BASE64':
      return functionCall('FROM_BASE64', [args[0]]);
    case 'UTF-8':
    case 'UTF8':
      return functionCall('ENCODE', [args[0]]);
    default:
      throw unsupported(`TO_BINARY with format '${format}'`);
  }
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
