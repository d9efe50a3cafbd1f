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
  // lambda/ is a root too so that jest's dependency graph holds the code under test: `--findRelatedTests` (which
  // Stryker runs per mutant) finds a test through the modules between it and the mutated file. With test/ the only
  // root, a mutant of lambda/controls/blocks.ts (imported by the kinds' controls, not by a test) had no related test.
  roots: ['<rootDir>/test', '<rootDir>/lambda'],
  // The pure logic is pinned by the pure tests: test/unit, plain inputs, no AWS mocks. The handler, CLI, sweep,
  // review and CDK tests exercise it too, but through I/O adapters: under Stryker they would make each mutant many
  // times slower, and a mutant only they kill is behaviour the unit tests leave unpinned. Left out too: tests that
  // read no pure logic (the import graph, the moto hint). The README test stays: it pins lambda/controls/table.ts.
  testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
  testPathIgnorePatterns: [...(unit.testPathIgnorePatterns ?? []), '/test/unit/(import-cycles|moto-hint)\\.test\\.ts$'],
};
