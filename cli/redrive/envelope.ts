/**
 * What a message in the guard's dead-letter queue says: which function failed, with which original event,
 * and why. Pure: an SQS message in, a replay plan or the reason there is none out. Two senders write to
 * the queue (lib/sagemaker-guard.ts):
 *
 * - EventBridge, for an event it could not deliver to a rule's target. The body is the original event,
 *   unchanged; the message attributes RULE_ARN, TARGET_ARN, ERROR_CODE and ERROR_MESSAGE (and, for
 *   retried deliveries, EXHAUSTED_RETRY_CONDITION and RETRY_ATTEMPTS) say where it was going and why it
 *   failed. See "Using dead-letter queues to process undelivered events in EventBridge":
 *   https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html
 *
 * - Lambda, for an asynchronous invocation that failed every attempt (the functions' on-failure
 *   destination). The body is an invocation record: {version, timestamp, requestContext: {requestId,
 *   functionArn, condition, approximateInvokeCount}, requestPayload, responseContext: {statusCode,
 *   executedVersion, functionError}, responsePayload}; the functionArn carries the version that ran,
 *   usually `:$LATEST`. See "Capturing records of Lambda asynchronous invocations":
 *   https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
 *   (and the record examples in the aws-cdk-lib/aws-lambda-destinations README).
 */
import type { Message } from '@aws-sdk/client-sqs';

export type EnvelopeFormat = 'eventbridge-dlq' | 'lambda-on-failure';

/** A message that can be replayed: the function to invoke, and the event exactly as it was first sent. */
export interface Replay {
  readonly ok: true;
  readonly format: EnvelopeFormat;
  /** The function's ARN, without a `:$LATEST` qualifier (the same function); other qualifiers are kept. */
  readonly functionArn: string;
  readonly functionName: string;
  readonly region: string;
  readonly event: Readonly<Record<string, unknown>>;
  /** The EventBridge event's id and detail-type, when the payload is an EventBridge event. */
  readonly eventId?: string;
  readonly detailType?: string;
  /** Why it was dead-lettered, as the sender said. */
  readonly error: string;
}

export interface Unreadable {
  readonly ok: false;
  readonly reason: string;
}

export type Envelope = Replay | Unreadable;

/** arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER] */
const FUNCTION_ARN = /^arn:(aws[a-z-]*):lambda:([a-z0-9-]+):(\d{12}):function:([A-Za-z0-9_-]{1,64})(?::(\$LATEST|[A-Za-z0-9_-]{1,128}))?$/;

/** EventBridge's attributes on a dead-lettered event. */
export const EVENTBRIDGE_ATTRIBUTES = {
  rule: 'RULE_ARN',
  target: 'TARGET_ARN',
  code: 'ERROR_CODE',
  message: 'ERROR_MESSAGE',
  exhausted: 'EXHAUSTED_RETRY_CONDITION',
  attempts: 'RETRY_ATTEMPTS',
} as const;

/** A Lambda function's own dead-letter queue (DeadLetterConfig) sets these, and names no function. */
const LAMBDA_DLQ_ATTRIBUTES = ['RequestID', 'ErrorCode', 'ErrorMessage'] as const;

function unreadable(reason: string): Unreadable {
  return { ok: false, reason };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The string value of each message attribute (numbers arrive as strings too). */
export function attributesOf(message: Pick<Message, 'MessageAttributes'>): Readonly<Record<string, string | undefined>> {
  return Object.fromEntries(
    Object.entries(message.MessageAttributes ?? {}).flatMap(([name, value]) => (value.StringValue !== undefined ? [[name, value.StringValue]] : [])),
  );
}

type ParsedArn = { readonly functionArn: string; readonly functionName: string; readonly region: string } | { readonly problem: string };

export function parseFunctionArn(arn: string): ParsedArn {
  const match = FUNCTION_ARN.exec(arn);
  if (match === null) return { problem: `${JSON.stringify(arn)} is not a Lambda function ARN` };
  const [, , region, , name, qualifier] = match;
  return { functionArn: qualifier === '$LATEST' ? arn.slice(0, -':$LATEST'.length) : arn, functionName: name, region };
}

/** The event's id and detail-type, when it looks like an EventBridge event. */
function eventFacts(event: Record<string, unknown>): { eventId?: string; detailType?: string } {
  const eventId = text(event.id);
  const detailType = text(event['detail-type']);
  return { ...(eventId !== undefined ? { eventId } : {}), ...(detailType !== undefined ? { detailType } : {}) };
}

function fromEventBridge(body: unknown, attributes: Readonly<Record<string, string | undefined>>): Envelope {
  const names = EVENTBRIDGE_ATTRIBUTES;
  const target = attributes[names.target];
  if (target === undefined) return unreadable(`an EventBridge dead-letter message without a ${names.target} attribute: the function to replay to is unknown`);
  const arn = parseFunctionArn(target);
  if ('problem' in arn) return unreadable(`${names.target}: ${arn.problem}; only Lambda targets can be replayed`);
  if (!isObject(body)) return unreadable('an EventBridge dead-letter message whose body is not a JSON object (it should be the original event)');
  if (text(body.source) === undefined || text(body['detail-type']) === undefined) {
    return unreadable('an EventBridge dead-letter message whose body is not an EventBridge event (no "source" or "detail-type")');
  }
  const code = text(attributes[names.code]) ?? 'UNKNOWN';
  const message = text(attributes[names.message]);
  const attempts = text(attributes[names.attempts]);
  const condition = text(attributes[names.exhausted]);
  const retries = attempts !== undefined ? ` after ${attempts} retries` : '';
  const exhausted = condition !== undefined ? ` (${condition})` : '';
  return {
    ok: true,
    format: 'eventbridge-dlq',
    ...arn,
    event: body,
    ...eventFacts(body),
    error: `${code}${message !== undefined ? `: ${message}` : ''}${retries}${exhausted}`,
  };
}

/** "RetriesExhausted after 3 attempts: Unhandled: Error: boom" */
function invocationError(record: Record<string, unknown>, context: Record<string, unknown>): string {
  const condition = text(context.condition) ?? 'failed';
  const count = context.approximateInvokeCount;
  const attempts = typeof count === 'number' ? ` after ${count} attempt${count === 1 ? '' : 's'}` : '';
  const response = isObject(record.responseContext) ? record.responseContext : {};
  const payload = record.responsePayload;
  const functionError = text(response.functionError);
  const thrown = isObject(payload) ? [text(payload.errorType), text(payload.errorMessage)].filter((part) => part !== undefined).join(': ') : text(payload);
  const detail = [functionError, thrown].filter((part) => part !== undefined && part !== '').join(': ');
  return `${condition}${attempts}${detail !== '' ? `: ${detail}` : ''}`;
}

function fromInvocationRecord(record: Record<string, unknown>): Envelope {
  const context = record.requestContext;
  if (!isObject(context)) return unreadable('a Lambda invocation record whose requestContext is not an object');
  const functionArn = text(context.functionArn);
  if (functionArn === undefined) return unreadable('a Lambda invocation record without requestContext.functionArn: the function to replay to is unknown');
  const arn = parseFunctionArn(functionArn);
  if ('problem' in arn) return unreadable(`requestContext.functionArn: ${arn.problem}`);
  if (context.condition === 'Success') return unreadable('a record of a successful invocation (condition "Success"): there is nothing to replay');
  if (!('requestPayload' in record) || record.requestPayload === undefined) {
    // Lambda leaves the payload out of a record that would be too large for the destination.
    return unreadable('a Lambda invocation record without requestPayload (Lambda leaves it out when it is too large): the original event is not in the message');
  }
  const payload = record.requestPayload;
  if (!isObject(payload)) return unreadable('a Lambda invocation record whose requestPayload is not a JSON object (the guard\'s functions take EventBridge events)');
  return { ok: true, format: 'lambda-on-failure', ...arn, event: payload, ...eventFacts(payload), error: invocationError(record, context) };
}

/** What the message is, and what to replay; or why it cannot be replayed (the message then stays in the queue). */
export function parseEnvelope(message: Pick<Message, 'Body' | 'MessageAttributes'>): Envelope {
  const attributes = attributesOf(message);
  const body = message.Body;
  if (body === undefined || body.trim() === '') return unreadable('the message has no body');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body) as unknown;
  } catch (error) {
    return unreadable(`the body is not JSON (${(error as Error).message})`);
  }
  if (attributes[EVENTBRIDGE_ATTRIBUTES.rule] !== undefined || attributes[EVENTBRIDGE_ATTRIBUTES.target] !== undefined) return fromEventBridge(parsed, attributes);
  if (!isObject(parsed)) return unreadable('the body is JSON but not an object: neither an EventBridge event nor a Lambda invocation record');
  if ('requestContext' in parsed) return fromInvocationRecord(parsed);
  if (LAMBDA_DLQ_ATTRIBUTES.every((name) => attributes[name] !== undefined)) {
    return unreadable(`a Lambda dead-letter message (attributes ${LAMBDA_DLQ_ATTRIBUTES.join(', ')}): it does not say which function failed; replay it by hand`);
  }
  return unreadable(
    `neither an EventBridge dead-letter message (no ${EVENTBRIDGE_ATTRIBUTES.rule} or ${EVENTBRIDGE_ATTRIBUTES.target} attribute) nor a Lambda invocation record (no requestContext)`,
  );
}

/** "SageMaker Notebook Instance State Change 1111-..." for listings. */
export function eventLabel(replay: Replay): string {
  if (replay.detailType === undefined && replay.eventId === undefined) return 'a payload that is not an EventBridge event';
  return `${replay.detailType ?? 'event'} ${replay.eventId ?? '(no id)'}`;
}
