import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC_NAMESPACE, METRIC_SERVICE, type MetricsLike } from '../../lib/telemetry';

// serverless.yml sets `<service>-<stage>`: it becomes the `service` dimension of every metric, so
// two stages in one account and Region never feed each other's alarms and dashboard
const serviceName = process.env.POWERTOOLS_SERVICE_NAME || METRIC_SERVICE;
export const logger = new Logger({ serviceName });
export const metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName });

/** Powertools Metrics behind the pipeline's small MetricsLike port. */
export const pipelineMetrics: MetricsLike = {
  addMetric: (name, unit, value) => {
    metrics.addMetric(name, unit, value);
  },
  addCountWithReason: (name, reason) => addCountBy(name, 'Reason', reason, 1),
  addCountBy: (name, dimension, value, count) => addCountBy(name, dimension, value, count),
};

/** One count under one extra dimension, as its own EMF blob, so other metrics keep their dimensions. */
function addCountBy(name: string, dimension: string, value: string, count: number): void {
  const single = metrics.singleMetric();
  single.addDimension(dimension, value);
  single.addMetric(name, MetricUnit.Count, count);
}
