import { EMITTED_METRICS, emittedMetric } from '../../lib/telemetry';
import { CLOUDTRAIL_FIELDS, checkInsightsQuery } from './logs-insights-syntax';
import { conditionValue, packageTemplate as packageTemplateOf } from './packaged-template';

/**
 * Issue 10: the stack watches itself. Read from the packaged CloudFormation template
 * (`serverless package`, offline): every alarm and dashboard metric must be one the code
 * emits (lib/telemetry.ts EMITTED_METRICS, itself checked against the sources by
 * test/unit/telemetry.test.ts) or an AWS metric of this stack's function or queue; the
 * dashboard body is JSON; every Logs Insights query passes the offline syntax check and names
 * the stack's log group.
 */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
interface Resource {
  Type: string;
  Properties?: Json;
  Condition?: string;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}
interface Template {
  Resources: Record<string, Resource>;
  Conditions?: Record<string, unknown>;
  Outputs?: Record<string, Json>;
}

const packageTemplate = (...params: string[]) => packageTemplateOf<Template>(...params);

/** AWS metrics the stack may watch, with the one dimension each takes and what it must name. */
const AWS_METRICS: Record<string, { names: readonly string[]; dimension: string; value: (t: Template) => string }> = {
  'AWS/Lambda': { names: ['Errors', 'Throttles', 'Duration', 'Invocations'], dimension: 'FunctionName', value: (t) => resolve(t, { Ref: 'IngestLambdaFunction' }) },
  'AWS/SQS': { names: ['ApproximateNumberOfMessagesVisible', 'ApproximateAgeOfOldestMessage'], dimension: 'QueueName', value: (t) => resolve(t, { 'Fn::GetAtt': ['FailureQueue', 'QueueName'] }) },
};

const PSEUDO: Record<string, string> = { 'AWS::Region': 'us-east-1', 'AWS::AccountId': '111122223333', 'AWS::Partition': 'aws' };

/** What CloudFormation would put in place of a value: Ref / GetAtt of this stack's named resources. */
function resolve(t: Template, value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  const v = value as Json;
  if (v.Ref !== undefined) {
    const r = t.Resources[v.Ref as string];
    if (r?.Type === 'AWS::Logs::LogGroup') return r.Properties!.LogGroupName as string;
    if (r?.Type === 'AWS::Lambda::Function') return r.Properties!.FunctionName as string;
    if (r?.Type === 'AWS::SNS::Topic') return `arn:aws:sns:us-east-1:111122223333:${r.Properties!.TopicName as string}`;
    if (r?.Type === 'AWS::CloudWatch::Dashboard') return r.Properties!.DashboardName as string;
    if (PSEUDO[v.Ref as string]) return PSEUDO[v.Ref as string] as string;
    throw new Error(`cannot resolve Ref ${String(v.Ref)}`);
  }
  if (v['Fn::GetAtt'] !== undefined) {
    const [id, attribute] = v['Fn::GetAtt'] as [string, string];
    if (attribute === 'QueueName') return t.Resources[id]!.Properties!.QueueName as string;
    throw new Error(`cannot resolve GetAtt ${id}.${attribute}`);
  }
  if (v['Fn::Sub'] !== undefined) return sub(t, v['Fn::Sub']);
  throw new Error(`cannot resolve ${JSON.stringify(value)}`);
}

/** Fn::Sub with its variable map; an unknown `${…}` throws, so a typo cannot pass. */
function sub(t: Template, spec: unknown): string {
  const [text, vars] = Array.isArray(spec) ? (spec as [string, Json]) : [spec as string, {} as Json];
  return text.replace(/\$\{([^}!]+)\}/g, (_, name: string) => {
    if (name in vars) return resolve(t, vars[name]);
    if (PSEUDO[name]) return PSEUDO[name] as string;
    if (t.Resources[name]) return resolve(t, { Ref: name });
    throw new Error(`Fn::Sub names an unknown variable ${name}`);
  });
}

function ofType(t: Template, type: string): [string, Resource][] {
  return Object.entries(t.Resources).filter(([, r]) => r.Type === type);
}

/** The `service` dimension value the deployed function emits with (POWERTOOLS_SERVICE_NAME). */
function serviceOf(t: Template): string {
  return t.Resources.IngestLambdaFunction!.Properties!.Environment.Variables.POWERTOOLS_SERVICE_NAME as string;
}

interface MetricRef {
  readonly where: string;
  readonly namespace: string;
  readonly name: string;
  /** Dimension name → value (resolved). */
  readonly dimensions: Record<string, string>;
}

/** Why a metric reference names no metric the stack emits; undefined when it is fine. */
function metricProblem(t: Template, m: MetricRef): string | undefined {
  const dims = Object.keys(m.dimensions).sort();
  if (m.namespace === 'Trailwatch') {
    const emitted = emittedMetric(m.name);
    if (!emitted) return `${m.where}: Trailwatch/${m.name} is not emitted by the code (lib/telemetry.ts EMITTED_METRICS)`;
    if (JSON.stringify(dims) !== JSON.stringify([...emitted.dimensions].sort())) {
      return `${m.where}: ${m.name} is emitted with dimensions [${emitted.dimensions.join(', ')}], not [${dims.join(', ')}]`;
    }
    if (m.dimensions.service !== serviceOf(t)) return `${m.where}: service=${m.dimensions.service}, the function emits service=${serviceOf(t)}`;
    return undefined;
  }
  const aws = AWS_METRICS[m.namespace];
  if (!aws) return `${m.where}: namespace ${m.namespace} is not one the stack watches`;
  if (!aws.names.includes(m.name)) return `${m.where}: ${m.namespace}/${m.name} is not a metric the stack watches`;
  if (JSON.stringify(dims) !== JSON.stringify([aws.dimension]) || m.dimensions[aws.dimension] !== aws.value(t)) {
    return `${m.where}: ${m.namespace}/${m.name} must name this stack's ${aws.dimension} ${aws.value(t)}, not ${JSON.stringify(m.dimensions)}`;
  }
  return undefined;
}

/** `SELECT SUM(X) FROM SCHEMA("Ns", A, B) WHERE service = 'v'` → the metric it reads. */
function metricsInsightsRef(where: string, sql: string): MetricRef {
  const m = /^SELECT\s+(?:SUM|AVG|MAX|MIN|COUNT)\((\w+)\)\s+FROM\s+SCHEMA\("([^"]+)",\s*([\w\s,]+)\)\s+WHERE\s+service\s*=\s*'([^']+)'$/.exec(sql.replace(/\s+/g, ' ').trim());
  if (!m) throw new Error(`${where}: not a Metrics Insights query this test reads: ${sql}`);
  const [, name, namespace, schemaDims, service] = m as unknown as [string, string, string, string, string];
  const dimensions: Record<string, string> = {};
  for (const d of schemaDims.split(',').map((s) => s.trim())) dimensions[d] = d === 'service' ? service : '*';
  return { where, namespace, name, dimensions };
}

/** `SEARCH('{Ns,A,B} MetricName="X" service="v"', 'Sum', 300)` → the metric it reads. */
function searchRef(where: string, expression: string): MetricRef {
  const m = /^SEARCH\('\{([^,}]+),([^}]+)\} MetricName="(\w+)" service="([^"]+)"', '\w+', \d+\)$/.exec(expression);
  if (!m) throw new Error(`${where}: not a SEARCH expression this test reads: ${expression}`);
  const [, namespace, schemaDims, name, service] = m as unknown as [string, string, string, string, string];
  const dimensions: Record<string, string> = {};
  for (const d of schemaDims.split(',')) dimensions[d] = d === 'service' ? service : '*';
  return { where, namespace, name, dimensions };
}

function alarmMetrics(t: Template, id: string, alarm: Resource): MetricRef[] {
  const p = alarm.Properties!;
  const dims = (list: { Name: string; Value: unknown }[] = []) => Object.fromEntries(list.map((d) => [d.Name, resolve(t, d.Value)]));
  if (p.MetricName) return [{ where: id, namespace: p.Namespace, name: p.MetricName, dimensions: dims(p.Dimensions) }];
  return (p.Metrics as Json[]).flatMap((q): MetricRef[] => {
    if (q.MetricStat) return [{ where: `${id}.${q.Id}`, namespace: q.MetricStat.Metric.Namespace, name: q.MetricStat.Metric.MetricName, dimensions: dims(q.MetricStat.Metric.Dimensions) }];
    if (/^\s*SELECT/i.test(q.Expression)) return [metricsInsightsRef(`${id}.${q.Id}`, q.Expression)];
    return []; // math over the metrics above
  });
}

function dashboardOf(t: Template): Json {
  const [[, dashboard]] = ofType(t, 'AWS::CloudWatch::Dashboard') as [[string, Resource]];
  return JSON.parse(resolve(t, dashboard.Properties!.DashboardBody)) as Json;
}

function dashboardMetrics(body: Json): MetricRef[] {
  return (body.widgets as Json[])
    .filter((w) => w.type === 'metric')
    .flatMap((w) =>
      (w.properties.metrics as unknown[][]).map((entry): MetricRef => {
        const where = `dashboard "${w.properties.title as string}"`;
        // each entry is an array: [namespace, name, dim, value, …, {options}] or [{expression}]
        if (!Array.isArray(entry)) throw new Error(`${where}: a metrics entry must be an array, not ${JSON.stringify(entry)}`);
        if (typeof entry[0] === 'object') return searchRef(where, (entry[0] as Json).expression as string);
        const [namespace, name, ...rest] = entry as [string, string, ...unknown[]];
        const pairs = rest.filter((x) => typeof x === 'string') as string[];
        const dimensions: Record<string, string> = {};
        for (let i = 0; i < pairs.length; i += 2) dimensions[pairs[i] as string] = pairs[i + 1] as string;
        return { where, namespace, name, dimensions };
      }),
    );
}

describe('operations in the packaged template: alarms, the operations topic, the dashboard, saved queries', () => {
  let t: Template;
  let tuned: Template;

  beforeAll(() => {
    t = packageTemplate('trailBucket=org-trail-logs');
    tuned = packageTemplate(
      'trailBucket=org-trail-logs', 'opsEmail=oncall@example.com', 'noLogFileAlarmMinutes=30', 'noDigestAlarmHours=6', 'timeout=120', 'reservedConcurrency=5',
      'functionLogRetentionDays=7', 'tagOwner=platform-security', 'tagCostCenter=cc-42',
    );
  }, 240_000);

  describe('alarms', () => {
    it('has the alarms the issue lists, each named, described with a runbook line, publishing ALARM and OK to the operations topic', () => {
      const alarms = ofType(t, 'AWS::CloudWatch::Alarm');
      expect(alarms.map(([, a]) => a.Properties!.AlarmName).sort()).toEqual(
        [
          'anomaly-store-failures', 'failure-queue-not-empty', 'failure-queue-stale', 'function-duration', 'function-errors', 'function-throttles',
          'no-digest-verified', 'no-log-file-processed', 'objects-failed', 'rule-files-broken', 'triggers-rejected',
        ].map((n) => `trailwatch-dev-${n}`),
      );
      for (const [id, a] of alarms) {
        expect({ id, runbook: /Runbook: \S/.test(a.Properties!.AlarmDescription as string) }).toEqual({ id, runbook: true });
        expect((a.Properties!.AlarmDescription as string).length).toBeLessThanOrEqual(1024);
        expect(a.Properties!.AlarmActions).toEqual([{ Ref: 'OpsTopic' }]);
        expect(a.Properties!.OKActions).toEqual([{ Ref: 'OpsTopic' }]);
      }
    });

    it('watches only metrics the code emits (name and dimensions) or AWS metrics of this stack\'s function and queue', () => {
      const refs = ofType(t, 'AWS::CloudWatch::Alarm').flatMap(([id, a]) => alarmMetrics(t, id, a));
      expect(refs.length).toBeGreaterThanOrEqual(9);
      expect(refs.map((m) => metricProblem(t, m)).filter(Boolean)).toEqual([]);
      // the trailwatch metrics the issue names are among them
      expect(refs.filter((m) => m.namespace === 'Trailwatch').map((m) => m.name).sort()).toEqual(['AnomalyStoreFailures', 'DigestsVerified', 'ObjectsFailed', 'ObjectsProcessed', 'RuleFilesBroken', 'TriggersRejected']);
    });

    it('the check catches a renamed metric, a wrong dimension and another function', () => {
      // Prepare
      const good = alarmMetrics(t, 'ObjectsFailedAlarm', t.Resources.ObjectsFailedAlarm!)[0]!;
      const errors = alarmMetrics(t, 'FunctionErrorsAlarm', t.Resources.FunctionErrorsAlarm!)[0]!;
      // Act
      const problems = [
        metricProblem(t, { ...good, name: 'ObjectFailures' }),
        metricProblem(t, { ...good, dimensions: { ...good.dimensions, Reason: 'X' } }),
        metricProblem(t, { ...good, dimensions: { service: 'trailwatch' } }),
        metricProblem(t, { ...errors, dimensions: { FunctionName: 'someone-else' } }),
      ];
      // Assess
      expect(problems.map((p) => p?.replace(/^\S+: /, ''))).toEqual([
        'Trailwatch/ObjectFailures is not emitted by the code (lib/telemetry.ts EMITTED_METRICS)',
        'ObjectsFailed is emitted with dimensions [service], not [Reason, service]',
        'service=trailwatch, the function emits service=trailwatch-dev',
        'AWS/Lambda/Errors must name this stack\'s FunctionName trailwatch-dev-ingest, not {"FunctionName":"someone-else"}',
      ]);
    });

    it('says "no log file processed" after N one-minute periods without one, missing data breaching (N a parameter, default 60)', () => {
      const p = t.Resources.NoLogFileProcessedAlarm!.Properties!;
      expect(p).toMatchObject({
        MetricName: 'ObjectsProcessed', Statistic: 'Sum', Period: 60, EvaluationPeriods: 60, DatapointsToAlarm: 60,
        Threshold: 1, ComparisonOperator: 'LessThanThreshold', TreatMissingData: 'breaching',
      });
      const q = tuned.Resources.NoLogFileProcessedAlarm!.Properties!;
      expect([Number(q.EvaluationPeriods), Number(q.DatapointsToAlarm)]).toEqual([30, 30]);
      expect(q.AlarmDescription).toContain('for 30 minutes');
    });

    it('says "no digest verified" after N one-hour periods without one, missing data breaching (N a parameter, default 3): the trail stopped or validation was turned off', () => {
      const p = t.Resources.NoDigestVerifiedAlarm!.Properties!;
      expect(p).toMatchObject({
        MetricName: 'DigestsVerified', Statistic: 'Sum', Period: 3600, EvaluationPeriods: 3, DatapointsToAlarm: 3,
        Threshold: 1, ComparisonOperator: 'LessThanThreshold', TreatMissingData: 'breaching',
      });
      const q = tuned.Resources.NoDigestVerifiedAlarm!.Properties!;
      expect([Number(q.EvaluationPeriods), Number(q.DatapointsToAlarm)]).toEqual([6, 6]);
      expect(q.AlarmDescription).toContain('for 6 hours');
    });

    it('measures duration as a share of the function\'s own timeout, and the failure queue by depth and by age (> 1 h)', () => {
      const duration = (x: Template) => (x.Resources.FunctionDurationAlarm!.Properties!.Metrics as Json[]).find((m) => m.ReturnData)!;
      expect(duration(t).Expression).toBe('duration / (10 * 300)');
      expect(duration(tuned).Expression).toBe('duration / (10 * 120)');
      expect(t.Resources.FunctionDurationAlarm!.Properties).toMatchObject({ Threshold: 80, ComparisonOperator: 'GreaterThanThreshold' });
      expect(t.Resources.FailureQueueNotEmptyAlarm!.Properties).toMatchObject({ MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 0 });
      expect(t.Resources.FailureQueueStaleAlarm!.Properties).toMatchObject({ MetricName: 'ApproximateAgeOfOldestMessage', Threshold: 3600 });
    });
  });

  describe('the operations topic', () => {
    it('is its own topic, encrypted with a customer managed key whose policy lets CloudWatch alarms of this stack use it', () => {
      // deployed ones: the optional chat topic exists only with chat=true
      const topics = ofType(t, 'AWS::SNS::Topic')
        .filter(([, r]) => r.Condition === undefined || conditionValue(t.Conditions ?? {}, r.Condition))
        .map(([id]) => id)
        .sort();
      expect(topics).toEqual(['AlertTopic', 'FindingsTopic', 'OpsTopic']);
      expect(t.Resources.OpsTopic!.Properties!.KmsMasterKeyId).toEqual({ Ref: 'OpsTopicKey' });
      const key = t.Resources.OpsTopicKey!;
      expect(key.Type).toBe('AWS::KMS::Key');
      expect(key.Properties!.EnableKeyRotation).toBe(true);
      const cloudwatch = (key.Properties!.KeyPolicy.Statement as Json[]).filter((s) => s.Principal?.Service === 'cloudwatch.amazonaws.com');
      expect(cloudwatch).toHaveLength(1);
      expect(cloudwatch[0]).toMatchObject({ Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'] });
      expect(resolve(t, cloudwatch[0]!.Condition.ArnLike['aws:SourceArn'])).toBe('arn:aws:cloudwatch:us-east-1:111122223333:alarm:trailwatch-dev-*');
      expect(t.Outputs!.OpsTopicArn!.Value).toEqual({ Ref: 'OpsTopic' });
    });

    it('subscribes opsEmail only when given', () => {
      expect(t.Resources.OpsEmailSubscription).toMatchObject({ Condition: 'HasOpsEmail', Properties: { Protocol: 'email', TopicArn: { Ref: 'OpsTopic' } } });
      expect(conditionValue(t.Conditions as Json, 'HasOpsEmail')).toBe(false);
      expect(conditionValue(tuned.Conditions as Json, 'HasOpsEmail')).toBe(true);
      expect(tuned.Resources.OpsEmailSubscription!.Properties!.Endpoint).toBe('oncall@example.com');
    });
  });

  describe('the dashboard', () => {
    it('is valid JSON whose metrics the code emits (or are this stack\'s function and queue)', () => {
      const body = dashboardOf(t);
      const refs = dashboardMetrics(body);
      expect(refs.map((m) => metricProblem(t, m)).filter(Boolean)).toEqual([]);
      // what the issue asks to see
      const shown = new Set(refs.map((m) => m.name));
      for (const name of [
        'ObjectsProcessed', 'ObjectsSkipped', 'ObjectsFailed', 'ObjectsFailedByReason', 'RecordsRead', 'RecordsForwarded', 'BytesCompressed',
        'BytesForwarded', 'PutLogEventsCalls', 'ObjectDuration', 'ApproximateNumberOfMessagesVisible', 'FindingsBySeverity', 'FindingsByRule',
        'AnomalyStarts', 'AnomalyEnds',
      ]) expect({ name, shown: shown.has(name) }).toEqual({ name, shown: true });
      for (const w of body.widgets as Json[]) {
        expect(w.x + w.width).toBeLessThanOrEqual(24);
        if (w.type === 'metric' || w.type === 'log') expect(w.properties.region).toBe('us-east-1');
      }
    });

    it('queries the stack\'s log group in each Logs Insights widget, with queries that pass the syntax check', () => {
      const logs = (dashboardOf(t).widgets as Json[]).filter((w) => w.type === 'log');
      expect(logs.map((w) => w.properties.title)).toEqual(['Recent console sign-ins', 'Root user activity', 'Top error codes', 'Top callers', 'Top event names']);
      for (const w of logs) {
        const query = w.properties.query as string;
        expect(query.startsWith("SOURCE '/trailwatch/dev/cloudtrail' | ")).toBe(true);
        expect({ title: w.properties.title, problems: checkInsightsQuery(query, { allowSource: true }) }).toEqual({ title: w.properties.title, problems: [] });
      }
    });

    it('shows the state of every alarm of the stack', () => {
      const [alarmWidget] = (dashboardOf(t).widgets as Json[]).filter((w) => w.type === 'alarm');
      const names = ofType(t, 'AWS::CloudWatch::Alarm').map(([, a]) => `arn:aws:cloudwatch:us-east-1:111122223333:alarm:${a.Properties!.AlarmName as string}`);
      expect([...(alarmWidget!.properties.alarms as string[])].sort()).toEqual(names.sort());
    });
  });

  describe('saved queries (event history and comparison)', () => {
    const queries = () => ofType(t, 'AWS::Logs::QueryDefinition').map(([id, q]) => ({ id, ...(q.Properties as { Name: string; QueryString: string; LogGroupNames: unknown[] }) }));

    it('are the five the README documents, in the stack\'s folder, on the stack\'s log group', () => {
      expect(queries().map((q) => q.Name).sort()).toEqual([
        'trailwatch-dev/1 Event history', 'trailwatch-dev/2 Event by ID', 'trailwatch-dev/3 Events around an event', 'trailwatch-dev/4 Compare events',
        'trailwatch-dev/5 Compare events - what differs',
      ]);
      for (const q of queries()) expect(q.LogGroupNames.map((g) => resolve(t, g))).toEqual(['/trailwatch/dev/cloudtrail']);
    });

    it('pass the offline syntax check, and so does each optional filter line once uncommented', () => {
      for (const q of queries()) {
        expect({ name: q.Name, problems: checkInsightsQuery(q.QueryString) }).toEqual({ name: q.Name, problems: [] });
        const optional = q.QueryString.split('\n').filter((l) => l.startsWith('# |'));
        for (const line of optional) {
          const enabled = q.QueryString.replace(line, line.slice(2));
          expect({ line, problems: checkInsightsQuery(enabled) }).toEqual({ line, problems: [] });
        }
      }
      const history = queries().find((q) => q.Name.endsWith('Event history'))!;
      // principal, event name, event source, resource name, source IP, error code, read-only
      expect(history.QueryString.split('\n').filter((l) => l.startsWith('# | filter'))).toHaveLength(7);
      expect(queries().find((q) => q.Name.endsWith('Compare events'))!.QueryString).toMatch(/eventID in \[("PASTE-EVENT-ID-\d", ?){4}"PASTE-EVENT-ID-5"\]/);
    });

    it('the syntax check catches what it is for', () => {
      const problems = (q: string) => checkInsightsQuery(q);
      expect(problems('fliter eventName = "x"')).toEqual(['line 1: unknown command "fliter"']);
      expect(problems('fields evntName')).toEqual(['line 1 (fields): evntName is not a CloudTrail record field or an alias of this query']);
      expect(problems('stats countt(*) by eventName')).toContain('line 1 (stats): unknown function countt()');
      expect(problems('filter (eventName = "x"')).toEqual(['line 1 (filter): ( left open']);
      expect(problems('fields eventName | limit 0')).toEqual(['line 1 (limit): limit takes one whole number from 1 to 10000']);
      expect(problems('fields eventName | | limit 5')).toEqual(['empty command (a stray "|") at command 2']);
      expect(problems('filter eventName = "x')).toEqual(['line 1: unterminated "…"']);
      expect(problems('filter @message like /abc')).toEqual(['line 1: unterminated /regular expression/']);
      expect(problems("SOURCE '/x' | fields eventName")).toEqual(['line 1: SOURCE is for dashboard widgets; a saved query names its log groups apart']);
      expect(CLOUDTRAIL_FIELDS.has('eventID')).toBe(true);
    });
  });

  describe('production habits', () => {
    it('keeps the trail\'s log group and both tables when the stack is deleted or they are replaced', () => {
      for (const id of ['TrailLogGroup', 'DedupTable', 'AnomalyTable']) {
        expect({ id, deletion: t.Resources[id]!.DeletionPolicy, replace: t.Resources[id]!.UpdateReplacePolicy }).toEqual({ id, deletion: 'Retain', replace: 'Retain' });
      }
    });

    it('gives the function\'s own log group a retention (parameter) and the function an up-to-date description', () => {
      expect(t.Resources.IngestLogGroup!.Properties).toMatchObject({ LogGroupName: '/aws/lambda/trailwatch-dev-ingest', RetentionInDays: 30 });
      expect(tuned.Resources.IngestLogGroup!.Properties!.RetentionInDays).toBe(7);
      expect(t.Resources.IngestLambdaFunction!.Properties!.Description).toMatch(/findings/);
    });

    it('tags with parameterised stack-wide tags', () => {
      const tags = (x: Template) => Object.fromEntries((x.Resources.IngestLambdaFunction!.Properties!.Tags as { Key: string; Value: string }[]).map((tag) => [tag.Key, tag.Value]));
      expect(tags(t)).toEqual({ application: 'trailwatch', stage: 'dev', owner: 'security', costCenter: 'unassigned' });
      expect(tags(tuned)).toMatchObject({ owner: 'platform-security', costCenter: 'cc-42' });
    });

    it('reserves concurrency only when asked', () => {
      const reserved = (x: Template) => x.Resources.IngestLambdaFunction!.Properties!.ReservedConcurrentExecutions;
      expect(reserved(t)).toEqual({ 'Fn::If': ['HasReservedConcurrency', expect.anything(), { Ref: 'AWS::NoValue' }] });
      expect(conditionValue(t.Conditions as Json, 'HasReservedConcurrency')).toBe(false);
      expect(conditionValue(tuned.Conditions as Json, 'HasReservedConcurrency')).toBe(true);
      expect(Number(reserved(tuned)['Fn::If'][1])).toBe(5);
    });

    it('emits per-stage metrics, so stages sharing an account never feed each other\'s alarms', () => {
      expect(serviceOf(t)).toBe('trailwatch-dev');
      expect(EMITTED_METRICS.every((m) => m.dimensions.includes('service'))).toBe(true);
    });
  });
});
