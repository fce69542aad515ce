import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { splitStatementPieces, splitStatements } from '../../../src/sandbox/engine/index.js';

describe('splitStatements', () => {
  test('cuts at the right place after text outside the Basic Multilingual Plane', () => {
    const text =
      "select '😀 smile; 日本' as a, ?; -- naïve 🚀 comment\nselect 'é' || ?, ? ;select 3";

    assert.deepEqual(splitStatementPieces(text), [
      { text: "select '😀 smile; 日本' as a, ?", placeholders: 1 },
      { text: "select 'é' || ?, ?", placeholders: 2 },
      { text: 'select 3', placeholders: 0 },
    ]);
  });

  test('keeps semicolons in strings, identifiers, dollar blocks and comments', () => {
    const text = 'select \'a;b\', "c;d" from t; /* x; */ select $$e;f$$; // only a comment;';

    assert.deepEqual(splitStatements(text), ['select \'a;b\', "c;d" from t', 'select $$e;f$$']);
  });
});
