import { anomalyAnalyser, insightAnalyser, MemoryBaselineStore, DEFAULT_ANOMALY_OPTIONS, type AnomalyOptions, type AnomalyRunResult } from '../anomaly';
import type { KeyClass } from '../cloudtrail/classify';
import type { ObjectRef } from '../cloudtrail/types';
import { DiscardingSink } from '../forward/sink';
import { processObject, type Analyser } from '../pipeline';
import type { DeliveryReport } from '../report';
import { EventCollector } from '../report/events';
import { exceptionAnalyser } from '../rules/exceptions';
import type { RulePack } from '../rules/load';
import { mapBounded } from './bounded';
import type { ScanItem } from './inputs';

/**
 * `trailwatch scan`: every analyser the Lambda runs (functions/commons/deps.ts), over local
 * files or S3 objects, through the Lambda's own `processObject` with a sink that only counts:
 * the rule pack, the Insights analyser for `CloudTrail-Insight/` files, and the Insights-like
 * detector with an in-memory baseline instead of the DynamoDB table, so a week of history
 * scanned in key order raises the anomalies the deployed stack would have raised.
 */
export interface ScanRunOptions {
  /** Files read at once (default 4): I/O overlaps parsing; results still come in input order. */
  readonly concurrency?: number;
  readonly anomaly?: AnomalyOptions;
  /** Keep events for the HTML report. */
  readonly events?: EventCollector;
  /** Each anomaly run's result (cold baseline, store failure), for the person's log. */
  readonly onAnomaly?: (result: AnomalyRunResult) => void;
}

export interface ScannedItem {
  readonly item: ScanItem;
  /** Position of the item in the scan (the report's file index). */
  readonly index: number;
  readonly report: DeliveryReport;
}

export async function* scanItems(items: Iterable<ScanItem> | AsyncIterable<ScanItem>, pack: RulePack, options: ScanRunOptions = {}): AsyncGenerator<ScannedItem> {
  const store = new MemoryBaselineStore();
  const anomaly = options.anomaly ?? DEFAULT_ANOMALY_OPTIONS;
  const sink = new DiscardingSink();
  let n = 0;
  const numbered = (async function* () {
    for await (const item of items) yield { item, index: n++ };
  })();
  yield* mapBounded(numbered, options.concurrency ?? 4, async ({ item, index }) => {
    // findings name the file as the person knows it, not a stand-in key
    const named: ObjectRef = { ...item.ref, key: item.name };
    const analysersFor = (_ref: ObjectRef, key: KeyClass): Analyser[] => {
      // the rule pack with its exceptions applied and counted, as the Lambda runs it
      const list: Analyser[] = [exceptionAnalyser(pack, named)];
      if (key.kind === 'insight') list.push(insightAnalyser(named, key, { severity: anomaly.severity, endSeverity: anomaly.endSeverity }));
      // the detector's scope is the key's account and Region: only files in CloudTrail's layout
      if (key.kind === 'log' && item.trailKey) list.push(anomalyAnalyser(store, named, key, anomaly, options.onAnomaly ? { onResult: options.onAnomaly } : {}));
      if (options.events) list.push(options.events.analyser(index));
      return list;
    };
    const report = await processObject(item.ref, { source: item.source, sink, logGroup: 'trailwatch-scan', analysersFor });
    options.events?.addFindings(report.findings, index);
    return { item, index, report };
  });
}
