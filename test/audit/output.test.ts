import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ProgressBar } from '../../src/audit/progress.js';
import { type Column, renderCsv, renderTable } from '../../src/audit/table.js';

interface Row {
  name: string;
  count: number;
  note: string;
}

const COLUMNS: Column<Row>[] = [
  { header: 'NAME', value: (row) => row.name },
  { header: 'COUNT', value: (row) => String(row.count), alignRight: true },
  { header: 'NOTE', value: (row) => row.note, shrinks: true, minWidth: 6 },
];

const ROWS: Row[] = [
  { name: 'alpha', count: 7, note: 'short' },
  { name: 'b', count: 1234, note: 'a much longer note\nthat spans lines' },
];

describe('renderTable', () => {
  test('aligns columns at their natural width when there is room', () => {
    assert.equal(
      renderTable(ROWS, COLUMNS, 200),
      [
        'NAME   COUNT  NOTE',
        'alpha      7  short',
        'b       1234  a much longer note that spans lines',
        '',
      ].join('\n'),
    );
  });

  test('cuts shrinking columns with an ellipsis to fit, never below their minimum', () => {
    const narrow = renderTable(ROWS, COLUMNS, 26).split('\n');
    assert.equal(narrow[2], 'b       1234  a much long…');
    for (const line of narrow) assert.ok(line.length <= 26, line);

    const tooNarrow = renderTable(ROWS, COLUMNS, 5).split('\n');
    assert.equal(tooNarrow[2], 'b       1234  a muc…');
  });
});

describe('renderCsv', () => {
  test('quotes fields holding commas, quotes or line breaks, and nothing else', () => {
    const rows = [{ name: 'a,b', count: 1, note: 'say "hi"\nthen go' }];
    assert.equal(renderCsv(rows, COLUMNS), 'NAME,COUNT,NOTE\r\n"a,b",1,"say ""hi""\nthen go"\r\n');
  });
});

describe('ProgressBar', () => {
  test('draws the share done in place, and clears its line at the end', () => {
    const written: string[] = [];
    const stream = { write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream;
    const bar = new ProgressBar(stream, 'verifying');

    bar.update(150, 600);
    bar.update(300, 600); // within 100 ms of the last drawing: skipped
    bar.clear();

    assert.deepEqual(written, [
      `\rverifying [${'#'.repeat(8)}${'.'.repeat(22)}]  25% 150/600`,
      '\r\u001b[K',
    ]);
  });
});
