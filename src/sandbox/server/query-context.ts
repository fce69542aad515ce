import { randomBytes } from 'node:crypto';
import type { JsonValue } from './json.js';

interface ContextEntry {
  id: number;
  timestamp: number;
  priority: number;
  context: string | null;
}

/** Entry id 0 is the session's own; Snowflake keeps its main context at the top priority. */
const MAIN_ENTRY_ID = 0;

/**
 * A session's query context: opaque entries the server sends with every result, which the
 * driver caches and sends back as `queryContextDTO` on the next statement. Entries the client
 * returns are kept as sent (newest timestamp wins), so whatever passes through comes back intact.
 */
export class QueryContext {
  readonly #entries = new Map<number, ContextEntry>();
  readonly #mainContext = randomBytes(24).toString('base64');
  #lastTimestamp = 0;

  /** Takes in a `queryContextDTO` from a query request; malformed entries are ignored. */
  absorb(dto: unknown): void {
    const entries = (dto as { entries?: unknown } | null)?.entries;
    if (!Array.isArray(entries)) return;
    for (const raw of entries) {
      const entry = entryFromDto(raw);
      if (entry !== null) this.#merge(entry);
    }
  }

  /** Marks that a statement ran and returns the `queryContext` member for its reply. */
  advance(): JsonValue {
    this.#merge({
      id: MAIN_ENTRY_ID,
      timestamp: this.#nextTimestamp(),
      priority: 0,
      context: this.#entries.get(MAIN_ENTRY_ID)?.context ?? this.#mainContext,
    });
    return this.snapshot();
  }

  snapshot(): JsonValue {
    const sorted = [...this.#entries.values()].sort((a, b) => a.priority - b.priority);
    return { entries: sorted.map((e) => ({ ...e })) };
  }

  #merge(entry: ContextEntry): void {
    const known = this.#entries.get(entry.id);
    if (known === undefined || known.timestamp <= entry.timestamp)
      this.#entries.set(entry.id, entry);
  }

  /** Microseconds, strictly increasing, as Snowflake's read timestamps are. */
  #nextTimestamp(): number {
    this.#lastTimestamp = Math.max(this.#lastTimestamp + 1, Date.now() * 1000);
    return this.#lastTimestamp;
  }
}

function entryFromDto(raw: unknown): ContextEntry | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const { id, timestamp, priority, context } = raw as Record<string, unknown>;
  if (![id, timestamp, priority].every((n) => Number.isSafeInteger(n))) return null;

  const data = (context as { base64Data?: unknown } | null)?.base64Data ?? context;
  return {
    id: id as number,
    timestamp: timestamp as number,
    priority: priority as number,
    context: typeof data === 'string' ? data : null,
  };
}
