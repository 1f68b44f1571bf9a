import { Query } from 'mingo';
import { uncoveredEntryMatches } from './index-coverage';
import { InvalidFilterError, validateFilter } from './validate-filter';

describe('validateFilter (what MongoDB would reject fails here too)', () => {
  it.each([
    ['an unknown operator', { idx: { $elemMatch: { p: 'x', c: { $like: 'a%' } } } }],
    ['a misspelled logical operator', { $ore: [{ a: 1 }] }],
    ['an empty $or', { $or: [] }],
    ['$elemMatch mixing fields and value operators', { idx: { $elemMatch: { p: 'x', $gte: 1 } } }],
    ['an empty $elemMatch', { idx: { $elemMatch: {} } }],
    ['operators mixed with fields', { a: { $gt: 1, b: 2 } }],
    ['$in without an array', { a: { $in: 'x' } }],
    ['$regex with an invalid pattern', { a: { $regex: '(' } }],
    ['$exists with a string', { a: { $exists: 'yes' } }],
    ['$where (never allowed)', { $where: 'true' }],
    ['$expr (not used by the renderer)', { $expr: { $eq: ['$a', 1] } }],
  ])('rejects %s', (_name, filter) => {
    expect(() => validateFilter(filter)).toThrow(InvalidFilterError);
  });

  it('accepts the shapes the renderer produces', () => {
    const filter = {
      $and: [
        { del: false },
        {
          idx: { $elemMatch: { p: 'type', $or: [{ c: 'a', s: null }, { c: { $exists: true } }] } },
        },
        { $nor: [{ idx: { $elemMatch: { p: 'status', c: 'current' } } }] },
        { 'idx.p': { $ne: 'description' } },
        { _id: { $nin: [] } },
        { idx: { $elemMatch: { p: 'family', f: { $regex: '^ab\\.c' } } } },
      ],
    };
    expect(() => validateFilter(filter)).not.toThrow();
    expect(new Query(filter, {}).test({ del: false, idx: [{ p: 'type', c: 'a', s: null }] })).toBe(
      false,
    );
  });

  it('mingo itself refuses an unknown operator (the evaluation would fail as well)', () => {
    expect(() => new Query({ a: { $like: 'x' } }, {}).test({ a: 'x' })).toThrow();
  });
});

describe('uncoveredEntryMatches (every entry match is served by an (idx.p, …) index)', () => {
  it('accepts parameter + value fields of one index, including $or alternatives', () => {
    expect(
      uncoveredEntryMatches({
        idx: { $elemMatch: { p: 'type', $or: [{ c: 'a', s: 'x' }, { c: 'b' }] } },
      }),
    ).toEqual([]);
  });

  it('flags a match without parameter, a field mix no index has, and a bare idx condition', () => {
    expect(uncoveredEntryMatches({ idx: { $elemMatch: { c: 'a' } } })).toHaveLength(1);
    expect(
      uncoveredEntryMatches({ idx: { $elemMatch: { p: 'x', c: 'a', lo: 'b' } } }),
    ).toHaveLength(1);
    expect(uncoveredEntryMatches({ idx: { p: 'x', c: 'a' } })).toHaveLength(1);
  });
});
