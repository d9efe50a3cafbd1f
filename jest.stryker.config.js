// Jest config for Stryker (stryker.config.mjs): the "unit" project of jest.config.js, flattened.
// Stryker's jest-runner installs its per-test coverage environment on the top-level config only, so a
// `projects` config would hide the coverage; and the "integration" project (local AWS emulator, a
// synthesized cdk.out) must never run under Stryker. Taking the project object from jest.config.js keeps
// one source of truth: the same setupFiles (test/setup-env.ts), setupFilesAfterEnv
// (aws-sdk-client-mock-jest), roots, testPathIgnorePatterns and ts-jest transform as `npm run test:unit`.
const { projects } = require('./jest.config.js');

const unit = projects.find((project) => project.displayName === 'unit');
if (!unit) throw new Error('jest.config.js has no project with displayName "unit"');

/** @type {import('jest').Config} */
module.exports = {
  ...unit,
  rootDir: __dirname,
  // The CDK template tests (test/infra) synthesize whole stacks and assert no pure logic; under Stryker they only
  // make each mutant slower. Every other unit-project test runs.
  testPathIgnorePatterns: [...(unit.testPathIgnorePatterns ?? []), '/test/infra/'],
};
