/**
 * A strict local AWS Security Hub for BatchImportFindings, over the real wire protocol of
 * `@aws-sdk/client-securityhub` (AWS REST-JSON: `POST /findings/import`, a JSON body, errors
 * named in `x-amzn-ErrorType`), rejecting what Security Hub rejects (AWS-FACTS.md; API
 * reference): more than 100 findings per call, a finding without a required ASFF attribute,
 * a ProductArn other than the account's own default product, an AwsAccountId other than the
 * caller's account, a finding over 240 KB. Findings are kept by ProductArn + Id: a repeat
 * import updates, as in Security Hub.
 *
 * Manual run: `tsx testkit/securityhub-server.ts [--port N] [--host H] [--account 111122223333]`.
 */
import type { IncomingMessage } from 'node:http';
import {
  AwsServiceError,
  AwsTestServer,
  type EncodedResponse,
  type JsonObject,
  type OperationHandler,
  type RequestContext,
  runServerFromCommandLine,
  type WireProtocol,
} from './aws-json-server';

export type { CallRecord, Fault, FaultPlan } from './aws-json-server';

export const MAX_FINDINGS_PER_CALL = 100;
export const MAX_FINDING_BYTES = 240 * 1024;
/** "Required top-level ASFF attributes" (Security Hub user guide). */
export const REQUIRED_ATTRIBUTES = [
  'AwsAccountId',
  'CreatedAt',
  'Description',
  'GeneratorId',
  'Id',
  'ProductArn',
  'Resources',
  'SchemaVersion',
  'Severity',
  'Title',
  'Types',
  'UpdatedAt',
] as const;
const SEVERITY_LABELS = ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];
const TYPE_NAMESPACES = ['Software and Configuration Checks', 'TTPs', 'Effects', 'Unusual Behaviors', 'Sensitive Data Identifications'];

/** AWS REST-JSON, for the one route this double serves. */
function restJsonProtocol(routes: Readonly<Record<string, string>>): WireProtocol {
  const respond = (status: number, body: object, extra: Record<string, string> = {}): EncodedResponse => ({
    status,
    headers: { 'content-type': 'application/json', ...extra },
    body: JSON.stringify(body),
  });
  return {
    operation(request: IncomingMessage) {
      return routes[`${request.method ?? ''} ${(request.url ?? '').split('?')[0]}`] ?? `${request.method} ${request.url}`;
    },
    decode(_request, body) {
      if (body.length === 0) return {};
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        throw new AwsServiceError('InvalidInputException', 'The request body is not valid JSON');
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new AwsServiceError('InvalidInputException', 'The request body must be a JSON object');
      }
      return parsed as JsonObject;
    },
    encodeResult: (output) => respond(200, output),
    encodeError: (error) => respond(error.status, { message: error.message, Code: error.code }, { 'x-amzn-ErrorType': error.code }),
  };
}

export interface StoredFinding {
  readonly finding: JsonObject;
  /** How many imports carried this ProductArn + Id (1 = created, more = updated). */
  readonly imports: number;
}

export interface SecurityHubServerOptions {
  now?: () => number;
  port?: number;
  host?: string;
  /** The caller's account (credentials are not checked): AwsAccountId and the product must name it. */
  accountId?: string;
}

/** Decides, per finding, to refuse it in FailedFindings (as Security Hub does under load or on bad input). */
export type FindingFault = (finding: JsonObject) => { ErrorCode: string; ErrorMessage: string } | undefined;

export class SecurityHubServer extends AwsTestServer {
  readonly accountId: string;
  private stored = new Map<string, StoredFinding>();
  private findingFault: FindingFault | undefined;

  protected readonly operations: Readonly<Record<string, OperationHandler>> = {
    BatchImportFindings: (input, context) => this.batchImportFindings(input, context),
  };

  private constructor(options: SecurityHubServerOptions) {
    super(restJsonProtocol({ 'POST /findings/import': 'BatchImportFindings' }), { now: options.now, maxBodyBytes: 64 * 1024 * 1024 });
    this.accountId = options.accountId ?? '111122223333';
  }

  static async start(options: SecurityHubServerOptions = {}): Promise<SecurityHubServer> {
    const server = new SecurityHubServer(options);
    await server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
    return server;
  }

  protected override throttlingError(): AwsServiceError {
    return new AwsServiceError('LimitExceededException', 'Rate exceeded', 429);
  }

  protected override serverError(status: 500 | 503): AwsServiceError {
    return new AwsServiceError('InternalException', 'Internal service error', status);
  }

  /** Refuse findings one by one (undefined: none). */
  injectFindingFault(fault: FindingFault | undefined): void {
    this.findingFault = fault;
  }

  /** What Security Hub holds, in import order of first arrival. */
  findings(): StoredFinding[] {
    return [...this.stored.values()];
  }

  override reset(): void {
    super.reset();
    this.stored = new Map();
    this.findingFault = undefined;
  }

  private batchImportFindings(input: JsonObject, context: RequestContext): object {
    const findings = input.Findings;
    if (!Array.isArray(findings) || findings.length === 0) {
      throw new AwsServiceError('InvalidInputException', 'Findings: must contain at least 1 finding');
    }
    if (findings.length > MAX_FINDINGS_PER_CALL) {
      throw new AwsServiceError('InvalidInputException', `Findings: at most ${MAX_FINDINGS_PER_CALL} findings per request, got ${findings.length}`);
    }
    context.note.eventCount = findings.length;
    const failed: Array<{ Id: string; ErrorCode: string; ErrorMessage: string }> = [];
    const product = `arn:aws:securityhub:${context.region}:${this.accountId}:product/${this.accountId}/default`;
    for (const item of findings as unknown[]) {
      const finding = (item ?? {}) as JsonObject;
      const id = typeof finding.Id === 'string' ? finding.Id : '';
      const problem = this.validate(finding, product) ?? this.findingFault?.(finding);
      if (problem) {
        failed.push({ Id: id, ...(typeof problem === 'string' ? { ErrorCode: 'InvalidInput', ErrorMessage: problem } : problem) });
        continue;
      }
      const key = `${String(finding.ProductArn)}\u0000${id}`;
      this.stored.set(key, { finding, imports: (this.stored.get(key)?.imports ?? 0) + 1 });
    }
    return { FailedCount: failed.length, SuccessCount: findings.length - failed.length, FailedFindings: failed };
  }

  private validate(f: JsonObject, product: string): string | undefined {
    for (const name of REQUIRED_ATTRIBUTES) {
      const v = f[name];
      if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0 && name !== 'Types')) return `Finding does not contain required attribute ${name}`;
    }
    if (f.ProductArn !== product) return `ProductArn ${String(f.ProductArn)} is not the default product of account ${this.accountId} in this Region (${product})`;
    if (f.AwsAccountId !== this.accountId) return `AwsAccountId ${String(f.AwsAccountId)} is not the calling account ${this.accountId}`;
    if (f.SchemaVersion !== '2018-10-08') return `SchemaVersion must be 2018-10-08`;
    if (Buffer.byteLength(JSON.stringify(f)) > MAX_FINDING_BYTES) return `Finding is larger than 240 KB`;
    if (typeof f.Title !== 'string' || f.Title.length > 256) return 'Title: at most 256 characters';
    if (typeof f.Description !== 'string' || f.Description.length > 1024) return 'Description: at most 1024 characters';
    if (typeof f.Id !== 'string' || f.Id.length > 512) return 'Id: at most 512 characters';
    for (const time of ['CreatedAt', 'UpdatedAt', 'FirstObservedAt', 'LastObservedAt']) {
      if (f[time] !== undefined && (typeof f[time] !== 'string' || Number.isNaN(Date.parse(f[time] as string)))) return `${time}: not an ISO 8601 time`;
    }
    const severity = f.Severity as JsonObject;
    if (!SEVERITY_LABELS.includes(String(severity.Label))) return `Severity.Label ${String(severity.Label)} is not valid`;
    const types = f.Types;
    if (!Array.isArray(types) || types.length > 50 || types.some((t) => typeof t !== 'string' || !TYPE_NAMESPACES.includes(t.split('/')[0] ?? ''))) {
      return 'Types: each must be namespace/category/classifier with a valid namespace';
    }
    const resources = f.Resources;
    if (!Array.isArray(resources) || resources.length === 0 || resources.length > 32) return 'Resources: 1 to 32 resources';
    for (const r of resources as JsonObject[]) {
      if (typeof r.Type !== 'string' || typeof r.Id !== 'string' || r.Type === '' || r.Id === '') return 'Resources: each needs Type and Id';
    }
    const fields = f.ProductFields as JsonObject | undefined;
    if (fields && (Object.keys(fields).length > 50 || Object.entries(fields).some(([k, v]) => k.length > 128 || typeof v !== 'string' || v.length > 2048))) {
      return 'ProductFields: at most 50 string entries, keys ≤ 128, values ≤ 2048 characters';
    }
    return undefined;
  }
}

if (require.main === module) {
  runServerFromCommandLine(
    process.argv,
    ({ port, host }) => SecurityHubServer.start({ port, host }),
    (server) => console.error(`Security Hub (BatchImportFindings) for account ${server.accountId}: set AWS_ENDPOINT_URL_SECURITYHUB=${server.endpoint}`),
  );
}
