/** Who an agent is, as established from a verified token. */
export interface Principal {
  /** The name access rules and the audit log use, from the issuer's claim mapping. */
  name: string;
  issuer: string;
  subject: string;
  /** Audit tags mapped from verified claims: repository, ref, run_id, model, ... */
  tags: Record<string, string>;
  /** Every verified claim, for access rules that match on claims. */
  claims: Record<string, unknown>;
}

/** Verifies a bearer token and maps it to a principal; throws TollgateError (TG_TOKEN_*). */
export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
}
