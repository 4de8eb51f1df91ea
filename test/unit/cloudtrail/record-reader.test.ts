import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { gunzipChunks } from '../../../lib/cloudtrail/gunzip';
import { readRecordGroups, readRecords } from '../../../lib/cloudtrail/record-reader';
import type { TrailRecord } from '../../../lib/cloudtrail/types';
import {
  CorruptGzipError,
  DecompressedSizeLimitError,
  EmptyObjectError,
  InvalidRecordError,
  MalformedJsonError,
  MissingRecordsError,
  TruncatedGzipError,
} from '../../../lib/errors';

/** Splits bytes into chunks at the given sizes (cycled), to exercise every boundary. */
async function* chunked(bytes: Uint8Array, sizes: number[] = [bytes.length || 1]): AsyncGenerator<Uint8Array> {
  let at = 0;
  let k = 0;
  while (at < bytes.length) {
    const size = Math.max(1, sizes[k++ % sizes.length] as number);
    yield bytes.subarray(at, at + size);
    at += size;
  }
}

async function collect(bytes: Uint8Array, sizes?: number[]): Promise<TrailRecord[]> {
  const out: TrailRecord[] = [];
  for await (const r of readRecords(chunked(bytes, sizes))) out.push(r);
  return out;
}

const enc = (s: string) => Buffer.from(s, 'utf8');

const sample = [
  { eventVersion: '1.11', eventTime: '2026-11-24T09:01:02Z', eventName: 'ConsoleLogin', userAgent: 'Mozilla/5.0 "quoted" \\ back' },
  { eventName: 'PutBucketPolicy', requestParameters: { policy: '{"Statement":[{"Effect":"Allow"}]}', nested: [[1], { a: ']}' }] } },
  { eventName: 'ünïcödé ✓ 🚀 עברית', errorCode: null, readOnly: true, n: -1.5e3 },
];

describe('readRecords', () => {
  it('yields each record with its original text, byte length and index', async () => {
    // Prepare
    const texts = sample.map((r) => JSON.stringify(r));
    const doc = enc(`{"Records":[${texts.join(',')}]}`);

    // Act
    const records = await collect(doc);

    // Assess
    expect(records.map((r) => r.record)).toEqual(sample);
    expect(records.map((r) => r.text)).toEqual(texts);
    expect(records.map((r) => r.bytes)).toEqual(texts.map((t) => Buffer.byteLength(t)));
    expect(records.map((r) => r.index)).toEqual([0, 1, 2]);
  });

  it('gives the same records whatever the chunk boundaries (every split point, 1-byte chunks)', async () => {
    // Prepare: escapes, braces inside strings and multi-byte characters are where a scanner breaks
    const doc = enc(`{ "Records" : [ ${sample.map((r) => JSON.stringify(r, null, 1)).join(' ,\n')} ] }\n`);
    const expected = await collect(doc);

    // Act + Assess
    for (const size of [1, 2, 3, 5, 7, 13]) {
      expect((await collect(doc, [size])).map((r) => r.text)).toEqual(expected.map((r) => r.text));
    }
    for (let split = 1; split < doc.length; split++) {
      const got = await collect(doc, [split, doc.length]);
      expect(got.map((r) => r.record)).toEqual(sample);
    }
  });

  it('gives each record its UTF-8 byte length whatever the chunk boundaries, ASCII chunks next to multi-byte ones', async () => {
    // Prepare: ASCII records around ones with 2-, 3- and 4-byte characters, so that chunks of
    // ASCII bytes follow chunks ending inside a character, and records span both kinds
    const texts = [
      '{"a":"plain ascii record number one"}',
      '{"b":"é"}',
      '{"c":"ascii again, a bit longer than the others around it"}',
      '{"d":"日本✓","e":"🚀"}',
      '{"f":"x"}',
      '{"g":"ü"}',
      '{"h":"and the last one is ascii too"}',
    ];
    const doc = enc(`{"Records":[${texts.join(',')}]}`);
    const want = texts.map((t) => Buffer.byteLength(t, 'utf8'));

    // Act + Assess
    for (const sizes of [[1], [2], [3], [5], [7], [16], [64], [1, 9], [4, 2, 11]]) {
      const got = await collect(doc, sizes);
      expect(got.map((r) => r.text)).toEqual(texts);
      expect(got.map((r) => r.bytes)).toEqual(want);
    }
    for (let split = 1; split < doc.length; split++) {
      expect((await collect(doc, [split, doc.length])).map((r) => r.bytes)).toEqual(want);
    }
  });

  it('counts a character decoded from invalid UTF-8 split before an ASCII chunk (U+FFFD, 3 bytes)', async () => {
    // Prepare: a lone lead byte ends the first chunk; the next chunk is all ASCII bytes
    const head = enc('{"Records":[{"a":"x');
    const tail = enc('y"}]}');
    const doc = Buffer.concat([head, Buffer.from([0xc3]), tail]);

    // Act
    const [record] = await collect(doc, [head.length + 1, doc.length]);

    // Assess
    expect(record?.text).toBe('{"a":"x\ufffdy"}');
    expect(record?.bytes).toBe(Buffer.byteLength('{"a":"x\ufffdy"}', 'utf8'));
  });

  it('preserves the original text exactly, including whitespace and escapes', async () => {
    // Prepare
    const text = '{ "a" : "x\\"y\\\\" ,\t"b":[ 1 , 2 ] , "c":"\\u00e9\\n" }';
    const doc = enc(`{"Records":[${text}]}`);

    // Act
    const [record] = await collect(doc, [4]);

    // Assess
    expect(record?.text).toBe(text);
    expect(record?.record).toEqual({ a: 'x"y\\', b: [1, 2], c: 'é\n' });
  });

  it('accepts an empty Records array, other top-level keys, a BOM and trailing whitespace', async () => {
    expect(await collect(enc('{"Records":[]}'))).toEqual([]);
    expect(await collect(enc(' {"Records" :[ ] }  \n'))).toEqual([]);
    const withKeys = enc('{"x":{"Records":[{"no":1}]},"s":"a\\"]}","n":-12.5,"t":true,"Records":[{"k":1}],"z":null}');
    expect((await collect(withKeys, [3])).map((r) => r.record)).toEqual([{ k: 1 }]);
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), enc('{"Records":[{"k":2}]}')]);
    expect((await collect(bom)).map((r) => r.record)).toEqual([{ k: 2 }]);
  });

  it('yields records in groups, one group per input chunk that completes records', async () => {
    // Prepare
    const doc = enc(`{"Records":[${Array.from({ length: 10 }, (_, i) => `{"i":${i}}`).join(',')}]}`);

    // Act
    const groups: number[][] = [];
    for await (const g of readRecordGroups(chunked(doc, [30]))) groups.push(g.map((r) => r.index));

    // Assess
    expect(groups.length).toBeGreaterThan(1);
    expect(groups.flat()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it.each([
    ['empty input', '', MalformedJsonError],
    ['whitespace only', '  \n', MalformedJsonError],
    ['not JSON', 'hello world', MalformedJsonError],
    ['a JSON array', '[{"eventName":"x"}]', MissingRecordsError],
    ['an object without Records', '{"records":[{"a":1}]}', MissingRecordsError],
    ['an empty object', '{}', MissingRecordsError],
    ['Records not an array', '{"Records":{"a":1}}', MissingRecordsError],
    ['Records null', '{"Records":null}', MissingRecordsError],
    ['a string record', '{"Records":[{"a":1},"oops"]}', InvalidRecordError],
    ['a null record', '{"Records":[null]}', InvalidRecordError],
    ['a number record', '{"Records":[42]}', InvalidRecordError],
    ['an array record', '{"Records":[[1]]}', InvalidRecordError],
    ['a truncated record', '{"Records":[{"a":1},{"b":', MalformedJsonError],
    ['a truncated array', '{"Records":[{"a":1}', MalformedJsonError],
    ['missing closing brace', '{"Records":[{"a":1}]', MalformedJsonError],
    ['a broken record', '{"Records":[{"a":tru}]}', MalformedJsonError],
    ['mismatched brackets in a record', '{"Records":[{"a":[1}]}', MalformedJsonError],
    ['a trailing comma', '{"Records":[{"a":1},]}', MalformedJsonError],
    ['garbage after the document', '{"Records":[]} x', MalformedJsonError],
    ['two Records keys', '{"Records":[],"Records":[]}', MalformedJsonError],
    ['a missing comma', '{"Records":[{"a":1} {"b":2}]}', MalformedJsonError],
  ])('rejects %s with a typed error', async (_name, text, type) => {
    await expect(collect(enc(text))).rejects.toBeInstanceOf(type);
  });

  it('names the failing record index in the error', async () => {
    await expect(collect(enc('{"Records":[{"a":1},{"b":2},7]}'))).rejects.toThrow(/Records\[2\]/);
  });

  it('yields the records before a failure, so a caller can count them', async () => {
    // Prepare
    const doc = enc('{"Records":[{"a":1},{"b":2},{"c":');
    const seen: unknown[] = [];

    // Act
    const run = (async () => {
      for await (const r of readRecords(chunked(doc, [12]))) seen.push(r.record);
    })();

    // Assess
    await expect(run).rejects.toBeInstanceOf(MalformedJsonError);
    expect(seen).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it('never throws anything but a typed error, on any input and any chunking (fuzz)', async () => {
    const typed = [MalformedJsonError, MissingRecordsError, InvalidRecordError];
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 200 }),
          fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify({ Records: [v, v] })),
          fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
          fc
            .array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 5 })
            .chain((arr) => fc.nat(200).map((cut) => JSON.stringify({ Records: arr }).slice(0, cut))),
        ),
        fc.array(fc.integer({ min: 1, max: 17 }), { minLength: 1, maxLength: 4 }),
        async (text, sizes) => {
          try {
            await collect(enc(text), sizes);
          } catch (err) {
            if (!typed.some((t) => err instanceof t)) throw err;
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('agrees with JSON.parse on every valid {"Records":[objects]} document (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.dictionary(fc.string({ unit: 'grapheme' }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }), {
          maxLength: 6,
        }),
        fc.integer({ min: 1, max: 64 }),
        async (records, size) => {
          const doc = enc(JSON.stringify({ Records: records }));
          const got = await collect(doc, [size]);
          expect(got.map((r) => r.record)).toEqual(JSON.parse(doc.toString()).Records);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('gunzipChunks', () => {
  const inflate = async (bytes: Uint8Array, sizes?: number[], max?: number) => {
    const out: Buffer[] = [];
    for await (const c of gunzipChunks(chunked(bytes, sizes), { maxDecompressedBytes: max })) out.push(c);
    return Buffer.concat(out).toString();
  };

  it('inflates a gzip stream in chunks and reports progress', async () => {
    // Prepare
    const text = 'x'.repeat(100_000) + '{"Records":[]}';
    const gz = gzipSync(text);
    const progress = { compressedBytes: 0, decompressedBytes: 0 };

    // Act
    const out: Buffer[] = [];
    for await (const c of gunzipChunks(chunked(gz, [100]), {}, progress)) out.push(c);

    // Assess
    expect(Buffer.concat(out).toString()).toBe(text);
    expect(progress).toEqual({ compressedBytes: gz.length, decompressedBytes: text.length });
  });

  it('inflates concatenated gzip members as one stream', async () => {
    expect(await inflate(Buffer.concat([gzipSync('ab'), gzipSync('cd')]))).toBe('abcd');
  });

  it('rejects bytes after complete gzip data, saying that is what they are', async () => {
    const appended = Buffer.concat([gzipSync('{"Records":[]}'), Buffer.from('appended later')]);
    await expect(inflate(appended)).rejects.toThrow(CorruptGzipError);
    await expect(inflate(appended)).rejects.toThrow(/bytes after the end of the gzip data are not gzip/);
  });

  it('rejects an empty object', async () => {
    await expect(inflate(Buffer.alloc(0))).rejects.toBeInstanceOf(EmptyObjectError);
  });

  it('rejects bytes that are not gzip', async () => {
    await expect(inflate(enc('{"Records":[]}'))).rejects.toBeInstanceOf(CorruptGzipError);
  });

  it('rejects a gzip stream with corrupted data', async () => {
    const gz = Buffer.from(gzipSync('{"Records":[' + '{"a":"b"},'.repeat(1000) + '{}]}'));
    for (let i = 20; i < gz.length - 10; i++) gz[i] = (gz[i] as number) ^ 0xff;
    await expect(inflate(gz)).rejects.toBeInstanceOf(CorruptGzipError);
  });

  it('rejects a truncated gzip stream at every cut point', async () => {
    const gz = gzipSync('{"Records":[' + '{"eventName":"x"},'.repeat(200) + '{}]}');
    for (let cut = 1; cut < gz.length; cut += 7) {
      await expect(inflate(gz.subarray(0, cut))).rejects.toBeInstanceOf(TruncatedGzipError);
    }
  });

  it('stops a gzip bomb at the decompressed-size limit', async () => {
    // Prepare: 64 MiB of zeros compress to ~64 KiB
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));

    // Act + Assess
    await expect(inflate(bomb, undefined, 1024 * 1024)).rejects.toBeInstanceOf(DecompressedSizeLimitError);
  });

  it('passes a source stream failure through unchanged (not the file’s fault)', async () => {
    // Prepare
    const boom = new Error('socket hang up');
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield gzipSync('{"Records":[').subarray(0, 5);
      throw boom;
    }

    // Act + Assess
    const run = async () => {
      for await (const _ of gunzipChunks(failing())) void _;
    };
    await expect(run()).rejects.toBe(boom);
  });
});
