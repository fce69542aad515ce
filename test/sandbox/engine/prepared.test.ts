import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { EngineFixture } from './helpers.js';
import { failure, openEngine, run, scalar } from './helpers.js';

describe('repeated queries reuse prepared statements without stale answers', () => {
  let fixture: EngineFixture;

  before(async () => {
    fixture = await openEngine();
  });

  after(() => fixture.close());

  test('binds are bound afresh on every execution, whatever their type', async () => {
    const { session } = fixture;
    const sql = 'select ? as v';

    assert.equal(await scalar(session, sql, [{ type: 'FIXED', value: '41' }]), '41');
    assert.equal(await scalar(session, sql, [{ type: 'FIXED', value: '7' }]), '7');
    assert.equal(await scalar(session, sql, [{ type: 'TEXT', value: 'ünï' }]), 'ünï');
    const missing = await failure(session, sql);
    assert.notEqual(missing.code, '');
  });

  test('a replaced table is read with its new columns', async () => {
    const { session } = fixture;
    await run(session, 'create or replace table shifting (a int)');
    await run(session, 'insert into shifting values (1)');
    const before = await run(session, 'select * from shifting');

    await run(session, "create or replace table shifting as select 'x' as b, 2 as c");
    const afterReplace = await run(session, 'select * from shifting');

    assert.deepEqual(
      before.columns.map((c) => c.name),
      ['A'],
    );
    assert.deepEqual(before.rows, [['1']]);
    assert.deepEqual(
      afterReplace.columns.map((c) => c.name),
      ['B', 'C'],
    );
    assert.deepEqual(afterReplace.rows, [['x', '2']]);
  });

  test('USE SCHEMA changes which table the same text reads', async () => {
    const { session } = fixture;
    await run(session, 'create schema if not exists other');
    await run(session, "create or replace table public.named as select 'public' as s");
    await run(session, "create or replace table other.named as select 'other' as s");

    await run(session, 'use schema public');
    const first = await scalar(session, 'select s from named');
    await run(session, 'use schema other');
    const second = await scalar(session, 'select s from named');

    assert.deepEqual([first, second], ['public', 'other']);
  });

  test('a table changed by another session is seen at once', async () => {
    const other = await fixture.engine.openSession({ user: 'someone' });
    try {
      await run(fixture.session, 'use schema public');
      await run(fixture.session, 'create or replace table shared as select 1 as n');
      assert.equal(await scalar(fixture.session, 'select * from shared'), '1');

      await run(other, "create or replace table sandbox.public.shared as select 'two' as word");

      const { columns, rows } = await run(fixture.session, 'select * from shared');
      assert.deepEqual(
        columns.map((c) => c.name),
        ['WORD'],
      );
      assert.deepEqual(rows, [['two']]);
    } finally {
      await other.close();
    }
  });

  test('CURRENT_USER() in the same text answers for each session', async () => {
    const other = await fixture.engine.openSession({ user: 'someone' });
    try {
      const mine = await scalar(fixture.session, 'select current_user()');
      const theirs = await scalar(other, 'select current_user()');
      assert.deepEqual([mine, theirs], ['TESTER', 'SOMEONE']);
    } finally {
      await other.close();
    }
  });
});

describe('cancelling while rows are read', () => {
  test('an abort after the first batch interrupts DuckDB and ends the batches', async () => {
    const fixture = await openEngine();
    try {
      const controller = new AbortController();
      const result = await fixture.session.execute(
        'select seq4() as n from table(generator(rowcount => 100000000))',
        [],
        controller.signal,
      );
      const batches = result.batches()[Symbol.asyncIterator]();
      const first = await batches.next();
      assert.equal(first.done, false);

      controller.abort();
      await assert.rejects(batches.next(), (error: { code?: string }) => {
        assert.equal(error.code, '000604');
        return true;
      });
      assert.equal(await scalar(fixture.session, 'select 40 + 2'), '42');
    } finally {
      await fixture.close();
    }
  });
});
