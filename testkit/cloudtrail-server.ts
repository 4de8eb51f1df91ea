/**
 * Strict local double of CloudTrail's ListPublicKeys (AWS JSON 1.1, target prefix
 * `CloudTrail_20131101`), the one CloudTrail call trailwatch makes: the digest-signing public
 * keys of the server's region whose validity window overlaps the requested range, paged
 * with NextToken. Faults (throttling, 5xx, resets) come from AwsTestServer.
 *
 * As the API reference says: StartTime and EndTime default to the current time; EndTime
 * before StartTime is InvalidTimeRangeException; a NextToken this server did not issue (or
 * issued for another range) is InvalidTokenException. Keys are per region (CloudTrail signs
 * with a key per Region): a region with no keys answers an empty list.
 */
import { AwsServiceError, AwsTestServer, awsJsonProtocol, type JsonObject, type OperationHandler, type RequestContext } from './aws-json-server';

export interface CloudTrailTestKey {
  /** DER PKCS#1 RSA public key. */
  readonly value: Uint8Array;
  readonly fingerprint: string;
  readonly validityStart: Date;
  readonly validityEnd: Date;
}

export interface CloudTrailServerOptions {
  readonly now?: () => number;
  readonly port?: number;
  readonly host?: string;
  /** Keys per page (AWS does not document one); small values exercise NextToken. */
  readonly pageSize?: number;
}

const FIELDS = new Set(['StartTime', 'EndTime', 'NextToken']);

export class CloudTrailServer extends AwsTestServer {
  private keys = new Map<string, CloudTrailTestKey[]>();
  private readonly pageSize: number;

  protected readonly operations: Readonly<Record<string, OperationHandler>> = {
    ListPublicKeys: (input, context) => this.listPublicKeys(input, context),
  };

  private constructor(options: CloudTrailServerOptions) {
    super(awsJsonProtocol('CloudTrail_20131101', '1.1'), { now: options.now, maxBodyBytes: 64 * 1024 });
    this.pageSize = Math.max(1, options.pageSize ?? 20);
  }

  static async start(options: CloudTrailServerOptions = {}): Promise<CloudTrailServer> {
    const server = new CloudTrailServer(options);
    await server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
    return server;
  }

  /** Publishes a region's key, as CloudTrail does when it rotates. */
  addKey(region: string, key: CloudTrailTestKey): void {
    this.keys.set(region, [...(this.keys.get(region) ?? []), key]);
  }

  override reset(): void {
    super.reset();
    this.keys = new Map();
  }

  private listPublicKeys(input: JsonObject, context: RequestContext): object {
    for (const field of Object.keys(input)) {
      if (!FIELDS.has(field)) throw new AwsServiceError('SerializationException', `Unknown field ${JSON.stringify(field)} in ListPublicKeysRequest`);
    }
    const start = timeOf(input, 'StartTime') ?? context.now;
    const end = timeOf(input, 'EndTime') ?? context.now;
    if (end < start) throw new AwsServiceError('InvalidTimeRangeException', 'Occurs if the timestamp values are not valid. Either the start time occurs after the end time, or the time range is outside the range of possible values.');
    const matching = (this.keys.get(context.region) ?? []).filter((k) => k.validityStart.getTime() <= end && k.validityEnd.getTime() >= start);
    let offset = 0;
    if (input.NextToken !== undefined) {
      const token = typeof input.NextToken === 'string' ? /^(\d+):(\d+):(\d+)$/.exec(input.NextToken) : null;
      if (token === null || Number(token[2]) !== start || Number(token[3]) !== end || Number(token[1]) >= matching.length) {
        throw new AwsServiceError('InvalidTokenException', 'Reserved for future use.');
      }
      offset = Number(token[1]);
    }
    const page = matching.slice(offset, offset + this.pageSize);
    const next = offset + this.pageSize < matching.length ? `${offset + this.pageSize}:${start}:${end}` : undefined;
    return {
      PublicKeyList: page.map((k) => ({
        Value: Buffer.from(k.value).toString('base64'),
        // JSON protocol timestamps: epoch seconds
        ValidityStartTime: k.validityStart.getTime() / 1000,
        ValidityEndTime: k.validityEnd.getTime() / 1000,
        Fingerprint: k.fingerprint,
      })),
      ...(next === undefined ? {} : { NextToken: next }),
    };
  }
}

/** An epoch-seconds timestamp (as the SDK sends it) in ms, or undefined when absent. */
function timeOf(input: JsonObject, field: string): number | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new AwsServiceError('SerializationException', `${field} must be a timestamp (epoch seconds)`);
  return Math.round(value * 1000);
}
