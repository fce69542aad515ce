import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GroupCommit } from '../../src/audit/group-commit.js';

/** A commit that records each batch and finishes when told to. */
function recordingCommit() {
  const batches: number[][] = [];
  const finishers: Array<() => void> = [];
  const commit = (items: number[]) => {
    batches.push(items);
    return new Promise<number[]>((resolve) => {
      finishers.push(() => resolve(items.map((item) => item * 10)));
    });
  };
  return { batches, commit, finishNext: () => finishers.shift()?.() };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupCommit', () => {
  test('commits items submitted together in one batch, each getting its own result', async () => {
    const { batches, commit, finishNext } = recordingCommit();
    const group = new GroupCommit(commit);

    const results = [1, 2, 3].map((item) => group.submit(item));
    await turn();
    finishNext();

    assert.deepEqual(await Promise.all(results), [10, 20, 30]);
    assert.deepEqual(batches, [[1, 2, 3]]);
  });

  test('gathers what arrives during a commit into the next batch, one commit at a time', async () => {
    const { batches, commit, finishNext } = recordingCommit();
    const group = new GroupCommit(commit);

    const first = group.submit(1);
    await turn();
    const later = [2, 3, 4].map((item) => group.submit(item));
    await turn();
    assert.deepEqual(batches, [[1]]);

    finishNext();
    assert.equal(await first, 10);
    // The next batch is scheduled once the first has settled, for the turn after.
    await turn();
    await turn();
    assert.deepEqual(batches, [[1], [2, 3, 4]]);

    finishNext();
    assert.deepEqual(await Promise.all(later), [20, 30, 40]);
  });

  test('a failed commit rejects its own batch and not the next', async () => {
    let calls = 0;
    const group = new GroupCommit(async (items: number[]) => {
      calls += 1;
      if (calls === 1) throw new Error('disk full');
      return items;
    });

    const failed = [group.submit(1), group.submit(2)];
    await assert.rejects(failed[0]!, /disk full/);
    await assert.rejects(failed[1]!, /disk full/);
    assert.equal(await group.submit(3), 3);
  });

  test('drain waits for every item submitted so far', async () => {
    const { commit, finishNext } = recordingCommit();
    const group = new GroupCommit(commit);
    const settled: number[] = [];

    for (const item of [1, 2]) void group.submit(item).then((result) => settled.push(result));
    const drained = group.drain();
    await turn();
    finishNext();
    await drained;

    assert.deepEqual(settled, [10, 20]);
  });

  test('hands a batch over as soon as it holds maxBatch items', async () => {
    const { batches, commit, finishNext } = recordingCommit();
    const group = new GroupCommit(commit, { maxBatch: 2, concurrency: 3 });

    const results = [1, 2, 3, 4, 5].map((item) => group.submit(item));
    // Two full batches left during the same turn; the rest waits for the turn to end.
    assert.deepEqual(batches, [
      [1, 2],
      [3, 4],
    ]);
    await turn();
    assert.deepEqual(batches, [[1, 2], [3, 4], [5]]);

    for (let commits = 0; commits < 3; commits += 1) finishNext();
    assert.deepEqual(await Promise.all(results), [10, 20, 30, 40, 50]);
  });

  test('with concurrency, hands the next batch over while the one before is still committing', async () => {
    const { batches, commit, finishNext } = recordingCommit();
    const group = new GroupCommit(commit, { concurrency: 2 });

    const first = group.submit(1);
    await turn();
    const second = group.submit(2);
    await turn();
    const third = group.submit(3);
    await turn();
    // Two commits are running, so the third item waits for one of them.
    assert.deepEqual(batches, [[1], [2]]);

    finishNext();
    assert.equal(await first, 10);
    await turn();
    await turn();
    assert.deepEqual(batches, [[1], [2], [3]]);

    finishNext();
    finishNext();
    assert.deepEqual(await Promise.all([second, third]), [20, 30]);
  });

  test('drain with concurrency waits for every running commit', async () => {
    const { commit, finishNext } = recordingCommit();
    const group = new GroupCommit(commit, { maxBatch: 1, concurrency: 4 });
    const settled: number[] = [];

    for (const item of [1, 2, 3]) void group.submit(item).then((result) => settled.push(result));
    const drained = group.drain();
    for (let commits = 0; commits < 3; commits += 1) finishNext();
    await drained;

    assert.deepEqual(settled, [10, 20, 30]);
  });
});
