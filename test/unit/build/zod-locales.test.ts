import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build, type Metafile } from 'esbuild';
import { z } from 'zod';
import plugins from '../../../build/esbuild-plugins';

/**
 * The function's bundle keeps only zod's English locale (build/esbuild-plugins.js,
 * zodEnglishOnly): the other ~50 were half of zod's bytes in the bundle, compiled at every
 * cold start (issue 15). The bundled zod must still say what zod says, in English.
 */

const ROOT = path.resolve(__dirname, '../../..');

/** zod's locale files the bundle holds (file names, from esbuild's metafile). */
function locales(metafile: Metafile): string[] {
  return Object.keys(metafile.inputs)
    .filter((input) => /[\\/]zod[\\/]v4[\\/]locales[\\/]/.test(input))
    .map((input) => path.basename(input))
    .sort();
}

/** Messages of the failures the rule schema reports most (lib/rules/schema.ts). */
function messages(zod: typeof z): string[] {
  const schema = zod.strictObject({ id: zod.string().regex(/^[a-z]+$/), count: zod.int().min(1), severity: zod.enum(['LOW', 'HIGH']), title: zod.string().min(1) });
  const result = schema.safeParse({ id: 'A', count: 0, severity: 'x', title: '', extra: 1 });
  return result.success ? [] : result.error.issues.map((i) => i.message);
}

describe('the bundle keeps only English from zod', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'trailwatch-zod-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** zod bundled as the function's bundle has it; `how` picks zod's ES module or CommonJS build. */
  async function bundle(how: 'import' | 'require', withPlugins: boolean): Promise<{ zod: typeof z; metafile: Metafile }> {
    const outfile = path.join(dir, `zod-${how}-${String(withPlugins)}.js`);
    const contents = how === 'import' ? "export { z } from 'zod';" : "module.exports = { z: require('zod').z };";
    const { metafile } = await build({
      stdin: { contents, resolveDir: ROOT, loader: 'js' },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node22',
      minify: true,
      outfile,
      metafile: true,
      plugins: withPlugins ? plugins : [],
      logLevel: 'silent',
    });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return { zod: (require(outfile) as { z: typeof z }).z, metafile };
  }

  it('bundles every locale without the plugin (what it removes)', async () => {
    const { metafile } = await bundle('import', false);
    expect(locales(metafile)).toEqual(expect.arrayContaining(['de.js', 'en.js', 'fr.js', 'index.js', 'ja.js']));
  });

  it.each(['import', 'require'] as const)('holds the English locale only (zod loaded with %s)', async (how) => {
    // Act
    const { zod, metafile } = await bundle(how, true);

    // Assess
    const ext = how === 'import' ? '.js' : '.cjs';
    expect(locales(metafile)).toEqual([`en${ext}`, `index${ext}`]);
    expect(Object.keys(zod.locales)).toEqual(['en']);
  });

  it.each(['import', 'require'] as const)('gives the English messages zod gives unbundled (zod loaded with %s)', async (how) => {
    // Act
    const { zod } = await bundle(how, true);

    // Assess
    const expected = messages(z);
    expect(expected).toHaveLength(5);
    expect(expected.join(' ')).toMatch(/Too small/);
    expect(messages(zod)).toEqual(expected);
  });
});
