/**
 * Helpers over polyglot-sql's JSON syntax tree. Every node is an object with one key naming its
 * kind (`select`, `column`, `cast`, ...) whose value holds the node's fields; identifiers are
 * `{ name, quoted, trailing_comments }` objects.
 */

/** A node of the syntax tree, as polyglot-sql serializes it. */
export type AstNode = { [key: string]: unknown };

/** An identifier as it appears in the tree. */
export interface Identifier {
  name: string;
  quoted: boolean;
  trailing_comments?: unknown[];
  span?: unknown;
}

export function isNode(value: unknown): value is AstNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * True for identifier objects. Function-call nodes also carry `name` and `quoted`, so the test
 * is that no key other than the identifier's own is present.
 */
export function isIdentifier(value: unknown): value is Identifier {
  if (!isNode(value)) return false;
  if (typeof value.name !== 'string' || typeof value.quoted !== 'boolean') return false;
  return Object.keys(value).every(
    (key) => key === 'name' || key === 'quoted' || key === 'trailing_comments' || key === 'span',
  );
}

/** The single kind key of a node (`select`, `insert`, ...), or null for a bare object. */
export function kindOf(node: unknown): string | null {
  if (!isNode(node)) return null;
  const keys = Object.keys(node);
  return keys.length === 1 ? (keys[0] ?? null) : null;
}

/** The fields of a node of the given kind, or null when the node is of another kind. */
export function fieldsOf(node: unknown, kind: string): AstNode | null {
  if (!isNode(node)) return null;
  const fields = node[kind];
  return isNode(fields) ? fields : null;
}

/**
 * Visits every object in the tree, depth first, parents before children. The visitor may
 * replace the node it is given by returning a new one; returning undefined keeps it.
 */
export function rewrite(value: unknown, visit: (node: AstNode) => AstNode | undefined): unknown {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = rewrite(value[i], visit);
    return value;
  }
  if (!isNode(value)) return value;

  const replaced = visit(value) ?? value;
  for (const key of Object.keys(replaced)) replaced[key] = rewrite(replaced[key], visit);
  return replaced;
}

/** Finds the first node for which `test` holds, depth first. */
export function findNode(value: unknown, test: (node: AstNode) => boolean): AstNode | null {
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = findNode(item, test);
      if (found !== null) return found;
    }
    return null;
  }
  if (!isNode(value)) return null;
  if (test(value)) return value;

  for (const child of Object.values(value)) {
    const found = findNode(child, test);
    if (found !== null) return found;
  }
  return null;
}

/** Snowflake's case rule: an unquoted identifier means its upper-case spelling. */
export function snowflakeName(identifier: Identifier): string {
  return identifier.quoted ? identifier.name : identifier.name.toUpperCase();
}

/** A quoted identifier node naming exactly `name`. */
export function quotedIdentifier(name: string): AstNode {
  return { name, quoted: true, trailing_comments: [] };
}
