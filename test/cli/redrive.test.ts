import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import type { RedriveOptions } from '../../cli/args';
import { LambdaInvoker, functionErrorText } from '../../cli/redrive/lambda-invoker';
import { countOutcomes, outcomeRow, redriveSummary, type Outcome } from '../../cli/redrive/format';
import { parseEnvelope } from '../../cli/redrive/envelope';
import { redrive, VISIBILITY_SECONDS, type InvokeResult, type Invoker } from '../../cli/redrive/redrive';
import { loadEvent } from '../fixtures/events';

const sqsMock = mockClient(SQSClient);
const lambdaMock = mockClient(LambdaClient);
const cloudFormationMock = mockClient(CloudFormationClient);

const QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/SageMakerGuard-DeadLetterQueue-X1';
const NOTEBOOK_FN = 'arn:aws:lambda:us-east-1:123456789012:function:SageMakerGuard-NotebookInstanceResponder-A1';
const MODEL_FN = 'arn:aws:lambda:us-east-1:123456789012:function:SageMakerGuard-ModelResponder-B2';
const OPTIONS: RedriveOptions = { queueUrl: QUEUE, stack: 'SageMakerGuard', dryRun: false, yes: true };

const NOTEBOOK_EVENT = loadEvent('variants/notebook-instance.inservice.json');
const MODEL_EVENT = loadEvent('variants/model.created.json');

function named(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

/** A Lambda on-failure record of the notebook responder. */
function lambdaRecord(id: string, event: Record<string, unknown> = NOTEBOOK_EVENT, functionArn = `${NOTEBOOK_FN}:$LATEST`): Message {
  return {
    MessageId: id,
    ReceiptHandle: `receipt-${id}`,
    Body: JSON.stringify({
      version: '1.0',
      timestamp: '2026-11-22T11:00:00.000Z',
      requestContext: { requestId: `req-${id}`, functionArn, condition: 'RetriesExhausted', approximateInvokeCount: 3 },
      requestPayload: event,
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: 'Error', errorMessage: 'SageMaker was throttling' },
    }),
  };
}

/** EventBridge's dead-letter message for the model rule's target. */
function eventBridgeMessage(id: string, event: Record<string, unknown> = MODEL_EVENT): Message {
  return {
    MessageId: id,
    ReceiptHandle: `receipt-${id}`,
    Body: JSON.stringify(event),
    MessageAttributes: {
      RULE_ARN: { DataType: 'String', StringValue: 'arn:aws:events:us-east-1:123456789012:rule/SageMakerGuard-ModelResponderRule' },
      TARGET_ARN: { DataType: 'String', StringValue: MODEL_FN },
      ERROR_CODE: { DataType: 'String', StringValue: 'NO_PERMISSIONS' },
      ERROR_MESSAGE: { DataType: 'String', StringValue: 'EventBridge is not allowed to invoke the function' },
    },
  };
}

function garbage(id: string): Message {
  return { MessageId: id, ReceiptHandle: `receipt-${id}`, Body: 'this is not JSON' };
}

/** The queue answers these batches, then nothing. */
function queueHolds(...batches: Message[][]): void {
  let receive = sqsMock.on(ReceiveMessageCommand);
  for (const batch of batches) receive = receive.resolvesOnce({ Messages: batch });
  receive.resolves({});
}

class FakeInvoker implements Invoker {
  readonly calls: { functionArn: string; payload: unknown }[] = [];

  constructor(private readonly answer: (functionArn: string, payload: unknown) => InvokeResult | Promise<InvokeResult> = () => ({ ok: true })) {}

  async invoke(functionArn: string, payload: unknown): Promise<InvokeResult> {
    this.calls.push({ functionArn, payload });
    return this.answer(functionArn, payload);
  }
}

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly questions: string[];
}

async function run(options: Partial<RedriveOptions> = {}, invoker: Invoker = new FakeInvoker(), io: { interactive?: boolean; answer?: boolean } = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const questions: string[] = [];
  const code = await redrive(
    { ...OPTIONS, ...options },
    {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      interactive: io.interactive ?? false,
      confirm: (question) => {
        questions.push(question);
        return Promise.resolve(io.answer ?? false);
      },
    },
    { sqs: new SQSClient({}), invoker, cloudFormation: new CloudFormationClient({}) },
  );
  return { code, stdout, stderr, questions };
}

const deleted = () => sqsMock.commandCalls(DeleteMessageCommand).map((call) => call.args[0].input.ReceiptHandle);
const released = () => sqsMock.commandCalls(ChangeMessageVisibilityCommand).map((call) => [call.args[0].input.ReceiptHandle, call.args[0].input.VisibilityTimeout]);

beforeEach(() => {
  sqsMock.reset();
  lambdaMock.reset();
  cloudFormationMock.reset();
  sqsMock.on(ReceiveMessageCommand).resolves({});
  sqsMock.on(DeleteMessageCommand).resolves({});
  sqsMock.on(ChangeMessageVisibilityCommand).resolves({});
});

describe('sagemaker-guard redrive', () => {
  test('a failed invocation keeps its message (made visible again), exits 2, and says why', async () => {
    queueHolds([lambdaRecord('m-1')]);
    const invoker = new FakeInvoker(() => ({ ok: false, error: 'the function failed (Unhandled): Error: still throttled' }));

    const { code, stdout, stderr } = await run({}, invoker);

    expect(code).toBe(2);
    expect(invoker.calls).toHaveLength(1);
    expect(sqsMock).not.toHaveReceivedCommand(DeleteMessageCommand);
    expect(released()).toEqual([['receipt-m-1', 0]]);
    expect(stdout).toMatch(/^m-1\s+failed\s+SageMakerGuard-NotebookInstanceRespond\s+SageMaker Notebook Instance State Change\s+replay failed: the function failed \(Unhandled\): Error:/m);
    expect(stdout).toContain(
      '\nReplayed 0, failed 1, unreadable 0; left 1 in the queue.\n  failed m-1 (SageMakerGuard-NotebookInstanceResponder-A1): replay failed: the function failed (Unhandled): Error: still throttled\n',
    );
    expect(stderr).toBe('');
  });

  test('a FunctionError from Lambda keeps the message', async () => {
    queueHolds([eventBridgeMessage('m-1')]);
    lambdaMock.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: new TextEncoder().encode(JSON.stringify({ errorType: 'AccessDeniedException', errorMessage: 'not authorized to perform: sagemaker:DeleteModel' })) as never,
    });
    const invoker = new LambdaInvoker((region) => new LambdaClient({ region }));

    const { code, stdout } = await run({}, invoker);

    expect(code).toBe(2);
    expect(lambdaMock).toHaveReceivedCommandTimes(InvokeCommand, 1);
    expect(sqsMock).not.toHaveReceivedCommand(DeleteMessageCommand);
    expect(released()).toEqual([['receipt-m-1', 0]]);
    expect(stdout).toContain('failed m-1 (SageMakerGuard-ModelResponder-B2): replay failed: the function failed (Unhandled): AccessDeniedException: not authorized to perform: sagemaker:DeleteModel');
    invoker.destroy();
  });

  test('an Invoker that throws is a failed replay, not a crash', async () => {
    queueHolds([lambdaRecord('m-1')]);
    const { code, stdout } = await run({}, new FakeInvoker(() => Promise.reject(named('TimeoutError', 'socket hang up'))));
    expect(code).toBe(2);
    expect(sqsMock).not.toHaveReceivedCommand(DeleteMessageCommand);
    expect(stdout).toContain('replay failed: TimeoutError: socket hang up');
  });

  test('--dry-run lists function, event and error, and invokes and deletes nothing; every message is visible again', async () => {
    queueHolds([lambdaRecord('m-1'), eventBridgeMessage('m-2')]);
    const invoker = new FakeInvoker();

    const { code, stdout, stderr } = await run({ dryRun: true, yes: false }, invoker);

    expect(code).toBe(0);
    expect(invoker.calls).toEqual([]);
    expect(sqsMock).not.toHaveReceivedCommand(DeleteMessageCommand);
    expect(released()).toEqual([
      ['receipt-m-1', 0],
      ['receipt-m-2', 0],
    ]);
    expect(stdout).toMatch(/^message\s+outcome\s+function\s+event\s+details$/m);
    expect(stdout).toMatch(/^m-1\s+would replay\s+SageMakerGuard-NotebookInstanceRespond\s+SageMaker Notebook Instance State Change\s+dead-lettered: RetriesExhausted after 3 attempts:/m);
    expect(stdout).toMatch(/^\s+er-A1\s+11111111-0000-4000-8000-000000000002\s+/m);
    expect(stdout).toMatch(/^m-2\s+would replay\s+SageMakerGuard-ModelResponder-B2\s+SageMaker Model State Change\s+dead-lettered: NO_PERMISSIONS: EventBridge is not allowed to/m);
    expect(stdout).toContain('\nWould replay 2, unreadable 0; nothing was changed: 2 messages are in the queue.\n');
    expect(stderr).toBe('');
  });

  test('--dry-run with an unreadable message exits 2', async () => {
    queueHolds([garbage('m-1'), lambdaRecord('m-2')]);
    const { code, stdout } = await run({ dryRun: true, yes: false });
    expect(code).toBe(2);
    expect(sqsMock).not.toHaveReceivedCommand(DeleteMessageCommand);
    expect(stdout).toContain('Would replay 1, unreadable 1; nothing was changed: 2 messages are in the queue.\n  unreadable m-1: the body is not JSON (');
  });

  test('no terminal and no --yes: replays nothing, reads nothing, exits 2 saying how to go ahead', async () => {
    queueHolds([lambdaRecord('m-1')]);
    const invoker = new FakeInvoker();
    const { code, stdout, stderr, questions } = await run({ yes: false }, invoker, { interactive: false });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('nobody can answer here (not a terminal). Add --yes to replay without asking, or --dry-run to list what would be replayed. Nothing was read or changed.');
    expect(questions).toEqual([]);
    expect(invoker.calls).toEqual([]);
    expect(sqsMock.calls()).toHaveLength(0);
  });

  test('--yes: reads batch after batch until the queue returns nothing, replays each original event, deletes only what succeeded', async () => {
    queueHolds([lambdaRecord('m-1'), garbage('m-2')], [eventBridgeMessage('m-3')]);
    const invoker = new FakeInvoker();

    const { code, stdout, stderr } = await run({}, invoker);

    expect(sqsMock).toHaveReceivedCommandTimes(ReceiveMessageCommand, 3);
    expect(sqsMock).toHaveReceivedCommandWith(ReceiveMessageCommand, {
      QueueUrl: QUEUE,
      MaxNumberOfMessages: 10,
      VisibilityTimeout: VISIBILITY_SECONDS,
      WaitTimeSeconds: 2,
      MessageAttributeNames: ['All'],
    });
    expect(invoker.calls).toEqual([
      { functionArn: NOTEBOOK_FN, payload: NOTEBOOK_EVENT },
      { functionArn: MODEL_FN, payload: MODEL_EVENT },
    ]);
    expect(deleted()).toEqual(['receipt-m-1', 'receipt-m-3']);
    expect(sqsMock).toHaveReceivedCommandWith(DeleteMessageCommand, { QueueUrl: QUEUE, ReceiptHandle: 'receipt-m-1' });
    expect(released()).toEqual([['receipt-m-2', 0]]);
    expect(stdout).toMatch(/^m-1\s+replayed\s+SageMakerGuard-NotebookInstanceRespond/m);
    expect(stdout).toMatch(/^m-2\s+unreadable\s+-\s+-\s+the body is not JSON/m);
    expect(stdout).toMatch(/^m-3\s+replayed\s+SageMakerGuard-ModelResponder-B2/m);
    expect(stdout).toContain('\nReplayed 2, failed 0, unreadable 1; left 1 in the queue.\n  unreadable m-2: the body is not JSON (');
    expect(code).toBe(2);
    expect(stderr).toBe('');
  });

  test('everything replayed: exit 0', async () => {
    queueHolds([lambdaRecord('m-1'), eventBridgeMessage('m-2')]);
    const { code, stdout } = await run();
    expect(code).toBe(0);
    expect(deleted()).toEqual(['receipt-m-1', 'receipt-m-2']);
    expect(released()).toEqual([]);
    expect(stdout).toContain('\nReplayed 2, failed 0, unreadable 0; left 0 in the queue.\n');
  });

  test('a message received again in the same run (its visibility lapsed) is not replayed twice, and the run stops', async () => {
    queueHolds([lambdaRecord('m-1')], [lambdaRecord('m-1'), eventBridgeMessage('m-2')], [lambdaRecord('m-1')], [eventBridgeMessage('m-3')]);
    const invoker = new FakeInvoker(() => ({ ok: false, error: 'boom' }));

    const { code, stdout, stderr } = await run({}, invoker);

    expect(invoker.calls.map((call) => call.functionArn)).toEqual([NOTEBOOK_FN, MODEL_FN]);
    expect(sqsMock).toHaveReceivedCommandTimes(ReceiveMessageCommand, 3);
    expect(stdout).toContain('Replayed 0, failed 2, unreadable 0; left 2 in the queue. The run stopped early (see the message above).');
    expect(stderr).toContain('The queue returned only messages this run had already handled');
    expect(code).toBe(2);
  });

  test('replayed but not deleted: counted as failed, and the message is made visible again', async () => {
    queueHolds([lambdaRecord('m-1')]);
    sqsMock.on(DeleteMessageCommand).rejects(named('ReceiptHandleIsInvalid', 'The receipt handle has expired'));
    const { code, stdout } = await run();
    expect(code).toBe(2);
    expect(released()).toEqual([['receipt-m-1', 0]]);
    expect(stdout).toContain(
      'Replayed 0, failed 1, unreadable 0; left 1 in the queue.\n  replayed, not deleted m-1 (SageMakerGuard-NotebookInstanceResponder-A1): the replay succeeded, then DeleteMessage failed (the message stays): ReceiptHandleIsInvalid: The receipt handle has expired',
    );
  });

  test('in a terminal without --yes: lists, asks, and replays nothing when the answer is no', async () => {
    queueHolds([lambdaRecord('m-1'), garbage('m-2')]);
    const invoker = new FakeInvoker();

    const { code, stdout, stderr, questions } = await run({ yes: false }, invoker, { interactive: true, answer: false });

    expect(questions).toEqual(["Replay 1 event to the guard's functions (1 message cannot be read and stay)? [y/N] "]);
    expect(invoker.calls).toEqual([]);
    expect(sqsMock).not.toHaveReceivedCommand(DeleteMessageCommand);
    expect(released()).toEqual([
      ['receipt-m-1', 0],
      ['receipt-m-2', 0],
    ]);
    expect(stdout).toMatch(/^m-1\s+would replay/m);
    expect(stdout).toContain('Replayed 0, failed 0, unreadable 1, not replayed 1; left 2 in the queue.');
    expect(stderr).toBe('Nothing was replayed.\n');
    expect(code).toBe(2);
  });

  test('in a terminal, yes: replays what it listed, without reading the queue again', async () => {
    queueHolds([lambdaRecord('m-1'), eventBridgeMessage('m-2')]);
    const invoker = new FakeInvoker();

    const { code, stdout, questions } = await run({ yes: false }, invoker, { interactive: true, answer: true });

    expect(questions).toEqual(["Replay 2 events to the guard's functions? [y/N] "]);
    expect(sqsMock).toHaveReceivedCommandTimes(ReceiveMessageCommand, 2);
    expect(invoker.calls).toHaveLength(2);
    expect(deleted()).toEqual(['receipt-m-1', 'receipt-m-2']);
    // The preview, then the results in a table of their own.
    expect(stdout.match(/^message\s+outcome/gm)).toHaveLength(2);
    expect(stdout.indexOf('would replay')).toBeLessThan(stdout.indexOf('replayed '));
    expect(stdout).toContain('Replayed 2, failed 0, unreadable 0; left 0 in the queue.');
    expect(code).toBe(0);
  });

  test('an empty queue: says so, asks nothing, exit 0', async () => {
    const { code, stdout, questions } = await run({ yes: false }, new FakeInvoker(), { interactive: true });
    expect({ code, stdout, questions }).toEqual({ code: 0, stdout: 'The dead-letter queue is empty: nothing to replay.\n', questions: [] });
  });

  test('without --queue-url: the stack output DeadLetterQueueUrl', async () => {
    cloudFormationMock.on(DescribeStacksCommand, { StackName: 'Guard' }).resolves({
      Stacks: [{ StackName: 'Guard', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(), Outputs: [{ OutputKey: 'DeadLetterQueueUrl', OutputValue: QUEUE }] }],
    });
    const { code } = await run({ queueUrl: undefined, stack: 'Guard' });
    expect(code).toBe(0);
    expect(sqsMock).toHaveReceivedCommandWith(ReceiveMessageCommand, { QueueUrl: QUEUE });
  });

  test('a stack without the output: exit 2 before reading anything', async () => {
    cloudFormationMock.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'SageMakerGuard', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(), Outputs: [] }] });
    const { code, stderr } = await run({ queueUrl: undefined });
    expect(code).toBe(2);
    expect(stderr).toBe('stack SageMakerGuard (CREATE_COMPLETE) has no output DeadLetterQueueUrl (its outputs: none): deploy the current version of the guard, or pass --queue-url URL\n');
    expect(sqsMock).not.toHaveReceivedCommand(ReceiveMessageCommand);
  });

  test('a denied ReceiveMessage names the permissions redrive needs', async () => {
    sqsMock.on(ReceiveMessageCommand).rejects(named('AccessDenied', 'Access to the resource https://sqs.us-east-1.amazonaws.com/ is denied.'));
    const { code, stderr } = await run();
    expect(code).toBe(2);
    expect(stderr).toContain(`sqs:ReceiveMessage was denied (AccessDenied) on ${QUEUE}: Access to the resource https://sqs.us-east-1.amazonaws.com/ is denied.`);
    expect(stderr).toContain('redrive needs sqs:ReceiveMessage, sqs:DeleteMessage and sqs:ChangeMessageVisibility on the queue, and kms:Decrypt on its key.');
  });

  test('a missing queue', async () => {
    sqsMock.on(ReceiveMessageCommand).rejects(named('QueueDoesNotExist', 'The specified queue does not exist.'));
    const { code, stderr } = await run();
    expect(code).toBe(2);
    expect(stderr).toContain(`the queue ${QUEUE} does not exist (QueueDoesNotExist): check --queue-url, or --region / --profile`);
  });

  test('a failing ChangeMessageVisibility is reported once, with when the messages come back', async () => {
    queueHolds([garbage('m-1'), garbage('m-2')]);
    sqsMock.on(ChangeMessageVisibilityCommand).rejects(named('AccessDenied', 'denied'));
    const { code, stderr } = await run();
    expect(code).toBe(2);
    expect(stderr).toBe('2 messages could not be made visible again (sqs:ChangeMessageVisibility; AccessDenied: denied); they reappear in the queue 30 minutes after they were read.\n');
  });
});

describe('the Lambda invoker', () => {
  test('invokes synchronously with the original event, in the function\'s region', async () => {
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 200, Payload: new TextEncoder().encode('{"decision":"remediate"}') as never });
    const regions: string[] = [];
    const invoker = new LambdaInvoker((region) => {
      regions.push(region);
      return new LambdaClient({ region });
    });
    expect(await invoker.invoke(NOTEBOOK_FN, NOTEBOOK_EVENT)).toEqual({ ok: true });
    expect(await invoker.invoke(MODEL_FN, MODEL_EVENT)).toEqual({ ok: true });
    expect(await invoker.invoke('arn:aws:lambda:eu-west-1:123456789012:function:other', {})).toEqual({ ok: true });
    expect(regions).toEqual(['us-east-1', 'eu-west-1']);
    const input = lambdaMock.commandCalls(InvokeCommand)[0].args[0].input;
    expect(input.FunctionName).toBe(NOTEBOOK_FN);
    expect(input.InvocationType).toBe('RequestResponse');
    expect(JSON.parse(new TextDecoder().decode(input.Payload as Uint8Array))).toEqual(NOTEBOOK_EVENT);
    invoker.destroy();
  });

  test.each<[string, () => void, string]>([
    [
      'a function error',
      () => lambdaMock.on(InvokeCommand).resolves({ StatusCode: 200, FunctionError: 'Unhandled', Payload: new TextEncoder().encode('{"errorType":"Error","errorMessage":"boom"}') as never }),
      'the function failed (Unhandled): Error: boom',
    ],
    [
      'a denied Invoke',
      () => lambdaMock.on(InvokeCommand).rejects(named('AccessDeniedException', 'User: x is not authorized to perform: lambda:InvokeFunction on resource: f')),
      'lambda:InvokeFunction was denied (AccessDeniedException): User: x is not authorized to perform: lambda:InvokeFunction on resource: f',
    ],
    ['a missing function', () => lambdaMock.on(InvokeCommand).rejects(named('ResourceNotFoundException', 'Function not found: f')), 'ResourceNotFoundException: Function not found: f'],
    ['an odd status', () => lambdaMock.on(InvokeCommand).resolves({ StatusCode: 202 }), 'Invoke answered with status 202'],
  ])('%s is a failure', async (_name, arrange, error) => {
    arrange();
    const invoker = new LambdaInvoker((region) => new LambdaClient({ region }));
    expect(await invoker.invoke(NOTEBOOK_FN, NOTEBOOK_EVENT)).toEqual({ ok: false, error });
    invoker.destroy();
  });

  test('an ARN it cannot read is a failure without a call', async () => {
    const invoker = new LambdaInvoker((region) => new LambdaClient({ region }));
    expect(await invoker.invoke('my-function', {})).toEqual({ ok: false, error: '"my-function" is not a Lambda function ARN' });
    expect(lambdaMock).not.toHaveReceivedCommand(InvokeCommand);
  });

  test('error payloads', () => {
    const encode = (text: string) => new TextEncoder().encode(text);
    expect(functionErrorText(encode('{"errorMessage":"Task timed out after 60.05 seconds"}'))).toBe('Task timed out after 60.05 seconds');
    expect(functionErrorText(encode('plain text'))).toBe('plain text');
    expect(functionErrorText(undefined)).toBe('no error payload');
    expect(functionErrorText(encode('x'.repeat(600)))).toBe(`${'x'.repeat(500)}...`);
  });
});

describe('redrive formatting', () => {
  const replay = parseEnvelope(lambdaRecord('m-1'));
  const unreadable = parseEnvelope(garbage('m-2'));
  const outcomes: Outcome[] = [
    { messageId: 'm-1', envelope: replay, result: { type: 'replayed' } },
    { messageId: 'm-2', envelope: unreadable },
    { messageId: 'm-3', envelope: replay, result: { type: 'failed', error: 'boom' } },
    { messageId: 'm-4', envelope: replay, result: { type: 'not-deleted', error: 'gone' } },
    { messageId: 'm-5', envelope: replay, result: { type: 'declined' } },
  ];

  test('counts: left is everything not replayed', () => {
    expect(countOutcomes(outcomes)).toEqual({ total: 5, replayed: 1, wouldReplay: 0, failed: 2, unreadable: 1, declined: 1, left: 4 });
  });

  test('rows', () => {
    expect(outcomeRow(outcomes[0])).toEqual([
      'm-1',
      'replayed',
      'SageMakerGuard-NotebookInstanceResponder-A1',
      'SageMaker Notebook Instance State Change\n11111111-0000-4000-8000-000000000002',
      'dead-lettered: RetriesExhausted after 3 attempts: Unhandled: Error: SageMaker was throttling',
    ]);
    expect(outcomeRow(outcomes[1]).slice(1, 4)).toEqual(['unreadable', '-', '-']);
    expect(outcomeRow(outcomes[4])[1]).toBe('not replayed');
  });

  test('the summary names each message left for a reason', () => {
    expect(redriveSummary(outcomes, { dryRun: false, incomplete: false }).split('\n')).toEqual([
      'Replayed 1, failed 2, unreadable 1, not replayed 1; left 4 in the queue.',
      expect.stringMatching(/^ {2}unreadable m-2: the body is not JSON \(/) as unknown as string,
      '  failed m-3 (SageMakerGuard-NotebookInstanceResponder-A1): replay failed: boom',
      '  replayed, not deleted m-4 (SageMakerGuard-NotebookInstanceResponder-A1): the replay succeeded, then DeleteMessage failed (the message stays): gone',
    ]);
  });
});
