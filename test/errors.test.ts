import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ERROR_CODES } from '../src/errors.js';

const docsPage = new URL('../../docs/errors.md', import.meta.url);

test('docs/errors.md documents exactly the codes in src/errors.ts', () => {
  const text = readFileSync(docsPage, 'utf8');
  const documented = [...text.matchAll(/^## (TG_[A-Z_]+)$/gm)].map((match) => match[1]);

  assert.deepEqual([...documented].sort(), [...ERROR_CODES].sort());
});
