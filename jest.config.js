/**
 * One jest run over every workspace. TypeScript is compiled by SWC (no type checking here:
 * `tsc -b` does that in `npm test`), and `@dmp/*` imports resolve to sources, so tests never
 * need a build first.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/shared', '<rootDir>/services', '<rootDir>/tests'],
  testMatch: ['**/src/**/*.test.ts', '**/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } },
    ],
  },
  moduleNameMapper: {
    '^@dmp/(documents|consent|audit)-service$': '<rootDir>/services/$1/src/app',
    '^@dmp/(errors|fhir|config|auth|storage|storage-sqlite|storage-contract|storage-mongo|http|runtime|consent-client|audit-trail|test-fixtures)$':
      '<rootDir>/shared/$1/src',
  },
  testTimeout: 20000,
};
