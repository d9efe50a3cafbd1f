/**
 * `sagemaker-guard redrive` against moto_server: a real SQS queue holding what the guard's dead-letter
 * queue holds (a Lambda on-failure record, an EventBridge dead-letter message, a message that cannot be
 * read, and one for a function that fails again), replayed to the responders as `npx cdk synth` bundled
 * them. moto's Lambda needs Docker, so the Invoker runs each bundle in a child node process (invokeBundled,
 * a cold start, as the responders' own integration tests do); SQS, SageMaker, EC2, SNS and DynamoDB are moto's.
 */
import { SendMessageCommand, type MessageAttributeValue } from '@aws-sdk/client-sqs';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CreateModelCommand, CreateNotebookInstanceCommand, DescribeModelCommand, DescribeNotebookInstanceCommand } from '@aws-sdk/client-sagemaker';
import type { RedriveOptions } from '../../cli/args';
import { parseFunctionArn } from '../../cli/redrive/envelope';
import { redrive, type InvokeResult, type Invoker } from '../../cli/redrive/redrive';
import { documentClient, Ledger } from '../../lambda/aws/ledger';
import { dayOf, type RemediationRecord } from '../../lambda/ledger/records';
import { createQueue, drainQueue, type Clients, type Network } from '../../tools/local/aws-scene';
import { findBundles, staleSynthWarning, RESPONDERS, type BundledFunction, type ResponderKind } from '../../tools/local/cdk-out';
import { invokeBundled } from '../../tools/local/lambda-runner';
import { eventFor, loadEvent, type SampleEvent } from '../../tools/local/sample-events';
import { emulatorPolicy } from '../../tools/local/settings';
import { useEmulatorScene } from '../support/emulator-scene';
import { motoGate } from '../support/moto-gate';

const ROLE = 'arn:aws:iam::123456789012:role/SageMakerExecution';
const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function';
/** Names as CloudFormation generates them: stack, construct path and a suffix, at most 64 characters. */
const NOTEBOOK_RESPONDER = `${FUNCTION_ARN}:SageMakerGuard-NotebookInstanceResponderFunc-AbCdEf123456`;
const MODEL_RESPONDER = `${FUNCTION_ARN}:SageMakerGuard-ModelResponderFunction1F3A5B-GhIjKl789012`;
const RETIRED_FUNCTION = `${FUNCTION_ARN}:SageMakerGuard-RetiredFunction-MnOpQr345678`;

// Each replay is a cold start of a bundle (about a second).
jest.setTimeout(60_000);

/** Runs the bundle whose construct id the function's name contains, as Lambda would run the deployed function. */
class BundleInvoker implements Invoker {
  readonly calls: { functionArn: string; payload: unknown }[] = [];

  constructor(
    private readonly bundles: Record<ResponderKind, BundledFunction>,
    private readonly env: () => { emulatorEnv: Parameters<typeof invokeBundled>[2]['emulatorEnv']; env: Record<string, string> },
  ) {}

  async invoke(functionArn: string, payload: unknown): Promise<InvokeResult> {
    this.calls.push({ functionArn, payload });
    const arn = parseFunctionArn(functionArn);
    const kind = (Object.keys(RESPONDERS) as ResponderKind[]).find((candidate) => 'functionName' in arn && arn.functionName.includes(RESPONDERS[candidate]));
    if (kind === undefined) return { ok: false, error: `ResourceNotFoundException: Function not found: ${functionArn}` };
    const invocation = await invokeBundled(this.bundles[kind], payload, this.env());
    if (invocation.exitCode !== 0 || invocation.error !== undefined) {
      return { ok: false, error: `the function failed (Unhandled): ${invocation.error?.name ?? 'Error'}: ${invocation.error?.message ?? `exit ${String(invocation.exitCode)}`}` };
    }
    return { ok: true };
  }
}

function strings(values: Record<string, string>): Record<string, MessageAttributeValue> {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]));
}

/** What Lambda sends to the on-failure destination after the last retry of an asynchronous invocation. */
function onFailureRecord(functionArn: string, event: SampleEvent): string {
  return JSON.stringify({
    version: '1.0',
    timestamp: new Date().toISOString(),
    requestContext: { requestId: 'c2a6f2ae-7dbb-4d22-8782-d0485c9877e2', functionArn: `${functionArn}:$LATEST`, condition: 'RetriesExhausted', approximateInvokeCount: 3 },
    requestPayload: event,
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: { errorType: 'ThrottlingException', errorMessage: 'Rate exceeded', trace: [] },
  });
}

const gate = motoGate('redrive command against moto');

gate.describe('sagemaker-guard redrive against moto (responder bundles run locally)', () => {
  const scene = useEmulatorScene();
  let bundles: Record<ResponderKind, BundledFunction>;
  let clients: Clients;
  let network: Network;
  let queueUrl: string;
  let invoker: BundleInvoker;
  let eventCount = 0;
  const unusedCloudFormation = new CloudFormationClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', maxAttempts: 1 });

  beforeAll(() => {
    bundles = findBundles();
    const stale = staleSynthWarning();
    if (stale !== undefined) console.warn(stale);
  });

  afterAll(() => {
    unusedCloudFormation.destroy();
  });

  beforeEach(async () => {
    ({ clients, network } = scene());
    queueUrl = (await createQueue(clients.sqs, 'sagemaker-guard-dead-letters')).url;
    invoker = new BundleInvoker(bundles, () => ({
      emulatorEnv: scene().emulator.env,
      env: { TOPIC_ARN: scene().channel.topicArn, GUARD_SETTINGS: JSON.stringify(emulatorPolicy()), LEDGER_TABLE: scene().ledgerTable },
    }));
  });

  function sampleEvent(path: string, detail: Record<string, unknown>, arn: string): SampleEvent {
    eventCount += 1;
    return { ...eventFor(loadEvent(path), detail, `00000000-0000-4000-8000-${String(eventCount).padStart(12, '0')}`), resources: [arn] };
  }

  /** The notebook event as SageMaker sends it: the name keeps its case, the ARN is lower-cased. */
  function notebookEvent(name: string): SampleEvent {
    const arn = `arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/${name.toLowerCase()}`;
    return sampleEvent('variants/notebook-instance.inservice.json', { NotebookInstanceName: name, NotebookInstanceArn: arn }, arn);
  }

  function modelEvent(name: string): SampleEvent {
    const arn = `arn:aws:sagemaker:us-east-1:123456789012:model/${name.toLowerCase()}`;
    return sampleEvent('variants/model.created.json', { ModelName: name, ModelArn: arn }, arn);
  }

  async function send(body: string, attributes: Record<string, string> = {}): Promise<string> {
    const sent = await clients.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body, ...(Object.keys(attributes).length > 0 ? { MessageAttributes: strings(attributes) } : {}) }));
    if (sent.MessageId === undefined) throw new Error('SendMessage returned no MessageId');
    return sent.MessageId;
  }

  async function run(options: Partial<RedriveOptions>): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const code = await redrive(
      { queueUrl, stack: 'SageMakerGuard', dryRun: false, yes: true, ...options },
      {
        stdout: { write: (text: string) => (stdout += text) },
        stderr: { write: (text: string) => (stderr += text) },
        interactive: false,
        confirm: () => Promise.reject(new Error('redrive asked a question with --yes or --dry-run')),
      },
      { sqs: clients.sqs, invoker, cloudFormation: unusedCloudFormation, waitSeconds: 0 },
    );
    return { code, stdout, stderr };
  }

  const notebookStatus = async (name: string) => (await clients.sageMaker.send(new DescribeNotebookInstanceCommand({ NotebookInstanceName: name }))).NotebookInstanceStatus;
  const modelExists = (name: string) =>
    clients.sageMaker.send(new DescribeModelCommand({ ModelName: name })).then(
      () => true,
      () => false,
    );

  /** An open notebook, an open model, and the four messages; the ids of the two that must stay. */
  async function deadLetters(): Promise<{ notebookEvent: SampleEvent; modelEvent: SampleEvent; malformed: string; retired: string }> {
    await clients.sageMaker.send(
      new CreateNotebookInstanceCommand({
        NotebookInstanceName: 'Research-Notebook-Open',
        InstanceType: 'ml.t3.medium',
        RoleArn: ROLE,
        SubnetId: network.publicSubnetId,
        SecurityGroupIds: [network.openSecurityGroupId],
        DirectInternetAccess: 'Enabled',
        Tags: [{ Key: 'owner', Value: 'alice@example.com' }],
      }),
    );
    await clients.sageMaker.send(new CreateModelCommand({ ModelName: 'open-model', ExecutionRoleArn: ROLE, PrimaryContainer: { Image: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1' } }));
    const notebook = notebookEvent('Research-Notebook-Open');
    const model = modelEvent('open-model');
    await send(onFailureRecord(NOTEBOOK_RESPONDER, notebook));
    await send(JSON.stringify(model), {
      RULE_ARN: 'arn:aws:events:us-east-1:123456789012:rule/SageMakerGuard-ModelResponderRule-XYZ',
      TARGET_ARN: MODEL_RESPONDER,
      ERROR_CODE: 'THROTTLING',
      ERROR_MESSAGE: 'Rate exceeded',
    });
    const malformed = await send('{"requestContext": {"functionArn": ');
    const retired = await send(onFailureRecord(RETIRED_FUNCTION, notebookEvent('Research-Notebook-Open')));
    return { notebookEvent: notebook, modelEvent: model, malformed, retired };
  }

  test('replays the notebook event (Lambda record) and the model event (EventBridge message): the notebook ends Stopped, the model is deleted, their messages are gone; the malformed and the failing ones stay', async () => {
    const { notebookEvent: notebook, modelEvent: model, malformed, retired } = await deadLetters();

    const { code, stdout, stderr } = await run({});

    expect(stderr).toBe('');
    // The original events, to the functions that failed them ($LATEST is the function itself).
    expect(invoker.calls.map((call) => call.functionArn).sort()).toEqual([MODEL_RESPONDER, NOTEBOOK_RESPONDER, RETIRED_FUNCTION].sort());
    expect(invoker.calls.find((call) => call.functionArn === NOTEBOOK_RESPONDER)?.payload).toEqual(notebook);
    expect(invoker.calls.find((call) => call.functionArn === MODEL_RESPONDER)?.payload).toEqual(model);
    expect(await notebookStatus('Research-Notebook-Open')).toBe('Stopped');
    expect(await modelExists('open-model')).toBe(false);

    // What stays is visible again at once, unchanged.
    const left = await drainQueue(clients.sqs, queueUrl);
    expect(left.map((message) => message.MessageId).sort()).toEqual([malformed, retired].sort());
    expect(stdout).toContain('Replayed 2, failed 1, unreadable 1; left 2 in the queue.');
    expect(stdout).toContain(`  unreadable ${malformed}: the body is not JSON (`);
    expect(stdout).toContain(`  failed ${retired} (SageMakerGuard-RetiredFunction-MnOpQr345678): replay failed: ResourceNotFoundException: Function not found`);
    expect(code).toBe(2);

    // The responder recorded what it did in the ledger, as for any event.
    const ledger = new Ledger(scene().ledgerTable, documentClient(clients.dynamoDb));
    const records: RemediationRecord[] = [];
    for await (const page of ledger.recordsOfDay(dayOf(new Date()))) records.push(...page);
    expect(records.map((record) => [record.ref.name, record.action, record.result?.type]).sort()).toEqual([
      ['Research-Notebook-Open', 'stop', 'done'],
      ['open-model', 'delete', 'done'],
    ]);
  });

  test('--dry-run lists all four, invokes nothing, and leaves every message in the queue', async () => {
    await deadLetters();

    const { code, stdout } = await run({ dryRun: true, yes: false });

    expect(invoker.calls).toEqual([]);
    expect(await notebookStatus('Research-Notebook-Open')).toBe('InService');
    expect(await modelExists('open-model')).toBe(true);
    expect(await drainQueue(clients.sqs, queueUrl)).toHaveLength(4);
    expect(stdout).toMatch(/would replay\s+SageMakerGuard-NotebookInstanceRespon/);
    expect(stdout).toMatch(/would replay\s+SageMakerGuard-ModelResponderFunction1\s/);
    expect(stdout).toContain('dead-lettered: THROTTLING: Rate exceeded');
    expect(stdout).toContain('Would replay 3, unreadable 1; nothing was changed: 4 messages are in the queue.');
    // The malformed message makes it 2 even when nothing is replayed.
    expect(code).toBe(2);
  });

  test('an empty queue: nothing to replay, exit 0', async () => {
    const { code, stdout } = await run({});
    expect({ code, stdout }).toEqual({ code: 0, stdout: 'The dead-letter queue is empty: nothing to replay.\n' });
  });
});
