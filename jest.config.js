/**
 * One jest run over every workspace. TypeScript is compiled by SWC (no type checking here:
 * `tsc -b` does that in `npm test`), and `@dmp/*` imports resolve to sources, so tests never
 * need a build first.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/shared', '<rootDir>/services', '<rootDir>/tests'],
  testMatch: ['**/src/**/*.test.{ts,tsx}', '**/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } },
    ],
    // The console's React views (component tests render them to HTML, no DOM needed).
    '^.+\\.tsx$': [
      '@swc/jest',
      {
        jsc: {
          target: 'es2022',
          parser: { syntax: 'typescript', tsx: true },
          transform: { react: { runtime: 'automatic' } },
        },
        module: { type: 'commonjs' },
      },
    ],
    // ESM-only packages (openid-client 6 and its oauth4webapi / jose 6, oidc-provider 9) compiled
    // to CommonJS for jest; Node itself loads them natively (require of ES modules, Node ≥ 20.19).
    '^.+\\.js$': [
      '@swc/jest',
      { jsc: { target: 'es2022', parser: { syntax: 'ecmascript' } }, module: { type: 'commonjs' } },
    ],
  },
  transformIgnorePatterns: [
    '^(?!.*/node_modules/(openid-client|oauth4webapi|oidc-provider)/).*/node_modules/',
  ],
  moduleNameMapper: {
    '^@dmp/(documents|consent|audit|console)-service$': '<rootDir>/services/$1/src/app',
    '^@dmp/(errors|fhir|config|auth|storage|storage-sqlite|storage-contract|storage-mongo|http|runtime|consent-client|audit-trail|test-fixtures)$':
      '<rootDir>/shared/$1/src',
  },
  testTimeout: 20000,
};
