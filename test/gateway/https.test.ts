import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { destroy, execute } from './driver.js';
import { startHarness } from './harness.js';

/** A self-signed certificate for 127.0.0.1, made for this test run. */
function makeCertificate(dir: string): { cert: string; key: string; ca: string } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { cert, key, ca: cert };
}

test('the Snowflake listener serves HTTPS with the configured certificate', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-tls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const harness = await startHarness({ tls: makeCertificate(dir) });
  t.after(() => harness.close());

  assert.match(harness.gateway.snowflake.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  const connection = await harness.connect();
  const { rows } = await execute(connection, 'select 1 as over_tls');
  await destroy(connection);
  assert.deepEqual(rows, [{ OVER_TLS: 1 }]);

  const plain = await fetch(harness.gateway.snowflake.url.replace('https:', 'http:')).catch(
    (error: Error) => error,
  );
  assert.ok(plain instanceof Error, 'plain HTTP is not served on the TLS port');
});
