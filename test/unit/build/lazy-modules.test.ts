import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build, type Metafile } from 'esbuild';
import plugins from '../../../build/esbuild-plugins';

/**
 * The AWS SDK clients only some deployments use (Security Hub, EventBridge) are kept out of
 * the function's bundle and loaded on first use (build/esbuild-plugins.js, lazyModules):
 * compiling and running them was part of every cold start (issue 15).
 */

const ROOT = path.resolve(__dirname, '../../..');
const ENTRY = `
import { SecurityHubClient, BatchImportFindingsCommand, SecurityHubServiceException } from '@aws-sdk/client-securityhub';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
export const securityHub = () => new SecurityHubClient({ region: 'eu-west-1' });
export const command = () => new BatchImportFindingsCommand({ Findings: [] });
export const isServiceError = (err: unknown) => err instanceof SecurityHubServiceException;
export const eventBridge = () => new EventBridgeClient({ region: 'eu-west-1' });
`;

interface Bundled {
  securityHub(): { config: { region(): Promise<string> }; send(command: unknown): Promise<unknown> };
  command(): { input: unknown };
  isServiceError(err: unknown): boolean;
  eventBridge(): object;
}

describe('the lazily loaded SDK clients', () => {
  let dir: string;
  let outfile: string;
  let metafile: Metafile;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'trailwatch-lazy-'));
    outfile = path.join(dir, 'entry.js');
    ({ metafile } = await build({ stdin: { contents: ENTRY, resolveDir: ROOT, loader: 'ts' }, bundle: true, platform: 'node', format: 'cjs', target: 'node22', mainFields: ['module', 'main'], outfile, metafile: true, plugins, logLevel: 'silent' }));
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const lazyFile = (name: string): string => path.join(dir, 'lazy-modules', `aws-sdk-${name}.js`);
  const loadedLazily = (): string[] => Object.keys(require.cache).filter((file) => file.startsWith(path.join(dir, 'lazy-modules')));

  it('leaves them out of the bundle, each in its own file beside it', () => {
    const inputs = Object.keys(metafile.inputs);
    expect(inputs.filter((input) => /client-(securityhub|eventbridge)[\\/]/.test(input))).toEqual([]);
    // only these two clients are imported here: nothing of the SDK is left in the bundle
    expect(inputs.some((input) => input.includes('@smithy'))).toBe(false);
    expect(existsSync(lazyFile('client-securityhub'))).toBe(true);
    expect(existsSync(lazyFile('client-eventbridge'))).toBe(true);
  });

  it('loads a client on first use only, and it works as the bundled one did', async () => {
    // Act: requiring the bundle reads neither file
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const bundled = require(outfile) as Bundled;
    const before = loadedLazily();
    const client = bundled.securityHub();

    // Assess
    expect(before).toEqual([]);
    expect(loadedLazily()).toEqual([lazyFile('client-securityhub')]);
    expect(await client.config.region()).toBe('eu-west-1');
    expect(bundled.command().input).toEqual({ Findings: [] });
    expect(bundled.isServiceError(new Error('x'))).toBe(false);
    bundled.eventBridge();
    expect(loadedLazily().sort()).toEqual([lazyFile('client-eventbridge'), lazyFile('client-securityhub')]);
  });
});
