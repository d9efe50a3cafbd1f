/** @type {import('jest').Config} */
const transform = { '^.+\\.ts$': ['ts-jest', {}] };
// lambda/core/validation.ts imports zod's English locale as ESM (the build that esbuild tree-shakes: about 3 KB in
// a function's bundle, where the CommonJS build brings 20 KB of zod's util); jest runs CommonJS, so it loads the
// CommonJS build of the same file (resolved by node, so a node_modules that is a symlink, as in a Stryker sandbox, works).
const moduleNameMapper = { '^zod/v4/locales/en\\.js$': require.resolve('zod/v4/locales/en.cjs') };
module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['/test/integration/'],
      setupFiles: ['<rootDir>/test/setup-env.ts'],
      setupFilesAfterEnv: ['aws-sdk-client-mock-jest'],
      transform,
      moduleNameMapper,
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      roots: ['<rootDir>/test/integration'],
      testMatch: ['**/*.test.ts'],
      transform,
      moduleNameMapper,
    },
  ],
};
