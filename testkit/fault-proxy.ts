/**
 * A small HTTP proxy on 127.0.0.1 in front of any local server (s3rver, dynalite, the
 * project's own doubles) that injects faults per request: a service error answered in
 * the service's own wire format (DynamoDB throttling, an S3/KMS error), a delay, a reset
 * connection, a response cut off after N body bytes, or a request the service carried out
 * whose answer never reached the client.
 *
 * Requests are forwarded byte for byte with their headers (Host included, so SigV4
 * signatures that s3rver checks stay valid); the SDK talks to the proxy through the same
 * `endpoint` / `AWS_ENDPOINT_URL_<SERVICE>` it would use for the server itself.
 */
import { randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the fault plan sees it. */
export interface ProxiedRequest {
  readonly method: string;
  /** Path and query string, as sent. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /**
   * The operation: the part after the last `.` of `X-Amz-Target` for JSON protocols
   * (`PutItem`, `ReceiveMessage`), otherwise `<METHOD> <path without query>`.
   */
  readonly operation: string;
  readonly body: Buffer;
  /** 0-based arrival position among all requests since start or the last `reset()`. */
  readonly index: number;
}

export type ProxyFault =
  /** Answer without forwarding: a service error in its wire format (see `serviceErrors`). */
  | { readonly kind: 'respond'; readonly status: number; readonly headers?: Readonly<Record<string, string>>; readonly body?: string | Buffer }
  /** Hold the request, then forward it (a slow network or a slow service). */
  | { readonly kind: 'delay'; readonly ms: number }
  /** Destroy the client's socket without forwarding: the SDK sees ECONNRESET. */
  | { readonly kind: 'reset' }
  /**
   * Forward, relay the status, headers and the first `bytes` of the body, then destroy the
   * socket, `holdMs` later (default 0): long enough, and the client has read what it got
   * before the connection breaks, as when a download dies halfway through a large object.
   */
  | { readonly kind: 'cutAfter'; readonly bytes: number; readonly holdMs?: number }
  /**
   * Forward (the service does the work), then answer the client with this error instead of
   * the service's answer: "the request may or may not have succeeded" (an InternalServerError
   * after commit, a response lost on the way back).
   */
  | { readonly kind: 'lostAnswer'; readonly status: number; readonly headers?: Readonly<Record<string, string>>; readonly body?: string | Buffer };

export type ProxyFaultPlan = (request: ProxiedRequest) => ProxyFault | undefined;

/** What happened to one request. */
export interface ProxyLogEntry {
  readonly index: number;
  readonly method: string;
  readonly url: string;
  readonly operation: string;
  /** The fault applied, if any. */
  readonly fault?: ProxyFault['kind'];
  /** Status the client received; 0 when its connection was reset or cut. */
  readonly status: number;
}

export interface FaultProxyOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
}

export class FaultProxy {
  private readonly server: Server;
  private readonly targetUrl: URL;
  private url: string | undefined;
  private plan: ProxyFaultPlan | undefined;
  private log: ProxyLogEntry[] = [];
  private arrivals = 0;
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(target: string) {
    this.targetUrl = new URL(target);
    this.server = createServer((req, res) => {
      this.serve(req, res).catch((error: unknown) => {
        // a bug here must show as a failed call, not crash the test run
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`fault proxy: ${String(error)}`);
      });
    });
  }

  /** Starts a proxy in front of `target` (`http://127.0.0.1:port`) on an ephemeral port. */
  static async start(target: string, options: FaultProxyOptions = {}): Promise<FaultProxy> {
    const proxy = new FaultProxy(target);
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen(0, options.host ?? '127.0.0.1', () => {
        proxy.server.off('error', reject);
        const { port } = proxy.server.address() as AddressInfo;
        proxy.url = `http://127.0.0.1:${port}`;
        resolve();
      });
    });
    return proxy;
  }

  get endpoint(): string {
    if (this.url === undefined) throw new Error('proxy is not listening');
    return this.url;
  }

  injectFault(plan: ProxyFaultPlan | undefined): void {
    this.plan = plan;
  }

  /** Requests seen since start or the last `reset()`, optionally only one operation's. */
  requests(operation?: string): ReadonlyArray<ProxyLogEntry> {
    return operation === undefined ? [...this.log] : this.log.filter((entry) => entry.operation === operation);
  }

  /** Forgets the log, the arrival counter and the fault plan. */
  reset(): void {
    this.log = [];
    this.arrivals = 0;
    this.plan = undefined;
  }

  stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    return new Promise((resolve, reject) => {
      if (!this.server.listening) return resolve();
      this.server.close((error) => (error ? reject(error) : resolve()));
      this.server.closeAllConnections();
    });
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readAll(req);
    const request: ProxiedRequest = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      operation: operationOf(req),
      body,
      index: this.arrivals++,
    };
    const fault = this.plan?.(request);
    const note = (status: number): void => {
      this.log.push({
        index: request.index,
        method: request.method,
        url: request.url,
        operation: request.operation,
        ...(fault ? { fault: fault.kind } : {}),
        status,
      });
    };

    switch (fault?.kind) {
      case 'respond':
        note(answer(res, fault.status, fault.headers, fault.body));
        return;
      case 'reset':
        req.socket.destroy();
        note(0);
        return;
      case 'delay':
        await this.sleep(fault.ms);
        break;
      default:
        break;
    }

    const upstream = await this.forward(request);
    if (fault?.kind === 'lostAnswer') {
      upstream.resume();
      await new Promise((resolve) => upstream.once('end', resolve));
      note(answer(res, fault.status, fault.headers, fault.body));
      return;
    }
    if (res.destroyed) {
      // the client gave up (its own timeout) while the service was working on it
      upstream.resume();
      note(0);
      return;
    }
    res.writeHead(upstream.statusCode ?? 502, upstream.headers);
    if (fault?.kind === 'cutAfter') {
      note(await relayThenCut(upstream, res, fault.bytes, fault.holdMs ?? 0));
      return;
    }
    upstream.pipe(res);
    await new Promise((resolve) => res.once('close', resolve));
    note(res.writableFinished ? (upstream.statusCode ?? 502) : 0);
  }

  private forward(request: ProxiedRequest): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const out = httpRequest(
        {
          host: this.targetUrl.hostname,
          port: this.targetUrl.port,
          method: request.method,
          path: request.url,
          // Host unchanged: s3rver verifies SigV4, which signs the Host the client used
          headers: request.headers,
        },
        resolve,
      );
      out.once('error', reject);
      out.end(request.body);
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }
}

/** Error bodies in the services' own wire formats, for `respond` and `lostAnswer` faults. */
export const serviceErrors = {
  /** DynamoDB (AWS JSON 1.0): the classic provisioned-capacity throttle, HTTP 400. */
  dynamoDbThrottle(): Extract<ProxyFault, { kind: 'respond' }> {
    return jsonError(
      400,
      'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
      'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
    );
  },
  /**
   * DynamoDB's InternalServerError, HTTP 500: "the request may or may not have succeeded".
   * As a lost answer: `{ ...serviceErrors.dynamoDbInternalError(), kind: 'lostAnswer' }`.
   */
  dynamoDbInternalError(): Extract<ProxyFault, { kind: 'respond' }> {
    return jsonError(500, 'com.amazonaws.dynamodb.v20120810#InternalServerError', 'Internal server error');
  },
  /** An S3 REST-XML error, e.g. `s3Error(400, 'KMS.DisabledException', '…')`. */
  s3Error(status: number, code: string, message: string): Extract<ProxyFault, { kind: 'respond' }> {
    const requestId = randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase();
    const body =
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
      `<Error><Code>${xml(code)}</Code><Message>${xml(message)}</Message><RequestId>${requestId}</RequestId><HostId>proxy</HostId></Error>`;
    return { kind: 'respond', status, headers: { 'content-type': 'application/xml', 'x-amz-request-id': requestId }, body };
  },
};

function jsonError(status: number, type: string, message: string): Extract<ProxyFault, { kind: 'respond' }> {
  return {
    kind: 'respond',
    status,
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': randomUUID() },
    body: JSON.stringify({ __type: type, message }),
  };
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function operationOf(req: IncomingMessage): string {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string' && target.includes('.')) return target.slice(target.lastIndexOf('.') + 1);
  return `${req.method ?? 'GET'} ${(req.url ?? '/').split('?')[0]}`;
}

function answer(res: ServerResponse, status: number, headers: Readonly<Record<string, string>> = {}, body: string | Buffer = ''): number {
  if (res.destroyed) return 0;
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, { ...headers, 'content-length': String(bytes.length) });
  res.end(bytes);
  return status;
}

/** Relays the first `limit` body bytes, then destroys the client's socket mid-response. */
function relayThenCut(upstream: IncomingMessage, res: ServerResponse, limit: number, holdMs: number): Promise<number> {
  return new Promise((resolve) => {
    let sent = 0;
    const cut = (): void => {
      upstream.destroy();
      // the bytes written so far reach the client, then the connection drops mid-body
      setTimeout(() => {
        res.socket?.destroy();
        resolve(0);
      }, holdMs);
    };
    if (limit <= 0) {
      res.flushHeaders();
      setImmediate(cut);
      return;
    }
    upstream.on('data', (chunk: Buffer) => {
      if (sent >= limit) return;
      const piece = chunk.subarray(0, limit - sent);
      sent += piece.length;
      if (sent >= limit) res.write(piece, cut);
      else res.write(piece);
    });
    upstream.once('end', () => {
      // the whole body was shorter than the limit: nothing to cut
      if (sent < limit) {
        res.end();
        resolve(upstream.statusCode ?? 502);
      }
    });
  });
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
