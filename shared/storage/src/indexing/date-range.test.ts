import { dateRange, periodRange } from './date-range';
import { MAX_INSTANT, MIN_INSTANT } from './index-entry';

describe('dateRange', () => {
  it.each([
    ['2024', '2024-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z'],
    ['2024-02', '2024-02-01T00:00:00.000Z', '2024-03-01T00:00:00.000Z'],
    ['2024-12-31', '2024-12-31T00:00:00.000Z', '2025-01-01T00:00:00.000Z'],
    ['2020-12-31T23:50:50-05:00', '2021-01-01T04:50:50.000Z', '2021-01-01T04:50:51.000Z'],
    ['2025-04-29T12:00:00+01:00', '2025-04-29T11:00:00.000Z', '2025-04-29T11:00:01.000Z'],
    ['2025-04-28T18:19:26.335+02:00', '2025-04-28T16:19:26.335Z', '2025-04-28T16:19:26.336Z'],
    ['2024-03-05T10:00Z', '2024-03-05T10:00:00.000Z', '2024-03-05T10:01:00.000Z'],
  ])('%s covers [%s, %s)', (value, low, high) => {
    expect(dateRange(value)).toEqual({ low, high });
  });

  it.each(['', 'yesterday', '2024-13', '2024-01-32', '24-01-01'])('refuses %j', (value) => {
    expect(dateRange(value)).toBeUndefined();
  });

  it('a period with an open end extends to the sentinels', () => {
    expect(periodRange('2024-01-15', undefined)).toEqual({
      low: '2024-01-15T00:00:00.000Z',
      high: MAX_INSTANT,
    });
    expect(periodRange(undefined, '2024-01-15')).toEqual({
      low: MIN_INSTANT,
      high: '2024-01-16T00:00:00.000Z',
    });
    expect(periodRange(undefined, undefined)).toBeUndefined();
  });
});
