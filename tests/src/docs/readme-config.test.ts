import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describeSettings, serviceSettings } from '@dmp/config';

const readme = readFileSync(path.resolve(__dirname, '..', '..', '..', 'README.md'), 'utf8');

describe('README configuration table', () => {
  const variables = new Set(
    (['documents', 'consent', 'audit'] as const).flatMap((service) =>
      describeSettings(serviceSettings(service)).map(({ env }) => env),
    ),
  );

  it.each([...variables])('documents %s', (variable) => {
    expect(readme).toMatch(new RegExp('\\|[^\\n]*`' + variable + '`[^\\n]*\\|'));
  });
});
