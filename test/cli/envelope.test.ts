import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import { attributesOf, eventLabel, parseEnvelope, parseFunctionArn, type Replay } from '../../cli/redrive/envelope';
import { loadEvent } from '../fixtures/events';

const EVENT = loadEvent('variants/notebook-instance.inservice.json');
const FUNCTION = 'arn:aws:lambda:us-east-1:123456789012:function:SageMakerGuard-NotebookInstanceResponder1A2B3C-xyz';
const RULE = 'arn:aws:events:us-east-1:123456789012:rule/SageMakerGuard-NotebookInstanceResponderRule-QWE';

function strings(values: Record<string, string>): Record<string, MessageAttributeValue> {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]));
}

/** What EventBridge puts in the queue when it gives up on a target: the event as the body, the target in attributes. */
function eventBridgeMessage(attributes: Record<string, string> = {}, body: unknown = EVENT): Message {
  return {
    Body: typeof body === 'string' ? body : JSON.stringify(body),
    MessageAttributes: strings({ RULE_ARN: RULE, TARGET_ARN: FUNCTION, ERROR_CODE: 'SDK_CLIENT_ERROR', ERROR_MESSAGE: 'Unable to invoke Lambda function', ...attributes }),
  };
}

/** The invocation record Lambda sends to an on-failure destination (the aws-lambda-destinations README's example). */
function invocationRecord(overrides: Record<string, unknown> = {}, context: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: '1.0',
    timestamp: '2026-11-22T11:52:47.333Z',
    requestContext: { requestId: '8ea123e4-1db7-4aca-ad10-d9ca1234c1fd', functionArn: `${FUNCTION}:$LATEST`, condition: 'RetriesExhausted', approximateInvokeCount: 3, ...context },
    requestPayload: EVENT,
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: { errorType: 'ThrottlingException', errorMessage: 'Rate exceeded', trace: [] },
    ...overrides,
  };
}

function recordMessage(record: unknown): Message {
  return { Body: JSON.stringify(record) };
}

describe('dead-letter envelopes', () => {
  test.each<[string, Message, Partial<Replay>]>([
    [
      'an EventBridge dead-letter message: the body is the event, the attributes name the target',
      eventBridgeMessage(),
      {
        format: 'eventbridge-dlq',
        functionArn: FUNCTION,
        functionName: 'SageMakerGuard-NotebookInstanceResponder1A2B3C-xyz',
        region: 'us-east-1',
        eventId: '11111111-0000-4000-8000-000000000002',
        detailType: 'SageMaker Notebook Instance State Change',
        error: 'SDK_CLIENT_ERROR: Unable to invoke Lambda function',
      },
    ],
    [
      'an EventBridge message after retries',
      eventBridgeMessage({ ERROR_CODE: 'THROTTLING', ERROR_MESSAGE: 'Rate exceeded', RETRY_ATTEMPTS: '8', EXHAUSTED_RETRY_CONDITION: 'MaximumRetryAttempts' }),
      { error: 'THROTTLING: Rate exceeded after 8 retries (MaximumRetryAttempts)' },
    ],
    [
      'an EventBridge message without an error code or message',
      { Body: JSON.stringify(EVENT), MessageAttributes: strings({ RULE_ARN: RULE, TARGET_ARN: FUNCTION }) },
      { format: 'eventbridge-dlq', functionArn: FUNCTION, error: 'UNKNOWN' },
    ],
    ['an EventBridge message to a qualified target', eventBridgeMessage({ TARGET_ARN: `${FUNCTION}:live` }), { functionArn: `${FUNCTION}:live` }],
    [
      'a Lambda on-failure record: the request payload is the event; $LATEST is the function itself',
      recordMessage(invocationRecord()),
      {
        format: 'lambda-on-failure',
        functionArn: FUNCTION,
        functionName: 'SageMakerGuard-NotebookInstanceResponder1A2B3C-xyz',
        eventId: '11111111-0000-4000-8000-000000000002',
        detailType: 'SageMaker Notebook Instance State Change',
        error: 'RetriesExhausted after 3 attempts: Unhandled: ThrottlingException: Rate exceeded',
      },
    ],
    [
      'a record of an event too old to run',
      recordMessage(invocationRecord({ responseContext: undefined, responsePayload: undefined }, { condition: 'EventAgeExceeded', approximateInvokeCount: 1 })),
      { error: 'EventAgeExceeded after 1 attempt' },
    ],
    ['a record for a published version', recordMessage(invocationRecord({}, { functionArn: `${FUNCTION}:7` })), { functionArn: `${FUNCTION}:7` }],
    ['a record in another partition and region', recordMessage(invocationRecord({}, { functionArn: 'arn:aws-cn:lambda:cn-north-1:123456789012:function:guard' })), { region: 'cn-north-1', functionName: 'guard' }],
    ['a record whose response is a string', recordMessage(invocationRecord({ responsePayload: 'Task timed out after 60.05 seconds' })), { error: 'RetriesExhausted after 3 attempts: Unhandled: Task timed out after 60.05 seconds' }],
  ])('%s', (_name, message, expected) => {
    const envelope = parseEnvelope(message);
    expect(envelope).toMatchObject({ ok: true, ...expected });
    if (!envelope.ok) return;
    expect(envelope.event).toEqual(EVENT);
    expect(envelope.eventId).toBe('11111111-0000-4000-8000-000000000002');
  });

  test('a record whose payload is not an EventBridge event is replayed as it is, without an event id', () => {
    const envelope = parseEnvelope(recordMessage(invocationRecord({ requestPayload: { hello: 'world' } })));
    expect(envelope).toEqual({
      ok: true,
      format: 'lambda-on-failure',
      functionArn: FUNCTION,
      functionName: 'SageMakerGuard-NotebookInstanceResponder1A2B3C-xyz',
      region: 'us-east-1',
      event: { hello: 'world' },
      error: 'RetriesExhausted after 3 attempts: Unhandled: ThrottlingException: Rate exceeded',
    });
  });

  test.each<[string, Message, string]>([
    ['no body', { Body: undefined }, 'the message has no body'],
    ['a blank body', { Body: '  \n' }, 'the message has no body'],
    ['a body that is not JSON', { Body: '{"version": "1.0", ' }, 'the body is not JSON ('],
    ['a JSON array', { Body: '[1, 2]' }, 'the body is JSON but not an object: neither an EventBridge event nor a Lambda invocation record'],
    ['a JSON string', { Body: '"hello"' }, 'the body is JSON but not an object'],
    [
      'an object that is neither envelope',
      { Body: JSON.stringify({ hello: 'world' }) },
      'neither an EventBridge dead-letter message (no RULE_ARN or TARGET_ARN attribute) nor a Lambda invocation record (no requestContext)',
    ],
    [
      "a Lambda function's own dead-letter message",
      { Body: JSON.stringify(EVENT), MessageAttributes: { ...strings({ RequestID: 'abc', ErrorMessage: 'boom' }), ErrorCode: { DataType: 'Number', StringValue: '200' } } },
      'a Lambda dead-letter message (attributes RequestID, ErrorCode, ErrorMessage): it does not say which function failed; replay it by hand',
    ],
    [
      'EventBridge attributes without TARGET_ARN',
      { Body: JSON.stringify(EVENT), MessageAttributes: strings({ RULE_ARN: RULE, ERROR_CODE: 'NO_PERMISSIONS' }) },
      'an EventBridge dead-letter message without a TARGET_ARN attribute: the function to replay to is unknown',
    ],
    [
      'an EventBridge target that is not a function',
      eventBridgeMessage({ TARGET_ARN: 'arn:aws:sqs:us-east-1:123456789012:inbox' }),
      'TARGET_ARN: "arn:aws:sqs:us-east-1:123456789012:inbox" is not a Lambda function ARN; only Lambda targets can be replayed',
    ],
    ['an EventBridge body that is not JSON', eventBridgeMessage({}, 'oops'), 'the body is not JSON ('],
    ['an EventBridge body that is an array', eventBridgeMessage({}, [EVENT]), 'an EventBridge dead-letter message whose body is not a JSON object (it should be the original event)'],
    ['an EventBridge body that is not an event', eventBridgeMessage({}, { detail: {} }), 'an EventBridge dead-letter message whose body is not an EventBridge event (no "source" or "detail-type")'],
    ['a record whose requestContext is not an object', recordMessage({ requestContext: 'x', requestPayload: EVENT }), 'a Lambda invocation record whose requestContext is not an object'],
    [
      'a record without a functionArn',
      recordMessage(invocationRecord({}, { functionArn: undefined })),
      'a Lambda invocation record without requestContext.functionArn: the function to replay to is unknown',
    ],
    ['a record with a bad functionArn', recordMessage(invocationRecord({}, { functionArn: 'my-function' })), 'requestContext.functionArn: "my-function" is not a Lambda function ARN'],
    ['a record of a success', recordMessage(invocationRecord({}, { condition: 'Success' })), 'a record of a successful invocation (condition "Success"): there is nothing to replay'],
    [
      'a record whose payload was left out',
      recordMessage(invocationRecord({ requestPayload: undefined })),
      'a Lambda invocation record without requestPayload (Lambda leaves it out when it is too large): the original event is not in the message',
    ],
    ['a record whose payload is a string', recordMessage(invocationRecord({ requestPayload: 'event' })), 'a Lambda invocation record whose requestPayload is not a JSON object'],
    ['a record whose payload is null', recordMessage(invocationRecord({ requestPayload: null })), 'a Lambda invocation record whose requestPayload is not a JSON object'],
  ])('unreadable: %s', (_name, message, reason) => {
    const envelope = parseEnvelope(message);
    expect(envelope.ok).toBe(false);
    if (envelope.ok) return;
    expect(envelope.reason.startsWith(reason)).toBe(true);
  });

  test('the JSON error is named', () => {
    expect(parseEnvelope({ Body: 'not json' })).toEqual({ ok: false, reason: expect.stringMatching(/^the body is not JSON \(Unexpected token .*\)$/) as unknown });
  });

  test.each([
    ['arn:aws:lambda:us-east-1:123456789012:function:f', { functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:f', functionName: 'f', region: 'us-east-1' }],
    ['arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST', { functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:f' }],
    ['arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f:prod', { functionArn: 'arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f:prod', region: 'us-gov-west-1' }],
    ['arn:aws:lambda:us-east-1:123456789012:layer:l:1', { problem: '"arn:aws:lambda:us-east-1:123456789012:layer:l:1" is not a Lambda function ARN' }],
    ['arn:aws:lambda:us-east-1:123456789012:function:f:a:b', { problem: expect.stringContaining('is not a Lambda function ARN') as unknown }],
    // Lambda names are at most 64 characters (CloudFormation truncates the names it generates to fit).
    [`arn:aws:lambda:us-east-1:123456789012:function:${'f'.repeat(65)}`, { problem: expect.stringContaining('is not a Lambda function ARN') as unknown }],
    [`arn:aws:lambda:us-east-1:123456789012:function:${'f'.repeat(64)}:$LATEST`, { functionName: 'f'.repeat(64) }],
  ])('function ARN %s', (arn, expected) => {
    expect(parseFunctionArn(arn)).toMatchObject(expected);
  });

  test('attributes: string values only, binary ones are left out', () => {
    expect(
      attributesOf({ MessageAttributes: { A: { DataType: 'String', StringValue: 'a' }, N: { DataType: 'Number', StringValue: '3' }, B: { DataType: 'Binary', BinaryValue: new Uint8Array([1]) } } }),
    ).toEqual({ A: 'a', N: '3' });
    expect(attributesOf({})).toEqual({});
  });

  test('event labels', () => {
    const replay = parseEnvelope(eventBridgeMessage());
    if (!replay.ok) throw new Error(replay.reason);
    expect(eventLabel(replay)).toBe('SageMaker Notebook Instance State Change 11111111-0000-4000-8000-000000000002');
    expect(eventLabel({ ...replay, eventId: undefined })).toBe('SageMaker Notebook Instance State Change (no id)');
    expect(eventLabel({ ...replay, eventId: undefined, detailType: undefined })).toBe('a payload that is not an EventBridge event');
  });
});
