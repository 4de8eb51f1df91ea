import { AnomalyOptionsError } from '../../../lib/anomaly/errors';
import { DEFAULT_ANOMALY_OPTIONS, anomalyOptionsFromEnv, resolveAnomalyOptions } from '../../../lib/anomaly/options';

describe('anomaly options', () => {
  it('uses the documented defaults when no variable is set', () => {
    // Act
    const options = anomalyOptionsFromEnv({});
    // Assess
    expect(options).toEqual(DEFAULT_ANOMALY_OPTIONS);
    expect(options).toMatchObject({ windowDays: 7, minHistoryDays: 3, severity: 'MEDIUM', callRateMeasure: 'writes' });
  });

  it('reads its environment variables', () => {
    // Act
    const options = anomalyOptionsFromEnv({
      ANOMALY_WINDOW_DAYS: '14', ANOMALY_MIN_HISTORY_DAYS: '5', ANOMALY_ALPHA: '1e-6', ANOMALY_TYPES: 'ApiErrorRateInsight',
      ANOMALY_CALL_RATE_MEASURE: 'calls', ANOMALY_SEVERITY: 'HIGH', ANOMALY_END_SEVERITY: 'LOW',
    });
    // Assess
    expect(options).toMatchObject({
      windowDays: 14, minHistoryDays: 5, alpha: 1e-6, types: ['ApiErrorRateInsight'], callRateMeasure: 'calls', severity: 'HIGH', endSeverity: 'LOW',
    });
  });

  it('refuses bad values, naming the variable', () => {
    // Act & Assess
    expect(() => anomalyOptionsFromEnv({ ANOMALY_SEVERITY: 'URGENT' })).toThrow(/ANOMALY_SEVERITY/);
    expect(() => anomalyOptionsFromEnv({ ANOMALY_TYPES: 'ApiCallRateInsight,ApiLatency' })).toThrow(AnomalyOptionsError);
    expect(() => anomalyOptionsFromEnv({ ANOMALY_WINDOW_DAYS: '0' })).toThrow(/ANOMALY_WINDOW_DAYS/);
  });

  it('refuses a band that one BatchGetItem (100 keys) cannot read', () => {
    // Act & Assess
    expect(() => resolveAnomalyOptions({ windowDays: 30, seasonalSpreadHours: 2 })).toThrow(/BatchGetItem/);
    expect(resolveAnomalyOptions({ windowDays: 33, seasonalSpreadHours: 1 }).windowDays).toBe(33);
  });
});
