/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // transpile only (no type-check: `npm run typecheck` is its own step), pure JS, no native binary
    '^.+\\.(t|j|mj)s$': [
      'ts-jest',
      {
        diagnostics: false,
        tsconfig: {
          target: 'es2022',
          module: 'commonjs',
          moduleResolution: 'node',
          esModuleInterop: true,
          allowJs: true,
          resolveJsonModule: true,
          isolatedModules: true,
          sourceMap: true,
        },
      },
    ],
  },
  // middy ships only as ES modules: let ts-jest turn it into CommonJS for jest.
  transformIgnorePatterns: ['/node_modules/(?!@middy/)'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  testTimeout: 30000,
  // a per-run folder for packaged CloudFormation templates (test/integration/packaged-template.ts)
  globalSetup: '<rootDir>/test/global-setup.js',
  globalTeardown: '<rootDir>/test/global-teardown.js',
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
};
