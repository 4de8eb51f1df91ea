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
 */
const { readdirSync, readFileSync, statSync } = require('node:fs');
const path = require('node:path');
const { isDeepStrictEqual } = require('node:util');
const { parseAllDocuments } = require('yaml');

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
 */
function precompileRuleFile(name, text, { testCases = true } = {}) {
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
  return { name, doc: kept, testCases: false };
}

/** Every rule file below `dir`, in load order. */
function precompileRuleDirectory(dir, options) {
  return ruleFileNames(dir).map((name) => precompileRuleFile(name.split(path.sep).join('/'), readFileSync(path.join(dir, name), 'utf8'), options));
}

/**
 * The module that replaces lib/rules/builtin-pack.ts in the bundle. JSON.parse of one string
 * literal: V8 reads JSON faster than the same data as an object literal.
 */
function builtinPackModule(dir) {
  const data = JSON.stringify(precompileRuleDirectory(dir, { testCases: false }));
  return `export const PRECOMPILED_BUILTIN_RULES = JSON.parse(${JSON.stringify(data)});\n`;
}

module.exports = { precompileRuleDirectory, precompileRuleFile, builtinPackModule, ruleFileNames };
