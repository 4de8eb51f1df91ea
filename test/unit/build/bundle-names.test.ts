import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { parseDocument } from 'yaml';
import plugins from '../../../build/esbuild-plugins';

/**
 * The function's bundle keeps its identifiers (serverless.yml custom.esbuild: no
 * minifyIdentifiers, no keepNames — keepNames cost 3 % of the start-up instructions, issue 15).
 * Class names then survive as written unless esbuild renames one to avoid a clash between
 * modules (`ConfigError2`): typed errors take their `name` from the class (lib/errors.ts,
 * `new.target.name`), and logs and metrics show it. This checks that no error class of lib/
 * or functions/ is renamed in the bundle serverless.yml builds. (Other classes may be: e.g.
 * the filter-pattern `Parser` becomes `Parser2` beside yaml's, which only a stack trace shows.)
 */

const ROOT = path.resolve(__dirname, '../../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
    .map((name) => path.join(dir, name));
}

/** Names of the error classes declared in lib/ and functions/ (by convention, `…Error`). */
function declaredErrorClasses(): string[] {
  const names = new Set<string>();
  for (const file of [...sourceFiles(path.join(ROOT, 'lib')), ...sourceFiles(path.join(ROOT, 'functions'))]) {
    for (const match of readFileSync(file, 'utf8').matchAll(/^\s*(?:export\s+)?(?:abstract\s+)?class\s+([A-Za-z_$][\w$]*Error)\b/gm)) names.add(match[1]!);
  }
  return [...names].sort();
}

describe("the function's bundle", () => {
  let dir: string;
  let bundle: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'trailwatch-names-'));
    const template = parseDocument(readFileSync(path.join(ROOT, 'serverless.yml'), 'utf8')).toJS() as { custom: { esbuild: BuildOptions & { exclude?: unknown; plugins?: unknown } } };
    const { exclude: _exclude, plugins: _plugins, ...settings } = template.custom.esbuild;
    const outfile = path.join(dir, 'ingest.js');
    await build({ ...settings, plugins, entryPoints: [path.join(ROOT, 'functions', 'ingest.ts')], outfile, logLevel: 'silent' });
    bundle = readFileSync(outfile, 'utf8');
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is built without minified identifiers', () => {
    expect(bundle).toMatch(/\bCorruptGzipError=class extends LogFileError\b|\bclass CorruptGzipError extends LogFileError\b/);
  });

  it('keeps the name of every error class of lib/ and functions/ it holds', () => {
    const classes = declaredErrorClasses();
    expect(classes).toEqual(expect.arrayContaining(['ConfigError', 'CorruptGzipError', 'RuleLoadError']));
    // a class is declared `class Name` or assigned `Name=class` (esbuild hoists some). Wrong
    // names: renamed (`Name2`), or given an inner name (`Name=class _Name`, what esbuild
    // writes for a class that refers to itself), which is then its `name`
    const renamed = classes.filter((name) => new RegExp(`(?:\\bclass ${name}\\d+\\b|\\b${name}\\d+=class\\b|\\b${name}\\d*=class (?!extends\\b)[\\w$]+)`).test(bundle));
    const held = classes.filter((name) => new RegExp(`(?:\\bclass ${name}\\b|\\b${name}=class\\b)`).test(bundle));
    expect(renamed).toEqual([]);
    expect(held.length).toBeGreaterThan(20);
  });
});
