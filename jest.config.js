/** @type {import('jest').Config} */
const transform = { '^.+\\.ts$': ['ts-jest', {}] };
// lambda/core/validation.ts imports zod's English locale as ESM (the build that esbuild tree-shakes: about 3 KB in
// a function's bundle, where the CommonJS build brings 20 KB of zod's util); jest runs CommonJS, so it loads the
// CommonJS build of the same file.
const moduleNameMapper = { '^zod/v4/locales/en\\.js$': '<rootDir>/node_modules/zod/v4/locales/en.cjs' };
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
