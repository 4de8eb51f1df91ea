import { z } from 'zod';
import { DEFAULT_MAX_DECOMPRESSED_BYTES } from './cloudtrail/gunzip';

/**
 * The function's configuration, from environment variables set by serverless.yml. Parsed
 * once per container; a bad value fails the cold start with the variable's name.
 */
const ConfigSchema = z.object({
  LOG_GROUP_NAME: z.string().regex(/^[.\-_/#A-Za-z0-9]{1,512}$/, 'a CloudWatch Logs group name'),
  MAX_DECOMPRESSED_BYTES: z.coerce.number().int().positive().default(DEFAULT_MAX_DECOMPRESSED_BYTES),
  PUT_LOG_EVENTS_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(32).default(4),
});

export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`trailwatch configuration is invalid: ${problems}`);
  }
  return parsed.data;
}
