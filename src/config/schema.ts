import { z } from 'zod';
import { ASYMMETRIC_ALGORITHMS, MAX_CLOCK_LEEWAY_SECONDS } from './types.js';

/**
 * The YAML file's shape, as written by a person. Defaults that do not depend on where the file
 * lives are applied here; load.ts resolves paths and presets into `TollgateConfig`. Every object
 * is strict, so a misspelt key is reported rather than silently ignored.
 */

/** A zod issue param that makes the issue carry a code other than TG_CONFIG_INVALID. */
export const SECRET_INLINE_PARAM = 'secretInline';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** True for https URLs, and for http ones on a loopback address (tests, the dev issuer). */
export function isTrustworthyUrl(value: string): boolean {
  const url = URL.canParse(value) ? new URL(value) : null;
  if (url === null) return false;
  return (
    url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))
  );
}

const nonEmpty = z.string().trim().min(1, 'must not be empty');

const envName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name such as SF_PASSWORD');

const port = z.number().int().min(0).max(65535);

const globs = z.union([nonEmpty, z.array(nonEmpty).min(1)]).transform(toArray);

function toArray(value: string | string[]): string[] {
  return Array.isArray(value) ? value : [value];
}

const tlsSchema = z.strictObject({ cert: nonEmpty, key: nonEmpty });

const listenerSchema = z.strictObject({
  host: nonEmpty.default('127.0.0.1'),
  port,
  tls: tlsSchema.optional(),
});

const listenersSchema = z.strictObject({
  snowflake: listenerSchema,
  admin: listenerSchema.optional(),
});

const auditSchema = z.strictObject({
  path: nonEmpty.optional(),
  durability: z.enum(['default', 'fsync']).default('default'),
  failOpen: z.boolean().default(false),
  binds: z.enum(['recorded', 'hashed', 'omitted']).default('hashed'),
});

/** Why an algorithm name is refused, or null when it is one Tollgate accepts. */
export function algorithmProblem(alg: string): string | null {
  if (alg.toLowerCase() === 'none') return "'none' means unsigned tokens and is never accepted";
  if (/^HS\d+$/i.test(alg)) {
    return `'${alg}' is an HMAC algorithm; only asymmetric signatures are accepted (RFC 8725)`;
  }
  if ((ASYMMETRIC_ALGORITHMS as readonly string[]).includes(alg)) return null;
  return `'${alg}' is not a supported algorithm; use one of ${ASYMMETRIC_ALGORITHMS.join(', ')}`;
}

const algorithmsSchema = z
  .array(z.string())
  .min(1)
  .default(['RS256', 'ES256'])
  .superRefine((algorithms, ctx) => {
    algorithms.forEach((alg, index) => {
      const problem = algorithmProblem(alg);
      if (problem !== null) ctx.addIssue({ code: 'custom', message: problem, path: [index] });
    });
  });

/** Placeholders are `{claim}`; anything else in braces is a typo worth reporting. */
function isWellFormedTemplate(template: string): boolean {
  return !/[{}]/.test(template.replace(/\{[^{}\s]+\}/g, ''));
}

const claimMappingSchema = z.strictObject({
  principal: nonEmpty
    .refine(isWellFormedTemplate, 'must be a claim name or a template like {repository}@{ref}')
    .optional(),
  tags: z.record(nonEmpty, nonEmpty).default({}),
});

const issuerSchema = z.strictObject({
  issuer: nonEmpty
    .refine(isTrustworthyUrl, 'must be an https URL (or http on a loopback address)')
    .optional(),
  audience: nonEmpty,
  algorithms: algorithmsSchema,
  clockLeeway: z.number().int().min(0).max(MAX_CLOCK_LEEWAY_SECONDS).default(30),
  requireJti: z.boolean().default(false),
  preset: z.enum(['github-actions', 'gitlab-ci']).optional(),
  claims: claimMappingSchema.default({ tags: {} }),
});

/** Refuses secrets written inline unless the credential says `insecure: true`. */
function refuseInlineSecrets(keys: readonly string[]) {
  return (credential: Record<string, unknown>, ctx: z.RefinementCtx) => {
    if (credential.insecure === true) return;
    for (const key of keys.filter((name) => credential[name] !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [key],
        params: { [SECRET_INLINE_PARAM]: true },
        message: `a secret is written inline; read it from a file or environment variable, or set insecure: true on this credential (development only)`,
      });
    }
  };
}

/** Exactly one of the given keys must be present. */
function exactlyOne(keys: readonly string[]) {
  return (credential: Record<string, unknown>, ctx: z.RefinementCtx) => {
    const present = keys.filter((key) => credential[key] !== undefined);
    if (present.length === 1) return;
    const message = `set exactly one of ${keys.join(', ')}`;
    ctx.addIssue({ code: 'custom', message, path: present.length > 1 ? [present[1]!] : [] });
  };
}

const keyPairSchema = z
  .strictObject({
    type: z.literal('keyPair'),
    privateKeyFile: nonEmpty.optional(),
    passphraseEnv: envName.optional(),
    privateKey: nonEmpty.optional(),
    passphrase: z.string().optional(),
    insecure: z.boolean().default(false),
  })
  .superRefine(exactlyOne(['privateKeyFile', 'privateKey']))
  .superRefine(refuseInlineSecrets(['privateKey', 'passphrase']));

const passwordSchema = z
  .strictObject({
    type: z.literal('password'),
    passwordEnv: envName.optional(),
    passwordFile: nonEmpty.optional(),
    password: z.string().min(1).optional(),
    insecure: z.boolean().default(false),
  })
  .superRefine(exactlyOne(['passwordEnv', 'passwordFile', 'password']))
  .superRefine(refuseInlineSecrets(['password']));

const connectionSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'must be letters, digits, _ or - (clients send it as account)'),
  type: z.literal('snowflake'),
  account: nonEmpty,
  url: nonEmpty
    .refine(URL.canParse, 'must be a URL such as https://acme.snowflakecomputing.com')
    .optional(),
  user: nonEmpty,
  warehouse: nonEmpty.optional(),
  database: nonEmpty.optional(),
  schema: nonEmpty.optional(),
  role: nonEmpty.optional(),
  credentials: z.discriminatedUnion('type', [keyPairSchema, passwordSchema]),
});

const accessRuleSchema = z
  .strictObject({
    name: nonEmpty.optional(),
    principal: globs.optional(),
    claims: z.record(nonEmpty, globs).optional(),
    connections: globs,
    role: nonEmpty.optional(),
  })
  .refine((rule) => rule.principal !== undefined || rule.claims !== undefined, {
    message: "a rule needs 'principal' or 'claims' (use principal: '*' to match everyone)",
  });

export const configFileSchema = z
  .strictObject({
    dataDir: nonEmpty.optional(),
    listeners: listenersSchema,
    audit: auditSchema.default({ durability: 'default', failOpen: false, binds: 'hashed' }),
    issuers: z.array(issuerSchema).min(1),
    connections: z.array(connectionSchema).min(1),
    access: z.array(accessRuleSchema).min(1),
  })
  .superRefine(checkIssuers)
  .superRefine(checkConnections);

export type ConfigFile = z.output<typeof configFileSchema>;
type IssuerEntry = z.output<typeof issuerSchema>;

function checkIssuers(file: { issuers: IssuerEntry[] }, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  file.issuers.forEach((entry, index) => {
    if (entry.issuer === undefined && entry.preset === undefined) {
      ctx.addIssue({ code: 'custom', message: 'is required', path: ['issuers', index, 'issuer'] });
    }
    const key = entry.issuer ?? entry.preset ?? '';
    if (seen.has(key)) {
      const message = `issuer '${key}' is listed twice`;
      ctx.addIssue({ code: 'custom', message, path: ['issuers', index] });
    }
    seen.add(key);
  });
}

interface ConnectionsAndRules {
  connections: Array<{ name: string }>;
  access: Array<{ connections: string[] }>;
}

/** Connection names are unique, and a rule naming a connection literally must name a real one. */
function checkConnections(file: ConnectionsAndRules, ctx: z.RefinementCtx): void {
  const names = new Set<string>();
  file.connections.forEach((connection, index) => {
    const key = connection.name.toLowerCase();
    if (names.has(key)) {
      const message = `connection name '${connection.name}' is used twice`;
      ctx.addIssue({ code: 'custom', message, path: ['connections', index, 'name'] });
    }
    names.add(key);
  });
  file.access.forEach((rule, index) => {
    for (const name of rule.connections.filter((entry) => !/[*?]/.test(entry))) {
      if (names.has(name.toLowerCase())) continue;
      const message = `no connection is named '${name}'`;
      ctx.addIssue({ code: 'custom', message, path: ['access', index, 'connections'] });
    }
  });
}
