import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import plugins from '../../../build/esbuild-plugins';

/**
 * The Security Hub client in the function's bundle is wrapped in a function that runs when a
 * deployment turns the output on (functions/commons/deps.ts, securityHubImporter): a cold
 * start without it only pre-parses the largest part of the bundle (issue 15). The S3 client,
 * which every deployment uses, stays at the bundle's top level.
 */

const ROOT = path.resolve(__dirname, '../../..');

describe('the Security Hub client in the bundle', () => {
  let dir: string;
  let code: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'trailwatch-lazy-securityhub-'));
    const outfile = path.join(dir, 'deps.js');
    await build({ entryPoints: [path.join(ROOT, 'functions', 'commons', 'deps.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node22', mainFields: ['module', 'main'], outfile, plugins, logLevel: 'silent' });
    code = readFileSync(outfile, 'utf8');
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** esbuild's wrapper of a module run on first `require`: `__esm({ "<path>"() { … } })`. */
  const wrapped = (module: string): boolean => new RegExp(`__esm\\(\\{\\s*"[^"]*${module.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}"\\(\\)`).test(code);

  it('is wrapped, with its schemas and the importer', () => {
    expect(wrapped('@aws-sdk/client-securityhub/dist-es/SecurityHubClient.js')).toBe(true);
    expect(wrapped('@aws-sdk/client-securityhub/dist-es/schemas/schemas_0.js')).toBe(true);
    expect(wrapped('lib/aws/securityhub-importer.ts')).toBe(true);
  });

  it('leaves the clients every deployment uses at the top level', () => {
    expect(code).toContain('client-s3/dist-es/S3Client.js');
    expect(wrapped('@aws-sdk/client-s3/dist-es/S3Client.js')).toBe(false);
  });
});
