/**
 * The processing-job responder, as bundled by `npx cdk synth`, run on one event each in a fresh node process
 * (a cold start) against moto_server: real SDK calls, the ledger in moto's DynamoDB, notices through SNS -> SQS.
 *
 * What moto 5.2.1 cannot show (MOTO-NOTES.md, "Processing jobs"): a running processing job (a job is
 * Completed at once), StopProcessingJob (not implemented), and ProcessingResources (dropped at create and
 * never returned, so the volume key and the instance type cannot be set). The stop path and the cluster
 * controls are covered by test/handlers/processing-job.test.ts; here: describe, tags, not-actionable, gone.
 *
 * Synthesize into a directory of your own and point the tests at it:
 *   npx cdk synth --quiet -c notificationEmails=none -o /tmp/cdkout-processing
 *   SAGEMAKER_GUARD_CDK_OUT=/tmp/cdkout-processing npx jest test/integration/processing-job.test.ts --selectProjects integration
 */
import { CreateProcessingJobCommand, DescribeProcessingJobCommand, ListProcessingJobsCommand, type CreateProcessingJobCommandInput, type Tag } from '@aws-sdk/client-sagemaker';
import { listTags, receiveNotices, type Clients, type Network, type NoticeChannel } from '../../tools/local/aws-scene';
import { findBundle, staleSynthWarning, type BundledFunction } from '../../tools/local/cdk-out';
import { eventFor, loadEvent, type SampleEvent } from '../../tools/local/sample-events';
import { decisionLog, invokeBundled, type Invocation } from '../../tools/local/lambda-runner';
import { emulatorPolicy } from '../../tools/local/settings';
import type { GuardSettingsInput } from '../../lambda/core/settings';
import { useEmulatorScene } from '../support/emulator-scene';
import { motoGate } from '../support/moto-gate';

const ROLE = 'arn:aws:iam::123456789012:role/SageMakerExecution';
const IMAGE = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3';
const GUARD_TAG = /^sagemaker-guard:/;
/** moto drops ProcessingResources, so the volume key always fails there: off, as the emulator's other blind spots. */
const SETTINGS = emulatorPolicy({ controls: { 'processing-job.volume-kms-key': 'off' } });

jest.setTimeout(30_000);

const gate = motoGate('processing-job responder against moto');

gate.describe('processing-job responder (cdk.out bundle) against moto', () => {
  let bundle: BundledFunction;
  const scene = useEmulatorScene();
  let clients: Clients;
  let network: Network;
  let channel: NoticeChannel;
  let eventCount = 0;

  beforeAll(() => {
    bundle = findBundle('processing-job');
    const stale = staleSynthWarning();
    if (stale !== undefined) console.warn(stale);
  });

  beforeEach(() => {
    ({ clients, network, channel } = scene());
  });

  function invoke(event: unknown, settings: GuardSettingsInput = SETTINGS): Promise<Invocation> {
    return invokeBundled(bundle, event, {
      emulatorEnv: scene().emulator.env,
      env: { TOPIC_ARN: channel.topicArn, GUARD_SETTINGS: JSON.stringify(settings), LEDGER_TABLE: scene().ledgerTable },
    });
  }

  /** The InProgress variant with the job under test and a new event id: a late delivery, since moto's job is Completed. */
  function processingEvent(name: string, arn: string): SampleEvent {
    eventCount += 1;
    const sample = loadEvent('variants/processing-job.in-progress.json');
    return { ...eventFor(sample, { ProcessingJobName: name, ProcessingJobArn: arn }, `00000000-0000-4000-8000-${String(eventCount).padStart(12, '0')}`), resources: [arn] };
  }

  async function createJob(name: string, input: Partial<CreateProcessingJobCommandInput>): Promise<string> {
    const { ProcessingJobArn: arn } = await clients.sageMaker.send(
      new CreateProcessingJobCommand({
        ProcessingJobName: name,
        RoleArn: ROLE,
        AppSpecification: { ImageUri: IMAGE },
        // Sent as a real caller must; moto ignores it (and never returns it).
        ProcessingResources: { ClusterConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 30, VolumeKmsKeyId: scene().kmsKeyArn } },
        StoppingCondition: { MaxRuntimeInSeconds: 3600 },
        ...input,
      }),
    );
    if (arn === undefined) throw new Error('moto returned no ProcessingJobArn');
    return arn;
  }

  function guardTags(tags: readonly Tag[]): Tag[] {
    return tags.filter((tag) => GUARD_TAG.test(tag.Key ?? ''));
  }

  function expectSucceeded(invocation: Invocation): void {
    if (invocation.exitCode !== 0 || invocation.error !== undefined) {
      throw new Error(`the handler failed (exit ${String(invocation.exitCode)}): ${JSON.stringify(invocation.error)}\n${invocation.stdout}\n${invocation.stderr}`);
    }
  }

  test('a non-compliant processing job that has already completed is left alone: described, judged, not-actionable, no tags, no notice', async () => {
    const name = 'features-open-1';
    const arn = await createJob(name, {
      NetworkConfig: { EnableNetworkIsolation: false },
      ProcessingOutputConfig: { Outputs: [{ OutputName: 'out', S3Output: { S3Uri: 's3://example-bucket/out', LocalPath: '/opt/ml/processing/output', S3UploadMode: 'EndOfJob' } }] },
      Tags: [{ Key: 'owner', Value: 'team-features' }],
    });

    const invocation = await invoke(processingEvent(name, arn));

    expectSucceeded(invocation);
    expect(invocation.result).toEqual({ decision: 'not-actionable', notified: false });
    const decision = decisionLog(invocation);
    expect(decision).toMatchObject({ decision: 'not-actionable', reportedStatus: 'InProgress' });
    expect(decision.resource).toMatchObject({ kind: 'processing-job', name, arn, status: 'Completed' });
    expect(decision.failed).toEqual(['processing-job.network-isolation', 'processing-job.vpc', 'processing-job.inter-container-encryption', 'processing-job.output-kms-key']);
    expect(decision.controls).toMatchObject({
      'processing-job.network-isolation': 'fail [enforce by policy.mode]: NetworkConfig.EnableNetworkIsolation is false',
      'processing-job.vpc': 'fail [enforce by policy.mode]: NetworkConfig.VpcConfig is absent',
      // No ClusterConfig in moto's answer: the count is unknown, so the encryption (absent here) is required.
      'processing-job.inter-container-encryption':
        'fail [enforce by policy.mode]: NetworkConfig.EnableInterContainerTrafficEncryption is absent (defaults to false) and ProcessingResources.ClusterConfig is absent, so the job may be distributed',
      'processing-job.volume-kms-key': 'off [off by policy.controls]',
      'processing-job.output-kms-key': 'fail [enforce by policy.mode]: ProcessingOutputConfig.KmsKeyId is not set, so an AWS managed key is used',
    });
    const described = await clients.sageMaker.send(new DescribeProcessingJobCommand({ ProcessingJobName: name }));
    expect(described.ProcessingJobStatus).toBe('Completed');
    expect(guardTags(await listTags(clients.sageMaker, arn))).toEqual([]);
    expect(await receiveNotices(clients.sqs, channel.queueUrl)).toHaveLength(0);
  });

  test('a compliant processing job (as far as moto shows it) is compliant: Describe, ListTags on its ARN, no notice', async () => {
    const name = 'features-private-1';
    const arn = await createJob(name, {
      NetworkConfig: {
        EnableNetworkIsolation: true,
        EnableInterContainerTrafficEncryption: true,
        VpcConfig: { Subnets: [network.privateSubnetId], SecurityGroupIds: [network.closedSecurityGroupId] },
      },
      ProcessingOutputConfig: {
        Outputs: [{ OutputName: 'out', S3Output: { S3Uri: 's3://example-bucket/out', LocalPath: '/opt/ml/processing/output', S3UploadMode: 'EndOfJob' } }],
        KmsKeyId: scene().kmsKeyArn,
      },
      Tags: [{ Key: 'owner', Value: 'team-features' }],
    });

    const invocation = await invoke(processingEvent(name, arn), { ...SETTINGS, requiredTags: { owner: [] }, maxRuntimeSeconds: 3600 });

    expectSucceeded(invocation);
    expect(invocation.result).toEqual({ decision: 'compliant', notified: false });
    expect(decisionLog(invocation).controls).toEqual({
      'processing-job.network-isolation': 'pass',
      'processing-job.vpc': 'pass',
      'processing-job.inter-container-encryption': 'pass',
      'processing-job.volume-kms-key': 'off [off by policy.controls]',
      'processing-job.output-kms-key': 'pass',
      'processing-job.max-runtime': 'pass',
      'processing-job.instance-type': 'skip: no allow-list in the policy (kinds.processing-job.allowedInstanceTypes)',
      'processing-job.allowed-network': 'skip: no allowedSubnets or allowedSecurityGroups in the policy',
      'processing-job.required-tags': 'pass',
    });
    expect(await receiveNotices(clients.sqs, channel.queueUrl)).toHaveLength(0);
  });

  test('an event for a processing job that does not exist is "gone": moto\'s not-found is classified, no notice', async () => {
    const name = 'features-never-created';
    const invocation = await invoke(processingEvent(name, `arn:aws:sagemaker:us-east-1:123456789012:processing-job/${name}`));

    expectSucceeded(invocation);
    expect(invocation.result).toEqual({ decision: 'gone', notified: false });
    expect(decisionLog(invocation)).toMatchObject({ decision: 'gone', resourceName: name });
    expect(await receiveNotices(clients.sqs, channel.queueUrl)).toHaveLength(0);
  });

  test('moto lists its jobs as Completed: the sweep\'s StatusEquals=InProgress listing finds none', async () => {
    await createJob('features-listed-1', {});
    const running = await clients.sageMaker.send(new ListProcessingJobsCommand({ StatusEquals: 'InProgress', MaxResults: 100 }));
    const all = await clients.sageMaker.send(new ListProcessingJobsCommand({ MaxResults: 100 }));
    expect(running.ProcessingJobSummaries).toEqual([]);
    expect(all.ProcessingJobSummaries?.map((summary) => [summary.ProcessingJobName, summary.ProcessingJobStatus])).toEqual([['features-listed-1', 'Completed']]);
  });
});
