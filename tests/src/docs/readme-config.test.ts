import { readFileSync } from 'node:fs';
import path from 'node:path';
import { auditSettings } from '@dmp/audit-service';
import { describeSettings, serviceSettings } from '@dmp/config';
import { consentSettings } from '@dmp/consent-service';
import { consoleSettings } from '@dmp/console-service';
import { documentsSettings } from '@dmp/documents-service';

const readme = readFileSync(path.resolve(__dirname, '..', '..', '..', 'README.md'), 'utf8');

describe('README configuration table', () => {
  const schemas = [
    ...(['documents', 'consent', 'audit'] as const).map(serviceSettings),
    documentsSettings,
    consentSettings,
    auditSettings,
    consoleSettings,
  ];
  const variables = new Set(
    schemas.flatMap((schema) => describeSettings(schema).map(({ env }) => env)),
  );

  it.each([...variables])('documents %s', (variable) => {
    expect(readme).toMatch(new RegExp('\\|[^\\n]*`' + variable + '`[^\\n]*\\|'));
  });
});
