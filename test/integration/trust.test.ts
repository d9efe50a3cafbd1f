/**
 * The trust issue's failure paths, with the bundled functions from cdk.out run as cold starts against
 * moto_server: its DynamoDB is the ledger, its SNS -> SQS delivery is the owners' inbox, its SSM holds the
 * switch, and its IAM (turned on for one test through /moto-api/reset-auth) denies an action.
 * Each of these failed on the main branch before the ledger: notices lost after an outage, two notices for
 * two copies of an event, a self-exemption honoured in silence, "Deleted" mailed for a denied delete, and
 * every invocation failing once the switch was deleted.
 */
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { CreateModelCommand, CreateNotebookInstanceCommand, DescribeModelCommand, DescribeNotebookInstanceCommand } from '@aws-sdk/client-sagemaker';
import { DeleteParameterCommand } from '@aws-sdk/client-ssm';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { attributesOf, receiveNotices, type SnsEnvelope } from '../../tools/local/aws-scene';
import { findBundle, findBundles, switchParameterName, type BundledFunction, type FunctionName, type ResponderKind } from '../../tools/local/cdk-out';
import { invokeBundled, logsWithMessage, type Invocation } from '../../tools/local/lambda-runner';
import { eventFor, loadEvent, type SampleEvent } from '../../tools/local/sample-events';
import { emulatorPolicy } from '../../tools/local/settings';
import { useEmulatorScene } from '../support/emulator-scene';
import { motoGate } from '../support/moto-gate';

const ROLE = 'arn:aws:iam::123456789012:role/SageMakerExecution';
const IMAGE = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1';
const SETTINGS = emulatorPolicy();

jest.setTimeout(60_000);

const gate = motoGate('trust paths against moto');

gate.describe('trust: the guarded cannot evade it, it never acts in silence, no notice is lost or false', () => {
  const scene = useEmulatorScene();
  let bundles: Record<ResponderKind, BundledFunction>;
  let eventCount = 0;

  beforeAll(() => {
    bundles = findBundles();
  });

  function invoke(fn: BundledFunction, event: unknown, env: Record<string, string> = {}): Promise<Invocation> {
    const { emulator, channel, ledgerTable } = scene();
    return invokeBundled(fn, event, {
      emulatorEnv: emulator.env,
      env: { TOPIC_ARN: channel.topicArn, GUARD_SETTINGS: JSON.stringify(SETTINGS), LEDGER_TABLE: ledgerTable, ...env },
    });
  }

  function bundle(name: FunctionName): BundledFunction {
    return findBundle(name);
  }

  function notebookEvent(name: string, id?: string): SampleEvent {
    eventCount += 1;
    const arn = `arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/${name.toLowerCase()}`;
    const sample = eventFor(loadEvent('variants/notebook-instance.inservice.json'), { NotebookInstanceName: name, NotebookInstanceArn: arn }, id ?? `00000000-0000-4000-9000-${String(eventCount).padStart(12, '0')}`);
    return { ...sample, resources: [arn] };
  }

  function modelEvent(name: string): SampleEvent {
    eventCount += 1;
    const arn = `arn:aws:sagemaker:us-east-1:123456789012:model/${name.toLowerCase()}`;
    return { ...eventFor(loadEvent('variants/model.created.json'), { ModelName: name, ModelArn: arn }, `00000000-0000-4000-9100-${String(eventCount).padStart(12, '0')}`), resources: [arn] };
  }

  async function createOpenNotebook(name: string, tags: Record<string, string> = {}): Promise<void> {
    await scene().clients.sageMaker.send(
      new CreateNotebookInstanceCommand({
        NotebookInstanceName: name,
        InstanceType: 'ml.t3.medium',
        RoleArn: ROLE,
        DirectInternetAccess: 'Enabled',
        Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
      }),
    );
  }

  async function notebookStatus(name: string): Promise<string | undefined> {
    return (await scene().clients.sageMaker.send(new DescribeNotebookInstanceCommand({ NotebookInstanceName: name }))).NotebookInstanceStatus;
  }

  async function inbox(): Promise<SnsEnvelope[]> {
    return receiveNotices(scene().clients.sqs, scene().channel.queueUrl);
  }

  function succeeded(invocation: Invocation): Invocation {
    if (invocation.exitCode !== 0) throw new Error(`the handler failed: ${JSON.stringify(invocation.error)}\n${invocation.stdout}\n${invocation.stderr}`);
    return invocation;
  }

  /** Names of the EMF metrics the invocation printed. */
  function metricNames(invocation: Invocation): string[] {
    return invocation.logs.flatMap((line) => {
      const aws = line._aws as { CloudWatchMetrics?: { Metrics?: { Name: string }[] }[] } | undefined;
      return (aws?.CloudWatchMetrics ?? []).flatMap((directive) => (directive.Metrics ?? []).map((metric) => metric.Name));
    });
  }

  test('an SNS outage through the first try and both of Lambda\'s retries, then recovery: the notice arrives exactly once', async () => {
    const name = 'Outage-Notebook';
    await createOpenNotebook(name, { owner: 'alice@example.com' });
    const event = notebookEvent(name);
    const down = { TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:sagemaker-guard-notices-unreachable' };

    // Lambda's three attempts of the same event, each with SNS unreachable.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const failed = await invoke(bundles['notebook-instance'], event, down);
      expect(failed.exitCode).not.toBe(0);
      expect(metricNames(failed)).toContain('NoticeFailures');
    }
    expect(await notebookStatus(name)).toBe('Stopped');
    expect(await inbox()).toHaveLength(0);

    // SNS is back: the resend function drains the ledger's outbox.
    const resend = succeeded(await invoke(bundle('resend'), { id: 'schedule-1', source: 'aws.events', 'detail-type': 'Scheduled Event' }));
    expect(resend.result).toEqual({ sent: 1, failed: 0, busy: 0 });
    const again = succeeded(await invoke(bundle('resend'), { id: 'schedule-2', source: 'aws.events', 'detail-type': 'Scheduled Event' }));
    expect(again.result).toEqual({ sent: 0, failed: 0, busy: 0 });
    // A late copy of the event changes nothing either.
    succeeded(await invoke(bundles['notebook-instance'], event));

    const notices = await inbox();
    expect(notices).toHaveLength(1);
    expect(notices[0].Subject).toBe(`[sagemaker-guard] Stopped notebook instance ${name}: 4 controls failed`);
    expect(attributesOf(notices[0])).toMatchObject({ action: 'stopped', owner: 'alice@example.com' });
    const items = ((await scene().clients.dynamoDb.send(new ScanCommand({ TableName: scene().ledgerTable }))).Items ?? []) as Partial<Record<string, { S?: string }>>[];
    const record = items.find((item) => item.type?.S === 'remediation');
    expect(record?.notice?.S).toBe('sent');
    expect(record?.noticePending).toBeUndefined();
  });

  test('two concurrent copies of one state change: one stop, one notice', async () => {
    const name = 'Twice-Notebook';
    await createOpenNotebook(name);
    const [first, second] = await Promise.all([invoke(bundles['notebook-instance'], notebookEvent(name)), invoke(bundles['notebook-instance'], notebookEvent(name))]);
    const decisions = [succeeded(first), succeeded(second)].map((invocation) => (invocation.result as { decision: string }).decision);
    expect(decisions.filter((decision) => decision === 'remediate')).toHaveLength(1);
    expect(decisions.filter((decision) => decision !== 'remediate')[0]).toMatch(/^(busy|duplicate|not-actionable)$/);
    expect(await notebookStatus(name)).toBe('Stopped');
    expect(await inbox()).toHaveLength(1);
  });

  test('a self-exemption of a critical control is refused: the notebook is stopped and the notice says why', async () => {
    const name = 'Self-Exempt-Notebook';
    await createOpenNotebook(name, {
      'sagemaker-guard:exempt': 'all',
      'sagemaker-guard:exempt-reason': 'I need the internet',
      'sagemaker-guard:exempt-until': '2099-01-01',
      owner: 'mallory',
    });
    const invocation = succeeded(await invoke(bundles['notebook-instance'], notebookEvent(name)));
    expect(invocation.result).toMatchObject({ decision: 'remediate', actionResult: { type: 'done' } });
    expect(await notebookStatus(name)).toBe('Stopped');
    const notices = await inbox();
    const stopped = notices.find((notice) => attributesOf(notice).action === 'stopped');
    expect(stopped?.Message).toContain('EXEMPTIONS IGNORED');
    expect(stopped?.Message).toContain('notebook-instance.direct-internet-access');
    expect(stopped?.Message).toContain('no critical or high control can be exempted by tag');
  });

  test('a DeleteModel denied by IAM: the model stays, the notice says "denied" with the permission, the alarm metric is emitted', async () => {
    const { clients, emulator } = scene();
    const name = 'Denied-Model';
    await clients.sageMaker.send(new CreateModelCommand({ ModelName: name, ExecutionRoleArn: ROLE, PrimaryContainer: { Image: IMAGE } }));
    // The guard's role as an SCP leaves it: everything allowed but sagemaker:DeleteModel.
    const iam = new IAMClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    await iam.send(new CreateUserCommand({ UserName: 'guard' }));
    await iam.send(
      new PutUserPolicyCommand({
        UserName: 'guard',
        PolicyName: 'scp-like',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: '*', Resource: '*' },
            { Effect: 'Deny', Action: 'sagemaker:DeleteModel', Resource: '*' },
          ],
        }),
      }),
    );
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'guard' }))).AccessKey;
    iam.destroy();
    const authorize = (count: string) => fetch(`${emulator.endpoint}/moto-api/reset-auth`, { method: 'POST', body: count });
    let invocation: Invocation;
    await authorize('0');
    try {
      invocation = await invoke(bundles.model, modelEvent(name), { AWS_ACCESS_KEY_ID: key?.AccessKeyId ?? '', AWS_SECRET_ACCESS_KEY: key?.SecretAccessKey ?? '' });
    } finally {
      await authorize('inf');
    }
    succeeded(invocation);
    expect(invocation.result).toMatchObject({ decision: 'remediate', actionResult: { type: 'denied', permission: 'sagemaker:DeleteModel' }, notified: true });
    await expect(clients.sageMaker.send(new DescribeModelCommand({ ModelName: name }))).resolves.toMatchObject({ ModelName: name });
    expect(metricNames(invocation)).toContain('ActionsDenied');
    const [notice] = await inbox();
    expect(notice.Subject).toContain(`Denied: could not delete model ${name}`);
    expect(notice.Subject).not.toContain('Deleted model');
    expect(attributesOf(notice).action).toBe('denied');
    expect(notice.Message).toContain('needs sagemaker:DeleteModel');
  });

  test('a deleted switch parameter: the guard keeps enforcing, and the operators are told (by the responder and by the switch watcher)', async () => {
    const name = 'No-Switch-Notebook';
    await createOpenNotebook(name);
    const parameter = switchParameterName();
    await scene().clients.ssm.send(new DeleteParameterCommand({ Name: parameter }));

    const invocation = succeeded(await invoke(bundles['notebook-instance'], notebookEvent(name)));
    expect(invocation.result).toMatchObject({ decision: 'remediate', actionResult: { type: 'done' }, notified: true });
    expect(await notebookStatus(name)).toBe('Stopped');
    expect(metricNames(invocation)).toContain('SwitchFallback');
    expect(logsWithMessage(invocation, 'Decision')[0]).toMatchObject({ switch: 'policy', switchProblem: expect.stringContaining('does not exist') as unknown });

    const watched = succeeded(
      await invoke(bundle('switchWatch'), {
        id: 'ssm-change-1',
        source: 'aws.ssm',
        'detail-type': 'Parameter Store Change',
        account: '123456789012',
        region: 'us-east-1',
        time: '2026-12-01T12:00:00Z',
        detail: { name: parameter, operation: 'Delete', type: 'String' },
      }),
    );
    expect(watched.result).toBe('sent');

    const notices = await inbox();
    const byAction = (action: string) => notices.filter((notice) => attributesOf(notice).action === action);
    expect(byAction('stopped')).toHaveLength(1);
    expect(byAction('switch-fallback')).toHaveLength(1);
    expect(byAction('switch-fallback')[0].Message).toContain('It fails safe: it goes on enforcing the policy');
    expect(byAction('switch-changed')).toHaveLength(1);
    expect(byAction('switch-changed')[0].Subject).toContain('Enforcement switch Delete');
    expect(byAction('switch-changed')[0].Message).toContain('the guard fails safe and enforces the policy');
  });
});
