import { gzipSync } from 'node:zlib';
import { MAX_RECORD_CHARS, readRecords } from '../../../lib/cloudtrail/record-reader';
import { DecompressedSizeLimitError, InvalidRecordError } from '../../../lib/errors';
import { assertProperty } from './fuzz';
import { chunks, deliver, fullRulePack, recordReaderProperties } from './properties';

/**
 * The record reader and gunzip on hostile bytes. test/unit/cloudtrail/record-reader.test.ts
 * already fuzzes short texts and stops a 64 MiB bomb at the inflate stage; these add real
 * gzip files mutated at the byte level, invalid UTF-8, and bombs and huge strings through
 * the whole pipeline (a report, not a crash), with memory bounded by the caps.
 */
describe('fuzz: record reader', () => {
  it.each(recordReaderProperties().map((p) => [p.name, p]))('%s', async (_name, p) => {
    await assertProperty(p, 300);
  });
});

describe('bombs and huge strings through the pipeline', () => {
  const pack = fullRulePack();
  /** 64 MiB of spaces inside the Records array: valid JSON all the way, so only the size cap stops it. */
  const spaces = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20));

  it('a ~1 MB object that inflates to 1 GiB (16 gzip members) stops at MAX_DECOMPRESSED_BYTES with a report naming the cap', async () => {
    // Prepare: gzip members are inflated as one stream (gunzip(1) semantics), so the bomb adds up
    const bomb = Buffer.concat([gzipSync('{"Records":[{"eventName":"first","eventTime":"2026-11-24T09:00:00Z"},'), ...Array(16).fill(spaces)]);
    const before = process.memoryUsage().rss;

    // Act
    const { report, sink } = await deliver(bomb, pack, 65_536, 32 * 1024 * 1024);

    // Assess
    expect(bomb.length).toBeLessThan(2 * 1024 * 1024);
    expect(report).toMatchObject({ status: 'failed', error: { reason: 'DecompressedSizeLimit' } });
    expect(report.bytes.decompressed).toBeLessThanOrEqual(32 * 1024 * 1024 + 65_536);
    expect(report.bytes.compressed).toBeLessThan(bomb.length);
    expect(sink.messages).toHaveLength(0);
    expect(process.memoryUsage().rss - before).toBeLessThan(256 * 1024 * 1024);
  });

  it('one record that is a 1 GiB string (a gzip bomb inside a record) stops at MAX_RECORD_CHARS, long before the inflate cap, with InvalidRecord', async () => {
    // Prepare: `{"Records":[{"a":"` then 1 GiB of 'A': under the 2 GiB default inflate cap
    const a = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x41));
    const bomb = Buffer.concat([gzipSync('{"Records":[{"eventName":"ok","eventTime":"2026-11-24T09:00:00Z"},{"a":"'), ...Array(16).fill(a)]);

    // Act
    const { report, sink } = await deliver(bomb, pack);

    // Assess: memory stayed at one record's cap; the record before it was read (and, its batch
    // unsent, is part of the failed object that goes to the failure queue)
    expect(report).toMatchObject({ status: 'failed', error: { reason: 'InvalidRecord', message: expect.stringContaining('Records[1] is longer than') } });
    expect(report.records.read).toBe(1);
    expect(report.bytes.decompressed).toBeLessThan(2 * MAX_RECORD_CHARS);
    expect(sink.messages).toHaveLength(0);
  });

  it('huge but legal strings: a 3 MB record is read whole across 64 KB chunks, then counted as too large for CloudWatch Logs; its neighbours are forwarded', async () => {
    // Prepare
    const big = JSON.stringify({ eventName: 'Big', eventTime: '2026-11-24T09:00:00Z', requestParameters: { blob: 'ü'.repeat(1_500_000) } });
    const body = gzipSync(`{"Records":[{"eventName":"a","eventTime":"2026-11-24T09:00:00Z"},${big},{"eventName":"b","eventTime":"2026-11-24T09:00:01Z"}]}`);

    // Act
    const { report, sink } = await deliver(body, pack);

    // Assess
    expect(report).toMatchObject({ status: 'processed', records: { read: 3, forwarded: 2, rejected: { tooLarge: 1 } } });
    expect(sink.messages.map((m) => JSON.parse(m).eventName)).toEqual(['a', 'b']);
  });

  it('rejects a record just over MAX_RECORD_CHARS and accepts one just under (plain JSON, 64 KB chunks)', async () => {
    // Prepare
    const record = (chars: number) => `{"Records":[{"s":"${'x'.repeat(chars - 8)}"}]}`;
    const read = async (text: string) => {
      const out = [];
      for await (const r of readRecords(chunks(Buffer.from(text), 65_536))) out.push(r);
      return out;
    };

    // Act + Assess
    await expect(read(record(MAX_RECORD_CHARS))).resolves.toHaveLength(1);
    await expect(read(record(MAX_RECORD_CHARS + 1))).rejects.toBeInstanceOf(InvalidRecordError);
    await expect(read(record(MAX_RECORD_CHARS + 1))).rejects.not.toBeInstanceOf(DecompressedSizeLimitError);
  });
});
