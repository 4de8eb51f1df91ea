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
import { logger, metrics, pipelineMetrics } from './commons/telemetry';

// Built once per container. Endpoints, region, retries (AWS_MAX_ATTEMPTS, AWS_RETRY_MODE)
// come from the standard AWS_* variables, so the same code runs against the local stack.
const config = loadConfig();
const deps: IngestDeps = {
  source: new S3ObjectSource(new S3Client({})),
  sink: new CloudWatchLogsSink(new CloudWatchLogsClient({})),
  logGroup: config.LOG_GROUP_NAME,
  gunzip: { maxDecompressedBytes: config.MAX_DECOMPRESSED_BYTES },
  maxInFlight: config.PUT_LOG_EVENTS_MAX_IN_FLIGHT,
  logger,
  metrics: pipelineMetrics,
};

export const handler = middy((event: unknown, context: Context) => ingestEvent(event, deps, context))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
