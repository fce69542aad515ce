export {
  KeyPairCredentials,
  type LoadCredentialsOptions,
  loadAllCredentials,
  loadCredentials,
  PasswordCredentials,
  type UpstreamCredentials,
} from './credentials.js';
export { jwtAccountName, publicKeyFingerprint, snowflakeKeyPairJwt } from './keypair-jwt.js';
