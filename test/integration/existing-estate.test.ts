/**
 * The existing estate against moto: the deploy-time EnforcementStart bundle records when enforcement
 * began in the real (emulated) DynamoDB ledger; a notebook that was already running then is reported to
 * its owner and keeps running; one created after it is stopped. Both decided on Describe's times.
 */
import { DeleteItemCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateNotebookInstanceCommand, DescribeNotebookInstanceCommand } from '@aws-sdk/client-sagemaker';
import { ENFORCEMENT_KEY } from '../../lambda/ledger/records';
import { receiveNotices } from '../../tools/local/aws-scene';
import { findBundle, findBundles, type BundledFunction, type ResponderKind } from '../../tools/local/cdk-out';
import { eventFor, loadEvent } from '../../tools/local/sample-events';
import { invokeBundled, type Invocation } from '../../tools/local/lambda-runner';
import { emulatorPolicy } from '../../tools/local/settings';
import { useEmulatorScene } from '../support/emulator-scene';
import { motoGate } from '../support/moto-gate';

const ROLE = 'arn:aws:iam::123456789012:role/SageMakerExecution';
jest.setTimeout(60_000);

const gate = motoGate('the existing estate against moto');

gate.describe('existing estate (cdk.out bundles) against moto', () => {
  const scene = useEmulatorScene();
  let bundles: Record<ResponderKind, BundledFunction>;
  let enforcementStart: BundledFunction;

  beforeAll(() => {
    bundles = findBundles();
    enforcementStart = findBundle('enforcementStart');
  });

  function env(): Record<string, string> {
    return { TOPIC_ARN: scene().channel.topicArn, GUARD_SETTINGS: JSON.stringify(emulatorPolicy()), LEDGER_TABLE: scene().ledgerTable };
  }

  function expectSucceeded(invocation: Invocation): void {
    if (invocation.exitCode !== 0 || invocation.error !== undefined) {
      throw new Error(`the handler failed (exit ${String(invocation.exitCode)}): ${JSON.stringify(invocation.error)}\n${invocation.stdout}\n${invocation.stderr}`);
    }
  }

  async function openNotebook(name: string): Promise<void> {
    const { clients, network } = scene();
    await clients.sageMaker.send(
      new CreateNotebookInstanceCommand({
        NotebookInstanceName: name,
        InstanceType: 'ml.t3.medium',
        RoleArn: ROLE,
        SubnetId: network.privateSubnetId,
        SecurityGroupIds: [network.closedSecurityGroupId],
        DirectInternetAccess: 'Enabled',
        Tags: [{ Key: 'owner', Value: 'team-a' }],
      }),
    );
  }

  function inService(name: string, id: string): unknown {
    const arn = `arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/${name.toLowerCase()}`;
    return { ...eventFor(loadEvent('variants/notebook-instance.inservice.json'), { NotebookInstanceName: name, NotebookInstanceArn: arn }, id), resources: [arn] };
  }

  async function status(name: string): Promise<string | undefined> {
    return (await scene().clients.sageMaker.send(new DescribeNotebookInstanceCommand({ NotebookInstanceName: name }))).NotebookInstanceStatus;
  }

  test('a notebook running before the enforcing deploy is reported and keeps running; one created after is stopped', async () => {
    const { clients, ledgerTable, emulator, channel } = scene();
    await openNotebook('Estate-Notebook');
    // The deploy: no record yet, then the trigger runs EnforcementStart, which records "now".
    await clients.dynamoDb.send(new DeleteItemCommand({ TableName: ledgerTable, Key: { pk: { S: ENFORCEMENT_KEY.pk }, sk: { S: ENFORCEMENT_KEY.sk } } }));
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const recorded = await invokeBundled(enforcementStart, {}, { emulatorEnv: emulator.env, env: { LEDGER_TABLE: ledgerTable } });
    expectSucceeded(recorded);
    expect(recorded.result).toMatchObject({ recorded: true });
    const item = await clients.dynamoDb.send(new GetItemCommand({ TableName: ledgerTable, Key: { pk: { S: ENFORCEMENT_KEY.pk }, sk: { S: ENFORCEMENT_KEY.sk } }, ConsistentRead: true }));
    expect(item.Item?.by.S).toBe('deploy');
    // A second deploy keeps the first time.
    const again = await invokeBundled(enforcementStart, {}, { emulatorEnv: emulator.env, env: { LEDGER_TABLE: ledgerTable } });
    expect(again.result).toMatchObject({ recorded: false, since: item.Item?.since.S });

    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await openNotebook('New-Notebook');

    const old = await invokeBundled(bundles['notebook-instance'], inService('Estate-Notebook', '00000000-0000-4000-8000-00000000e001'), { emulatorEnv: emulator.env, env: env() });
    expectSucceeded(old);
    expect(old.result).toEqual({ decision: 'report', notified: true });
    expect(await status('Estate-Notebook')).toBe('InService');

    const fresh = await invokeBundled(bundles['notebook-instance'], inService('New-Notebook', '00000000-0000-4000-8000-00000000e002'), { emulatorEnv: emulator.env, env: env() });
    expectSucceeded(fresh);
    expect(fresh.result).toMatchObject({ decision: 'remediate', actionResult: { type: 'done' } });
    expect(await status('New-Notebook')).toBe('Stopped');

    const subjects = (await receiveNotices(clients.sqs, channel.queueUrl)).map((notice) => notice.Subject);
    expect(subjects).toEqual(
      expect.arrayContaining([expect.stringMatching(/^\[sagemaker-guard\] Would stop existing notebook instance Estate-Notebook/), expect.stringMatching(/^\[sagemaker-guard\] Stopped notebook instance New-Notebook/)]),
    );
  });
});
