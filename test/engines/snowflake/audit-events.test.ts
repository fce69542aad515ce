import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { recordBinds, statementReceived } from '../../../src/engines/snowflake/audit-events.js';

const BINDINGS = {
  1: { type: 'TEXT', value: 'alice@example.com' },
  2: { type: 'FIXED', value: ['1', null, '3'] },
  3: { type: 'TEXT', value: null },
};

function sha256(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

test('binds are kept as sent, hashed value by value, or left out', () => {
  assert.deepEqual(recordBinds(BINDINGS, 'recorded'), BINDINGS);
  assert.equal(recordBinds(BINDINGS, 'omitted'), null);
  assert.deepEqual(recordBinds(BINDINGS, 'hashed'), {
    1: { type: 'TEXT', value: sha256('alice@example.com') },
    2: { type: 'FIXED', value: [sha256('1'), null, sha256('3')] },
    3: { type: 'TEXT', value: null },
  });
  assert.equal(recordBinds(undefined, 'recorded'), null);
});

test('a hashed statement event holds no bind value', () => {
  const received = new Date('2026-01-02T03:04:05.000Z');
  const event = statementReceived(
    {
      principal: 'repo:acme/api:ref:refs/heads/main',
      connection: 'prod',
      gatewaySessionId: '42',
      upstreamSessionId: '1172562260498',
      verifiedTags: { run_id: '7' },
      claimedTags: {},
      clientApp: 'JavaScript',
      clientVersion: '3.4.0',
    },
    {
      statementId: 'S1',
      requestId: 'r-1',
      sqlText: 'select * from users where email = ?',
      bindings: BINDINGS,
      bindRecording: 'hashed',
      statementType: 'SELECT',
      receivedAt: received,
      startedAt: received,
    },
  );

  assert.doesNotMatch(JSON.stringify(event), /alice@example\.com/);
  assert.equal(event.kind, 'statement');
  assert.equal(event.time, '2026-01-02T03:04:05.000Z');
  assert.equal(event.upstreamSessionId, '1172562260498');
});
