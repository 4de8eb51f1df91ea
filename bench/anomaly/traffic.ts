/**
 * Synthetic per-minute CloudTrail traffic for one account-region: ~50 management APIs with
 * Zipf-like volumes, daily seasonality (each API its own peak hour and amplitude), a weekend
 * dip for human-driven APIs, hourly cron bursts on a few, AR(1) noise on the log rate and on
 * the logit of the error proportion (so hours really differ, not just by Poisson noise), and
 * slow benign ramps (+10–20% of the initial rate per day, linear, from the first day: ×1.7–3
 * by day 10). Then injected anomalies:
 *
 *  - error bursts of size k (2×–20×, log-uniform) for 1–30 min: the API's error count per
 *    minute becomes k × max(its baseline errors per minute, 1) — failing calls are added (a
 *    caller losing a permission keeps retrying), successes are unchanged. The floor of one
 *    error per minute gives a quiet API's burst a size that means something (5× of
 *    0.01 errors/min would be 0.05 errors/min, no signal at all for any detector);
 *  - call-rate spikes of size k on write APIs: write calls per minute become
 *    k × max(baseline write rate, 1).
 *
 * Deterministic for a seed (mulberry32 from bench/corpus/rng.ts).
 */
import type { CloudTrailRecord } from '../../lib/cloudtrail/types';
import { Rng } from '../corpus/rng';

export interface ApiProfile {
  readonly eventSource: string;
  readonly eventName: string;
  readonly readOnly: boolean;
  /** Mean calls per minute over a weekday. */
  readonly rate: number;
  readonly amplitude: number;
  readonly peakHour: number;
  readonly weekendFactor: number;
  readonly errorProportion: number;
  readonly noiseSigma: number;
  readonly errorNoiseSigma: number;
  /** Extra factor in the first `cronMinutes` of every hour (a scheduled job). */
  readonly cronFactor: number;
  readonly cronMinutes: number;
  readonly callers: readonly string[];
  readonly agents: readonly string[];
  readonly errorCodes: readonly string[];
}

export type AnomalyKind = 'error-burst' | 'call-spike';

export interface InjectedAnomaly {
  readonly kind: AnomalyKind;
  readonly api: number;
  readonly startMinute: number;
  /** Exclusive. */
  readonly endMinute: number;
  readonly size: number;
}

/** A slow benign change: the rate grows linearly by `perDay` × the initial rate each day. */
export interface Ramp {
  readonly api: number;
  readonly startMinute: number;
  readonly perDay: number;
}

const ACCOUNT = '111122223333';

/** [source, name, readOnly]: a realistic management-event mix, busiest first. */
const APIS: ReadonlyArray<readonly [string, string, boolean]> = [
  ['kms.amazonaws.com', 'Decrypt', true],
  ['sts.amazonaws.com', 'AssumeRole', true],
  ['kms.amazonaws.com', 'GenerateDataKey', true],
  ['ssm.amazonaws.com', 'UpdateInstanceInformation', false],
  ['ec2.amazonaws.com', 'DescribeInstances', true],
  ['logs.amazonaws.com', 'CreateLogStream', false],
  ['sts.amazonaws.com', 'GetCallerIdentity', true],
  ['s3.amazonaws.com', 'GetBucketAcl', true],
  ['ec2.amazonaws.com', 'DescribeNetworkInterfaces', true],
  ['ec2.amazonaws.com', 'CreateTags', false],
  ['lambda.amazonaws.com', 'GetFunction', true],
  ['secretsmanager.amazonaws.com', 'GetSecretValue', true],
  ['ssm.amazonaws.com', 'GetParameter', true],
  ['ec2.amazonaws.com', 'CreateNetworkInterface', false],
  ['ec2.amazonaws.com', 'DeleteNetworkInterface', false],
  ['s3.amazonaws.com', 'GetBucketLocation', true],
  ['kms.amazonaws.com', 'DescribeKey', true],
  ['dynamodb.amazonaws.com', 'DescribeTable', true],
  ['ecs.amazonaws.com', 'DescribeTasks', true],
  ['ecr.amazonaws.com', 'GetAuthorizationToken', true],
  ['s3.amazonaws.com', 'GetBucketPolicy', true],
  ['kms.amazonaws.com', 'CreateGrant', false],
  ['kms.amazonaws.com', 'RetireGrant', false],
  ['ec2.amazonaws.com', 'DescribeSecurityGroups', true],
  ['ssm.amazonaws.com', 'PutParameter', false],
  ['cloudformation.amazonaws.com', 'DescribeStacks', true],
  ['autoscaling.amazonaws.com', 'DescribeAutoScalingGroups', true],
  ['elasticloadbalancing.amazonaws.com', 'DescribeTargetHealth', true],
  ['ecs.amazonaws.com', 'RunTask', false],
  ['lambda.amazonaws.com', 'UpdateFunctionConfiguration', false],
  ['iam.amazonaws.com', 'GetRole', true],
  ['sts.amazonaws.com', 'AssumeRoleWithWebIdentity', true],
  ['ec2.amazonaws.com', 'RunInstances', false],
  ['ec2.amazonaws.com', 'TerminateInstances', false],
  ['s3.amazonaws.com', 'PutBucketTagging', false],
  ['logs.amazonaws.com', 'PutRetentionPolicy', false],
  ['events.amazonaws.com', 'PutRule', false],
  ['sns.amazonaws.com', 'Publish', false],
  ['sqs.amazonaws.com', 'CreateQueue', false],
  ['cloudwatch.amazonaws.com', 'PutMetricAlarm', false],
  ['route53.amazonaws.com', 'ChangeResourceRecordSets', false],
  ['rds.amazonaws.com', 'DescribeDBInstances', true],
  ['glue.amazonaws.com', 'GetTable', true],
  ['athena.amazonaws.com', 'StartQueryExecution', false],
  ['iam.amazonaws.com', 'ListRoles', true],
  // The long tail: a few calls a day.
  ['iam.amazonaws.com', 'CreateUser', false],
  ['iam.amazonaws.com', 'AttachRolePolicy', false],
  ['s3.amazonaws.com', 'DeleteBucket', false],
  ['ec2.amazonaws.com', 'AuthorizeSecurityGroupIngress', false],
  ['kms.amazonaws.com', 'ScheduleKeyDeletion', false],
];

const ERROR_CODES: Record<string, readonly string[]> = {
  'kms.amazonaws.com': ['AccessDenied', 'InvalidCiphertextException'],
  'sts.amazonaws.com': ['AccessDenied', 'ExpiredTokenException'],
  'ec2.amazonaws.com': ['Client.UnauthorizedOperation', 'Client.RequestLimitExceeded', 'Client.InvalidParameterValue'],
  's3.amazonaws.com': ['AccessDenied', 'NoSuchBucketPolicy', 'NoSuchBucket'],
};

export function apiProfiles(count: number, seed: number): ApiProfile[] {
  const rng = new Rng(seed);
  const head = Math.min(count, APIS.length - 5);
  const tail = Math.min(5, count - head);
  const chosen = [...APIS.slice(0, head), ...APIS.slice(APIS.length - 5, APIS.length - 5 + tail)];
  return chosen.map(([eventSource, eventName, readOnly], i) => {
    const rare = i >= head;
    const human = !readOnly && rng.chance(0.5);
    const errorProportion = rare ? 0.02 : i % 11 === 3 ? 0.2 + 0.2 * rng.next() : Math.exp(Math.log(0.002) + rng.next() * Math.log(0.05 / 0.002));
    const role = (name: string): string => `arn:aws:sts::${ACCOUNT}:assumed-role/${name}/i-${rng.hex(17)}`;
    return {
      eventSource,
      eventName,
      readOnly,
      rate: rare ? 0.01 + 0.04 * rng.next() : 80 * (i + 1) ** -1.2,
      amplitude: human ? 0.7 + 0.2 * rng.next() : 0.2 + 0.4 * rng.next(),
      peakHour: human ? 13 + rng.int(0, 3) : rng.int(0, 23),
      weekendFactor: human ? 0.4 + 0.2 * rng.next() : 0.85 + 0.15 * rng.next(),
      errorProportion,
      noiseSigma: 0.1 + 0.2 * rng.next(),
      errorNoiseSigma: 0.2 + 0.3 * rng.next(),
      cronFactor: i % 9 === 5 ? 3 : 1,
      cronMinutes: i % 9 === 5 ? 2 : 0,
      callers: [role('app-' + eventName.toLowerCase()), role('ci-deploy'), `arn:aws:iam::${ACCOUNT}:user/alice`],
      agents: ['aws-sdk-java/2.25.0 Linux/5.10 OpenJDK_64-Bit_Server_VM/17', 'Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux', 'aws-cli/2.15.0'],
      errorCodes: ERROR_CODES[eventSource] ?? ['AccessDenied', 'ThrottlingException'],
    };
  });
}

export interface Scenario {
  readonly apis: readonly ApiProfile[];
  readonly startMinute: number;
  readonly baselineMinutes: number;
  readonly testMinutes: number;
  readonly anomalies: readonly InjectedAnomaly[];
  readonly ramps: readonly Ramp[];
}

export interface ScenarioOptions {
  readonly apis: number;
  readonly baselineDays: number;
  readonly testDays: number;
  readonly errorBursts: number;
  readonly callSpikes: number;
  readonly ramps: number;
  readonly seed: number;
}

const DURATIONS = [1, 2, 3, 5, 10, 15, 20, 30];
/** Minimum quiet time between two anomalies on one API, so each can end before the next. */
const GAP_MINUTES = 180;

export function scenario(o: ScenarioOptions): Scenario {
  const rng = new Rng(o.seed ^ 0x9e3779b9);
  const apis = apiProfiles(o.apis, o.seed);
  // Monday 2025-03-03 00:00 UTC.
  const startMinute = Date.UTC(2025, 2, 3) / 60_000;
  const baselineMinutes = o.baselineDays * 1440;
  const testMinutes = o.testDays * 1440;
  const testStart = startMinute + baselineMinutes;
  const busy = new Map<number, Array<[number, number]>>();
  const anomalies: InjectedAnomaly[] = [];
  const place = (kind: AnomalyKind, candidates: number[]): void => {
    for (let attempt = 0; attempt < 200; attempt++) {
      const api = rng.pick(candidates);
      const duration = rng.pick(DURATIONS);
      const start = testStart + rng.int(30, testMinutes - duration - 30);
      const end = start + duration;
      const taken = busy.get(api) ?? [];
      if (taken.some(([s, e]) => start < e + GAP_MINUTES && end > s - GAP_MINUTES)) continue;
      taken.push([start, end]);
      busy.set(api, taken);
      const size = Math.exp(Math.log(2) + rng.next() * Math.log(10));
      anomalies.push({ kind, api, startMinute: start, endMinute: end, size });
      return;
    }
  };
  // Benign ramps first, on APIs that then get no injected anomaly: any alarm on them is false.
  const ramps: Ramp[] = [];
  const rampable = apis.map((_, i) => i).filter((i) => (apis[i] as ApiProfile).rate > 0.5);
  for (let i = 0; i < o.ramps && rampable.length > 0; i++) {
    const api = rampable.splice(rng.int(0, rampable.length - 1), 1)[0] as number;
    ramps.push({ api, startMinute, perDay: 0.1 + 0.1 * rng.next() });
  }
  const ramping = new Set(ramps.map((r) => r.api));
  const all = apis.map((_, i) => i).filter((i) => !ramping.has(i));
  const writers = all.filter((i) => !(apis[i] as ApiProfile).readOnly);
  for (let i = 0; i < o.errorBursts; i++) place('error-burst', all);
  for (let i = 0; i < o.callSpikes; i++) place('call-spike', writers);
  anomalies.sort((a, b) => a.startMinute - b.startMinute);
  return { apis, startMinute, baselineMinutes, testMinutes, anomalies, ramps };
}

/**
 * Streams the scenario's records minute by minute. State (AR noise) advances every minute
 * for every API, so the traffic does not depend on how the caller groups minutes.
 */
export class TrafficGenerator {
  private readonly rng: Rng;
  private readonly logRate: number[];
  private readonly logitError: number[];
  private readonly byApi = new Map<number, InjectedAnomaly[]>();
  private readonly rampOf = new Map<number, Ramp>();
  private minute: number;

  constructor(private readonly s: Scenario, seed: number) {
    this.rng = new Rng(seed ^ 0x5bd1e995);
    this.logRate = s.apis.map((a) => this.gauss() * a.noiseSigma);
    this.logitError = s.apis.map((a) => this.gauss() * a.errorNoiseSigma);
    for (const a of s.anomalies) this.byApi.set(a.api, [...(this.byApi.get(a.api) ?? []), a]);
    for (const r of s.ramps) this.rampOf.set(r.api, r);
    this.minute = s.startMinute;
  }

  get currentMinute(): number {
    return this.minute;
  }

  /** The next minute's records. */
  next(): CloudTrailRecord[] {
    const minute = this.minute++;
    const out: CloudTrailRecord[] = [];
    const iso = new Date(minute * 60_000).toISOString().slice(0, 17);
    const hour = Math.floor(minute / 60) % 24;
    const day = new Date(minute * 60_000).getUTCDay();
    const weekend = day === 0 || day === 6;
    this.s.apis.forEach((api, i) => {
      // AR(1) noise: correlation ~0.95 minute to minute (~20 min memory), stationary sd = sigma.
      const phi = 0.95;
      this.logRate[i] = phi * (this.logRate[i] as number) + Math.sqrt(1 - phi * phi) * api.noiseSigma * this.gauss();
      const phiE = 0.98;
      this.logitError[i] = phiE * (this.logitError[i] as number) + Math.sqrt(1 - phiE * phiE) * api.errorNoiseSigma * this.gauss();
      const season = 1 + api.amplitude * Math.cos((2 * Math.PI * (hour - api.peakHour)) / 24);
      const ramp = this.rampFactor(i, minute);
      const cron = minute % 60 < api.cronMinutes ? api.cronFactor : 1;
      const rate = api.rate * season * (weekend ? api.weekendFactor : 1) * ramp * cron * Math.exp((this.logRate[i] as number) - (api.noiseSigma ** 2) / 2);
      const p0 = api.errorProportion;
      const p = 1 / (1 + Math.exp(-(Math.log(p0 / (1 - p0)) + (this.logitError[i] as number))));
      const calls = this.poisson(rate);
      const errors = this.binomial(calls, p);
      const time = (n: number): string => `${iso}${String(n % 60).padStart(2, '0')}Z`;
      for (let c = 0; c < calls; c++) out.push(this.record(api, time(c * 7), c < errors ? (api.errorCodes[c % api.errorCodes.length] as string) : undefined, false));
      const anomaly = this.byApi.get(i)?.find((a) => minute >= a.startMinute && minute < a.endMinute);
      if (anomaly === undefined) return;
      if (anomaly.kind === 'error-burst') {
        const expectedErrors = rate * p;
        const extra = this.poisson(anomaly.size * Math.max(expectedErrors, 1) - expectedErrors);
        for (let c = 0; c < extra; c++) out.push(this.record(api, time(c * 11 + 3), 'AccessDenied', true));
      } else {
        const extra = this.poisson((anomaly.size - 1) * Math.max(rate, 1) + (rate < 1 ? 1 - rate : 0));
        for (let c = 0; c < extra; c++) out.push(this.record(api, time(c * 13 + 5), undefined, true));
      }
    });
    return out;
  }

  private rampFactor(api: number, minute: number): number {
    const r = this.rampOf.get(api);
    if (r === undefined || minute < r.startMinute) return 1;
    return 1 + (r.perDay * (minute - r.startMinute)) / 1440;
  }

  private record(api: ApiProfile, eventTime: string, errorCode: string | undefined, anomalous: boolean): CloudTrailRecord {
    const caller = anomalous ? `arn:aws:sts::${ACCOUNT}:assumed-role/broken-deploy/session` : (api.callers[this.rng.int(0, 2) === 0 ? 1 : 0] as string);
    return {
      eventVersion: '1.11',
      eventTime,
      eventSource: api.eventSource,
      eventName: api.eventName,
      awsRegion: 'us-east-1',
      eventType: 'AwsApiCall',
      managementEvent: true,
      readOnly: api.readOnly,
      userIdentity: { type: 'AssumedRole', arn: caller },
      userAgent: anomalous ? 'python-requests/2.31.0' : (api.agents[this.rng.int(0, api.agents.length - 1)] as string),
      ...(errorCode === undefined ? {} : { errorCode }),
    };
  }

  private gauss(): number {
    const u = Math.max(1e-12, this.rng.next());
    const v = this.rng.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  private poisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * this.gauss()));
    const limit = Math.exp(-mean);
    let k = 0;
    let prod = this.rng.next();
    while (prod > limit) {
      k++;
      prod *= this.rng.next();
    }
    return k;
  }

  private binomial(n: number, p: number): number {
    if (n <= 0) return 0;
    if (n > 60) {
      const mean = n * p;
      return Math.min(n, Math.max(0, Math.round(mean + Math.sqrt(mean * (1 - p)) * this.gauss())));
    }
    let k = 0;
    for (let i = 0; i < n; i++) if (this.rng.next() < p) k++;
    return k;
  }
}

export { ACCOUNT };
