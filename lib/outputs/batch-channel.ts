import type { Finding } from '../findings';
import type { AlertChannel } from '../ingest';
import { NotifyError, NotifyPartialError } from '../notify/errors';
import type { DeliveryReport } from '../report';

/**
 * The port of an output that takes findings in batches and answers entry by entry
 * (Security Hub BatchImportFindings, EventBridge PutEvents): `failed` lists the positions
 * in `entries` the service did not take, with its error code. A call that fails as a whole
 * throws a NotifyError.
 */
export interface BatchSink<T> {
  put(entries: readonly T[]): Promise<{ failed: ReadonlyArray<{ index: number; code: string; message: string }> }>;
}

export interface BatchChannelOptions<T> {
  /** Ledger namespace: `securityhub`, `eventbridge`. */
  readonly name: string;
  readonly sink: BatchSink<T>;
  /** One entry per finding. */
  readonly entryOf: (finding: Finding) => T;
  /** The size the service counts for one entry, in bytes. */
  readonly sizeOf: (entry: T) => number;
  readonly maxEntries: number;
  readonly maxBatchBytes: number;
  /** Counts (metrics): entries the service took, entries it refused once (retried), entries left undelivered. */
  readonly count: { readonly sent: (n: number) => void; readonly failed: (n: number) => void; readonly undelivered: (n: number) => void };
  /** Rounds over the refused entries before giving up (the Lambda retry comes after). Default 3. */
  readonly rounds?: number;
}

interface Pending<T> {
  readonly entry: T;
  readonly dedupKey: string;
  lastError?: string;
}

/**
 * An alert channel that sends one entry per finding (the ledger already removed the
 * findings this output received before), in batches within the service's limits. Entries
 * the service refuses one by one are sent again, up to `rounds` times; what is still refused,
 * or was never sent because the service failed as a whole, is thrown as a NotifyPartialError
 * naming those findings, so that only their ledger claims are given back and the Lambda retry
 * sends exactly them. Each refusal is counted; nothing is dropped silently.
 */
export function batchChannel<T>(options: BatchChannelOptions<T>): AlertChannel {
  const rounds = options.rounds ?? 3;
  return {
    name: options.name,
    async notify(report: DeliveryReport) {
      if (report.status !== 'processed' || report.findings.length === 0) return { published: false };
      let pending: Pending<T>[] = report.findings.map((f) => ({ entry: options.entryOf(f), dedupKey: f.dedupKey }));
      let sent = 0;
      for (let round = 0; round < rounds && pending.length > 0; round++) {
        const refused: Pending<T>[] = [];
        const batches = batch(pending, options);
        for (let b = 0; b < batches.length; b++) {
          const current = batches[b] ?? [];
          let failed: ReadonlyArray<{ index: number; code: string; message: string }>;
          try {
            ({ failed } = await options.sink.put(current.map((p) => p.entry)));
          } catch (err) {
            // the service failed as a whole (after the SDK's retries): this batch and the ones
            // not yet sent are undelivered; the ones sent before keep their claims
            const left = [...current, ...batches.slice(b + 1).flat(), ...refused];
            options.count.undelivered(left.length);
            const code = err instanceof NotifyError ? err.code : err instanceof Error ? err.name : 'Error';
            throw new NotifyPartialError(
              `${options.name}: ${left.length} of ${report.findings.length} findings not delivered (${sent} delivered): ${err instanceof Error ? err.message : String(err)}`,
              code,
              left.map((p) => p.dedupKey),
              { cause: err },
            );
          }
          const refusedHere = new Set(failed.map((f) => f.index));
          for (const f of failed) {
            const item = current[f.index];
            if (item) {
              item.lastError = `${f.code}: ${f.message}`;
              refused.push(item);
            }
          }
          options.count.sent(current.length - refusedHere.size);
          if (refusedHere.size > 0) options.count.failed(refusedHere.size);
          sent += current.length - refusedHere.size;
        }
        pending = refused;
      }
      if (pending.length > 0) {
        options.count.undelivered(pending.length);
        throw new NotifyPartialError(
          `${options.name}: ${pending.length} of ${report.findings.length} findings refused ${rounds} times (${sent} delivered): ${[...new Set(pending.map((p) => p.lastError))].slice(0, 3).join('; ')}`,
          'EntriesRefused',
          pending.map((p) => p.dedupKey),
        );
      }
      return { published: sent > 0 };
    },
  };
}

/** Consecutive batches of at most `maxEntries` entries and `maxBatchBytes` bytes (an entry alone may be the batch). */
function batch<T>(items: readonly Pending<T>[], options: Pick<BatchChannelOptions<T>, 'maxEntries' | 'maxBatchBytes' | 'sizeOf'>): Pending<T>[][] {
  const batches: Pending<T>[][] = [];
  let current: Pending<T>[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = options.sizeOf(item.entry);
    if (current.length > 0 && (current.length >= options.maxEntries || bytes + size > options.maxBatchBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
