import { FhirError } from '@dmp/errors';
import { parseDateRange, parseDateValue } from './parse-date';

describe('parseDateRange', () => {
  it.each([
    ['2024', '2024-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z'],
    ['2024-02', '2024-02-01T00:00:00.000Z', '2024-03-01T00:00:00.000Z'],
    ['2024-12', '2024-12-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z', '2024-03-01T00:00:00.000Z'],
    ['2024-03-01T10:15', '2024-03-01T10:15:00.000Z', '2024-03-01T10:16:00.000Z'],
    ['2024-03-01T10:15:30', '2024-03-01T10:15:30.000Z', '2024-03-01T10:15:31.000Z'],
    ['2024-03-01T10:15:30.5Z', '2024-03-01T10:15:30.500Z', '2024-03-01T10:15:30.600Z'],
    ['2024-03-01T10:15:30.123456Z', '2024-03-01T10:15:30.123Z', '2024-03-01T10:15:30.124Z'],
    ['2024-03-01T10:15:30+02:00', '2024-03-01T08:15:30.000Z', '2024-03-01T08:15:31.000Z'],
    ['2024-03-01T00:30-01:30', '2024-03-01T02:00:00.000Z', '2024-03-01T02:01:00.000Z'],
    ['0050', '0050-01-01T00:00:00.000Z', '0051-01-01T00:00:00.000Z'],
    ['9999', '9999-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z'],
  ])('reads %s as [%s, %s)', (text, low, high) => {
    expect(parseDateRange(text)).toEqual({ low, high });
  });

  it.each([
    '2023-02-29',
    '2024-13',
    '2024-00-10',
    '2024-04-31',
    '24',
    '2024-1-1',
    '2024-03-01T25:00',
    '2024-03-01T10',
    '2024-03-01T10:60',
    '2024-03-01T10:00:61',
    '2024-03-01T10:00+15:00',
    '2024-03-01 10:00',
    '2024-03-01Z',
  ])('refuses %s', (text) => {
    expect(parseDateRange(text)).toBeUndefined();
  });
});

describe('parseDateValue', () => {
  it.each(['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap'])('reads the %s prefix', (p) => {
    expect(parseDateValue('date', `${p}2024`)).toMatchObject({ prefix: p });
  });

  it('defaults to eq', () => {
    expect(parseDateValue('date', '2024-05-06').prefix).toBe('eq');
  });

  it('answers 400 DMP-SEARCH-INVALID-PREFIX for an unknown prefix', () => {
    const act = (): unknown => parseDateValue('date', 'xx2024');

    expect(act).toThrow(FhirError);
    expect(act).toThrow(expect.objectContaining({ code: 'DMP-SEARCH-INVALID-PREFIX' }) as Error);
  });

  it('answers 400 DMP-SEARCH-INVALID-VALUE for an impossible date, naming the parameter', () => {
    let caught: unknown;
    try {
      parseDateValue('period-start', 'ge2024-02-30');
    } catch (error) {
      caught = error;
    }

    expect(caught).toBeInstanceOf(FhirError);
    expect((caught as FhirError).code).toBe('DMP-SEARCH-INVALID-VALUE');
    expect((caught as FhirError).outcome.issue[0]?.expression).toEqual(['period-start']);
  });
});
