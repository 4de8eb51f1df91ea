import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { S3Client } from '@aws-sdk/client-s3';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { CloudWatchLogsSink } from '../lib/aws/cloudwatch-logs-sink';
import { S3ObjectSource } from '../lib/aws/s3-source';
import { loadConfig } from '../lib/config';
import { ingestEvent, type IngestDeps } from '../lib/ingest';
import { loadRulePack, ruleAnalyser, rulePackOptionsFromEnv } from '../lib/rules';
import { logger, metrics, pipelineMetrics } from './commons/telemetry';

// Built once per container. Endpoints, region, retries (AWS_MAX_ATTEMPTS, AWS_RETRY_MODE)
// come from the standard AWS_* variables, so the same code runs against the local stack.
const config = loadConfig();
// A broken rule file fails here, naming the file and the reason, on every invocation
// (`npm run rules:test` catches it before deploying).
const rulePack = loadRulePack(rulePackOptionsFromEnv()).then((pack) => {
  logger.info(`rule pack loaded: ${pack.rules.length} rules active`, {
    inactive: pack.entries.filter((e) => e.status !== 'active').map((e) => ({ id: e.id, status: e.status, reason: e.statusReason })),
    refused: pack.refused,
  });
  return pack;
});

const baseDeps: Omit<IngestDeps, 'analysersFor'> = {
  source: new S3ObjectSource(new S3Client({})),
  sink: new CloudWatchLogsSink(new CloudWatchLogsClient({})),
  logGroup: config.LOG_GROUP_NAME,
  gunzip: { maxDecompressedBytes: config.MAX_DECOMPRESSED_BYTES },
  maxInFlight: config.PUT_LOG_EVENTS_MAX_IN_FLIGHT,
  logger,
  metrics: pipelineMetrics,
};

export const handler = middy(async (event: unknown, context: Context) => {
  const pack = await rulePack;
  return ingestEvent(event, { ...baseDeps, analysersFor: (ref) => [ruleAnalyser(pack, ref)] }, context);
})
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
