import { type Command, InvalidArgumentError, Option } from 'commander';
import { decodeJwt } from 'jose';
import { loadConfig } from '../config/load.js';
import { isTollgateError } from '../errors.js';
import {
  devGithubClaims,
  MAX_DEV_TOKEN_TTL_SECONDS,
  mintDevToken,
  readDevIssuer,
} from '../identity/dev-issuer.js';
import { demoDataDir } from '../paths.js';

interface TokenOptions {
  claim: Record<string, string>;
  sub?: string;
  audience?: string;
  ttl: number;
  data?: string;
  config?: string;
  json?: boolean;
}

const TTL_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600 };

/** `90`, `90s`, `15m`, `2h` in seconds, at most a day. */
export function parseTtl(text: string): number {
  const match = /^(\d+)([smh]?)$/.exec(text.trim());
  const seconds = match ? Number(match[1]) * (TTL_UNITS[match[2] || 's'] ?? 1) : Number.NaN;
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_DEV_TOKEN_TTL_SECONDS) {
    throw new InvalidArgumentError('use seconds, or a number with s, m or h, up to 24h');
  }
  return seconds;
}

/** Adds one `key=value` pair; a later pair for the same key wins. */
export function addClaim(pair: string, claims: Record<string, string>): Record<string, string> {
  const split = pair.indexOf('=');
  if (split < 1) throw new InvalidArgumentError('expected key=value');
  return { ...claims, [pair.slice(0, split)]: pair.slice(split + 1) };
}

/** The data folder and, with --config, the audience its config trusts the issuer with. */
async function locateIssuer(options: TokenOptions) {
  if (options.config === undefined) {
    return { dataDir: options.data ?? demoDataDir(), configAudience: undefined };
  }

  const config = await loadConfig(options.config);
  const record = readDevIssuer(config.dataDir);
  const trusted = config.issuers.find((issuer) => issuer.issuer === record.issuer);
  return { dataDir: config.dataDir, configAudience: trusted?.audience };
}

async function mint(options: TokenOptions): Promise<void> {
  const given = options.claim;
  const ttlSeconds = options.ttl;
  const { dataDir, configAudience } = await locateIssuer(options);
  const record = readDevIssuer(dataDir);

  const claims = devGithubClaims(
    options.sub === undefined ? given : { ...given, sub: options.sub },
  );
  const audience = options.audience ?? configAudience ?? record.audience;
  const token = await mintDevToken({ dataDir, claims, audience, ttlSeconds });

  if (!options.json) {
    process.stdout.write(`${token}\n`);
    return;
  }
  const payload = decodeJwt(token);
  const expiresAt = new Date((payload.exp ?? 0) * 1000).toISOString();
  const output = { token, issuer: record.issuer, audience, expiresAt, claims: payload };
  process.stdout.write(`${JSON.stringify({ ...output, warning: record.warning }, null, 2)}\n`);
}

/** Adds `tollgate token` to the program. */
export function registerTokenCommand(program: Command): void {
  program
    .command('token')
    .description(
      'Print a token from the development issuer (not for production); by default the one ' +
        'of `tollgate demo`, shaped like a GitHub Actions job token',
    )
    .option('--claim <key=value>', 'set or override a claim (repeatable)', addClaim, {})
    .option('--sub <subject>', 'the sub claim (default: from repository and ref)')
    .option('--audience <aud>', "the aud claim (default: the issuer's configured audience)")
    .option(
      '--ttl <duration>',
      'lifetime: seconds, or with s, m or h (default: 15m)',
      parseTtl,
      900,
    )
    .addOption(
      new Option(
        '--data <dir>',
        'the data folder whose issuer signs (default: the demo folder)',
      ).conflicts('config'),
    )
    .option('--config <file>', "the config whose data folder's issuer signs")
    .option('--json', 'print the token with its issuer, audience, expiry and claims as JSON')
    .action(async (options: TokenOptions) => {
      try {
        await mint(options);
      } catch (error) {
        if (!isTollgateError(error)) throw error;
        process.stderr.write(`tollgate token: ${error.message}\n`);
        process.exitCode = 1;
      }
    });
}
