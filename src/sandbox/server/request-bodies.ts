import { z } from 'zod';
import type { Bind } from '../engine/types.js';
import { requestInvalid } from './errors.js';
import type { StatementRequest } from './statements.js';

// Request bodies as the drivers send them. Unknown members are allowed: drivers add fields
// from release to release, and Snowflake ignores what it does not use.

const loginBody = z.object({
  data: z.looseObject({
    ACCOUNT_NAME: z.string().optional(),
    LOGIN_NAME: z.string().optional(),
    PASSWORD: z.string().optional(),
    TOKEN: z.string().optional(),
    AUTHENTICATOR: z.string().optional(),
    CLIENT_APP_ID: z.string().optional(),
    CLIENT_APP_VERSION: z.string().optional(),
    SESSION_PARAMETERS: z.record(z.string(), z.unknown()).nullish(),
  }),
});

export type LoginData = z.infer<typeof loginBody>['data'];

const bindValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

const queryBody = z.looseObject({
  sqlText: z.string(),
  bindings: z
    .record(
      z.string(),
      z.object({ type: z.string(), value: z.union([bindValue, z.array(bindValue)]) }),
    )
    .nullish(),
  bindStage: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  asyncExec: z.boolean().nullish(),
  describeOnly: z.boolean().nullish(),
  queryContextDTO: z.unknown().optional(),
});

/** A parsed query request: the statement plus what only the protocol layer uses. */
export interface QueryRequestBody extends StatementRequest {
  asyncExec: boolean;
  bindStage: string | null;
  queryContextDTO: unknown;
}

const renewBody = z.looseObject({
  requestType: z.string(),
  oldSessionToken: z.string(),
});

const abortBody = z.looseObject({ requestId: z.string().min(1) });

export function parseLoginBody(body: unknown): LoginData {
  return parseWith(loginBody, body).data;
}

export function parseQueryBody(body: unknown): QueryRequestBody {
  const parsed = parseWith(queryBody, body);
  return {
    sqlText: parsed.sqlText,
    binds: bindsOf(parsed.bindings ?? {}),
    statementCount: statementCountOf(parsed.parameters?.MULTI_STATEMENT_COUNT),
    describeOnly: parsed.describeOnly ?? false,
    asyncExec: parsed.asyncExec ?? false,
    bindStage: parsed.bindStage ?? null,
    queryContextDTO: parsed.queryContextDTO,
  };
}

export function parseRenewBody(body: unknown): { requestType: string; oldSessionToken: string } {
  return parseWith(renewBody, body);
}

export function parseAbortBody(body: unknown): { requestId: string } {
  return parseWith(abortBody, body);
}

/** Validates, turning the first problem into a 400 that names the member, never its value. */
function parseWith<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;

  const issue = result.error.issues[0];
  const path = issue?.path.join('.') || 'body';
  throw requestInvalid(`${path}: ${issue?.message ?? 'invalid'}`);
}

type BindValue = z.infer<typeof bindValue>;

/** Positional binds ordered by their number: the keys must be 1..n. */
function bindsOf(
  bindings: Record<string, { type: string; value: BindValue | BindValue[] }>,
): Bind[] {
  const entries = Object.entries(bindings);
  const binds: Bind[] = new Array(entries.length);
  for (const [key, bind] of entries) {
    const position = Number(key);
    const taken = binds[position - 1] !== undefined;
    if (!Number.isInteger(position) || position < 1 || position > entries.length || taken) {
      throw requestInvalid(
        `bindings: key '${key.slice(0, 20)}' is not a position 1..${entries.length}`,
      );
    }
    binds[position - 1] = { type: bind.type.toUpperCase(), value: bindText(bind.value) };
  }
  return binds;
}

function bindText(value: BindValue | BindValue[]): string | null | (string | null)[] {
  if (Array.isArray(value)) return value.map((v) => (v === null ? null : String(v)));
  return value === null ? null : String(value);
}

function statementCountOf(value: unknown): number | null {
  if (value === undefined || value === null) return null;
  const count = Number(value);
  if (!Number.isInteger(count) || count < 0) {
    throw requestInvalid('parameters.MULTI_STATEMENT_COUNT: not a non-negative integer');
  }
  return count;
}
