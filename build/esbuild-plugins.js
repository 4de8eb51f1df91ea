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

/**
 * `yaml` kept out of the bundle, loaded on first use from its own file beside it
 * (lazy-modules/yaml.js, in the package with it): the function parses YAML only for users'
 * rule files (RULES_DIRS, an S3 prefix) and Sigma rules, since the built-in pack comes
 * parsed. 160 KB that every cold start compiled, 2.5 % of the start-up instructions
 * (valgrind, bench/cold-start.bench.ts). yaml depends on nothing, so the file duplicates
 * nothing of the bundle and a function that reads YAML pays what it paid before, later.
 * (Tried and dropped: the Security Hub and EventBridge SDK clients the same way. Each file
 * then carries its own copy of the SDK core, which cost the deployments that use them
 * 11–28 % more instructions to their first event than the 5 % it saved the others. The
 * Security Hub client is now loaded on use inside the bundle instead, one SDK core:
 * functions/commons/deps.ts, securityHubImporter.)
 * test/unit/build/lazy-yaml.test.ts.
 */
const LAZY_DIR = 'lazy-modules';
const lazyYaml = {
  name: 'trailwatch-lazy-yaml',
  setup(build) {
    const options = build.initialOptions;
    build.onResolve({ filter: /^yaml$/ }, (args) => ({ path: args.path, namespace: 'trailwatch-lazy' }));
    build.onLoad({ filter: /.*/, namespace: 'trailwatch-lazy' }, () => ({
      // The bundle reads an import of a CommonJS module as a property of
      // `__toESM(require(…))`, an object whose prototype is this module's prototype: the
      // proxy, which loads the file at the first name read. No list of names: a getter per
      // name costs start-up time too. `__esModule` (__toESM asks) and symbols load nothing.
      contents: [
        'let loaded;',
        `const load = () => (loaded ??= require('./${LAZY_DIR}/yaml.js'));`,
        "module.exports = Object.create(new Proxy({}, { get: (_, name) => (name === '__esModule' || typeof name === 'symbol' ? undefined : load()[name]) }));",
      ].join('\n'),
      loader: 'js',
    }));
    // the file is read at run time, beside the bundle: not bundled
    build.onResolve({ filter: new RegExp(`^\\./${LAZY_DIR}/`) }, (args) => ({ path: args.path, external: true }));
    build.onEnd(async (result) => {
      if (result.errors.length > 0) return;
      const { build: esbuild } = require('esbuild');
      const { entryPoints: _entryPoints, outfile, outdir, plugins: _plugins, metafile: _metafile, stdin: _stdin, ...settings } = options;
      await esbuild({
        ...settings,
        stdin: { contents: "module.exports = require('yaml');", resolveDir: ROOT, loader: 'js' },
        outfile: path.join(outdir ?? path.dirname(outfile), LAZY_DIR, 'yaml.js'),
        logLevel: 'warning',
      });
    });
  },
};

module.exports = [builtinRules, zodEnglishOnly, lazyYaml];
