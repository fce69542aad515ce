import { leadingWords } from '../engines/snowflake/statements.js';

/**
 * Statement guardrails: statements the gateway refuses before they reach upstream, whatever the
 * access rule allows. Every connection logs in upstream as one shared user whose role the access
 * rule pins at login; a statement that changes the session's role would let any client take any
 * role that user holds, so role changes never pass.
 */

/** A role change a statement would make. */
export type RoleChange = 'USE ROLE' | 'USE SECONDARY ROLES';

/** A statement the guardrails refuse, and why, in words safe to show the client. */
export interface Refusal {
  /** Position of the refused statement in the request (0 for a single statement). */
  index: number;
  reason: string;
}

/**
 * `USE ROLE` or `USE SECONDARY ROLES` anywhere in a text, comments allowed between the words;
 * used on Snowflake Scripting text, whose body may sit in a string or `$$` block.
 */
const NESTED_ROLE_CHANGE = /\bUSE(?:\s|\/\*[\s\S]*?\*\/|(?:--|\/\/)[^\n]*\n)+(ROLE|SECONDARY)\b/i;

/**
 * The role change one statement makes, judged by its leading keywords past comments, whitespace
 * and brackets, in any case. Snowflake Scripting (`EXECUTE IMMEDIATE`, `BEGIN ... END`,
 * `DECLARE`) carries statements inside it, so its whole text is searched instead.
 */
export function roleChangeOf(statement: string): RoleChange | null {
  const [first, second] = leadingWords(statement, 2);
  if (first === 'USE' && second === 'ROLE') return 'USE ROLE';
  if (first === 'USE' && second === 'SECONDARY') return 'USE SECONDARY ROLES';
  if (!runsScript(first, second)) return null;

  const nested = NESTED_ROLE_CHANGE.exec(statement);
  if (nested === null) return null;
  return nested[1]?.toUpperCase() === 'ROLE' ? 'USE ROLE' : 'USE SECONDARY ROLES';
}

/** Whether a statement is Snowflake Scripting that may run statements of its own. */
function runsScript(first: string | undefined, second: string | undefined): boolean {
  if (first === 'EXECUTE') return second === 'IMMEDIATE';
  if (first === 'BEGIN') return second !== 'TRANSACTION' && second !== 'WORK';
  return first === 'DECLARE';
}

/**
 * The first statement of a request the guardrails refuse, or null when all may run. A request
 * holding several statements is refused whole if any one of them is refused.
 */
export function refusedStatement(statements: readonly string[]): Refusal | null {
  for (const [index, statement] of statements.entries()) {
    const change = roleChangeOf(statement);
    if (change !== null) return { index, reason: roleChangeReason(change) };
  }
  return null;
}

function roleChangeReason(change: RoleChange): string {
  return `${change} is refused: the gateway sets the role at login from the access rule, and a session may not change it`;
}
