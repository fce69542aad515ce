import type { JWTPayload } from 'jose';
import type { IssuerConfig } from '../config/types.js';
import { TokenError } from './token-error.js';
import type { Principal } from './types.js';

const PLACEHOLDER = /\{([^{}\s]+)\}/g;

/**
 * A claim as an audit tag value: strings as they are, numbers and booleans as text, arrays and
 * objects as JSON. Absent and null claims have no text.
 */
export function claimText(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function requiredClaim(claims: JWTPayload, claim: string, issuer: string): string {
  const text = claimText(claims[claim]);
  if (text !== null && text !== '') return text;
  const message = `claim '${claim}' is missing; issuer ${issuer} maps it to the principal name`;
  throw new TokenError('TG_TOKEN_CLAIM_MISSING', message, { claim, issuer });
}

/**
 * The principal name from an issuer's mapping: a claim name (`sub`) or a template
 * (`{repository}@{ref}`) whose every claim must be present.
 */
export function principalName(mapping: string, claims: JWTPayload, issuer: string): string {
  if (!mapping.includes('{')) return requiredClaim(claims, mapping, issuer);
  return mapping.replace(PLACEHOLDER, (_, claim: string) => requiredClaim(claims, claim, issuer));
}

/** Audit tags from claims; a tag whose claim is absent is left out. */
export function mapTags(tags: Record<string, string>, claims: JWTPayload): Record<string, string> {
  const mapped: Record<string, string> = {};
  for (const [tag, claim] of Object.entries(tags)) {
    const text = claimText(claims[claim]);
    if (text !== null) mapped[tag] = text;
  }
  return mapped;
}

/** Turns the verified claims of a token from `issuer` into the principal the gateway acts for. */
export function principalFromClaims(issuer: IssuerConfig, claims: JWTPayload): Principal {
  if (typeof claims.sub !== 'string' || claims.sub === '') {
    const message = "claim 'sub' is missing or not a string";
    throw new TokenError('TG_TOKEN_CLAIM_MISSING', message, {
      claim: 'sub',
      issuer: issuer.issuer,
    });
  }

  return {
    name: principalName(issuer.claims.principal, claims, issuer.issuer),
    issuer: issuer.issuer,
    subject: claims.sub,
    tags: mapTags(issuer.claims.tags, claims),
    claims: { ...claims },
  };
}
