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

module.exports = [builtinRules];
