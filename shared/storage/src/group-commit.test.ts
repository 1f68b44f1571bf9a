import { createGroupCommit, type GroupOutcome } from './group-commit';

/** A commit that records each group it was given, and answers each item with its double. */
function recordingCommit() {
  const groups: number[][] = [];
  const commit = (items: readonly number[]): Promise<GroupOutcome<number>[]> => {
    groups.push([...items]);
    return Promise.resolve(items.map((n) => ({ value: n * 2 })));
  };
  return { groups, commit };
}

describe('createGroupCommit', () => {
  it('commits the items submitted in one turn of the event loop together, each getting its own outcome', async () => {
    const { groups, commit } = recordingCommit();
    const { submit } = createGroupCommit(commit);

    const values = await Promise.all([1, 2, 3, 4].map(submit));

    expect(values).toEqual([2, 4, 6, 8]);
    expect(groups).toEqual([[1, 2, 3, 4]]);
  });

  it('queues what arrives during a commit for the next group, and caps a group at maxGroup', async () => {
    const groups: number[][] = [];
    let release: () => void = () => undefined;
    const { submit } = createGroupCommit<number, number>(
      async (items) => {
        groups.push([...items]);
        if (groups.length === 1) await new Promise<void>((resolve) => (release = resolve));
        return items.map((n) => ({ value: n }));
      },
      { maxGroup: 2 },
    );

    const first = submit(1);
    await new Promise((resolve) => setImmediate(resolve));
    const later = [2, 3, 4].map(submit);
    release();

    expect(await Promise.all([first, ...later])).toEqual([1, 2, 3, 4]);
    expect(groups).toEqual([[1], [2, 3], [4]]);
  });

  it('fails every item of a group whose commit failed, and only those', async () => {
    let calls = 0;
    const { submit } = createGroupCommit<number, number>((items) => {
      calls += 1;
      if (calls === 1) return Promise.reject(new Error('disk full'));
      return Promise.resolve(items.map((n) => ({ value: n })));
    });

    const failed = await Promise.allSettled([1, 2].map(submit));
    const next = await submit(3);

    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(next).toBe(3);
  });

  it('fails one item alone when its outcome is an error', async () => {
    const { submit } = createGroupCommit<number, number>((items) =>
      Promise.resolve(items.map((n) => (n === 2 ? { error: new Error('bad') } : { value: n }))),
    );

    const settled = await Promise.allSettled([1, 2, 3].map(submit));

    expect(settled.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});
