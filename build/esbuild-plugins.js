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
 * Modules only some deployments use, kept out of the function's bundle and loaded on first
 * use: each becomes its own file beside the bundle (lazy-modules/<name>.js, in the package
 * with it), and in the bundle a stand-in whose exports load that file when first read.
 * Every cold start used to compile and run them (Security Hub's client alone is 290 KB of
 * the bundle, ~20 ms of CPU, bench/cold-start.bench.ts); now only a function that sends to
 * Security Hub or EventBridge loads them, at its first finding. The lazy file carries its own
 * copy of what it shares with the bundle (the SDK's core), so that first use costs a little
 * more than before. test/unit/build/lazy-modules.test.ts.
 */
const LAZY_MODULES = ['@aws-sdk/client-securityhub', '@aws-sdk/client-eventbridge'];
const LAZY_DIR = 'lazy-modules';

function lazyModules(specifiers = LAZY_MODULES) {
  const fileName = (specifier) => `${specifier.replace(/^@/, '').replace(/[^A-Za-z0-9.-]/g, '-')}.js`;
  const filter = new RegExp(`^(${specifiers.map((s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})$`);
  return {
    name: 'trailwatch-lazy-modules',
    setup(build) {
      const options = build.initialOptions;
      build.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'trailwatch-lazy' }));
      build.onLoad({ filter: /.*/, namespace: 'trailwatch-lazy' }, (args) => ({
        // No list of names: the client packages export ~1,400 names, and a getter for each
        // cost more at start-up than the module saved (3 % of the instructions, measured).
        // The bundle reads an import as a property of `__toESM(require(…))`, an object whose
        // prototype is this module's prototype: the proxy, which loads the file on the first
        // name read. `__esModule` (asked by __toESM itself) and symbols load nothing.
        contents: [
          'let loaded;',
          `const load = () => (loaded ??= require(${JSON.stringify(`./${LAZY_DIR}/${fileName(args.path)}`)}));`,
          "module.exports = Object.create(new Proxy({}, { get: (_, name) => (name === '__esModule' || typeof name === 'symbol' ? undefined : load()[name]) }));",
        ].join('\n'),
        loader: 'js',
      }));
      // the lazy file is read at run time, beside the bundle: not bundled
      build.onResolve({ filter: new RegExp(`^\\./${LAZY_DIR}/`) }, (args) => ({ path: args.path, external: true }));
      build.onEnd(async (result) => {
        if (result.errors.length > 0) return;
        const outdir = options.outdir ?? path.dirname(options.outfile);
        const { build: esbuild } = require('esbuild');
        const { entryPoints: _entryPoints, outfile: _outfile, outdir: _outdir, plugins: _plugins, metafile: _metafile, stdin: _stdin, ...settings } = options;
        for (const specifier of specifiers) {
          await esbuild({
            ...settings,
            stdin: { contents: `module.exports = require(${JSON.stringify(specifier)});`, resolveDir: ROOT, loader: 'js' },
            outfile: path.join(outdir, LAZY_DIR, fileName(specifier)),
            logLevel: 'warning',
          });
        }
      });
    },
  };
}

module.exports = [builtinRules, zodEnglishOnly, lazyModules()];
