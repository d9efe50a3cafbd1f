// @ts-check
// Mutation testing of the pure logic: `npm run test:mutation` (a full run takes a long time; for one file:
// `npx stryker run --mutate lambda/core/decision.ts`). Reports: reports/mutation/.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
const config = {
  packageManager: 'npm',
  testRunner: 'jest',
  jest: {
    projectType: 'custom',
    // The "unit" jest project only, flattened (see jest.stryker.config.js).
    configFile: 'jest.stryker.config.js',
    // Each mutant runs only the test files that import the mutated file (directly or not; jest.stryker.config.js
    // makes lambda/ a root so that jest sees the imports in between), and of those only the tests that covered it.
    enableFindRelatedTests: true,
  },
  mutate: [
    'lambda/controls/**/*.ts',
    'lambda/kinds/**/*.ts',
    '!lambda/kinds/**/adapter.ts',
    '!lambda/kinds/**/handler.ts',
    // EC2 reads of a notebook's network, and the endpoint scan of an endpoint config: adapters, not pure logic.
    '!lambda/kinds/**/network.ts',
    '!lambda/kinds/endpoint-config/in-use.ts',
    // A kind's facts: constants (static mutants, ignored) and the lazy adapter import, which the handler tests run.
    '!lambda/kinds/**/index.ts',
    'lambda/core/decision.ts',
    'lambda/core/event.ts',
    'lambda/core/modes.ts',
    'lambda/aws/errors.ts',
  ],
  coverageAnalysis: 'perTest',
  // Static mutants (code run once when a module loads: top-level constants, tables) cannot be switched on
  // per test, so each one would reload every module and run every test. Stryker 9's default is
  // ignoreStatic: false; we opt in to this cost saver: they are reported as "Ignored" and left out of the score.
  ignoreStatic: true,
  concurrency: 2,
  // Added to timeoutFactor x the mutant's tests' dry-run time before a mutant counts as a timeout (an infinite loop).
  timeoutMS: 10000,
  timeoutFactor: 1.5,
  // The dry run (all related unit tests, with coverage) on a 2-core machine.
  dryRunTimeoutMinutes: 10,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 95, low: 90, break: null },
  tempDirName: '.stryker-tmp',
  // Not needed by the unit tests, and large: not copied into the sandbox.
  ignorePatterns: ['cdk.out', 'coverage', 'dist', 'reports', '*.tgz'],
};

export default config;
