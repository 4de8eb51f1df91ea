/**
 * The built-in rule pack parsed at build time (issue 15: YAML parsing was most of a cold
 * start). Plain JavaScript: serverless-esbuild loads its plugins with `require`, without a
 * TypeScript loader.
 *
 * Each rule file under `dir` becomes `{ name, doc }` — its one YAML document as the rule loader
 * (lib/rules/load.ts) would parse it — or `{ name, text }` when the file is anything else
 * (a Sigma rule, several documents, invalid YAML, a value JSON cannot carry): the function
 * then parses that file at start-up exactly as before, errors included. A test
 * (test/unit/rules/builtin-precompiled.test.ts) checks that the pack built from this data
 * equals the pack loaded from the YAML files.
 *
 * The bundle's copy drops each rule's test cases (`{ name, doc, testCases: false }`): the
 * function never runs them, and they were 647 of the pack's 752 KB of JSON, read and kept
 * at every cold start. `npm run rules:test` and the CLI read the YAML files, cases included.
 * It is also checked here against the rule file schema (lib/rules/schema.ts,
 * RuleFileWithoutTestCasesSchema) and marked `checked: true`, so a cold start compiles it
 * without zod's parse (~4 % of the instructions to handler ready); a file the schema
 * refuses keeps its text, and the function refuses it at start-up as before.
 */
const { readdirSync, readFileSync, statSync } = require('node:fs');
const path = require('node:path');
const { isDeepStrictEqual } = require('node:util');
const { parseAllDocuments } = require('yaml');

const ROOT = path.resolve(__dirname, '..');

/** Same listing as readRuleDirectory: `*.yaml` / `*.yml` below `dir`, sorted by path. */
function ruleFileNames(dir) {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((n) => /\.ya?ml$/i.test(n))
    .sort()
    .filter((n) => statSync(path.join(dir, n)).isFile());
}

/**
 * One file: its parsed document when it is a plain trailwatch rule, else its text.
 * `{ testCases: false }`: without tests.match / noMatch / trust (lib/rules/schema.ts
 * RuleFileWithoutTestCasesSchema); tests.params stays, the parameter check reads it.
 * `check` (with testCases false): a document it refuses keeps its text; one it accepts is
 * marked `checked: true`.
 */
function precompileRuleFile(name, text, { testCases = true, check } = {}) {
  // the options of lib/rules/load.ts buildRulePack
  const docs = parseAllDocuments(text, { uniqueKeys: true, prettyErrors: true });
  const list = Array.isArray(docs) ? docs : [docs];
  if (list.length !== 1 || list[0].errors.length > 0) return { name, text };
  let doc;
  try {
    doc = list[0].toJS({ maxAliasCount: 100 });
  } catch {
    return { name, text };
  }
  // trailwatch rules only (they have `match`); a value JSON does not carry (.inf, -0) keeps the text
  const isRule = typeof doc === 'object' && doc !== null && !Array.isArray(doc) && Object.hasOwn(doc, 'match');
  if (!isRule || !isDeepStrictEqual(JSON.parse(JSON.stringify(doc)), doc)) return { name, text };
  if (testCases || doc.tests === null || typeof doc.tests !== 'object' || Array.isArray(doc.tests)) return { name, doc };
  const { tests, ...rest } = doc;
  const kept = tests.params === undefined ? rest : { ...rest, tests: { params: tests.params } };
  if (check === undefined) return { name, doc: kept, testCases: false };
  return check(kept) ? { name, doc: kept, testCases: false, checked: true } : { name, text };
}

let schema;
/**
 * True when `doc` passes lib/rules/schema.ts RuleFileWithoutTestCasesSchema, the check the
 * function would make at start-up. The schema module is TypeScript: bundled in memory
 * (with its zod) and run here, so the build checks with the very schema the function has.
 */
function checkWithoutTestCases(doc) {
  if (schema === undefined) {
    const { buildSync } = require('esbuild');
    const [out] = buildSync({ entryPoints: [path.join(ROOT, 'lib', 'rules', 'schema.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node22', write: false, logLevel: 'silent' }).outputFiles;
    const module = { exports: {} };
    new Function('module', 'exports', 'require', out.text)(module, module.exports, require);
    schema = module.exports.RuleFileWithoutTestCasesSchema;
  }
  return schema.safeParse(doc).success;
}

/** Every rule file below `dir`, in load order. */
function precompileRuleDirectory(dir, options) {
  return ruleFileNames(dir).map((name) => precompileRuleFile(name.split(path.sep).join('/'), readFileSync(path.join(dir, name), 'utf8'), options));
}

/** Every rule file below `dir` as the bundle carries it: without test cases, checked. */
function bundledRuleDirectory(dir) {
  return precompileRuleDirectory(dir, { testCases: false, check: checkWithoutTestCases });
}

/**
 * The module that replaces lib/rules/builtin-pack.ts in the bundle. JSON.parse of one string
 * literal: V8 reads JSON faster than the same data as an object literal.
 */
function builtinPackModule(dir) {
  const data = JSON.stringify(bundledRuleDirectory(dir));
  return `export const PRECOMPILED_BUILTIN_RULES = JSON.parse(${JSON.stringify(data)});\n`;
}

module.exports = { precompileRuleDirectory, precompileRuleFile, bundledRuleDirectory, checkWithoutTestCases, builtinPackModule, ruleFileNames };
