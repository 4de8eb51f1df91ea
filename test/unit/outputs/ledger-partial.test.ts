import { gzipSync } from 'node:zlib';
import type { ObjectSource } from '../../../lib/cloudtrail/source';
import type { ObjectRef, TrailRecord } from '../../../lib/cloudtrail/types';
import { MemoryAlertLedger } from '../../../lib/dedup/alert-ledger';
import type { Finding } from '../../../lib/findings';
import type { LogSink, PutOutcome } from '../../../lib/forward/sink';
import { ingestPayload, type AlertChannel, type IngestDeps } from '../../../lib/ingest';
import { NotifyPartialError } from '../../../lib/notify/errors';
import type { DeliveryReport } from '../../../lib/report';

const KEY = 'AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/24/111122223333_CloudTrail_us-east-1_20261124T0905Z_abcdefABCDEF0123.json.gz';
const records = Array.from({ length: 6 }, (_, i) => ({
  eventVersion: '1.11',
  eventTime: '2026-11-24T09:00:00Z',
  eventSource: 'iam.amazonaws.com',
  eventName: 'CreateAccessKey',
  eventID: `event-${i}`,
}));

const source: ObjectSource = {
  async open() {
    const bytes = gzipSync(JSON.stringify({ Records: records }));
    return { body: (async function* () { yield bytes; })() };
  },
};
const sink: LogSink = { put: async (_t, batch): Promise<PutOutcome> => ({ accepted: batch.events.length, rejected: { tooOld: 0, tooNew: 0, expired: 0 } }) };

/** One finding per record, dedupKey = rule + eventID, as the rules engine makes them. */
function analyser(ref: ObjectRef) {
  const seen: TrailRecord[] = [];
  return {
    observe: (batch: readonly TrailRecord[]) => void seen.push(...batch),
    finish: (): Finding[] =>
      seen.map((r) => ({
        ruleId: 'access-key-created',
        title: 'Access key created',
        severity: 'HIGH',
        source: 'rule',
        eventID: String(r.record.eventID),
        object: ref,
        count: 1,
        dedupKey: `access-key-created#${String(r.record.eventID)}`,
      })),
  };
}

/** An output that sends findings one by one and, while `failing` holds, gets the odd ones refused. */
class PerFindingChannel implements AlertChannel {
  readonly sent: string[] = [];
  failing = true;
  constructor(readonly name: string) {}
  async notify(report: DeliveryReport) {
    const refused = report.findings.filter((_f, i) => this.failing && i % 2 === 1);
    for (const f of report.findings) if (!refused.includes(f)) this.sent.push(String(f.eventID));
    if (refused.length > 0) throw new NotifyPartialError(`${refused.length} refused`, 'Partial', refused.map((f) => f.dedupKey));
    return { published: report.findings.length > 0 };
  }
}

function deps(channels: AlertChannel[], ledger: MemoryAlertLedger): IngestDeps {
  const noop = () => undefined;
  return {
    source,
    sink,
    logGroup: '/trailwatch/test',
    analysersFor: (ref) => [analyser(ref)],
    channels,
    ledger,
    logger: { info: noop, warn: noop, error: noop },
    metrics: { addMetric: noop, addCountWithReason: noop, addCountBy: noop },
  };
}

const event = { Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'trail' }, object: { key: KEY } } }] };

describe('the alert ledger with outputs that deliver finding by finding', () => {
  it('regression (issue 13 item 1): a partial failure gives back only the undelivered claims, so the retry sends each finding exactly once', async () => {
    // Prepare: one output refuses half the findings on the first invocation, another takes all
    const ledger = new MemoryAlertLedger();
    const partial = new PerFindingChannel('securityhub');
    const whole = new PerFindingChannel('eventbridge');
    whole.failing = false;
    const d = deps([partial, whole], ledger);

    // Act: the first invocation fails (NotifyFailed), the retry and a duplicate event succeed
    await expect(ingestPayload(event, d)).rejects.toThrow(/NotifyFailed|refused/);
    partial.failing = false;
    await ingestPayload(event, d);
    await ingestPayload(event, d);

    // Assess: every finding reached each output exactly once
    expect([...partial.sent].sort()).toEqual(records.map((r) => r.eventID).sort());
    expect([...whole.sent].sort()).toEqual(records.map((r) => r.eventID).sort());
  });
});
