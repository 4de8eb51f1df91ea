/**
 * The function's build and start-up settings as a checkout's serverless.yml states them, so
 * that benchmarks build and start code as the function is deployed (cold-start.bench.ts,
 * regex.bench.ts) instead of a copy of the settings that drifts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { BuildOptions } from 'esbuild';
import { parseDocument } from 'yaml';

/** A checkout's serverless.yml: custom.esbuild (serverless-esbuild's options) and the function's NODE_OPTIONS. */
export function functionSettings(root: string): { esbuild: BuildOptions & { exclude?: unknown; plugins?: unknown }; flags: string[] } {
  const template = parseDocument(readFileSync(path.join(root, 'serverless.yml'), 'utf8')).toJS() as {
    custom: { esbuild: BuildOptions & { plugins?: unknown } };
    provider: { environment?: { NODE_OPTIONS?: string } };
  };
  const flags = (template.provider.environment?.NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean);
  return { esbuild: template.custom.esbuild, flags };
}
