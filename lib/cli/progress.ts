/**
 * A one-line progress bar on stderr (files, records, MB/s, ETA), drawn only when stderr is a
 * terminal: a pipe or a file gets nothing, so logs and CI output stay clean.
 */
export interface ProgressStream {
  readonly isTTY?: boolean;
  write(chunk: string): unknown;
}

export interface ProgressCounts {
  files: number;
  records: number;
  /** Compressed bytes read. */
  bytes: number;
}

export class Progress {
  private readonly started: number;
  private last = 0;
  private drawn = false;
  readonly counts: ProgressCounts = { files: 0, records: 0, bytes: 0 };

  constructor(
    private readonly stream: ProgressStream,
    private readonly label: string,
    private readonly totals: { files?: number; bytes?: number } = {},
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
  }

  get enabled(): boolean {
    return this.stream.isTTY === true;
  }

  /** Adds to the counts and redraws at most 10 times a second. */
  add(delta: Partial<ProgressCounts>): void {
    this.counts.files += delta.files ?? 0;
    this.counts.records += delta.records ?? 0;
    this.counts.bytes += delta.bytes ?? 0;
    if (!this.enabled) return;
    const t = this.now();
    if (t - this.last < 100 && this.counts.files !== this.totals.files) return;
    this.last = t;
    this.stream.write(`\r\x1b[2K${this.line(t)}`);
    this.drawn = true;
  }

  /** A line printed while the bar is up: clear the bar first. */
  clear(): void {
    if (this.drawn) this.stream.write('\r\x1b[2K');
    this.drawn = false;
  }

  line(t = this.now()): string {
    const seconds = Math.max(0.001, (t - this.started) / 1000);
    const mbps = this.counts.bytes / 1e6 / seconds;
    const { files: total, bytes: totalBytes } = this.totals;
    const fraction = totalBytes ? this.counts.bytes / totalBytes : total ? this.counts.files / total : undefined;
    const bar = fraction === undefined ? '' : `[${'#'.repeat(Math.round(Math.min(1, fraction) * 20)).padEnd(20, '.')}] `;
    const eta = fraction && fraction > 0 && fraction < 1 ? `  ETA ${formatDuration((seconds / fraction) * (1 - fraction))}` : '';
    return `${this.label} ${bar}${this.counts.files}${total ? `/${total}` : ''} files  ${this.counts.records.toLocaleString('en-US')} records  ${mbps.toFixed(1)} MB/s${eta}`;
  }
}

export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
