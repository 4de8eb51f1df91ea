import { isAscii } from 'node:buffer';
import { StringDecoder } from 'node:string_decoder';
import { InvalidRecordError, MalformedJsonError, MissingRecordsError } from '../errors';
import type { CloudTrailRecord, TrailRecord } from './types';

/**
 * Reads `{"Records":[ {...}, {...} ]}` from a stream of UTF-8 bytes and yields the records
 * in groups (one group per input chunk), without ever holding the whole file or its
 * decompressed text: memory is one input chunk plus the record being assembled.
 *
 * Each chunk is decoded once (StringDecoder keeps a multi-byte character split across
 * chunks whole); a scanner over the decoded text finds each record's boundaries (strings
 * and escapes respected), so each record is `JSON.parse`d on its own and its original text
 * — a slice of the chunk's string, not a copy — is kept for forwarding unchanged. Only
 * structural characters are inspected one by one; string contents, most of a CloudTrail
 * file, are skipped with `indexOf`.
 *
 * Keys other than `Records` at the top level are tolerated and skipped. Errors are typed:
 * MalformedJsonError (not JSON, or JSON ending early), MissingRecordsError (no `Records`
 * array), InvalidRecordError (an element of `Records` that is not an object).
 */
export async function* readRecordGroups(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<TrailRecord[]> {
  const scanner = new RecordScanner();
  const decoder = new StringDecoder('utf8');
  let previousAscii = true;
  for await (const chunk of chunks) {
    // The decoded text is ASCII when this chunk's bytes are and the previous chunk's were (it
    // then left no part of a character for this one to complete): its records' UTF-8 lengths
    // are then their lengths, without Buffer.byteLength per record (a full call into Node for a slice: reader
    // alone on the 10 MB file −0.24 to −0.40 µs CPU per record, 5–8 %).
    const bytesAscii = isAscii(chunk);
    const group = scanner.push(decoder.write(chunk as Buffer), bytesAscii && previousAscii);
    previousAscii = bytesAscii;
    if (group.length > 0) yield group;
  }
  const rest = decoder.end();
  if (rest.length > 0) {
    const group = scanner.push(rest);
    if (group.length > 0) yield group;
  }
  scanner.end();
}

/** Convenience: one record at a time (tests, tools). The pipeline uses groups, which is cheaper per record. */
export async function* readRecords(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<TrailRecord> {
  for await (const group of readRecordGroups(chunks)) yield* group;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

/** Where the scanner is in the document's outer structure. */
const enum Phase {
  /** Before the top-level `{` (a UTF-8 BOM and whitespace allowed). */
  DocumentStart,
  /** Inside the top-level object, expecting a key or `}`. */
  TopKey,
  /** Reading a top-level key string. */
  TopKeyString,
  /** After a top-level key, expecting `:`. */
  TopColon,
  /** After `:`, expecting the value. */
  TopValue,
  /** Skipping a top-level value that is not `Records`. */
  SkipValue,
  /** After a top-level value, expecting `,` or `}`. */
  TopAfterValue,
  /** Inside `Records`, expecting a record, `,` or `]`. */
  ArrayElement,
  /** Inside a record object. */
  InRecord,
  /** After the top-level `}`: only whitespace may follow. */
  DocumentEnd,
}

const MAX_KEY_CHARS = 256;
/**
 * One record's text, in characters. CloudTrail records are at most 256 KB and CloudWatch Logs
 * takes at most 1 MB per event, so nothing this large is a real record; without a cap, one
 * crafted record (a gzip of a GB-long string) would be buffered whole and exhaust memory
 * long before the decompressed-size limit.
 */
export const MAX_RECORD_CHARS = 8 * 1024 * 1024;

class RecordScanner {
  private phase = Phase.DocumentStart;
  private offset = 0; // characters consumed before the current chunk, for error positions
  private index = 0; // next record index
  private sawRecords = false;
  private expectElement = true; // in ArrayElement: true after `[` or `,`
  private afterComma = false;

  // state of a value being scanned (record or skipped value)
  private depth = 0;
  private inString = false;
  private pendingEscape = false;
  private parts: string[] = [];
  private partsChars = 0;
  /** The chunk being scanned is all ASCII (push's `ascii`). */
  private chunkAscii = false;
  /** Every part in `parts` is all ASCII. */
  private partsAscii = true;
  private skipIsScalar = false;

  private key = '';
  private currentKeyIsRecords = false;
  private bomChecked = false;

  /** `ascii`: the caller knows every character of `chunk` is ASCII (false: not known). */
  push(chunk: string, ascii = false): TrailRecord[] {
    this.chunkAscii = ascii;
    const out: TrailRecord[] = [];
    let i = 0;
    const n = chunk.length;
    if (!this.bomChecked && n > 0) {
      this.bomChecked = true;
      if (chunk.charCodeAt(0) === 0xfeff) i = 1;
    }
    while (i < n) {
      switch (this.phase) {
        case Phase.InRecord: {
          // a record continued from the previous chunk
          i = this.continueRecord(chunk, i, i, out);
          break;
        }
        case Phase.SkipValue: {
          i = this.skipValue(chunk, i);
          break;
        }
        case Phase.TopKeyString: {
          i = this.readKey(chunk, i);
          break;
        }
        default: {
          const c = chunk.charCodeAt(i);
          if (isWhitespace(c)) {
            i++;
            break;
          }
          this.structural(c, i);
          i++;
          if ((this.phase as Phase) === Phase.InRecord) {
            // a record starts at this `{`: scan it from here
            this.depth = 1;
            this.inString = false;
            this.pendingEscape = false;
            i = this.continueRecord(chunk, i - 1, i, out);
          }
        }
      }
    }
    this.offset += n;
    return out;
  }

  /**
   * Scans a record whose text in this chunk starts at `start`, from `from`: completes it
   * into `out`, or keeps its part until the next chunk. Returns the position after it.
   */
  private continueRecord(chunk: string, start: number, from: number, out: TrailRecord[]): number {
    const end = this.scanValue(chunk, from);
    if (this.depth === 0) {
      out.push(this.finishRecord(chunk, start, end));
      this.phase = Phase.ArrayElement;
      this.expectElement = false;
    } else {
      this.keepPart(chunk.slice(start));
    }
    return end;
  }

  end(): void {
    if (this.phase === Phase.DocumentEnd) return;
    if (this.phase === Phase.DocumentStart && this.offset === 0) {
      throw new MalformedJsonError('the file is empty after decompression');
    }
    if (this.phase === Phase.DocumentStart) throw new MalformedJsonError('the file holds no JSON value');
    throw new MalformedJsonError(
      `the JSON ends early at character ${this.offset}` + (this.sawRecords ? ` after ${this.index} records` : ''),
    );
  }

  /** One structural character outside records and skipped values. */
  private structural(c: number, at: number): void {
    switch (this.phase) {
      case Phase.DocumentStart:
        if (c === OPEN_BRACE) {
          this.phase = Phase.TopKey;
          return;
        }
        if (c === OPEN_BRACKET) throw new MissingRecordsError('the file is a JSON array, not {"Records":[...]}');
        throw this.unexpected(c, at, 'a JSON object');
      case Phase.TopKey:
        if (c === QUOTE) {
          this.key = '';
          this.phase = Phase.TopKeyString;
          return;
        }
        if (c === CLOSE_BRACE && !this.afterComma) return this.closeDocument();
        throw this.unexpected(c, at, 'a key');
      case Phase.TopColon:
        if (c === COLON) {
          this.phase = Phase.TopValue;
          return;
        }
        throw this.unexpected(c, at, "':'");
      case Phase.TopValue:
        if (this.currentKeyIsRecords) {
          if (c !== OPEN_BRACKET) throw new MissingRecordsError('"Records" is not an array');
          this.sawRecords = true;
          this.phase = Phase.ArrayElement;
          this.expectElement = true;
          this.afterComma = false;
          return;
        }
        this.startSkip(c, at);
        return;
      case Phase.TopAfterValue:
        if (c === COMMA) {
          this.phase = Phase.TopKey;
          this.afterComma = true;
          return;
        }
        if (c === CLOSE_BRACE) return this.closeDocument();
        throw this.unexpected(c, at, "',' or '}'");
      case Phase.ArrayElement:
        if (c === CLOSE_BRACKET) {
          // `[]` and `[{...}]` close; `[{...},]` is a trailing comma, which JSON forbids
          if (this.expectElement && this.afterComma) throw this.unexpected(c, at, 'a record after \',\'');
          this.phase = Phase.TopAfterValue;
          return;
        }
        if (this.expectElement) {
          if (c === OPEN_BRACE) {
            this.phase = Phase.InRecord;
            return;
          }
          throw new InvalidRecordError(
            `Records[${this.index}] is not a JSON object (starts with ${describeByte(c)} at character ${this.offset + at})`,
          );
        }
        if (c === COMMA) {
          this.expectElement = true;
          this.afterComma = true;
          return;
        }
        throw this.unexpected(c, at, "',' or ']'");
      case Phase.DocumentEnd:
        throw this.unexpected(c, at, 'the end of the file');
      default:
        throw new MalformedJsonError(`scanner in an impossible state at character ${this.offset + at}`);
    }
  }

  private closeDocument(): void {
    if (!this.sawRecords) throw new MissingRecordsError('the JSON object has no "Records" key');
    this.phase = Phase.DocumentEnd;
  }

  private readKey(chunk: string, i: number): number {
    const n = chunk.length;
    while (i < n) {
      const c = chunk.charCodeAt(i);
      if (this.pendingEscape) {
        this.pendingEscape = false;
      } else if (c === BACKSLASH) {
        this.pendingEscape = true;
      } else if (c === QUOTE) {
        this.currentKeyIsRecords = this.key === 'Records';
        if (this.currentKeyIsRecords && this.sawRecords) {
          throw new MalformedJsonError('the file has two "Records" keys');
        }
        this.phase = Phase.TopColon;
        this.afterComma = false;
        return i + 1;
      }
      if (this.key.length < MAX_KEY_CHARS) this.key += chunk[i];
      i++;
    }
    return i;
  }

  private startSkip(c: number, at: number): void {
    this.phase = Phase.SkipValue;
    this.inString = false;
    this.pendingEscape = false;
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      this.depth = 1;
      this.skipIsScalar = false;
    } else if (c === QUOTE) {
      this.depth = 1;
      this.inString = true;
      this.skipIsScalar = true;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39) || c === 0x74 || c === 0x66 || c === 0x6e) {
      // number, true, false, null: runs until the next delimiter
      this.depth = 1;
      this.skipIsScalar = true;
    } else {
      throw this.unexpected(c, at, 'a value');
    }
  }

  /** Skips a top-level value other than Records (its content is not needed). */
  private skipValue(chunk: string, i: number): number {
    if (this.skipIsScalar && !this.inString) {
      const n = chunk.length;
      while (i < n) {
        const c = chunk.charCodeAt(i);
        if (c === COMMA || c === CLOSE_BRACE || isWhitespace(c)) {
          this.phase = Phase.TopAfterValue;
          return i;
        }
        i++;
      }
      return i;
    }
    if (this.skipIsScalar) {
      // a string value: the same string scan as records use, depth 1 → 0 on the closing quote
      const n = chunk.length;
      while (i < n) {
        if (this.pendingEscape) {
          this.pendingEscape = false;
          i++;
          continue;
        }
        const c = chunk.charCodeAt(i);
        if (c === BACKSLASH) this.pendingEscape = true;
        else if (c === QUOTE) {
          this.phase = Phase.TopAfterValue;
          return i + 1;
        }
        i++;
      }
      return i;
    }
    i = this.scanValue(chunk, i);
    if (this.depth === 0) this.phase = Phase.TopAfterValue;
    return i;
  }

  /**
   * Advances through a value that opened with `{` or `[` until its depth returns to 0 or
   * the chunk ends, and returns the position after the last character consumed. Brackets and
   * braces are not matched against each other here: JSON.parse of the record checks that.
   */
  private scanValue(chunk: string, i: number): number {
    const n = chunk.length;
    let depth = this.depth;
    let inString = this.inString;
    if (this.pendingEscape) {
      // the previous chunk ended inside an escape: its next character is escaped
      this.pendingEscape = false;
      i++;
    }
    while (i < n) {
      if (inString) {
        const q = chunk.indexOf('"', i);
        if (q < 0) {
          // no closing quote in this chunk: an odd run of trailing backslashes escapes the next chunk’s first character
          this.pendingEscape = trailingBackslashes(chunk, i, n) % 2 === 1;
          i = n;
          break;
        }
        if (trailingBackslashes(chunk, i, q) % 2 === 1) {
          i = q + 1; // escaped quote: still inside the string
          continue;
        }
        inString = false;
        i = q + 1;
        continue;
      }
      const c = chunk.charCodeAt(i);
      i++;
      if (c === QUOTE) inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        depth--;
        if (depth === 0) break;
      }
    }
    this.depth = depth;
    this.inString = inString;
    return i;
  }

  /** Keeps part of a record that continues in the next chunk, up to MAX_RECORD_CHARS. */
  private keepPart(part: string): void {
    this.partsChars += part.length;
    this.partsAscii &&= this.chunkAscii;
    if (this.partsChars > MAX_RECORD_CHARS) {
      throw new InvalidRecordError(
        `Records[${this.index}] is longer than ${MAX_RECORD_CHARS} characters (CloudTrail records are at most 256 KB): not read`,
      );
    }
    this.parts.push(part);
  }

  private finishRecord(chunk: string, start: number, end: number): TrailRecord {
    let text: string;
    let ascii: boolean;
    if (this.parts.length === 0) {
      text = chunk.slice(start, end);
      ascii = this.chunkAscii;
    } else {
      this.keepPart(chunk.slice(0, end));
      text = this.parts.join('');
      ascii = this.partsAscii;
      this.parts = [];
      this.partsChars = 0;
      this.partsAscii = true;
    }
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch (err) {
      throw new MalformedJsonError(
        `Records[${this.index}] is not valid JSON (${(err as Error).message}), ending at character ${this.offset + end}`,
        { cause: err },
      );
    }
    // ASCII: one byte per character. Buffer.byteLength of a slice of the chunk is a full call into Node per record
    return { text, record: record as CloudTrailRecord, bytes: ascii ? text.length : Buffer.byteLength(text, 'utf8'), index: this.index++ };
  }

  private unexpected(c: number, at: number, expected: string): MalformedJsonError {
    return new MalformedJsonError(`expected ${expected} at character ${this.offset + at}, found ${describeByte(c)}`);
  }
}

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Count of consecutive backslashes immediately before `end`, not looking before `from`. */
function trailingBackslashes(chunk: string, from: number, end: number): number {
  let k = end - 1;
  while (k >= from && chunk.charCodeAt(k) === BACKSLASH) k--;
  return end - 1 - k;
}

function describeByte(c: number): string {
  return c >= 0x20 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
}
