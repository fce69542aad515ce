import type { BindRecording } from '../audit/types.js';

/**
 * The configuration as the gateway uses it, after `loadConfig` has validated the YAML file,
 * applied defaults and presets, and turned relative paths into absolute ones (relative to the
 * folder of the config file). docs/configuration.md documents every key with an example.
 */
export interface TollgateConfig {
  /** Where this configuration came from; relative paths in it were resolved against `dir`. */
  source: ConfigSource;
  /**
   * `dataDir`: the folder Tollgate keeps its own files in (the development issuer's key, and the
   * audit store unless `audit.path` says otherwise). Default: the config file's folder.
   */
  dataDir: string;
  listeners: ListenersConfig;
  audit: AuditConfig;
  /** `issuers`: the only token issuers whose tokens are accepted. At least one. */
  issuers: IssuerConfig[];
  /** `connections`: the upstream databases clients may reach through Tollgate. At least one. */
  connections: ConnectionConfig[];
  /** `access`: which principals may use which connection; first match wins, no match denies. */
  access: AccessRule[];
}

export interface ConfigSource {
  /** Absolute path of the YAML file. */
  file: string;
  /** Absolute path of its folder. */
  dir: string;
}

export interface ListenersConfig {
  /** `listeners.snowflake`: where Snowflake drivers connect (the REST front end). Required. */
  snowflake: ListenerConfig;
  /** `listeners.admin`: the admin and health endpoint. Absent (null) means not served. */
  admin: ListenerConfig | null;
}

export interface ListenerConfig {
  /** `host`: the address to bind. Default `127.0.0.1`; use `0.0.0.0` to accept remote clients. */
  host: string;
  /** `port`: the TCP port to bind; 0 lets the system pick one. Required. */
  port: number;
  /** `tls`: serve HTTPS with this certificate. Absent (null) means plain HTTP. */
  tls: TlsConfig | null;
}

export interface TlsConfig {
  /** `cert`: PEM certificate chain file (absolute after loading). */
  cert: string;
  /** `key`: PEM private key file for the certificate (absolute after loading). */
  key: string;
}

/** How the durable audit write is made before a statement is forwarded. */
export type AuditDurability = 'default' | 'fsync';

export interface AuditConfig {
  /** `audit.path`: the SQLite audit store. Default `<dataDir>/audit.db`. */
  path: string;
  /**
   * `audit.durability`: `default` survives the gateway process being killed (SQLite WAL);
   * `fsync` also survives power loss, with group commit to keep throughput. Default `default`.
   */
  durability: AuditDurability;
  /**
   * `audit.failOpen`: when the store cannot write, forward the statement anyway (logged loudly)
   * instead of refusing it. Default `false` (fail closed).
   */
  failOpen: boolean;
  /** `audit.binds`: keep bind values as sent, as SHA-256 digests, or not at all. Default `hashed`. */
  binds: BindRecording;
}

/**
 * JWS algorithms an issuer may be pinned to. Only asymmetric ones: `none` and the HMAC family
 * (HS256/384/512) are refused when the config is loaded, because an HMAC "signature" checked with
 * a public key is the classic algorithm-confusion forgery (RFC 8725, section 3.1).
 */
export const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;

export type AsymmetricAlgorithm = (typeof ASYMMETRIC_ALGORITHMS)[number];

/** Ready claim mappings for well-known CI issuers. */
export type IssuerPreset = 'github-actions' | 'gitlab-ci';

/** The largest `clockLeeway` accepted, in seconds. */
export const MAX_CLOCK_LEEWAY_SECONDS = 60;

export interface IssuerConfig {
  /**
   * `issuer`: the issuer URL, compared exactly with the token's `iss` and with the `issuer` of its
   * OIDC discovery document (OpenID Connect Discovery 1.0, section 4.3). HTTPS, or HTTP on a
   * loopback address. Default with a preset: GitHub's or GitLab.com's issuer.
   */
  issuer: string;
  /** `audience`: the exact value the token's `aud` must contain. Required. */
  audience: string;
  /** `algorithms`: accepted `alg` header values. Default `[RS256, ES256]`. */
  algorithms: AsymmetricAlgorithm[];
  /** `clockLeeway`: seconds of tolerance on `exp` and `nbf`, at most 60. Default 30. */
  clockLeeway: number;
  /**
   * `requireJti`: tokens must carry a `jti` and each is accepted once until it expires (the
   * replay cache is per gateway process). Default `false`.
   */
  requireJti: boolean;
  /** `preset`: the claim mapping this issuer starts from. Default none. */
  preset: IssuerPreset | null;
  /** `claims`: how verified claims become the principal name and audit tags. */
  claims: ClaimMapping;
}

export interface ClaimMapping {
  /**
   * `claims.principal`: a claim name (`sub`) or a template with claims in braces
   * (`{repository}@{ref}`). Every claim it names must be present. Default `sub`.
   */
  principal: string;
  /**
   * `claims.tags`: audit tag name to claim name. Absent claims are left out; values are recorded
   * as strings. Entries here are added to (or replace) the preset's.
   */
  tags: Record<string, string>;
}

export interface ConnectionConfig {
  /**
   * `name`: what clients send as their Snowflake account name to select this connection
   * (matched without regard to case). Letters, digits, `_` and `-`; unique.
   */
  name: string;
  /** `type`: the upstream protocol; `snowflake` for now. */
  type: 'snowflake';
  /** `account`: the upstream Snowflake account identifier (`ORG-ACCOUNT` or a locator). */
  account: string;
  /** `url`: the upstream base URL. Default `https://<account>.snowflakecomputing.com`. */
  url: string;
  /** `user`: the upstream login name Tollgate uses. */
  user: string;
  /** `warehouse`, `database`, `schema`, `role`: session defaults sent at upstream login. */
  warehouse: string | null;
  database: string | null;
  schema: string | null;
  role: string | null;
  /** `credentials`: what Tollgate logs in upstream with; read by the vault at start. */
  credentials: CredentialConfig;
}

export type CredentialConfig = KeyPairCredentialConfig | PasswordCredentialConfig;

/** Snowflake key-pair authentication (SNOWFLAKE_JWT): an RSA private key only Tollgate holds. */
export interface KeyPairCredentialConfig {
  type: 'keyPair';
  /** `privateKeyFile`: PEM (PKCS#8, optionally encrypted) private key file (absolute). */
  privateKeyFile: string | null;
  /** `passphraseEnv`: environment variable holding the key's passphrase, if it is encrypted. */
  passphraseEnv: string | null;
  /** `privateKey`: the PEM written inline. Refused unless `insecure: true`. */
  privateKey: string | null;
  /** `passphrase`: the passphrase written inline. Refused unless `insecure: true`. */
  passphrase: string | null;
  /** `insecure`: accept secrets written inline in the config (development only). Default false. */
  insecure: boolean;
}

/** Snowflake password authentication. */
export interface PasswordCredentialConfig {
  type: 'password';
  /** `passwordEnv`: environment variable holding the password. */
  passwordEnv: string | null;
  /** `passwordFile`: file holding the password; one trailing newline is ignored (absolute). */
  passwordFile: string | null;
  /** `password`: the password written inline. Refused unless `insecure: true`. */
  password: string | null;
  /** `insecure`: accept secrets written inline in the config (development only). Default false. */
  insecure: boolean;
}

export interface AccessRule {
  /** `name`: how logs and the audit log refer to this rule. Default `access[<index>]`. */
  name: string;
  /**
   * `principal`: globs matched against the principal name (`*` any run of characters, `?` one
   * character, `\` escapes). Empty means any principal.
   */
  principal: string[];
  /**
   * `claims`: claim name to globs; every listed claim must be present and match one of its
   * globs (for array claims, one element must). Empty means no claim condition.
   */
  claims: Record<string, string[]>;
  /** `connections`: connection names or globs this rule lets the principal use. */
  connections: string[];
  /**
   * `role`: the upstream role to use instead of the connection's default. The role a client asks
   * for is never used, because the upstream user may hold roles the principal must not get.
   */
  role: string | null;
}
