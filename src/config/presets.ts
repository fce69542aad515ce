import type { IssuerPreset } from './types.js';

/** What a preset contributes to an issuer entry; the entry's own keys take precedence. */
export interface ClaimPreset {
  /** The issuer URL used when the entry names none. */
  issuer: string;
  principal: string;
  tags: Record<string, string>;
}

/** Tags named after the claims they come from. */
function sameNameTags(claims: readonly string[]): Record<string, string> {
  return Object.fromEntries(claims.map((claim) => [claim, claim]));
}

/**
 * Claim mappings for CI job tokens. The principal is `sub`, which both issuers build from the
 * project and what triggered the job (`repo:acme/widgets:ref:refs/heads/main`,
 * `project_path:acme/widgets:ref_type:branch:ref:main`), so access rules can match on it with
 * globs. Claims: https://docs.github.com/en/actions/reference/openid-connect-reference and
 * https://docs.gitlab.com/ci/secrets/id_token_authentication/
 */
export const CLAIM_PRESETS: Record<IssuerPreset, ClaimPreset> = {
  'github-actions': {
    issuer: 'https://token.actions.githubusercontent.com',
    principal: 'sub',
    tags: sameNameTags([
      'repository',
      'repository_id',
      'ref',
      'sha',
      'run_id',
      'run_attempt',
      'workflow',
      'actor',
      'environment',
    ]),
  },
  'gitlab-ci': {
    issuer: 'https://gitlab.com',
    principal: 'sub',
    tags: sameNameTags([
      'project_path',
      'project_id',
      'ref',
      'sha',
      'pipeline_id',
      'job_id',
      'user_login',
    ]),
  },
};

/** The mapping for an issuer with no preset: the principal is `sub` and there are no tags. */
export const NO_PRESET: Omit<ClaimPreset, 'issuer'> = { principal: 'sub', tags: {} };
