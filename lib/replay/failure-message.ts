import { UnreplayableMessageError } from './errors';

/**
 * What the failure queue holds, turned back into the payload the Lambda received.
 *
 * Two shapes arrive there:
 *  - Lambda's asynchronous-invocation record (an on-failure destination): `version`,
 *    `timestamp`, `requestContext {requestId, functionArn, condition, approximateInvokeCount}`,
 *    `requestPayload` (the original event, as JSON), `responseContext {statusCode,
 *    executedVersion, functionError}` and `responsePayload {errorType, errorMessage, …}`
 *    (AWS Lambda developer guide, "Capturing records of Lambda asynchronous invocations").
 *    `condition` is `RetriesExhausted` or `EventAgeExceeded`. When the destination is an SNS
 *    topic that an SQS queue subscribes to, the record is the envelope's `Message`.
 *  - A plain event: an SQS queue's redrive (dead-letter) copy of an S3 notification, or a
 *    Lambda DLQ, which carries "only the content of the event". The body is the payload.
 */
export type FailedDelivery =
  | {
      readonly source: 'lambda-destination';
      readonly payload: unknown;
      /** `RetriesExhausted`, `EventAgeExceeded`, … */
      readonly condition: string;
      readonly requestId?: string;
      readonly functionArn?: string;
      readonly attempts?: number;
      /** `errorType: errorMessage` of the last attempt, when Lambda recorded one. */
      readonly error?: string;
      readonly failedAt?: string;
    }
  | { readonly source: 'event'; readonly payload: unknown };

export function parseFailureMessage(body: string): FailedDelivery {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new UnreplayableMessageError(`the message body is not JSON (${body.length} characters)`);
  }
  const record = invocationRecord(parsed) ?? invocationRecord(snsMessage(parsed));
  if (record) return fromInvocationRecord(record);
  return { source: 'event', payload: parsed };
}

/** One line for logs and the CLI: where the failure came from and why it failed. */
export function describeFailure(failure: FailedDelivery): string {
  if (failure.source === 'event') return 'redriven event';
  const attempts = failure.attempts === undefined ? '' : ` after ${failure.attempts} attempt(s)`;
  return `Lambda ${failure.condition}${attempts}${failure.error ? `: ${failure.error}` : ''}`;
}

type Fields = Record<string, unknown>;

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invocationRecord(value: unknown): Fields | undefined {
  if (!isObject(value) || !isObject(value.requestContext)) return undefined;
  // the record's own keys: a trigger event never has requestContext next to these
  return 'requestPayload' in value || 'responseContext' in value || 'version' in value ? value : undefined;
}

/** The Message of an SNS envelope (failure destination SNS → SQS without raw delivery), parsed. */
function snsMessage(value: unknown): unknown {
  if (!isObject(value) || value.Type !== 'Notification' || typeof value.Message !== 'string') return undefined;
  try {
    return JSON.parse(value.Message);
  } catch {
    return undefined;
  }
}

function fromInvocationRecord(record: Fields): FailedDelivery {
  const context = record.requestContext as Fields;
  const condition = typeof context.condition === 'string' ? context.condition : 'Unknown';
  if (!('requestPayload' in record) || record.requestPayload === undefined || record.requestPayload === null) {
    throw new UnreplayableMessageError(`a Lambda invocation record (${condition}) without a requestPayload: nothing to replay`);
  }
  const error = errorOf(record.responsePayload);
  return {
    source: 'lambda-destination',
    payload: record.requestPayload,
    condition,
    ...(typeof context.requestId === 'string' ? { requestId: context.requestId } : {}),
    ...(typeof context.functionArn === 'string' ? { functionArn: context.functionArn } : {}),
    ...(typeof context.approximateInvokeCount === 'number' ? { attempts: context.approximateInvokeCount } : {}),
    ...(error === undefined ? {} : { error }),
    ...(typeof record.timestamp === 'string' ? { failedAt: record.timestamp } : {}),
  };
}

function errorOf(response: unknown): string | undefined {
  if (typeof response === 'string') return response.slice(0, 500);
  if (!isObject(response)) return undefined;
  const type = typeof response.errorType === 'string' ? response.errorType : undefined;
  const message = typeof response.errorMessage === 'string' ? response.errorMessage.slice(0, 500) : undefined;
  if (type === undefined && message === undefined) return undefined;
  return [type, message].filter(Boolean).join(': ');
}
