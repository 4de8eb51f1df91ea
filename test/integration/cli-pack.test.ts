import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Issue 14, "Done when": `npm pack` + `npx trailwatch --help` works on a fresh machine. The
 * tarball is packed (prepack builds dist/trailwatch.js with esbuild), installed into an empty
 * project in a temp dir as a user would, and run through npx, outside this repository.
 */
const REPO = path.resolve(__dirname, '..', '..');
jest.setTimeout(300_000);

describe('the packed trailwatch command', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'trailwatch-pack-'));
    execFileSync('npm', ['pack', '--pack-destination', dir], { cwd: REPO, stdio: 'pipe' });
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error('npm pack wrote no tarball');
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'trailwatch-user', version: '1.0.0', private: true }));
    // the bundle needs none of the dependencies; npm installs them anyway (from its cache when it can)
    execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', `./${tarball}`], { cwd: dir, stdio: 'pipe' });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const npx = (args: string[]) => spawnSync('npx', ['--no-install', 'trailwatch', ...args], { cwd: dir, encoding: 'utf8' });

  it('prints its help and version through npx', () => {
    // Act
    const help = npx(['--help']);
    const version = npx(['--version']);

    // Assess
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: trailwatch [options] [command]');
    expect(help.stdout).toContain('scan [options] <paths...>');
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('scans the sample files with its own built-in rules and exits 1 on the CRITICAL finding', () => {
    // Act
    const scan = npx(['scan', path.join(REPO, 'events', 'cloudtrail')]);

    // Assess
    expect(scan.status).toBe(1);
    expect(scan.stdout).toContain('root-console-login');
    expect(scan.stderr).toMatch(/5 file\(s\) \(4 read, 1 skipped\), 472 record\(s\)/);
  });

  it('gives one error line and exit 2 for a missing directory', () => {
    // Act
    const scan = npx(['scan', path.join(dir, 'no-such-dir')]);

    // Assess
    expect(scan.status).toBe(2);
    expect(scan.stderr.trim().split('\n').filter((l) => !/rule\(s\) active/.test(l))).toEqual([`error: ${path.join(dir, 'no-such-dir')}: no such file or directory`]);
  });
});
