/**
 * The scheduled sweep, as bundled by `npx cdk synth`, run once in a fresh node process against moto: it lists
 * what already exists, acts through the responders' pipeline, and sends one summary notice.
 */
import { CreateModelCommand, CreateNotebookInstanceCommand, DescribeModelCommand, DescribeNotebookInstanceCommand } from '@aws-sdk/client-sagemaker';
import { attributesOf, receiveNotices, type Clients, type Network, type NoticeChannel } from '../../tools/local/aws-scene';
import { findBundle, type BundledFunction } from '../../tools/local/cdk-out';
import { invokeBundled, logsWithMessage } from '../../tools/local/lambda-runner';
import { emulatorPolicy } from '../../tools/local/settings';
import { useEmulatorScene } from '../support/emulator-scene';
import { motoGate } from '../support/moto-gate';

const ROLE = 'arn:aws:iam::123456789012:role/SageMakerExecution';
const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/serve:1';
const gate = motoGate('scheduled sweep against moto');

gate.describe('scheduled sweep (cdk.out bundle) against moto', () => {
  const scene = useEmulatorScene();
  let clients: Clients;
  let network: Network;
  let channel: NoticeChannel;
  let bundle: BundledFunction;

  beforeAll(() => {
    bundle = findBundle('sweep');
  });

  beforeEach(() => {
    ({ clients, network, channel } = scene());
  });

  function sweepNow() {
    return invokeBundled(bundle, { id: 'sweep-run-1', 'detail-type': 'Scheduled Event', source: 'aws.events' }, {
      emulatorEnv: scene().emulator.env,
      env: { TOPIC_ARN: channel.topicArn, GUARD_SETTINGS: JSON.stringify(emulatorPolicy()), LEDGER_TABLE: scene().ledgerTable },
    });
  }

  test('resources that predate the deployment are caught: one stopped, one deleted, one left alone; each owner told, then one summary', async () => {
    await clients.sageMaker.send(
      new CreateNotebookInstanceCommand({ NotebookInstanceName: 'Old-Open-Notebook', InstanceType: 'ml.t3.medium', RoleArn: ROLE, DirectInternetAccess: 'Enabled' }),
    );
    await clients.sageMaker.send(new CreateModelCommand({ ModelName: 'old-open-model', ExecutionRoleArn: ROLE, PrimaryContainer: { Image: IMAGE } }));
    await clients.sageMaker.send(
      new CreateModelCommand({
        ModelName: 'old-private-model',
        ExecutionRoleArn: ROLE,
        PrimaryContainer: { Image: IMAGE },
        VpcConfig: { Subnets: [network.privateSubnetId], SecurityGroupIds: [network.closedSecurityGroupId] },
      }),
    );

    const invocation = await sweepNow();

    if (invocation.exitCode !== 0) throw new Error(`the sweep failed: ${JSON.stringify(invocation.error)}\n${invocation.stderr}`);
    expect(invocation.result).toEqual({ checked: 3, withFindings: 2, failures: 0, byDecision: { remediate: 2, compliant: 1 }, notified: true, incomplete: false, outbox: { sent: 0, failed: 0, busy: 0 } });
    const status = await clients.sageMaker.send(new DescribeNotebookInstanceCommand({ NotebookInstanceName: 'Old-Open-Notebook' }));
    expect(status.NotebookInstanceStatus).toBe('Stopped');
    await expect(clients.sageMaker.send(new DescribeModelCommand({ ModelName: 'old-open-model' }))).rejects.toThrow(/Could not find model/);
    await expect(clients.sageMaker.send(new DescribeModelCommand({ ModelName: 'old-private-model' }))).resolves.toBeDefined();

    const notices = await receiveNotices(clients.sqs, channel.queueUrl);
    // The same per-resource notices the responders send, then the operators' summary.
    expect(notices.map((notice) => attributesOf(notice).kind).sort()).toEqual(['model', 'notebook-instance', 'sweep']);
    expect(notices.find((notice) => attributesOf(notice).kind === 'model')?.Subject).toBe('[sagemaker-guard] Deleted model old-open-model: 1 control failed');
    const notice = notices.find((candidate) => attributesOf(candidate).kind === 'sweep') ?? notices[0];
    expect(notice.Subject).toBe('[sagemaker-guard] Sweep of 123456789012 us-east-1: 2 of 3 resources fail controls');
    expect(attributesOf(notice)).toMatchObject({ kind: 'sweep', action: 'summary', severity: 'critical' });
    expect(notice.Message).toContain('  - notebook instance Old-Open-Notebook (InService): stopped');
    expect(notice.Message).toContain('  - model old-open-model: deleted');
    expect(logsWithMessage(invocation, 'Decision')).toHaveLength(3);
    expect(logsWithMessage(invocation, 'Sweep summary')[0]).toMatchObject({ checked: 3, correlation_id: 'sweep-run-1' });
  });

  test('an account with nothing wrong gets no notice', async () => {
    const invocation = await sweepNow();
    expect(invocation.result).toEqual({ checked: 0, withFindings: 0, failures: 0, byDecision: {}, notified: false, incomplete: false, outbox: { sent: 0, failed: 0, busy: 0 } });
    expect(await receiveNotices(clients.sqs, channel.queueUrl)).toHaveLength(0);
  });
});
