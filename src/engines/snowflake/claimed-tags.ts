import { objectField, stringField } from './codec.js';

/**
 * Tags a client asserts about itself. Anyone can send them, so they prove nothing; the audit log
 * keeps them apart from the tags of the verified token (AuditEventBase.claimedTags).
 */

/** Longest claimed tag value kept; longer values are cut, since clients choose them freely. */
const MAX_TAG_LENGTH = 512;

/** CLIENT_ENVIRONMENT keys that name an AI model, e.g. `MODEL`, `AI_MODEL`, `LLM_MODEL_NAME`. */
const MODEL_KEY = /MODEL/i;

/** A tag value as a bounded string; objects and empty values are not tags. */
function tagValue(value: unknown): string | null {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value !== 'string' || value.length === 0) return null;
  return value.slice(0, MAX_TAG_LENGTH);
}

function put(tags: Record<string, string>, key: string, value: unknown): void {
  const text = tagValue(value);
  if (text !== null) tags[key] = text;
}

/**
 * The claimed tags of a login request's `data`: `client_app_id`, `client_app_version`,
 * `application`, `query_tag` (SESSION_PARAMETERS.QUERY_TAG), and any model names found in
 * CLIENT_ENVIRONMENT (under their key in lower case).
 */
export function loginClaimedTags(data: Record<string, unknown>): Record<string, string> {
  const tags: Record<string, string> = {};
  put(tags, 'client_app_id', data.CLIENT_APP_ID);
  put(tags, 'client_app_version', data.CLIENT_APP_VERSION);

  const environment = objectField(data, 'CLIENT_ENVIRONMENT') ?? {};
  put(tags, 'application', environment.APPLICATION);
  for (const [key, value] of Object.entries(environment)) {
    if (MODEL_KEY.test(key)) put(tags, key.toLowerCase(), value);
  }

  const sessionParameters = objectField(data, 'SESSION_PARAMETERS') ?? {};
  put(tags, 'query_tag', sessionParameters.QUERY_TAG);
  return tags;
}

/** The session's claimed tags with a statement's own QUERY_TAG parameter laid over them. */
export function statementClaimedTags(
  sessionTags: Record<string, string>,
  parameters: Record<string, unknown> | null,
): Record<string, string> {
  const queryTag = tagValue(parameters?.QUERY_TAG);
  if (queryTag === null) return sessionTags;
  return { ...sessionTags, query_tag: queryTag };
}

/** The client application and version a login names, for AuditEventBase.clientApp/Version. */
export function clientApplication(data: Record<string, unknown>): {
  app: string | null;
  version: string | null;
} {
  return {
    app: stringField(data, 'CLIENT_APP_ID'),
    version: stringField(data, 'CLIENT_APP_VERSION'),
  };
}
