import { readFileSync } from 'node:fs';
import path from 'node:path';
import { matrixAllows, parseAccessPolicy } from './access-policy';

const examplePath = path.resolve(__dirname, '..', '..', 'config', 'consent-policy.example.json');

describe('the consent policy file', () => {
  it('ships a valid example, clearly labelled as such', () => {
    const raw = readFileSync(examplePath, 'utf8');

    const policy = parseAccessPolicy(JSON.parse(raw));

    expect(policy.example).toBe(true);
    expect(raw).toContain('EXAMPLE');
    expect(policy.breakGlass.grantMinutes).toBeGreaterThan(0);
    expect(policy.matrix['10']?.classes).toBe('*');
  });

  it('names every problem of a bad file at once', () => {
    expect(() =>
      parseAccessPolicy({ version: '', matrix: { '10': { classes: 'all' } }, breakGlass: {} }),
    ).toThrow(/version.*classes.*grantMinutes.*professions/);
  });
});

describe('matrixAllows', () => {
  const nurse = { classes: ['42'], types: ['11488-4'] };

  it('allows a listed class or a listed type, and fails closed on unknown codes', () => {
    expect(matrixAllows(nurse, '42', 'x')).toBe(true);
    expect(matrixAllows(nurse, '10', '11488-4')).toBe(true);
    expect(matrixAllows(nurse, '10', 'x')).toBe(false);
    expect(matrixAllows(nurse, undefined, undefined)).toBe(false);
    expect(matrixAllows({ classes: '*', types: [] }, undefined, undefined)).toBe(true);
  });
});
