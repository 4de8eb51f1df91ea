import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { AnomalyRunResult } from '../../lib/anomaly';
import type { Finding } from '../../lib/findings';
import { emptyReport, type DeliveryReport } from '../../lib/report';
import { EMITTED_METRICS, emittedMetric, recordAnomalyResult, recordReportMetrics, type LoggerLike, type MetricsLike } from '../../lib/telemetry';

const ROOT = path.resolve(__dirname, '..', '..');
/** The Powertools adapter forwards names it is given; every other call must name its metric. */
const ADAPTER = path.join('functions', 'commons', 'telemetry.ts');

function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)));
}

interface Emission {
  readonly file: string;
  readonly name: string;
  readonly dimensions: string[];
}

/** Every metric emission in lib/ and functions/: the metric name and its dimensions. */
function emissionsInSources(): { emissions: Emission[]; dynamic: string[] } {
  const emissions: Emission[] = [];
  const dynamic: string[] = [];
  for (const file of [...sources('lib'), ...sources('functions')]) {
    const text = readFileSync(path.join(ROOT, file), 'utf8');
    for (const m of text.matchAll(/\.(addMetric|addCountWithReason|addCountBy)\(\s*([^,)]*)(?:,\s*([^,)]*))?/g)) {
      const [call, method, first = '', second = ''] = m;
      const name = /^'([A-Za-z]+)'$/.exec(first.trim())?.[1];
      if (name === undefined) {
        if (file !== ADAPTER) dynamic.push(`${file}: ${call}`);
        continue;
      }
      const dimension = method === 'addCountWithReason' ? 'Reason' : method === 'addCountBy' ? /^'([A-Za-z]+)'$/.exec(second.trim())?.[1] : undefined;
      if (method === 'addCountBy' && dimension === undefined) dynamic.push(`${file}: ${call}`);
      emissions.push({ file, name, dimensions: dimension ? ['service', dimension] : ['service'] });
    }
  }
  return { emissions, dynamic };
}

function recordingMetrics(): { metrics: MetricsLike; seen: { name: string; dimensions: string[]; value: number; dimensionValue?: string }[] } {
  const seen: { name: string; dimensions: string[]; value: number; dimensionValue?: string }[] = [];
  return {
    seen,
    metrics: {
      addMetric: (name, _unit, value) => seen.push({ name, dimensions: ['service'], value }),
      addCountWithReason: (name, reason) => seen.push({ name, dimensions: ['service', 'Reason'], value: 1, dimensionValue: reason }),
      addCountBy: (name, dimension, value, count) => seen.push({ name, dimensions: ['service', dimension], value: count, dimensionValue: value }),
    },
  };
}

function finding(ruleId: string, severity: Finding['severity']): Finding {
  return { ruleId, title: ruleId, severity, source: 'rule', object: { bucket: 'b', key: 'k' }, count: 1, dedupKey: `${ruleId}:${Math.random()}` };
}

describe('the metric registry (EMITTED_METRICS)', () => {
  it('lists exactly the metrics the code emits, with the dimensions it emits them with', () => {
    // Act
    const { emissions, dynamic } = emissionsInSources();
    // Assess: a renamed, added or removed metric fails here until the registry says so
    expect(dynamic).toEqual([]);
    const emitted = new Map(emissions.map((e) => [e.name, e]));
    expect([...emitted.keys()].sort()).toEqual(EMITTED_METRICS.map((m) => m.name).sort());
    for (const e of emissions) expect({ name: e.name, dimensions: emittedMetric(e.name)?.dimensions }).toEqual({ name: e.name, dimensions: e.dimensions });
  });

  it('names each metric once', () => {
    expect(new Set(EMITTED_METRICS.map((m) => m.name)).size).toBe(EMITTED_METRICS.length);
  });
});

describe('recordReportMetrics', () => {
  it('counts findings in total, per severity and per rule, under registered names and dimensions', () => {
    // Prepare
    const report: DeliveryReport = {
      ...emptyReport({ bucket: 'b', key: 'k' }, 'log', 'processed'),
      status: 'processed',
      findings: [finding('root-console-login', 'CRITICAL'), finding('root-console-login', 'CRITICAL'), finding('iam-user-created', 'MEDIUM')],
    };
    const { metrics, seen } = recordingMetrics();
    // Act
    recordReportMetrics(metrics, report);
    // Assess
    expect(seen.filter((m) => m.name.startsWith('Findings'))).toEqual([
      { name: 'Findings', dimensions: ['service'], value: 3 },
      { name: 'FindingsBySeverity', dimensions: ['service', 'Severity'], value: 2, dimensionValue: 'CRITICAL' },
      { name: 'FindingsBySeverity', dimensions: ['service', 'Severity'], value: 1, dimensionValue: 'MEDIUM' },
      { name: 'FindingsByRule', dimensions: ['service', 'RuleId'], value: 2, dimensionValue: 'root-console-login' },
      { name: 'FindingsByRule', dimensions: ['service', 'RuleId'], value: 1, dimensionValue: 'iam-user-created' },
    ]);
    for (const m of seen) expect({ name: m.name, dimensions: emittedMetric(m.name)?.dimensions }).toEqual({ name: m.name, dimensions: m.dimensions });
  });
});

describe('recordAnomalyResult', () => {
  const base: AnomalyRunResult = { status: 'scored', reason: 'scored 2 (API, type) pairs', records: { counted: 1, skipped: { notManagement: 0, late: 0, overflow: 0 } } as unknown as AnomalyRunResult['records'], apis: 1, findings: 0, durationMs: 1 };

  function capture(): { logger: LoggerLike; lines: { level: string; message: string }[] } {
    const lines: { level: string; message: string }[] = [];
    const log = (level: string) => (message: string) => void lines.push({ level, message });
    return { lines, logger: { info: log('INFO'), warn: log('WARN'), error: log('ERROR') } };
  }

  it('logs a store failure at ERROR and counts AnomalyStoreFailures', () => {
    // Prepare
    const { logger, lines } = capture();
    const { metrics, seen } = recordingMetrics();
    // Act
    recordAnomalyResult(logger, metrics, { ...base, status: 'failed', reason: 'baseline store failed, no anomaly findings for this delivery: 500' });
    // Assess
    expect(lines).toEqual([{ level: 'ERROR', message: 'anomaly detection: failed: baseline store failed, no anomaly findings for this delivery: 500' }]);
    expect(seen).toEqual([{ name: 'AnomalyStoreFailures', dimensions: ['service'], value: 1 }]);
  });

  it('logs other outcomes at INFO and counts Starts and Ends', () => {
    // Prepare
    const { logger, lines } = capture();
    const { metrics, seen } = recordingMetrics();
    // Act
    recordAnomalyResult(logger, metrics, { ...base, transitions: { start: 2, continue: 1, end: 1, lost: 0, dropped: 0 } });
    // Assess
    expect(lines.map((l) => l.level)).toEqual(['INFO']);
    expect(seen).toEqual([
      { name: 'AnomalyStarts', dimensions: ['service'], value: 2 },
      { name: 'AnomalyEnds', dimensions: ['service'], value: 1 },
    ]);
  });
});
