/**
 * The transform job and tuning job responders (and the sweep that lists both), as bundled by `npx cdk synth`, run
 * in a fresh node process against moto_server: real DescribeTransformJob + DescribeModel, DescribeHyperParameterTuningJob,
 * ListTags, List* and the ledger.
 *
 * What moto 5.2.1 cannot show (see MOTO-NOTES.md, "Transform and tuning jobs"): a running job (both kinds are
 * Completed at once), StopTransformJob and StopHyperParameterTuningJob (not implemented), a model with network
 * isolation (DescribeModel always says false), and the training jobs a tuning job launches (none are). So these
 * scenes check what is judged from the real Describe output and the not-actionable path; stopping, the denied and
 * wrong-state paths, and the children's part-of decisions are covered by test/handlers/.
 */
import {
  CreateHyperParameterTuningJobCommand,
  CreateModelCommand,
  CreateTransformJobCommand,
  DeleteModelCommand,
  DescribeHyperParameterTuningJobCommand,
  DescribeTransformJobCommand,
  type HyperParameterTrainingJobDefinition,
  type Tag,
} from '@aws-sdk/client-sagemaker';
import { listTags, receiveNotices, type Clients, type Network, type NoticeChannel } from '../../tools/local/aws-scene';
import { findBundle, staleSynthWarning, type BundledFunction, type FunctionName } from '../../tools/local/cdk-out';
import { startOf } from '../../lambda/sweep/shard';
import { decisionLog, invokeBundled, type Invocation } from '../../tools/local/lambda-runner';
import { eventFor, loadEvent, type SampleEvent } from '../../tools/local/sample-events';
import { emulatorPolicy } from '../../tools/local/settings';
import { useEmulatorScene } from '../support/emulator-scene';
import { motoGate } from '../support/moto-gate';

const ROLE = 'arn:aws:iam::123456789012:role/SageMakerExecution';
const IMAGE = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1';
const OWNER: Tag[] = [{ Key: 'owner', Value: 'team-a' }];
const GUARD_TAG = /^sagemaker-guard:/;
const SETTINGS = emulatorPolicy();

jest.setTimeout(30_000);

const gate = motoGate('transform and tuning job responders against moto');

gate.describe('transform and tuning job responders (cdk.out bundles) against moto', () => {
  const scene = useEmulatorScene();
  let clients: Clients;
  let network: Network;
  let channel: NoticeChannel;
  let bundles: Partial<Record<FunctionName, BundledFunction>>;
  let eventCount = 0;

  beforeAll(() => {
    bundles = { 'transform-job': findBundle('transform-job'), 'hyper-parameter-tuning-job': findBundle('hyper-parameter-tuning-job'), sweep: findBundle('sweep') };
    const stale = staleSynthWarning();
    if (stale !== undefined) console.warn(stale);
  });

  beforeEach(() => {
    ({ clients, network, channel } = scene());
  });

  function invoke(kind: FunctionName, event: unknown, settings: unknown = SETTINGS): Promise<Invocation> {
    const bundle = bundles[kind];
    if (bundle === undefined) throw new Error(`no bundle for ${kind}`);
    return invokeBundled(bundle, event, {
      emulatorEnv: scene().emulator.env,
      env: { TOPIC_ARN: channel.topicArn, GUARD_SETTINGS: JSON.stringify(settings), LEDGER_TABLE: scene().ledgerTable },
    });
  }

  function sampleEvent(path: string, detail: Record<string, unknown>): SampleEvent {
    eventCount += 1;
    return eventFor(loadEvent(path), detail, `00000000-0000-4000-8000-${String(eventCount).padStart(12, '0')}`);
  }

  function expectSucceeded(invocation: Invocation): void {
    if (invocation.exitCode !== 0 || invocation.error !== undefined) {
      throw new Error(`the handler failed (exit ${String(invocation.exitCode)}): ${JSON.stringify(invocation.error)}\n${invocation.stdout}\n${invocation.stderr}`);
    }
  }

  async function guardTags(arn: string): Promise<Tag[]> {
    return (await listTags(clients.sageMaker, arn)).filter((tag) => GUARD_TAG.test(tag.Key ?? ''));
  }

  async function createModel(name: string): Promise<void> {
    await clients.sageMaker.send(
      new CreateModelCommand({
        ModelName: name,
        ExecutionRoleArn: ROLE,
        PrimaryContainer: { Image: IMAGE },
        VpcConfig: { Subnets: [network.privateSubnetId], SecurityGroupIds: [network.closedSecurityGroupId] },
        Tags: OWNER,
      }),
    );
  }

  /** A transform job of `model`; `encrypted` sets customer keys on its volume and output. */
  async function createTransformJob(name: string, model: string, encrypted: boolean): Promise<string> {
    const key = encrypted ? { KmsKeyId: channel.kmsKeyArn } : {};
    const { TransformJobArn: arn } = await clients.sageMaker.send(
      new CreateTransformJobCommand({
        TransformJobName: name,
        ModelName: model,
        TransformInput: { DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://example-bucket/in' } }, ContentType: 'text/csv' },
        TransformOutput: { S3OutputPath: 's3://example-bucket/out', ...key },
        TransformResources: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, ...(encrypted ? { VolumeKmsKeyId: channel.kmsKeyArn } : {}) },
        Tags: OWNER,
      }),
    );
    return arn ?? '';
  }

  function transformEvent(name: string, arn: string): SampleEvent {
    return sampleEvent('variants/transform-job.in-progress.json', { TransformJobName: name, TransformJobArn: arn, ModelName: 'whatever-the-event-says' });
  }

  test('a transform job: Describe of the job and of its model decide; moto completes it at once, so it is left alone', async () => {
    await createModel('scoring-model');
    const name = 'scoring-job-1';
    const arn = await createTransformJob(name, 'scoring-model', true);
    expect((await clients.sageMaker.send(new DescribeTransformJobCommand({ TransformJobName: name }))).TransformJobStatus).toBe('Completed');

    const invocation = await invoke('transform-job', transformEvent(name, arn));

    expectSucceeded(invocation);
    expect(invocation.result).toEqual({ decision: 'not-actionable', notified: false });
    const decision = decisionLog(invocation);
    expect(decision).toMatchObject({ decision: 'not-actionable', reportedStatus: 'InProgress' });
    expect(decision.resource).toMatchObject({ kind: 'transform-job', name, arn, status: 'Completed' });
    // The model's VpcConfig was really read; its isolation is moto's hard-coded false.
    expect(decision.controls).toEqual({
      'transform-job.model-network-isolation': 'fail [enforce by policy.mode]: model scoring-model: EnableNetworkIsolation is false for a primary container',
      'transform-job.model-vpc': 'pass',
      // No allow-list in the policy: the control is unused, so it skips before the model is read.
      'transform-job.model-allowed-network': 'skip: no allowedSubnets or allowedSecurityGroups in the policy',
      'transform-job.volume-kms-key': 'pass',
      'transform-job.output-kms-key': 'pass',
      'transform-job.instance-type': 'skip: no allow-list in the policy (kinds.transform-job.allowedInstanceTypes)',
      'transform-job.required-tags': 'skip: no requiredTags in the policy',
    });
    expect(await guardTags(arn)).toEqual([]);
    expect(await receiveNotices(clients.sqs, channel.queueUrl)).toHaveLength(0);
  });

  test('a transform job whose model was deleted: moto’s "Could not find model" is read as gone, and the model controls fail', async () => {
    await createModel('doomed-model');
    const name = 'orphan-job-1';
    const arn = await createTransformJob(name, 'doomed-model', false);
    await clients.sageMaker.send(new DeleteModelCommand({ ModelName: 'doomed-model' }));

    const invocation = await invoke('transform-job', transformEvent(name, arn), emulatorPolicy({ requiredTags: { owner: ['team-a'] } }));

    expectSucceeded(invocation);
    expect(invocation.result).toEqual({ decision: 'not-actionable', notified: false });
    const decision = decisionLog(invocation);
    expect(decision.failed).toEqual([
      'transform-job.model-network-isolation',
      'transform-job.model-vpc',
      'transform-job.volume-kms-key',
      'transform-job.output-kms-key',
    ]);
    const controls = decision.controls as Record<string, string>;
    // A control the policy leaves unused does not fail because its part is gone.
    expect(controls['transform-job.model-allowed-network']).toBe('skip: no allowedSubnets or allowedSecurityGroups in the policy');
    expect(controls['transform-job.model-vpc']).toMatch(/^fail \[enforce by policy\.mode\]: model doomed-model: no longer exists \(DescribeModel: not found\)/);
    expect(controls['transform-job.volume-kms-key']).toBe('fail [enforce by policy.mode]: TransformResources.VolumeKmsKeyId is not set, so an AWS managed key is used');
    // ListTags on a transform-job ARN works in moto: the owner tag given at create satisfies requiredTags.
    expect(controls['transform-job.required-tags']).toBe('pass');
  });

  test('an event for a transform job that does not exist is "gone" (moto: ValidationException "Could not find transform job")', async () => {
    const invocation = await invoke('transform-job', transformEvent('never-created', 'arn:aws:sagemaker:us-east-1:123456789012:transform-job/never-created'));
    expectSucceeded(invocation);
    expect(invocation.result).toEqual({ decision: 'gone', notified: false });
  });

  function trainingDefinition(overrides: Partial<HyperParameterTrainingJobDefinition> = {}): HyperParameterTrainingJobDefinition {
    return {
      AlgorithmSpecification: { TrainingImage: IMAGE, TrainingInputMode: 'File' },
      RoleArn: ROLE,
      OutputDataConfig: { S3OutputPath: 's3://example-bucket/tuning', KmsKeyId: channel.kmsKeyArn },
      ResourceConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 2, VolumeSizeInGB: 10, VolumeKmsKeyId: channel.kmsKeyArn },
      StoppingCondition: { MaxRuntimeInSeconds: 3600 },
      VpcConfig: { Subnets: [network.privateSubnetId], SecurityGroupIds: [network.closedSecurityGroupId] },
      EnableNetworkIsolation: true,
      EnableInterContainerTrafficEncryption: true,
      ...overrides,
    };
  }

  async function createTuningJob(name: string, definitions: { single?: HyperParameterTrainingJobDefinition; many?: HyperParameterTrainingJobDefinition[] }): Promise<string> {
    const { HyperParameterTuningJobArn: arn } = await clients.sageMaker.send(
      new CreateHyperParameterTuningJobCommand({
        HyperParameterTuningJobName: name,
        HyperParameterTuningJobConfig: {
          Strategy: 'Bayesian',
          HyperParameterTuningJobObjective: { Type: 'Maximize', MetricName: 'validation:auc' },
          ResourceLimits: { MaxNumberOfTrainingJobs: 4, MaxParallelTrainingJobs: 2 },
        },
        ...(definitions.single !== undefined ? { TrainingJobDefinition: definitions.single } : {}),
        ...(definitions.many !== undefined ? { TrainingJobDefinitions: definitions.many } : {}),
        Tags: OWNER,
      }),
    );
    return arn ?? '';
  }

  function tuningEvent(name: string, arn: string): SampleEvent {
    return sampleEvent('variants/hyper-parameter-tuning-job.in-progress.json', { HyperParameterTuningJobName: name, HyperParameterTuningJobArn: arn });
  }

  test('a compliant tuning job: every definition control passes on moto’s Describe output', async () => {
    const name = 'tuning-ok-1';
    const arn = await createTuningJob(name, { single: trainingDefinition() });

    const invocation = await invoke('hyper-parameter-tuning-job', tuningEvent(name, arn), emulatorPolicy({ maxRuntimeSeconds: 7200 }));

    expectSucceeded(invocation);
    // Compliant is decided before the status matters.
    expect(invocation.result).toEqual({ decision: 'compliant', notified: false });
    const decision = decisionLog(invocation);
    expect(decision.resource).toMatchObject({ kind: 'hyper-parameter-tuning-job', name, arn, status: 'Completed' });
    expect(decision.failed).toEqual([]);
    const controls = decision.controls as Record<string, string>;
    for (const id of ['network-isolation', 'vpc', 'inter-container-encryption', 'volume-kms-key', 'output-kms-key', 'max-runtime']) {
      expect(controls[`hyper-parameter-tuning-job.${id}`]).toBe('pass');
    }
  });

  test('a tuning job with an open definition and a flexible-instance one: both judged, named; moto completes it, so not actionable', async () => {
    const name = 'tuning-open-1';
    const arn = await createTuningJob(name, {
      many: [
        trainingDefinition({ DefinitionName: 'xgb-open', EnableNetworkIsolation: false, VpcConfig: undefined }),
        trainingDefinition({
          DefinitionName: 'xgb-flex',
          ResourceConfig: undefined,
          HyperParameterTuningResourceConfig: {
            AllocationStrategy: 'Prioritized',
            VolumeKmsKeyId: channel.kmsKeyArn,
            InstanceConfigs: [
              { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 10 },
              { InstanceType: 'ml.p3.2xlarge', InstanceCount: 1, VolumeSizeInGB: 10 },
            ],
          },
        }),
      ],
    });
    const described = await clients.sageMaker.send(new DescribeHyperParameterTuningJobCommand({ HyperParameterTuningJobName: name }));
    expect(described.HyperParameterTuningJobStatus).toBe('Completed');

    const invocation = await invoke('hyper-parameter-tuning-job', tuningEvent(name, arn), emulatorPolicy({ kinds: { 'training-job': { allowedInstanceTypes: ['ml.m5.xlarge'] } } }));

    expectSucceeded(invocation);
    expect(invocation.result).toEqual({ decision: 'not-actionable', notified: false });
    const decision = decisionLog(invocation);
    expect(decision.failed).toEqual(['hyper-parameter-tuning-job.network-isolation', 'hyper-parameter-tuning-job.vpc', 'hyper-parameter-tuning-job.instance-type']);
    const controls = decision.controls as Record<string, string>;
    expect(controls['hyper-parameter-tuning-job.network-isolation']).toBe('fail [enforce by policy.mode]: xgb-open: EnableNetworkIsolation is false');
    expect(controls['hyper-parameter-tuning-job.instance-type']).toBe(
      'fail [enforce by policy.mode]: xgb-flex (HyperParameterTuningResourceConfig): ml.p3.2xlarge not in the allow-list (ml.m5.xlarge)',
    );
    expect(await guardTags(arn)).toEqual([]);
    expect(await receiveNotices(clients.sqs, channel.queueUrl)).toHaveLength(0);
  });

  test('an event for a tuning job that does not exist is "gone" (moto: ResourceNotFound)', async () => {
    const invocation = await invoke('hyper-parameter-tuning-job', tuningEvent('never-tuned', 'arn:aws:sagemaker:us-east-1:123456789012:hyper-parameter-tuning-job/never-tuned'));
    expectSucceeded(invocation);
    expect(invocation.result).toEqual({ decision: 'gone', notified: false });
  });

  test('the sweep lists transform and tuning jobs (StatusEquals=InProgress): moto’s finished ones are not listed, and nothing fails', async () => {
    await createModel('sweep-model');
    await createTransformJob('sweep-transform-1', 'sweep-model', false);
    await createTuningJob('sweep-tuning-1', { single: trainingDefinition({ EnableNetworkIsolation: false }) });

    // The sweep's page task (cdk.out's Sweep, index.page), one shard per kind: what a run's Map gives each child.
    const results: Record<string, unknown> = {};
    for (const kind of ['transform-job', 'hyper-parameter-tuning-job', 'model'] as const) {
      const invocation = await invokeBundled(bundles.sweep!, { runId: 'sweep-run-1', progress: startOf({ account: '123456789012', region: 'us-east-1', kind }) }, {
        emulatorEnv: scene().emulator.env,
        env: { TOPIC_ARN: channel.topicArn, GUARD_SETTINGS: JSON.stringify(SETTINGS), LEDGER_TABLE: scene().ledgerTable, SWEEP_BUCKET: 'sweep-bucket' },
      });
      if (invocation.exitCode !== 0) throw new Error(`the sweep's ${kind} task failed: ${JSON.stringify(invocation.error)}\n${invocation.stderr}`);
      results[kind] = invocation.result;
    }
    // Completed jobs are filtered out by the service; the model is listed (models have no status) and compliant.
    expect(results['transform-job']).toMatchObject({ handBack: false, progress: { done: true, pages: 1, tally: { checked: 0, failures: 0 } } });
    expect(results['hyper-parameter-tuning-job']).toMatchObject({ handBack: false, progress: { done: true, pages: 1, tally: { checked: 0, failures: 0 } } });
    expect(results.model).toMatchObject({ handBack: false, progress: { done: true, tally: { checked: 1, failures: 0, byDecision: { compliant: 1 } } } });
  });
});
