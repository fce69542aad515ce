const cache = new Map<string, RegExp>();

/**
 * Compiles an access-rule glob: `*` matches any run of characters (slashes and colons included,
 * since principal names such as `repo:acme/app:ref:refs/heads/main` are not file paths), `?` one
 * character, and `\` makes the next character literal. The whole value must match.
 */
export function globToRegExp(pattern: string, ignoreCase = false): RegExp {
  const cacheKey = `${ignoreCase ? 'i' : 's'}:${pattern}`;
  const cached = cache.get(cacheKey);
  if (cached !== undefined) return cached;

  const compiled = new RegExp(`^${translate(pattern)}$`, ignoreCase ? 'si' : 's');
  cache.set(cacheKey, compiled);
  return compiled;
}

function translate(pattern: string): string {
  let source = '';
  for (let index = 0; index < pattern.length; index += 1) {
    const char = pattern[index]!;
    if (char === '\\' && index + 1 < pattern.length) {
      index += 1;
      source += escapeRegExp(pattern[index]!);
    } else if (char === '*') {
      source += '.*';
    } else if (char === '?') {
      source += '.';
    } else {
      source += escapeRegExp(char);
    }
  }
  return source;
}

function escapeRegExp(char: string): string {
  return char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** True when `value` matches at least one of `patterns`. */
export function matchesAny(
  value: string,
  patterns: readonly string[],
  ignoreCase = false,
): boolean {
  return patterns.some((pattern) => globToRegExp(pattern, ignoreCase).test(value));
}

/** True when the pattern has wildcards, i.e. is not a literal name. */
export function isGlob(pattern: string): boolean {
  return /[*?]/.test(pattern);
}
