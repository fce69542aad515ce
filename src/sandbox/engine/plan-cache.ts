import { type ParsedStatement, planQuery, type QueryPlan } from './translate.js';

/**
 * Translated statements by their exact text, least recently used first out. Translation parses
 * and rewrites the statement several times; clients repeat the same statements, and a plan does
 * not depend on the session that made it.
 */
export class PlanCache {
  readonly #plans = new Map<string, QueryPlan>();
  readonly #capacity: number;

  constructor(capacity = 1000) {
    this.#capacity = capacity;
  }

  get(sql: string): QueryPlan | undefined {
    const plan = this.#plans.get(sql);
    if (plan !== undefined) {
      this.#plans.delete(sql);
      this.#plans.set(sql, plan);
    }
    return plan;
  }

  /** Translates a parsed statement and remembers the result. */
  plan(statement: ParsedStatement): QueryPlan {
    const plan = planQuery(statement);
    this.#plans.set(statement.sql, plan);
    if (this.#plans.size > this.#capacity) {
      const oldest = this.#plans.keys().next().value;
      if (oldest !== undefined) this.#plans.delete(oldest);
    }
    return plan;
  }
}
