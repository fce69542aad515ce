import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorReply } from '../../../src/engines/snowflake/codec.js';
import {
  relayedUpstreamError,
  TOLLGATE_REPLY_CODES,
  toSnowflakeError,
} from '../../../src/engines/snowflake/errors.js';
import { SNOWFLAKE_CODES } from '../../../src/engines/snowflake/protocol.js';
import { ERROR_CODES, TollgateError } from '../../../src/errors.js';

test('failures the drivers act on carry the Snowflake code that triggers their handling', () => {
  const cases: [TollgateError, string][] = [
    [new TollgateError('TG_SESSION_UNKNOWN', 'gone'), SNOWFLAKE_CODES.sessionTokenInvalid],
    [new TollgateError('TG_SESSION_EXPIRED', 'renew'), SNOWFLAKE_CODES.sessionTokenExpired],
    [new TollgateError('TG_TOKEN_EXPIRED', 'exp passed'), SNOWFLAKE_CODES.oauthTokenExpired],
    [new TollgateError('TG_TOKEN_AUDIENCE_MISMATCH', 'aud'), SNOWFLAKE_CODES.oauthTokenInvalid],
    [new TollgateError('TG_AUDIT_UNAVAILABLE', 'store'), TOLLGATE_REPLY_CODES.auditUnavailable],
  ];
  for (const [error, code] of cases) {
    const shape = toSnowflakeError(error);
    assert.equal(shape.code, code, error.code);
    assert.equal(shape.message, `${error.code}: ${error.message}`);
  }
});

test('every Tollgate error code maps to a six-digit Snowflake code and a five-character SQL state', () => {
  for (const code of ERROR_CODES) {
    const shape = toSnowflakeError(new TollgateError(code, 'message'));
    assert.match(shape.code, /^\d{6}$/, code);
    assert.match(shape.sqlState, /^[0-9A-Z]{5}$/, code);
  }
});

test('an error that is not a TollgateError reaches the client as a fixed message, no internals', () => {
  const internal = new Error('ECONNREFUSED 10.0.0.7:443 password=hunter2 at Object.<anonymous>');
  const reply = errorReply(toSnowflakeError(internal));

  assert.doesNotMatch(reply, /ECONNREFUSED|10\.0\.0\.7|hunter2|anonymous/);
  assert.deepEqual(JSON.parse(reply), {
    data: { errorCode: '399099', sqlState: 'XX000', queryId: null, internalError: false },
    code: '399099',
    message: 'TG_INTERNAL: the gateway failed to handle the request; see its log',
    success: false,
  });
});

test('an upstream error keeps only its code, SQL state, query id and message', () => {
  const shape = relayedUpstreamError({
    code: '002003',
    message: "SQL compilation error: Object 'NOPE' does not exist.",
    sqlState: '42S02',
    queryId: '01b2c3d4-0000-1111-0000-000000000001',
  });

  assert.deepEqual(JSON.parse(errorReply(shape)), {
    data: {
      errorCode: '002003',
      sqlState: '42S02',
      queryId: '01b2c3d4-0000-1111-0000-000000000001',
      internalError: false,
    },
    code: '002003',
    message: "SQL compilation error: Object 'NOPE' does not exist.",
    success: false,
  });
});
