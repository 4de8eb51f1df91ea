/**
 * Base for the project's strict local AWS service doubles (CloudWatch Logs, later SNS):
 * one node:http server, a wire protocol, a call log, an injectable clock and fault
 * injection. A subclass only models its service's state and operations.
 *
 * The wire protocol is pluggable because the services differ: CloudWatch Logs speaks
 * AWS JSON 1.1 (`awsJsonProtocol` below), while `@aws-sdk/client-sns` 3.x still speaks
 * the AWS Query protocol (form-encoded request, XML response); an SNS double adds its own
 * `WireProtocol` and reuses everything else here.
 *
 * Signatures are not checked (any SigV4 credentials will do), but an Authorization
 * header is required, as AWS requires one.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a fault plan may do to one request instead of (or before) serving it. */
export type Fault =
  | { kind: 'throttle' }
  | { kind: 'status'; status: 500 | 503 }
  | { kind: 'delay'; ms: number }
  /**
   * Carries the request out and answers it only once `until` settles: a service that has
   * the request but is slow to answer, for as long as the test decides (a client may give
   * up meanwhile, and the work is still done, as in AWS).
   */
  | { kind: 'hold'; until: PromiseLike<unknown> }
  /** Destroys the socket without a response: the SDK sees a network error (ECONNRESET). */
  | { kind: 'reset' };

/**
 * Decides per request. `callIndex` is the 0-based position of this request among the
 * requests naming the same operation since start or the last `reset()`, counted on
 * arrival (faulted requests included), so `(op, i) => op === 'PutLogEvents' && i === 0`
 * fails exactly the first PutLogEvents call.
 */
export type FaultPlan = (operation: string, callIndex: number, request: FaultRequest) => Fault | undefined;

/** The request a fault plan decides on, for plans that need more than its position. */
export interface FaultRequest {
  /** E.g. the SDK's `amz-sdk-request: attempt=2; max=8`: which attempt of one call this is. */
  readonly headers: IncomingHttpHeaders;
  /** The decoded input (decoded when read; a body that does not decode fails the call). */
  readonly input: JsonObject;
}

export interface CallRecord {
  readonly operation: string;
  /** HTTP status sent; 0 when a `reset` fault destroyed the socket. */
  readonly status: number;
  /** The server clock (`now()`) when the request arrived. */
  readonly at: number;
  readonly eventCount?: number;
  readonly bytes?: number;
}

/** Facts an operation handler reports about a call, copied into its CallRecord. */
export interface CallNote {
  eventCount?: number;
  bytes?: number;
}

export interface RequestContext {
  /** The server clock, read once when the request arrived. */
  readonly now: number;
  /** From the SigV4 credential scope; `us-east-1` when it cannot be read. */
  readonly region: string;
  readonly note: CallNote;
}

export type JsonObject = Record<string, unknown>;
export type OperationHandler = (input: JsonObject, context: RequestContext) => object;

/** An error the service returns; the protocol puts `code` where the SDK looks for it. */
export class AwsServiceError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number = 400,
  ) {
    super(message);
    this.name = code;
  }
}

export interface EncodedResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface WireProtocol {
  /** The operation a request names (may be one the service does not know), or '' if none. */
  operation(request: IncomingMessage, body: Buffer): string;
  /** Throws AwsServiceError when the body is not this protocol's shape. */
  decode(request: IncomingMessage, body: Buffer): JsonObject;
  encodeResult(output: object): EncodedResponse;
  encodeError(error: AwsServiceError): EncodedResponse;
}

/**
 * AWS JSON 1.0/1.1: `POST /`, `X-Amz-Target: <prefix>.<Operation>`, a JSON body, errors as
 * `{"__type": code, "message": …}`. The code also goes in `x-amzn-ErrorType` as AWS sends
 * it; the SDK (smithy `loadJsonRpcErrorCode`) reads `__type` first, then `code`, then that
 * header, and keeps the part before any ':' and after any '#'.
 */
export function awsJsonProtocol(targetPrefix: string, version: '1.0' | '1.1' = '1.1'): WireProtocol {
  const contentType = `application/x-amz-json-${version}`;
  const respond = (status: number, body: object, extra: Record<string, string> = {}): EncodedResponse => ({
    status,
    headers: { 'content-type': contentType, ...extra },
    body: JSON.stringify(body),
  });
  return {
    operation(request) {
      const target = request.headers['x-amz-target'];
      if (typeof target !== 'string') return '';
      const dot = target.lastIndexOf('.');
      // A target for another service is returned whole, so it matches no operation.
      return dot > 0 && target.slice(0, dot) === targetPrefix ? target.slice(dot + 1) : target;
    },
    decode(request, body) {
      const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
      if (type !== contentType) {
        throw new AwsServiceError('SerializationException', `Content-Type must be ${contentType}`);
      }
      if (body.length === 0) return {};
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        throw new AwsServiceError('SerializationException', 'The request body is not valid JSON');
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new AwsServiceError('SerializationException', 'The request body must be a JSON object');
      }
      return parsed as JsonObject;
    },
    encodeResult: (output) => respond(200, output),
    encodeError: (error) =>
      respond(error.status, { __type: error.code, message: error.message }, { 'x-amzn-ErrorType': error.code }),
  };
}

export interface AwsTestServerOptions {
  /** Injectable clock (ms since epoch); default Date.now. */
  now?: () => number;
  /**
   * Request bodies above this are refused with 413 and never buffered, so a test cannot
   * exhaust memory. Subclasses choose a limit no valid request reaches.
   */
  maxBodyBytes?: number;
}

const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;

export abstract class AwsTestServer {
  protected readonly now: () => number;
  private readonly maxBodyBytes: number;
  private readonly http: Server;
  private url: string | undefined;
  private log: CallRecord[] = [];
  private arrivals = new Map<string, number>();
  private faultPlan: FaultPlan | undefined;
  private readonly delays = new Set<NodeJS.Timeout>();

  /** The service's operations by name; anything else is an unknown operation. */
  protected abstract readonly operations: Readonly<Record<string, OperationHandler>>;

  protected constructor(
    private readonly protocol: WireProtocol,
    options: AwsTestServerOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.http = createServer((req, res) => {
      this.serve(req, res).catch((error: unknown) => {
        // A bug in a double must show as a failed call, not crash the test run.
        const failure = new AwsServiceError('InternalFailure', `test server: ${String(error)}`, 500);
        if (!res.headersSent) this.send(res, this.protocol.encodeError(failure));
      });
    });
  }

  /** `http://host:port`, the value for `endpoint` / `AWS_ENDPOINT_URL_<SERVICE>`. */
  get endpoint(): string {
    if (this.url === undefined) throw new Error('server is not listening');
    return this.url;
  }

  protected listen(port: number, host: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, host, () => {
        this.http.off('error', reject);
        const address = this.http.address() as AddressInfo;
        const shownHost = address.address.includes(':') ? `[${address.address}]` : address.address;
        this.url = `http://${shownHost}:${address.port}`;
        resolve();
      });
    });
  }

  stop(): Promise<void> {
    // A delayed request is dropped with its connection, never answered.
    for (const timer of this.delays) clearTimeout(timer);
    this.delays.clear();
    return new Promise((resolve, reject) => {
      if (!this.http.listening) return resolve();
      this.http.close((error) => (error ? reject(error) : resolve()));
      // The SDK keeps connections alive; without this, close() waits for them to idle out.
      this.http.closeAllConnections();
    });
  }

  calls(operation?: string): ReadonlyArray<CallRecord> {
    return operation === undefined ? [...this.log] : this.log.filter((call) => call.operation === operation);
  }

  injectFault(plan: FaultPlan | undefined): void {
    this.faultPlan = plan;
  }

  /** Forgets calls, call counters and the fault plan; subclasses also drop their state. */
  reset(): void {
    this.log = [];
    this.arrivals = new Map();
    this.faultPlan = undefined;
  }

  /** The error AWS returns for a throttled request; override where a service names it differently. */
  protected throttlingError(): AwsServiceError {
    return new AwsServiceError('ThrottlingException', 'Rate exceeded', 400);
  }

  /** AWS common errors: InternalFailure (500), ServiceUnavailable (503). */
  protected serverError(status: 500 | 503): AwsServiceError {
    return status === 503
      ? new AwsServiceError('ServiceUnavailable', 'The request has failed due to a temporary failure of the server.', 503)
      : new AwsServiceError('InternalFailure', 'The request processing has failed because of an unknown error, exception or failure.', 500);
  }

  protected unknownOperationError(operation: string): AwsServiceError {
    return new AwsServiceError('UnknownOperationException', `Unknown operation ${JSON.stringify(operation)}`, 400);
  }

  protected missingAuthenticationError(): AwsServiceError {
    return new AwsServiceError('MissingAuthenticationTokenException', 'Request is missing Authentication Token', 400);
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = this.now();
    const context: RequestContext = { now: at, region: regionOf(req), note: {} };
    const record = (operation: string, status: number): void => {
      this.log.push({ operation, status, at, ...context.note });
    };

    const body = await this.readBody(req);
    if (body === undefined) {
      const tooLarge = new AwsServiceError(
        'RequestEntityTooLargeException',
        `Request body exceeds ${this.maxBodyBytes} bytes`,
        413,
      );
      record(this.protocol.operation(req, Buffer.alloc(0)), this.send(res, this.protocol.encodeError(tooLarge)));
      return;
    }
    const operation = this.protocol.operation(req, body);

    if (!req.headers.authorization) {
      record(operation, this.send(res, this.protocol.encodeError(this.missingAuthenticationError())));
      return;
    }

    const callIndex = this.arrivals.get(operation) ?? 0;
    this.arrivals.set(operation, callIndex + 1);
    const protocol = this.protocol;
    const fault = this.faultPlan?.(operation, callIndex, {
      headers: req.headers,
      get input() {
        return protocol.decode(req, body);
      },
    });
    if (fault?.kind === 'reset') {
      req.socket.destroy();
      record(operation, 0);
      return;
    }
    if (fault?.kind === 'throttle') {
      record(operation, this.send(res, this.protocol.encodeError(this.throttlingError())));
      return;
    }
    if (fault?.kind === 'status') {
      record(operation, this.send(res, this.protocol.encodeError(this.serverError(fault.status))));
      return;
    }
    if (fault?.kind === 'delay') {
      await this.sleep(fault.ms);
    }
    if (fault?.kind === 'hold') {
      await fault.until;
    }

    let response: EncodedResponse;
    try {
      const handler = Object.hasOwn(this.operations, operation) ? this.operations[operation] : undefined;
      if (handler === undefined) throw this.unknownOperationError(operation);
      response = this.protocol.encodeResult(handler(this.protocol.decode(req, body), context));
    } catch (error) {
      if (!(error instanceof AwsServiceError)) throw error;
      response = this.protocol.encodeError(error);
    }
    record(operation, this.send(res, response));
  }

  /** The whole body, or undefined when it is over the limit (the rest is read and dropped). */
  private readBody(req: IncomingMessage): Promise<Buffer | undefined> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let tooLarge = Number(req.headers['content-length'] ?? 0) > this.maxBodyBytes;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > this.maxBodyBytes) tooLarge = true;
        if (!tooLarge) chunks.push(chunk);
      });
      req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
      req.on('error', reject);
    });
  }

  private send(res: ServerResponse, response: EncodedResponse): number {
    if (res.destroyed || !res.socket || res.socket.destroyed) return 0;
    res.writeHead(response.status, {
      ...response.headers,
      'content-length': String(Buffer.byteLength(response.body)),
      'x-amzn-RequestId': randomUUID(),
    });
    res.end(response.body);
    return response.status;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.delays.delete(timer);
        resolve();
      }, ms);
      this.delays.add(timer);
    });
  }
}

/** `Credential=<key>/<date>/<region>/<service>/aws4_request` in a SigV4 Authorization header. */
function regionOf(req: IncomingMessage): string {
  const match = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(req.headers.authorization ?? '');
  return match?.[1] ?? 'us-east-1';
}

/** Reads `--name value` or `--name=value` from command-line arguments. */
export type CliOption = (name: string) => string | undefined;

/**
 * The manual-run entry the test servers share (`tsx testkit/<x>-server.ts [--port N]
 * [--host H] …`): start on the given address, print the endpoint on stdout and how to use
 * it on stderr, stop cleanly on SIGINT/SIGTERM. `announce` may use further options.
 */
export function runServerFromCommandLine<S extends AwsTestServer>(
  argv: readonly string[],
  start: (address: { port: number; host: string }) => Promise<S>,
  announce: (server: S, option: CliOption) => void,
): void {
  const option: CliOption = (name) => {
    const index = argv.indexOf(name);
    const inline = argv.find((arg) => arg.startsWith(`${name}=`));
    return index >= 0 ? argv[index + 1] : inline?.slice(name.length + 1);
  };
  const portText = option('--port') ?? '0';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`invalid --port ${portText}`);
    process.exitCode = 2;
    return;
  }
  start({ port, host: option('--host') ?? '127.0.0.1' }).then(
    (server) => {
      console.log(server.endpoint);
      announce(server, option);
      const shutdown = (): void => void server.stop().then(() => process.exit(0));
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
