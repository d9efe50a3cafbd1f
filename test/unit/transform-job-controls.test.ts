import { keysOf, runControlCases, type ControlCase } from '../support/control-cases';
import { CATALOG, evaluate } from '../../lambda/kinds/registry';
import { modelPart, type TransformJob } from '../../lambda/kinds/transform-job/controls';
import { transformJob as transformJobKind } from '../../lambda/kinds/transform-job';
import type { GuardSettingsInput } from '../../lambda/core/settings';
import { CUSTOMER_KEY, enforceAll, settings } from '../fixtures/resources';
import { MODEL_SUBNET, transformJob } from '../fixtures/transform-job';

type Case = ControlCase<TransformJob>;
function run(cases: readonly Case[]): void {
  runControlCases('transform-job', cases);
}

const ISOLATION = 'transform-job.model-network-isolation';
const VPC = 'transform-job.model-vpc';
const NETWORK = 'transform-job.model-allowed-network';
const VOLUME = 'transform-job.volume-kms-key';
const OUTPUT = 'transform-job.output-kms-key';
const INSTANCE = 'transform-job.instance-type';
const TAGS = 'transform-job.required-tags';
const GONE = 'model ChurnModel-v2: no longer exists (DescribeModel: not found)';
const allowTypes = (types: string[]): GuardSettingsInput => ({ kinds: { 'transform-job': { allowedInstanceTypes: types } } });

describe('transform job: the model controls, over the job’s model', () => {
  run([
    { control: ISOLATION, name: 'model isolated', resource: transformJob(), expect: 'pass' },
    { control: ISOLATION, name: 'model not isolated', resource: transformJob({}, { EnableNetworkIsolation: false }), expect: 'fail', says: 'model ChurnModel-v2: EnableNetworkIsolation is false for a primary container' },
    { control: ISOLATION, name: 'model isolation absent', resource: transformJob({}, { EnableNetworkIsolation: undefined }), expect: 'fail', says: 'absent (defaults to false)' },
    { control: ISOLATION, name: 'model gone', resource: transformJob({}, null), expect: 'fail', says: GONE },
    { control: VPC, name: 'model in a VPC', resource: transformJob(), expect: 'pass' },
    { control: VPC, name: 'model outside any VPC', resource: transformJob({}, { VpcConfig: undefined }), expect: 'fail', says: 'model ChurnModel-v2: VpcConfig is absent' },
    { control: VPC, name: 'model VpcConfig {} (no subnets)', resource: transformJob({}, { VpcConfig: {} as never }), expect: 'fail', says: 'no Subnets' },
    { control: VPC, name: 'model gone', resource: transformJob({}, null), expect: 'fail', says: GONE },
    { control: NETWORK, name: 'no allow-lists in the policy', resource: transformJob(), expect: 'skip', says: 'no allowedSubnets or allowedSecurityGroups' },
    { control: NETWORK, name: 'model subnet allowed', resource: transformJob(), settings: { allowedSubnets: [MODEL_SUBNET] }, expect: 'pass' },
    { control: NETWORK, name: 'model subnet not allowed', resource: transformJob(), settings: { allowedSubnets: ['subnet-0bbbb2222'] }, expect: 'fail', says: `model ChurnModel-v2: subnet(s) ${MODEL_SUBNET} not in allowedSubnets` },
    { control: NETWORK, name: 'model with no VPC placement', resource: transformJob({}, { VpcConfig: undefined }), settings: { allowedSubnets: [MODEL_SUBNET] }, expect: 'skip', says: 'see model.vpc' },
    // Nothing shows the job is safe: a check the policy uses fails when the model is gone (isolation and VPC above too)...
    { control: NETWORK, name: 'model gone, allow-lists in the policy', resource: transformJob({}, null), settings: { allowedSubnets: [MODEL_SUBNET] }, expect: 'fail', says: GONE },
    // ...but one the policy leaves unused says so, rather than claiming a failure (notApplicable).
    { control: NETWORK, name: 'model gone, no allow-lists', resource: transformJob({}, null), expect: 'skip', says: 'no allowedSubnets or allowedSecurityGroups in the policy' },
    {
      control: VPC,
      name: 'model created again after the job started: its settings need not be the job’s',
      resource: transformJob({ CreationTime: new Date('2026-11-02T09:00:00Z') }, { CreationTime: new Date('2026-11-02T10:00:00Z') }),
      expect: 'fail',
      says: 'model ChurnModel-v2: was created again (2026-11-02T10:00:00.000Z) after the job started (2026-11-02T09:00:00.000Z)',
    },
  ]);

  test('a job that names no model fails every model control', () => {
    const resource: TransformJob = { job: { ...transformJob().job, ModelName: undefined }, model: undefined };
    const { findings } = evaluate('transform-job', resource, { settings: settings({ allowedSubnets: [MODEL_SUBNET] }), tags: {} }, enforceAll);
    expect(findings.map((finding) => finding.controlId)).toEqual([ISOLATION, VPC, NETWORK]);
    expect(findings[0].observed).toBe('model (ModelName absent): the job names no model, so nothing shows how its containers are networked');
  });
});

describe('transform job: its own settings', () => {
  run([
    { control: VOLUME, name: 'customer key', resource: transformJob(), expect: 'pass' },
    { control: VOLUME, name: 'absent', resource: transformJob({ TransformResources: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1 } }), expect: 'fail', says: 'TransformResources.VolumeKmsKeyId is not set' },
    { control: VOLUME, name: 'AWS managed key', resource: transformJob({ TransformResources: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeKmsKeyId: 'alias/aws/sagemaker' } }), expect: 'fail', says: 'AWS managed key' },
    { control: VOLUME, name: 'absent on instance storage (g4dn): skipped', resource: transformJob({ TransformResources: { InstanceType: 'ml.g4dn.xlarge', InstanceCount: 1 } }), expect: 'skip', says: 'local instance storage' },
    { control: VOLUME, name: 'blank on instance storage: skipped too', resource: transformJob({ TransformResources: { InstanceType: 'ml.m5d.xlarge' as never, InstanceCount: 1, VolumeKmsKeyId: ' ' } }), expect: 'skip' },
    { control: VOLUME, name: 'not on allowedKmsKeys', resource: transformJob(), settings: { allowedKmsKeys: ['arn:aws:kms:us-east-1:123456789012:key/other'] }, expect: 'fail', says: 'not in allowedKmsKeys' },
    { control: OUTPUT, name: 'customer key', resource: transformJob(), expect: 'pass' },
    { control: OUTPUT, name: 'absent', resource: transformJob({ TransformOutput: { S3OutputPath: 's3://b/out' } }), expect: 'fail', says: 'TransformOutput.KmsKeyId is not set' },
    { control: OUTPUT, name: 'AWS managed key by ARN', resource: transformJob({ TransformOutput: { S3OutputPath: 's3://b/out', KmsKeyId: 'arn:aws:kms:us-east-1:123456789012:alias/aws/sagemaker' } }), expect: 'fail', says: 'AWS managed key' },
    { control: OUTPUT, name: 'TransformOutput absent', resource: transformJob({ TransformOutput: undefined }), expect: 'fail', says: 'not set' },
    { control: OUTPUT, name: 'the key id of an allowed key ARN', resource: transformJob({ TransformOutput: { S3OutputPath: 's3://b', KmsKeyId: '1234abcd-12ab-34cd-56ef-1234567890ab' } }), settings: { allowedKmsKeys: [CUSTOMER_KEY] }, expect: 'pass' },
    { control: INSTANCE, name: 'no allow-list', resource: transformJob(), expect: 'skip', says: 'kinds.transform-job.allowedInstanceTypes' },
    { control: INSTANCE, name: 'allowed', resource: transformJob(), settings: allowTypes(['ml.m5.xlarge']), expect: 'pass' },
    { control: INSTANCE, name: 'not allowed', resource: transformJob(), settings: allowTypes(['ml.c5.xlarge']), expect: 'fail', says: 'ml.m5.xlarge not in the allow-list (ml.c5.xlarge)' },
    { control: INSTANCE, name: 'absent', resource: transformJob({ TransformResources: undefined }), settings: allowTypes(['ml.c5.xlarge']), expect: 'fail', says: 'names no instance type' },
    // The training allow-list is not the transform job's.
    { control: INSTANCE, name: 'only a training-job allow-list', resource: transformJob(), settings: { kinds: { 'training-job': { allowedInstanceTypes: ['ml.c5.xlarge'] } } }, expect: 'skip' },
    { control: TAGS, name: 'no requiredTags', resource: transformJob(), expect: 'skip' },
    { control: TAGS, name: 'present', resource: transformJob(), settings: { requiredTags: { owner: [] } }, tags: { owner: 'team-a' }, expect: 'pass' },
    { control: TAGS, name: 'missing', resource: transformJob(), settings: { requiredTags: { owner: [] } }, expect: 'fail', says: 'tag owner is missing' },
  ]);
});

describe('transform job catalog', () => {
  test('ids, order, severities and condition keys (no network keys of its own)', () => {
    expect(CATALOG['transform-job'].map((control) => [control.id, control.severity, keysOf(control)])).toEqual([
      [ISOLATION, 'high', undefined],
      [VPC, 'high', undefined],
      [NETWORK, 'medium', undefined],
      [VOLUME, 'medium', 'sagemaker:VolumeKmsKeyArn'],
      [OUTPUT, 'medium', 'sagemaker:OutputKmsKeyArn'],
      [INSTANCE, 'low', 'sagemaker:InstanceTypes'],
      [TAGS, 'low', 'aws:RequestTag/${TagKey}'],
    ]);
    for (const control of CATALOG['transform-job']) {
      expect(control.kind).toBe('transform-job');
      expect(control.title).not.toBe('');
      expect(control.why).not.toBe('');
      expect(control.fix).not.toBe('');
    }
  });

  test('the model controls say the fix is a new model and a new job, gated at CreateModel', () => {
    const [isolation, vpc, network] = CATALOG['transform-job'];
    expect(isolation.title).toBe('Model network isolation enabled');
    expect(isolation.fix).toContain('create a model with EnableNetworkIsolation=true');
    expect(isolation.fix).toContain('start a new transform job');
    expect(isolation.fix).toContain('gate CreateModel with sagemaker:NetworkIsolation');
    expect(vpc.fix).toContain('sagemaker:VpcSubnets and sagemaker:VpcSecurityGroupIds');
    expect(network.title).toBe('Model subnets and security groups allowed');
    expect(isolation.why).toContain('data being transformed');
  });

  test('a compliant job passes or skips every control; one that breaks everything fails every one', () => {
    expect(evaluate('transform-job', transformJob(), { settings: settings(), tags: {} }, enforceAll).findings).toEqual([]);
    const bad = transformJob(
      { TransformOutput: { S3OutputPath: 's3://b' }, TransformResources: { InstanceType: 'ml.p3.2xlarge', InstanceCount: 1 } },
      { EnableNetworkIsolation: false, VpcConfig: { Subnets: ['subnet-0bbbb2222'], SecurityGroupIds: [] } },
    );
    const policy = settings({ allowedSubnets: [MODEL_SUBNET], requiredTags: { owner: [] }, ...allowTypes(['ml.m5.xlarge']) });
    const { findings } = evaluate('transform-job', bad, { settings: policy, tags: {} }, enforceAll);
    expect(findings.map((finding) => finding.controlId)).toEqual(CATALOG['transform-job'].map((control) => control.id));
  });

  test('the kind: facts, and the model read its controls need', () => {
    expect(transformJobKind).toMatchObject({
      id: 'transform-job',
      detailType: 'SageMaker Transform Job State Change',
      nameField: 'TransformJobName',
      statusField: 'TransformJobStatus',
      actionableStatuses: ['InProgress'],
      action: 'stop',
      api: 'StopTransformJob',
      survivesAction: true,
      consolePath: 'transform-jobs',
      arnType: 'transform-job',
      listAction: 'sagemaker:ListTransformJobs',
    });
    expect(transformJobKind.permissions).toEqual([
      { actions: ['sagemaker:DescribeTransformJob', 'sagemaker:StopTransformJob', 'sagemaker:AddTags', 'sagemaker:ListTags'], on: ['transform-job'] },
      { actions: ['sagemaker:DescribeModel'], on: ['model'] },
    ]);
  });
});

describe('modelPart: the model a transform job runs with, or why nothing shows it', () => {
  const JOB_CREATED = new Date('2026-11-02T09:00:00Z');
  const present = (overrides: Parameters<typeof transformJob>[1] = {}) => transformJob({}, overrides);
  test.each<[string, TransformJob, { label: string; missing?: string } | 'the model']>([
    ['ModelName absent', transformJob({ ModelName: undefined }), { label: 'model (ModelName absent)', missing: 'the job names no model, so nothing shows how its containers are networked' }],
    ['ModelName blank', transformJob({ ModelName: '' }), { label: 'model (ModelName absent)', missing: 'the job names no model, so nothing shows how its containers are networked' }],
    ['the model is gone', transformJob({}, null), { label: 'model ChurnModel-v2', missing: 'no longer exists (DescribeModel: not found), so nothing shows the settings the job runs with; a model can be deleted right after the job starts' }],
    [
      'the model was created again after the job started',
      present({ CreationTime: new Date('2026-11-02T09:00:00.001Z') }),
      { label: 'model ChurnModel-v2', missing: 'was created again (2026-11-02T09:00:00.001Z) after the job started (2026-11-02T09:00:00.000Z), so its settings are not necessarily the ones the job runs with' },
    ],
    ['the model was created the same instant as the job', present({ CreationTime: JOB_CREATED }), 'the model'],
    ['the model has no creation time', present({ CreationTime: undefined }), 'the model'],
    ['the model’s creation time is not a date', present({ CreationTime: new Date('not a date') }), 'the model'],
    ['the job has no creation time', transformJob({ CreationTime: undefined }), 'the model'],
  ])('%s', (_title, resource, expected) => {
    const part = modelPart(resource);
    if (expected === 'the model') expect(part).toEqual({ label: 'model ChurnModel-v2', value: resource.model });
    else expect(part).toEqual({ ...expected, value: undefined });
  });

  test('a job without TransformResources fails the volume key control (absent is the AWS managed key), without a crash', () => {
    const control = CATALOG['transform-job'].find((candidate) => candidate.id === VOLUME)!;
    expect(control.check(transformJob({ TransformResources: undefined }), { settings: settings(), tags: {} })).toEqual({
      status: 'fail',
      observed: 'TransformResources.VolumeKmsKeyId is not set, so an AWS managed key is used',
    });
  });
});
