import {
  BatchImportFindingsCommand,
  SecurityHubClient,
  SecurityHubServiceException,
  type AwsSecurityFinding,
  type SecurityHubClientConfig,
} from '@aws-sdk/client-securityhub';
import { NotifyRejectedError, NotifyUnavailableError, type NotifyError } from '../notify/errors';
import type { AsffFinding } from '../outputs/asff';
import type { BatchSink } from '../outputs/batch-channel';

/**
 * Imports ASFF findings into Security Hub (BatchImportFindings, at most 100 per call: the
 * channel batches). `FailedFindings` come back by Id and are mapped to their positions, so
 * the channel retries exactly those. Throttling, 5xx and network errors are retried by the
 * SDK; what is left becomes a typed NotifyError.
 */
export class SecurityHubImporter implements BatchSink<AsffFinding> {
  constructor(private readonly client: SecurityHubClient) {}

  async put(entries: readonly AsffFinding[]): Promise<{ failed: Array<{ index: number; code: string; message: string }> }> {
    let out;
    try {
      out = await this.client.send(new BatchImportFindingsCommand({ Findings: entries as unknown as AwsSecurityFinding[] }));
    } catch (err) {
      throw wrap(err);
    }
    const position = new Map(entries.map((e, i) => [e.Id, i]));
    const failed = (out.FailedFindings ?? []).map((f) => ({
      index: position.get(f.Id ?? '') ?? -1,
      code: f.ErrorCode ?? 'Unknown',
      message: f.ErrorMessage ?? '',
    }));
    const unknown = failed.filter((f) => f.index < 0);
    if (unknown.length > 0) {
      // a failure we cannot place: treat the whole call as failed rather than guess
      throw new NotifyUnavailableError(`BatchImportFindings reported ${unknown.length} failed findings with unknown Ids`, 'UnknownFailedFindings');
    }
    if ((out.SuccessCount ?? entries.length - failed.length) + failed.length !== entries.length) {
      throw new NotifyUnavailableError(`BatchImportFindings counted ${out.SuccessCount} + ${failed.length} of ${entries.length} findings`, 'CountMismatch');
    }
    return { failed };
  }
}

/** An importer with a client of its own (`config`: the function's HTTP timeouts). */
export function securityHubImporter(config: SecurityHubClientConfig): SecurityHubImporter {
  return new SecurityHubImporter(new SecurityHubClient(config));
}

function wrap(err: unknown): NotifyError {
  const code = err instanceof Error ? err.name : 'Error';
  const text = `BatchImportFindings failed: ${code}: ${err instanceof Error ? err.message : String(err)}`;
  const status = err instanceof SecurityHubServiceException ? err.$metadata.httpStatusCode : undefined;
  const rejected = err instanceof SecurityHubServiceException && err.$fault === 'client' && status !== 429 && !/Throttl|LimitExceeded|TooManyRequests/i.test(code);
  return rejected ? new NotifyRejectedError(text, code, { cause: err }) : new NotifyUnavailableError(text, code, { cause: err });
}
