import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC_NAMESPACE, METRIC_SERVICE, type MetricsLike } from '../../lib/telemetry';

export const logger = new Logger({ serviceName: METRIC_SERVICE });
// serviceName becomes the `service` dimension of every metric: alarms and the dashboard name it
export const metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: METRIC_SERVICE });

/** Powertools Metrics behind the pipeline's small MetricsLike port. */
export const pipelineMetrics: MetricsLike = {
  addMetric: (name, unit, value) => {
    metrics.addMetric(name, unit, value);
  },
  addCountWithReason: (name, reason) => {
    const single = metrics.singleMetric();
    single.addDimension('Reason', reason);
    single.addMetric(name, MetricUnit.Count, 1);
  },
  addCountBy: (name, dimension, value, count) => {
    const single = metrics.singleMetric();
    single.addDimension(dimension, value);
    single.addMetric(name, MetricUnit.Count, count);
  },
};
