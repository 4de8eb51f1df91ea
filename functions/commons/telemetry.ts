import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MetricsLike } from '../../lib/telemetry';

export const logger = new Logger({ serviceName: 'trailwatch' });
export const metrics = new Metrics({ namespace: 'Trailwatch', serviceName: 'trailwatch' });

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
};
