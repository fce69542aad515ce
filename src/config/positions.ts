import { type Document, isMap, isPair, isScalar, isSeq, type LineCounter, type Node } from 'yaml';

/** A 1-based line and column in the YAML file. */
export interface Position {
  line: number;
  column: number;
}

export type KeyPath = ReadonlyArray<PropertyKey>;

/** The node a key path leads to, and how much of the path could be followed. */
interface Located {
  node: Node | null;
  /** The key node of the last pair followed, for values that are empty (`key:`). */
  keyNode: Node | null;
  followed: number;
}

/** The entry of a map or sequence under one path segment, or null when it is not there. */
function child(node: Node, segment: PropertyKey): { value: Node | null; key: Node | null } | null {
  if (isMap(node)) {
    const pair = node.items.find((item) => isScalar(item.key) && item.key.value === segment);
    if (pair === undefined) return null;
    return { value: asNode(pair.value), key: asNode(pair.key) };
  }
  if (isSeq(node) && typeof segment === 'number') {
    const item = node.items[segment];
    return item === undefined ? null : { value: asNode(item), key: null };
  }
  return null;
}

function asNode(value: unknown): Node | null {
  if (value === null || value === undefined || isPair(value)) return null;
  return value as Node;
}

/** Follows `path` from the document root as far as the file has it. */
function locate(document: Document, path: KeyPath): Located {
  let node = asNode(document.contents);
  let keyNode: Node | null = null;
  let followed = 0;

  for (const segment of path) {
    if (node === null) break;
    const next = child(node, segment);
    if (next === null) break;
    node = next.value;
    keyNode = next.key;
    followed += 1;
  }

  return { node, keyNode, followed };
}

/** Where `path` is written: the value, its key when the value is empty, or the nearest parent. */
export function positionOf(
  document: Document,
  lineCounter: LineCounter,
  path: KeyPath,
  options: { preferKey?: boolean } = {},
): { position: Position; found: boolean } {
  const located = locate(document, path);
  const anchor = options.preferKey ? (located.keyNode ?? located.node) : located.node;
  const offset = (anchor ?? located.keyNode)?.range?.[0] ?? 0;
  const { line, col } = lineCounter.linePos(offset);

  return { position: { line, column: col }, found: located.followed === path.length };
}

/** `issuers[0].claims.tags.run` style, as people read key paths. */
export function formatKeyPath(path: KeyPath): string {
  return path.reduce<string>((text, segment) => {
    if (typeof segment === 'number') return `${text}[${segment}]`;
    return text === '' ? String(segment) : `${text}.${String(segment)}`;
  }, '');
}
