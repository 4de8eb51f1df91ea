/**
 * esbuild plugins for the function's bundle: serverless.yml (custom.esbuild.plugins) and
 * bench/cold-start.bench.ts use this file, so the benchmark measures what is deployed.
 */
const path = require('node:path');
const { builtinPackModule, ruleFileNames } = require('./builtin-rules');

const ROOT = path.resolve(__dirname, '..');
const RULES = path.join(ROOT, 'rules');

/** lib/rules/builtin-pack.ts → the built-in rule files parsed now, not at every cold start. */
const builtinRules = {
  name: 'trailwatch-builtin-rules',
  setup(build) {
    build.onLoad({ filter: /[\\/]lib[\\/]rules[\\/]builtin-pack\.ts$/ }, () => ({
      contents: builtinPackModule(RULES),
      loader: 'js',
      resolveDir: path.join(ROOT, 'lib', 'rules'),
      watchFiles: ruleFileNames(RULES).map((n) => path.join(RULES, n)),
    }));
  },
};

/**
 * zod's `locales` namespace → English only. zod re-exports every locale it ships (~50) from
 * one index that its top level imports, so esbuild cannot drop them: 260 KB of messages in
 * other languages, compiled at every cold start and never used (the function's messages are
 * English; zod registers `en` itself, from classic/schemas.js). Only the index is replaced;
 * `z.locales.en` still works, `z.locales.fr` is undefined. test/unit/build/zod-locales.test.ts
 * bundles zod with this plugin and checks its error messages.
 */
const zodEnglishOnly = {
  name: 'trailwatch-zod-english-only',
  setup(build) {
    build.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.c?js$/ }, (args) => ({
      // the same extension as the index replaced: en.cjs beside index.cjs, en.js beside index.js
      contents: `export { default as en } from './en${path.extname(args.path)}';\n`,
      loader: 'js',
      resolveDir: path.dirname(args.path),
    }));
  },
};

module.exports = [builtinRules, zodEnglishOnly];
