import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { S3RuleSource } from '../lib/aws/s3-rule-source';
import { loadConfig } from '../lib/config';
import { ingestEvent, type IngestDeps } from '../lib/ingest';
import { loadRulePack, rulePackOptionsFromEnv } from '../lib/rules';
import { buildIngestDeps, HTTP } from './commons/deps';
import { logger, metrics, pipelineMetrics } from './commons/telemetry';

// Built once per container. A bad setting or a broken rule file fails here, naming the
// variable or the file and the reason, on every invocation (`npm run rules:test` catches
// rule files before deploying).
const config = loadConfig();
const ruleSources = config.RULES_S3_BUCKET ? [new S3RuleSource(new S3Client(HTTP), config.RULES_S3_BUCKET, config.RULES_S3_PREFIX)] : [];
const rulePack = loadRulePack({ ...rulePackOptionsFromEnv(), sources: ruleSources }).then((pack) => {
  logger.info(`rule pack loaded: ${pack.rules.length} rules active`, {
    inactive: pack.entries.filter((e) => e.status !== 'active').map((e) => ({ id: e.id, status: e.status, reason: e.statusReason })),
    refused: pack.refused,
  });
  // not strict (RULES_STRICT unset): a broken user rule file is skipped, never silently
  for (const broken of pack.broken) logger.error(`rule file skipped: does not load (${broken.reason})`, { file: broken.file, reason: broken.reason, detail: broken.message });
  pipelineMetrics.addMetric('RuleFilesBroken', 'Count', pack.broken.length);
  // each delivery also reports an expired exception as an exception-expired finding; this line says it at cold start
  for (const e of pack.exceptions.exceptions) {
    const line = { exception: e.id, rule: e.rule, owner: e.owner, expires: e.expires, file: e.file };
    if (Date.now() >= e.expiresAt) logger.warn(`exception expired: ${e.id} no longer suppresses matches`, line);
    else logger.info(`exception loaded: ${e.id}`, line);
  }
  return pack;
});
// completed on the first invocation: topic ARNs need the function's own ARN
let deps: Promise<IngestDeps> | undefined;

export const handler = middy(async (event: unknown, context: Context) => {
  deps ??= rulePack.then((pack) => buildIngestDeps(config, pack, { logger, metrics: pipelineMetrics }, context.invokedFunctionArn));
  return ingestEvent(event, await deps, context);
})
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
