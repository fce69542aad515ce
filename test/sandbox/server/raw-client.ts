import { randomUUID } from 'node:crypto';

/**
 * A bare HTTP client of the sandbox's REST protocol, for what the Node driver cannot show:
 * raw reply text (64-bit ids), Arrow results, chunk downloads, malformed requests.
 */
export interface RawReply {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown>;
}

export async function send(
  baseUrl: string,
  method: string,
  path: string,
  options: {
    token?: string;
    body?: unknown;
    rawBody?: Uint8Array | string;
    headers?: Record<string, string>;
  } = {},
): Promise<RawReply> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (options.token !== undefined) headers.authorization = `Snowflake Token="${options.token}"`;
  let body: Uint8Array | string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${baseUrl}${path}`, { method, headers, body: body ?? null });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: parseOrEmpty(text) };
}

function parseOrEmpty(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** A logged-in raw session: its tokens and the reply text it came with. */
export interface RawSession {
  token: string;
  masterToken: string;
  loginText: string;
}

export async function login(
  baseUrl: string,
  data: Record<string, unknown> = {},
  query = '',
): Promise<RawSession> {
  const reply = await send(
    baseUrl,
    'POST',
    `/session/v1/login-request?requestId=${randomUUID()}${query}`,
    {
      body: {
        data: {
          ACCOUNT_NAME: 'SANDBOX',
          LOGIN_NAME: 'raw_user',
          PASSWORD: 'anything',
          CLIENT_APP_ID: 'RawHttpTest',
          CLIENT_APP_VERSION: '1.0',
          ...data,
        },
      },
    },
  );
  const loginData = reply.json.data as { token?: string; masterToken?: string } | undefined;
  if (reply.json.success !== true || !loginData?.token || !loginData.masterToken) {
    throw new Error(`login failed: ${reply.text}`);
  }
  return { token: loginData.token, masterToken: loginData.masterToken, loginText: reply.text };
}

/** POST /queries/v1/query-request; returns the reply and the requestId it used. */
export async function runQuery(
  baseUrl: string,
  session: RawSession,
  body: Record<string, unknown>,
  requestId: string = randomUUID(),
): Promise<RawReply & { requestId: string }> {
  const reply = await send(baseUrl, 'POST', `/queries/v1/query-request?requestId=${requestId}`, {
    token: session.token,
    body,
  });
  return { ...reply, requestId };
}
