import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build, type Metafile } from 'esbuild';
import { parseAllDocuments as parseAllDocumentsHere } from 'yaml';
import plugins from '../../../build/esbuild-plugins';

/**
 * The function's bundle leaves `yaml` in its own file, loaded on first use
 * (build/esbuild-plugins.js, lazyYaml): only users' rule files and Sigma rules need it,
 * and compiling it was part of every cold start (issue 15).
 */

const ROOT = path.resolve(__dirname, '../../..');
// imported as lib/rules/load.ts and lib/rules/sigma/yaml.ts import it
const ENTRY = `
import { parseAllDocuments, visit } from 'yaml';
export const parse = (text: string) => parseAllDocuments(text, { uniqueKeys: true }).map((d) => d.toJS());
export const hasVisit = () => typeof visit === 'function' && typeof visit.BREAK === 'symbol';
`;

describe('yaml in the bundle', () => {
  let dir: string;
  let outfile: string;
  let metafile: Metafile;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'trailwatch-lazy-yaml-'));
    outfile = path.join(dir, 'entry.js');
    ({ metafile } = await build({ stdin: { contents: ENTRY, resolveDir: ROOT, loader: 'ts' }, bundle: true, platform: 'node', format: 'cjs', target: 'node22', mainFields: ['module', 'main'], outfile, metafile: true, plugins, logLevel: 'silent' }));
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const lazyFile = (): string => path.join(dir, 'lazy-modules', 'yaml.js');
  const loaded = (): boolean => Object.keys(require.cache).includes(lazyFile());

  it('is left out of the bundle, in its own file beside it', () => {
    expect(Object.keys(metafile.inputs).filter((input) => /node_modules[\\/]yaml[\\/]/.test(input))).toEqual([]);
    expect(existsSync(lazyFile())).toBe(true);
  });

  it('is loaded on first use only, and parses as yaml does', () => {
    // Act: requiring the bundle reads no yaml
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const bundled = require(outfile) as { parse(text: string): unknown[]; hasVisit(): boolean };
    const before = loaded();
    const text = 'id: x\nMFAUsed: No\nwhen: 2026-11-24\n---\n[1, 2]\n';
    const parsed = bundled.parse(text);

    // Assess
    expect(before).toBe(false);
    expect(loaded()).toBe(true);
    expect(parsed).toEqual(parseAllDocumentsHere(text, { uniqueKeys: true }).map((d) => d.toJS()));
    expect(bundled.hasVisit()).toBe(true);
  });
});
