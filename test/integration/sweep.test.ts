/**
 * The sweep's three tasks, as bundled by `npx cdk synth` (one bundle, index.plan / index.page / index.summarize), each
 * call a fresh node process against moto, driven in the state machine's order (test/support/sweep-driver.ts: moto's
 * Step Functions runs the definition with canned task answers only, not the code: MOTO-NOTES §17 and §18). The run's files live in moto's S3 as they
 * would in the sweep's bucket: the plan writes the shards there, the driver writes the Map's results in the
 * ResultWriter's format, the summary reads them back. It lists what already exists, acts through the responders'
 * pipeline, and sends one summary notice.
 */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateModelCommand, CreateNotebookInstanceCommand, DescribeModelCommand, DescribeNotebookInstanceCommand } from '@aws-sdk/client-sagemaker';
import { attributesOf, receiveNotices, type Clients, type Network, type NoticeChannel } from '../../tools/local/aws-scene';
import { findBundle, type BundledFunction } from '../../tools/local/cdk-out';
import { invokeBundled, logsWithMessage, type Invocation } from '../../tools/local/lambda-runner';
import { emulatorPolicy } from '../../tools/local/settings';
import { useEmulatorScene } from '../support/emulator-scene';
import { motoGate } from '../support/moto-gate';
import { driveSweep, s3Objects, type SweepTasks } from '../support/sweep-driver';

const ROLE = 'arn:aws:iam::123456789012:role/SageMakerExecution';
const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/serve:1';
jest.setTimeout(120_000);
const gate = motoGate('scheduled sweep against moto');

gate.describe('scheduled sweep (cdk.out bundle) against moto', () => {
  const scene = useEmulatorScene();
  let clients: Clients;
  let network: Network;
  let channel: NoticeChannel;
  let bundles: Record<'plan' | 'page' | 'summarize', BundledFunction>;
  let s3: S3Client;
  const BUCKET = 'sagemaker-guard-sweep';

  beforeAll(() => {
    bundles = { plan: findBundle('sweepPlan'), page: findBundle('sweep'), summarize: findBundle('sweepSummary') };
  });

  beforeEach(async () => {
    ({ clients, network, channel } = scene());
    const { emulator } = scene();
    s3 = new S3Client({ endpoint: emulator.endpoint, region: emulator.region, forcePathStyle: true, credentials: { accessKeyId: emulator.env.AWS_ACCESS_KEY_ID, secretAccessKey: emulator.env.AWS_SECRET_ACCESS_KEY } });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  });

  afterEach(() => {
    s3.destroy();
  });

  const invocations: Invocation[] = [];
  /** One task: one cold invocation of its bundled function; a thrown error comes back with its name, as Step Functions sees it. */
  function bundled(task: keyof typeof bundles) {
    return async (event: unknown): Promise<never> => {
      const invocation = await invokeBundled(bundles[task], event, {
        emulatorEnv: scene().emulator.env,
        env: { TOPIC_ARN: channel.topicArn, GUARD_SETTINGS: JSON.stringify(emulatorPolicy()), LEDGER_TABLE: scene().ledgerTable, SWEEP_BUCKET: BUCKET },
      });
      invocations.push(invocation);
      if (invocation.error !== undefined) throw Object.assign(new Error(invocation.error.message), { name: invocation.error.name });
      return invocation.result as never;
    };
  }

  async function sweepNow() {
    invocations.length = 0;
    const tasks: SweepTasks = { plan: bundled('plan'), page: bundled('page'), summarize: bundled('summarize') };
    return driveSweep(tasks, s3Objects(s3), { bucket: BUCKET, runId: 'sweep-run-1', concurrency: 4 });
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

    const drive = await sweepNow();

    // One plan, one task per kind (each listing fits one page), one summary: each a separate process.
    expect(invocations).toHaveLength(1 + 8 + 1);
    for (const invocation of invocations) expect(invocation.exitCode).toBe(0);
    expect(drive.plan).toMatchObject({ shardCount: 8, accountCount: 1, regions: ['us-east-1'] });
    expect(drive.summary).toEqual({ checked: 3, withFindings: 2, failures: 0, unreachable: 0, unfinished: 0, notified: true });
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
    expect(invocations.flatMap((invocation) => logsWithMessage(invocation, 'Decision'))).toHaveLength(3);
    expect(logsWithMessage(invocations.at(-1)!, 'Sweep summary')[0]).toMatchObject({ checked: 3, correlation_id: 'sweep-run-1' });
  });

  test('an account with nothing wrong gets no notice', async () => {
    const drive = await sweepNow();
    expect(drive.summary).toEqual({ checked: 0, withFindings: 0, failures: 0, unreachable: 0, unfinished: 0, notified: false });
    expect(await receiveNotices(clients.sqs, channel.queueUrl)).toHaveLength(0);
  });
});
