import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Bind, JsonRow } from '../../../src/sandbox/engine/index.js';
import type { DriverTimestamp, EngineFixture } from './helpers.js';
import { decodeWithDriver, failure, openEngine, run } from './helpers.js';

const NANOS = 1_000_000_000n;

describe('positional binds of every type the drivers send', () => {
  let fixture: EngineFixture;

  before(async () => {
    fixture = await openEngine();
    await run(
      fixture.session,
      `create table bound (t varchar, n number(38,0), d number(20,5), r float, b boolean, dt date,
         tm time, ntz timestamp_ntz, ltz timestamp_ltz, tz timestamp_tz, bin binary, v variant)`,
    );
  });

  after(() => fixture.close());

  // 2024-03-10T12:34:56.123456789Z
  const instant = 1_710_074_096n * NANOS + 123_456_789n;
  const binds: Bind[] = [
    { type: 'TEXT', value: "it's ünïcode" },
    { type: 'FIXED', value: '-98765432109876543210987654321' },
    { type: 'FIXED', value: '12345.67891' },
    { type: 'REAL', value: '2.5e-3' },
    { type: 'BOOLEAN', value: 'true' },
    { type: 'DATE', value: String(Date.UTC(2024, 2, 10)) },
    { type: 'TIME', value: String((12n * 3600n + 34n * 60n + 56n) * NANOS + 123_456_000n) },
    { type: 'TIMESTAMP_NTZ', value: String(instant) },
    { type: 'TIMESTAMP_LTZ', value: String(instant - 789n) },
    { type: 'TIMESTAMP_TZ', value: `${instant - 789n} ${1440 + 60}` },
    { type: 'BINARY', value: '00ff10' },
    { type: 'TEXT', value: '{"k": [1, 2]}' },
  ];

  test('values land in the table exactly, as the driver reads them back', async () => {
    const placeholders = [...binds.slice(1).map(() => '?'), 'parse_json(?)'].join(', ');
    const inserted = await run(fixture.session, `insert into bound select ${placeholders}`, binds);
    assert.equal(inserted.result.rowsAffected, 1);

    const { columns, rows } = await run(fixture.session, 'select * from bound');
    const row = rows[0] as JsonRow;
    assert.deepEqual(row.slice(0, 5), [
      "it's ünïcode",
      '-98765432109876543210987654321',
      '12345.67891',
      '0.0025',
      '1',
    ]);
    assert.equal(row[5], String(Date.UTC(2024, 2, 10) / 86_400_000));
    assert.equal(row[6], '45296.123456000');
    assert.equal(row[10], '00FF10');

    const { values } = decodeWithDriver(columns, row);
    assert.equal(epochNanos(values[7] as DriverTimestamp), instant, 'NTZ keeps nanoseconds');
    assert.equal(epochNanos(values[8] as DriverTimestamp), instant - 789n);
    assert.equal(epochNanos(values[9] as DriverTimestamp), instant - 789n, 'TZ keeps the instant');
    assert.deepEqual(values[11], { k: [1, 2] });
  });

  test(':n binds may repeat and come in any order', async () => {
    const { rows } = await run(fixture.session, 'select :2 || :1 || :2', [
      { type: 'TEXT', value: 'b' },
      { type: 'TEXT', value: 'a' },
    ]);
    assert.deepEqual(rows, [['aba']]);
  });

  test('a bind used in a comparison takes the type of the other side', async () => {
    const { rows } = await run(
      fixture.session,
      'select count(*) from bound where n = ? and dt = ?',
      [
        { type: 'TEXT', value: '-98765432109876543210987654321' },
        { type: 'TEXT', value: '2024-03-10' },
      ],
    );
    assert.deepEqual(rows, [['1']]);
  });

  test('NULL binds of each type', async () => {
    const nulls: Bind[] = [
      'TEXT',
      'FIXED',
      'REAL',
      'BOOLEAN',
      'DATE',
      'TIME',
      'TIMESTAMP_NTZ',
      'TIMESTAMP_TZ',
      'BINARY',
    ].map((type) => ({ type, value: null }));
    const { rows } = await run(fixture.session, `select ${nulls.map(() => '?').join(', ')}`, nulls);
    assert.deepEqual(rows, [nulls.map(() => null)]);
  });

  test('array binds run once per element and sum the rows inserted', async () => {
    await run(fixture.session, 'create table many (id int, name varchar)');
    const inserted = await run(fixture.session, 'insert into many values (?, ?)', [
      { type: 'FIXED', value: ['1', '2', '3'] },
      { type: 'TEXT', value: ['one', null, 'three'] },
    ]);
    assert.equal(inserted.result.rowsAffected, 3);
    assert.deepEqual(inserted.rows, [['3']]);

    const updated = await run(fixture.session, 'update many set name = ? where id = ?', [
      { type: 'TEXT', value: ['uno', 'dos'] },
      { type: 'FIXED', value: ['1', '2'] },
    ]);
    assert.equal(updated.result.rowsAffected, 2);
    assert.deepEqual((await run(fixture.session, 'select name from many order by id')).rows, [
      ['uno'],
      ['dos'],
      ['three'],
    ]);
  });

  test('bind count and shape mismatches are refused', async () => {
    const missing = await failure(fixture.session, 'select ?, ?', [{ type: 'TEXT', value: 'x' }]);
    assert.equal(missing.code, '002049');

    const ragged = await failure(fixture.session, 'insert into many values (?, ?)', [
      { type: 'FIXED', value: ['1', '2'] },
      { type: 'TEXT', value: ['a'] },
    ]);
    assert.equal(ragged.code, '002049');

    const arraySelect = await failure(fixture.session, 'select ?', [
      { type: 'TEXT', value: ['a', 'b'] },
    ]);
    assert.equal(arraySelect.code, '002049');

    const badNumber = await failure(fixture.session, 'select ?', [
      { type: 'FIXED', value: 'twelve' },
    ]);
    assert.equal(badNumber.code, '100038');
    assert.doesNotMatch(badNumber.message, /twelve/, 'bind values stay out of messages');
  });
});

function epochNanos(value: DriverTimestamp): bigint {
  return BigInt(value.getEpochSeconds()) * NANOS + BigInt(value.getNanoSeconds());
}
