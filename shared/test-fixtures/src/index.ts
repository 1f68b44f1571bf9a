export { findRepositoryRoot, REPOSITORY_ROOT } from './repository-root';
export { FIXTURES_DIR, fixtureNames, fixturePath, readFixture } from './fixtures';
