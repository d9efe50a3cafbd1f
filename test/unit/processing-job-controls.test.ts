import { keysOf, runControlCases, type ControlCase } from '../support/control-cases';
import { CATALOG, evaluate, KINDS, eventPatternFor } from '../../lambda/kinds/registry';
import { processingInstanceCount, processingInstanceTypes, type ProcessingJob } from '../../lambda/kinds/processing-job/controls';
import type { GuardSettingsInput } from '../../lambda/core/settings';
import { CUSTOMER_KEY, enforceAll, settings } from '../fixtures/resources';
import { cluster, processingJob, withCluster, withNetwork } from '../fixtures/processing-job';

type Case = ControlCase<ProcessingJob>;
function run(cases: readonly Case[]): void {
  runControlCases('processing-job', cases);
}

const AWS_KEY = 'alias/aws/sagemaker';
const OTHER_KEY = 'arn:aws:kms:us-east-1:123456789012:key/00000000-0000-4000-8000-000000000000';
const types = (allowed: string[]): GuardSettingsInput => ({ kinds: { 'processing-job': { allowedInstanceTypes: allowed } } });
/** What moto's DescribeProcessingJob returns: no ProcessingResources at all. */
const motoShaped = (overrides: Partial<ProcessingJob> = {}): ProcessingJob => processingJob({ ProcessingResources: undefined, ...overrides });
const single = (overrides: Parameters<typeof cluster>[0] = {}) => withCluster(cluster({ InstanceCount: 1, ...overrides }));

describe('processing job controls: compliant, non-compliant, absent', () => {
  run([
    // network-isolation: NetworkConfig.EnableNetworkIsolation
    { control: 'processing-job.network-isolation', name: 'enabled', resource: processingJob(), expect: 'pass' },
    { control: 'processing-job.network-isolation', name: 'disabled', resource: withNetwork({ EnableNetworkIsolation: false }), expect: 'fail', says: 'NetworkConfig.EnableNetworkIsolation is false' },
    { control: 'processing-job.network-isolation', name: 'absent', resource: withNetwork({ EnableNetworkIsolation: undefined }), expect: 'fail', says: 'absent (defaults to false)' },
    { control: 'processing-job.network-isolation', name: 'no NetworkConfig at all', resource: processingJob({ NetworkConfig: undefined }), expect: 'fail', says: 'absent (defaults to false)' },

    // vpc: NetworkConfig.VpcConfig
    { control: 'processing-job.vpc', name: 'subnets and groups', resource: processingJob(), expect: 'pass' },
    { control: 'processing-job.vpc', name: 'absent', resource: withNetwork({ VpcConfig: undefined }), expect: 'fail', says: 'NetworkConfig.VpcConfig is absent' },
    { control: 'processing-job.vpc', name: 'no NetworkConfig at all', resource: processingJob({ NetworkConfig: undefined }), expect: 'fail', says: 'NetworkConfig.VpcConfig is absent' },
    { control: 'processing-job.vpc', name: 'no subnets', resource: withNetwork({ VpcConfig: { Subnets: [], SecurityGroupIds: ['sg-1'] } }), expect: 'fail', says: 'no Subnets' },
    { control: 'processing-job.vpc', name: 'no groups', resource: withNetwork({ VpcConfig: { Subnets: ['subnet-1'], SecurityGroupIds: [] } }), expect: 'fail', says: 'no SecurityGroupIds' },
    { control: 'processing-job.vpc', name: 'empty VpcConfig (as moto echoes {})', resource: withNetwork({ VpcConfig: {} as never }), expect: 'fail', says: 'no Subnets' },

    // inter-container-encryption: NetworkConfig.EnableInterContainerTrafficEncryption, distributed = InstanceCount > 1
    { control: 'processing-job.inter-container-encryption', name: 'distributed, enabled', resource: processingJob(), expect: 'pass' },
    { control: 'processing-job.inter-container-encryption', name: 'distributed, disabled', resource: withNetwork({ EnableInterContainerTrafficEncryption: false }), expect: 'fail', says: '2-instance job' },
    { control: 'processing-job.inter-container-encryption', name: 'distributed, absent', resource: withNetwork({ EnableInterContainerTrafficEncryption: undefined }), expect: 'fail', says: 'absent (defaults to false)' },
    {
      control: 'processing-job.inter-container-encryption',
      name: 'single instance, default setting',
      resource: withCluster(cluster({ InstanceCount: 1 }), { NetworkConfig: { ...processingJob().NetworkConfig, EnableInterContainerTrafficEncryption: false } }),
      expect: 'skip',
      says: 'single-instance job (InstanceCount 1)',
    },
    {
      control: 'processing-job.inter-container-encryption',
      name: 'single instance, setting always',
      resource: withCluster(cluster({ InstanceCount: 1 }), { NetworkConfig: { ...processingJob().NetworkConfig, EnableInterContainerTrafficEncryption: false } }),
      settings: { interContainerEncryption: 'always' },
      expect: 'fail',
      says: '1-instance job',
    },
    {
      control: 'processing-job.inter-container-encryption',
      name: 'InstanceCount omitted: the API default of 1',
      resource: withCluster({ InstanceType: 'ml.m5.xlarge', VolumeSizeInGB: 30, VolumeKmsKeyId: CUSTOMER_KEY }, { NetworkConfig: undefined }),
      expect: 'skip',
      says: 'InstanceCount 1',
    },
    {
      control: 'processing-job.inter-container-encryption',
      name: 'no ClusterConfig (moto), disabled: may be distributed',
      resource: motoShaped({ NetworkConfig: { EnableInterContainerTrafficEncryption: false } }),
      expect: 'fail',
      says: 'NetworkConfig.EnableInterContainerTrafficEncryption is false and ProcessingResources.ClusterConfig is absent, so the job may be distributed',
    },
    {
      control: 'processing-job.inter-container-encryption',
      name: 'no ClusterConfig (moto), absent: may be distributed',
      resource: motoShaped({ NetworkConfig: {} }),
      expect: 'fail',
      says: 'NetworkConfig.EnableInterContainerTrafficEncryption is absent (defaults to false) and ProcessingResources.ClusterConfig is absent',
    },
    { control: 'processing-job.inter-container-encryption', name: 'no ClusterConfig (moto), enabled', resource: motoShaped(), expect: 'pass' },
    {
      control: 'processing-job.inter-container-encryption',
      name: 'the count SageMaker selected counts, not the request',
      resource: withCluster(cluster({ InstanceCount: undefined, InstanceType: undefined, InstancePreferences: [{ InstanceType: 'ml.m5.xlarge', InstanceCount: 1 }], SelectedInstanceType: 'ml.c5.xlarge', SelectedInstanceCount: 3 }), {
        NetworkConfig: { EnableInterContainerTrafficEncryption: false },
      }),
      expect: 'fail',
      says: '3-instance job',
    },

    // volume-kms-key: ProcessingResources.ClusterConfig.VolumeKmsKeyId
    { control: 'processing-job.volume-kms-key', name: 'customer key', resource: processingJob(), expect: 'pass' },
    { control: 'processing-job.volume-kms-key', name: 'AWS managed key', resource: single({ VolumeKmsKeyId: AWS_KEY }), expect: 'fail', says: 'ProcessingResources.ClusterConfig.VolumeKmsKeyId is the AWS managed key' },
    { control: 'processing-job.volume-kms-key', name: 'absent', resource: single({ VolumeKmsKeyId: undefined }), expect: 'fail', says: 'ProcessingResources.ClusterConfig.VolumeKmsKeyId is not set' },
    { control: 'processing-job.volume-kms-key', name: 'blank', resource: single({ VolumeKmsKeyId: ' ' }), expect: 'fail', says: 'not set' },
    {
      control: 'processing-job.volume-kms-key',
      name: 'absent on instance storage (SageMaker refuses a key there)',
      resource: single({ InstanceType: 'ml.r5d.xlarge', VolumeKmsKeyId: undefined }),
      expect: 'skip',
      says: 'ml.r5d.xlarge use local instance storage',
    },
    {
      control: 'processing-job.volume-kms-key',
      name: 'absent, preferences mixing instance storage and EBS',
      resource: withCluster(cluster({ InstanceType: undefined, VolumeKmsKeyId: undefined, InstancePreferences: [{ InstanceType: 'ml.r5d.xlarge' }, { InstanceType: 'ml.m5.xlarge' }] })),
      expect: 'fail',
      says: 'not set',
    },
    { control: 'processing-job.volume-kms-key', name: 'no ClusterConfig (moto)', resource: motoShaped(), expect: 'fail', says: 'ProcessingResources.ClusterConfig.VolumeKmsKeyId is not set' },
    { control: 'processing-job.volume-kms-key', name: 'ProcessingResources without ClusterConfig', resource: processingJob({ ProcessingResources: {} as never }), expect: 'fail', says: 'ProcessingResources.ClusterConfig.VolumeKmsKeyId is not set' },
    { control: 'processing-job.volume-kms-key', name: 'customer key outside allowedKmsKeys', resource: processingJob(), settings: { allowedKmsKeys: [OTHER_KEY] }, expect: 'fail', says: 'is not in allowedKmsKeys' },
    { control: 'processing-job.volume-kms-key', name: 'key on allowedKmsKeys', resource: processingJob(), settings: { allowedKmsKeys: [CUSTOMER_KEY] }, expect: 'pass' },

    // output-kms-key: ProcessingOutputConfig.KmsKeyId
    { control: 'processing-job.output-kms-key', name: 'customer key', resource: processingJob(), expect: 'pass' },
    {
      control: 'processing-job.output-kms-key',
      name: 'AWS managed key by alias ARN',
      resource: processingJob({ ProcessingOutputConfig: { Outputs: [], KmsKeyId: 'arn:aws:kms:us-east-1:123456789012:alias/aws/sagemaker' } }),
      expect: 'fail',
      says: 'ProcessingOutputConfig.KmsKeyId is the AWS managed key',
    },
    { control: 'processing-job.output-kms-key', name: 'absent', resource: processingJob({ ProcessingOutputConfig: { Outputs: [] } }), expect: 'fail', says: 'ProcessingOutputConfig.KmsKeyId is not set' },
    { control: 'processing-job.output-kms-key', name: 'no ProcessingOutputConfig (a job without outputs)', resource: processingJob({ ProcessingOutputConfig: undefined }), expect: 'fail', says: 'not set' },
    { control: 'processing-job.output-kms-key', name: 'key on allowedKmsKeys by bare key id', resource: processingJob(), settings: { allowedKmsKeys: ['1234abcd-12ab-34cd-56ef-1234567890ab'] }, expect: 'pass' },

    // max-runtime: StoppingCondition.MaxRuntimeInSeconds
    { control: 'processing-job.max-runtime', name: 'no bound configured', resource: processingJob(), expect: 'skip', says: 'maxRuntimeSeconds' },
    { control: 'processing-job.max-runtime', name: 'within bound', resource: processingJob(), settings: { maxRuntimeSeconds: 3600 }, expect: 'pass' },
    { control: 'processing-job.max-runtime', name: 'above bound', resource: processingJob(), settings: { maxRuntimeSeconds: 1800 }, expect: 'fail', says: 'StoppingCondition.MaxRuntimeInSeconds is 3600, above the bound of 1800' },
    { control: 'processing-job.max-runtime', name: 'absent, with a bound', resource: processingJob({ StoppingCondition: undefined }), settings: { maxRuntimeSeconds: 60 }, expect: 'fail', says: 'absent; the bound is 60' },
    { control: 'processing-job.max-runtime', name: 'absent, no bound', resource: processingJob({ StoppingCondition: undefined }), expect: 'skip', says: 'maxRuntimeSeconds' },

    // instance-type: ClusterConfig.InstanceType against kinds.processing-job.allowedInstanceTypes
    { control: 'processing-job.instance-type', name: 'no allow-list', resource: processingJob(), expect: 'skip', says: 'kinds.processing-job.allowedInstanceTypes' },
    { control: 'processing-job.instance-type', name: 'allowed', resource: processingJob(), settings: types(['ml.m5.xlarge']), expect: 'pass' },
    { control: 'processing-job.instance-type', name: 'not allowed', resource: processingJob(), settings: types(['ml.c5.xlarge']), expect: 'fail', says: 'ml.m5.xlarge not in the allow-list (ml.c5.xlarge)' },
    { control: 'processing-job.instance-type', name: 'absent (moto)', resource: motoShaped(), settings: types(['ml.c5.xlarge']), expect: 'fail', says: 'no instance type' },
    {
      control: 'processing-job.instance-type',
      name: 'the training-job allow-list does not apply',
      resource: processingJob(),
      settings: { kinds: { 'training-job': { allowedInstanceTypes: ['ml.c5.xlarge'] } } },
      expect: 'skip',
      says: 'kinds.processing-job.allowedInstanceTypes',
    },
    {
      control: 'processing-job.instance-type',
      name: 'preferences not yet selected: every candidate must be allowed',
      resource: withCluster(cluster({ InstanceType: undefined, InstancePreferences: [{ InstanceType: 'ml.m5.xlarge' }, { InstanceType: 'ml.p3.2xlarge' }] })),
      settings: types(['ml.m5.xlarge']),
      expect: 'fail',
      says: 'ml.p3.2xlarge not in the allow-list',
    },
    {
      control: 'processing-job.instance-type',
      name: 'preferences, an allowed one selected: what runs is judged',
      resource: withCluster(cluster({ InstanceType: undefined, InstancePreferences: [{ InstanceType: 'ml.m5.xlarge' }, { InstanceType: 'ml.p3.2xlarge' }], SelectedInstanceType: 'ml.m5.xlarge' })),
      settings: types(['ml.m5.xlarge']),
      expect: 'pass',
    },

    // allowed-network: NetworkConfig.VpcConfig against allowedSubnets / allowedSecurityGroups
    { control: 'processing-job.allowed-network', name: 'no allow-lists', resource: processingJob(), expect: 'skip', says: 'no allowedSubnets' },
    { control: 'processing-job.allowed-network', name: 'on the lists', resource: processingJob(), settings: { allowedSubnets: ['subnet-0a1b2c3d4'], allowedSecurityGroups: ['sg-0a1b2c3d4'] }, expect: 'pass' },
    { control: 'processing-job.allowed-network', name: 'subnet off the list', resource: processingJob(), settings: { allowedSubnets: ['subnet-0ffff9999'] }, expect: 'fail', says: 'subnet(s) subnet-0a1b2c3d4 not in allowedSubnets' },
    { control: 'processing-job.allowed-network', name: 'group off the list', resource: processingJob(), settings: { allowedSecurityGroups: ['sg-0ffff9999'] }, expect: 'fail', says: 'security group(s) sg-0a1b2c3d4 not in allowedSecurityGroups' },
    { control: 'processing-job.allowed-network', name: 'no VpcConfig', resource: withNetwork({ VpcConfig: undefined }), settings: { allowedSubnets: ['subnet-0a1b2c3d4'] }, expect: 'skip', says: 'see processing-job.vpc' },
    { control: 'processing-job.allowed-network', name: 'no NetworkConfig at all', resource: processingJob({ NetworkConfig: undefined }), settings: { allowedSubnets: ['subnet-0a1b2c3d4'] }, expect: 'skip', says: 'see processing-job.vpc' },

    // required-tags: ListTags
    { control: 'processing-job.required-tags', name: 'no requiredTags in the policy', resource: processingJob(), expect: 'skip', says: 'no requiredTags' },
    { control: 'processing-job.required-tags', name: 'present', resource: processingJob(), settings: { requiredTags: { owner: [] } }, tags: { owner: 'team-a' }, expect: 'pass' },
    { control: 'processing-job.required-tags', name: 'missing', resource: processingJob(), settings: { requiredTags: { owner: [] } }, expect: 'fail', says: 'tag owner is missing' },
    { control: 'processing-job.required-tags', name: 'value not allowed', resource: processingJob(), settings: { requiredTags: { env: ['prod'] } }, tags: { env: 'dev' }, expect: 'fail', says: 'tag env=dev is not one of prod' },
  ]);
});

describe('processing job catalog', () => {
  test('ids, severities and condition keys (current key names)', () => {
    expect(CATALOG['processing-job'].map((control) => [control.id, control.severity, keysOf(control)])).toEqual([
      ['processing-job.network-isolation', 'high', 'sagemaker:NetworkIsolation'],
      ['processing-job.vpc', 'high', 'sagemaker:VpcSubnets'],
      ['processing-job.inter-container-encryption', 'medium', 'sagemaker:InterContainerTrafficEncryption'],
      ['processing-job.volume-kms-key', 'medium', 'sagemaker:VolumeKmsKeyArn'],
      ['processing-job.output-kms-key', 'medium', 'sagemaker:OutputKmsKeyArn'],
      ['processing-job.max-runtime', 'low', 'sagemaker:MaxRuntimeInSeconds'],
      ['processing-job.instance-type', 'low', 'sagemaker:InstanceTypes'],
      ['processing-job.allowed-network', 'medium', 'sagemaker:VpcSubnets, sagemaker:VpcSecurityGroupIds'],
      ['processing-job.required-tags', 'low', 'aws:RequestTag/${TagKey}'],
    ]);
  });

  test('severities match the training-job controls of the same name', () => {
    const training = new Map(CATALOG['training-job'].map((control) => [control.id.split('.')[1], control.severity]));
    for (const control of CATALOG['processing-job']) expect([control.id, control.severity]).toEqual([control.id, training.get(control.id.split('.')[1])]);
  });

  test('every control says it belongs to the kind, with a title, a why and a fix that is honest about re-creation', () => {
    for (const control of CATALOG['processing-job']) {
      expect(control.kind).toBe('processing-job');
      expect(control.title).not.toBe('');
      expect(control.why).not.toBe('');
      if (control.id !== 'processing-job.required-tags') expect(control.fix).toMatch(/^Start a new processing job \(the settings of an existing job cannot be changed\)/);
    }
    expect(CATALOG['processing-job'].find((control) => control.id === 'processing-job.required-tags')?.fix).toContain('can be added to an existing job');
  });

  test('the compliant fixture fails nothing, even with every allow-list and bound set', () => {
    const input: GuardSettingsInput = {
      maxRuntimeSeconds: 3600,
      allowedKmsKeys: [CUSTOMER_KEY],
      allowedSubnets: ['subnet-0a1b2c3d4'],
      allowedSecurityGroups: ['sg-0a1b2c3d4'],
      requiredTags: { owner: [] },
      interContainerEncryption: 'always',
      ...types(['ml.m5.xlarge']),
    };
    const { findings, outcomes } = evaluate('processing-job', processingJob(), { settings: settings(input), tags: { owner: 'team-a' } }, enforceAll);
    expect(findings).toEqual([]);
    expect(outcomes.map((outcome) => outcome.result.status)).toEqual(Array(9).fill('pass'));
  });

  test("moto's shape of the output (no ProcessingResources) fails the volume key and, with an allow-list, the instance type", () => {
    const { findings } = evaluate('processing-job', motoShaped(), { settings: settings(types(['ml.m5.xlarge'])), tags: {} }, enforceAll);
    expect(findings.map((finding) => finding.controlId)).toEqual(['processing-job.volume-kms-key', 'processing-job.instance-type']);
  });

  test('the published sample (Failed, isolation off, placeholder keys) fails network isolation only', () => {
    const sample = processingJob({
      ProcessingJobStatus: 'Failed',
      NetworkConfig: { EnableInterContainerTrafficEncryption: true, EnableNetworkIsolation: false, VpcConfig: { SecurityGroupIds: ['SecurityGroupId1'], Subnets: ['Subnet1'] } },
      ProcessingResources: { ClusterConfig: { InstanceCount: 3, InstanceType: 'ml.c5.xlarge', VolumeSizeInGB: 5, VolumeKmsKeyId: 'VolumeKmsKeyId' } },
      ProcessingOutputConfig: { Outputs: [], KmsKeyId: 'KmsKeyId' },
    });
    const { findings } = evaluate('processing-job', sample, { settings: settings(), tags: {} }, enforceAll);
    expect(findings.map((finding) => [finding.controlId, finding.observed])).toEqual([['processing-job.network-isolation', 'NetworkConfig.EnableNetworkIsolation is false']]);
  });
});

describe('instance types and count of a processing job', () => {
  test.each<[string, ProcessingJob, string[], number | undefined]>([
    ['one type, two instances', processingJob(), ['ml.m5.xlarge'], 2],
    ['no cluster (moto)', motoShaped(), [], undefined],
    ['count omitted: the default of 1', withCluster({ InstanceType: 'ml.c5.xlarge', VolumeSizeInGB: 5 }), ['ml.c5.xlarge'], 1],
    [
      'preferences with one count for the job',
      withCluster({ VolumeSizeInGB: 5, InstanceCount: 4, InstancePreferences: [{ InstanceType: 'ml.c5.xlarge' }, { InstanceType: 'ml.m5.xlarge' }, { InstanceType: 'ml.c5.xlarge' }] }),
      ['ml.c5.xlarge', 'ml.m5.xlarge'],
      4,
    ],
    [
      'preferences with a count each: the largest',
      withCluster({ VolumeSizeInGB: 5, InstancePreferences: [{ InstanceType: 'ml.c5.xlarge', InstanceCount: 1 }, { InstanceType: 'ml.m5.xlarge', InstanceCount: 3 }] }),
      ['ml.c5.xlarge', 'ml.m5.xlarge'],
      3,
    ],
    [
      'a preference without a type or without a count: only the given ones count',
      withCluster({ VolumeSizeInGB: 5, InstancePreferences: [{ InstanceCount: 5 } as never /* typed required, but outputs are not validated */, { InstanceType: 'ml.m5.xlarge' }, { InstanceType: 'ml.c5.xlarge', InstanceCount: 2 }] }),
      ['ml.m5.xlarge', 'ml.c5.xlarge'],
      5,
    ],
    ['no type, no count, no preferences', withCluster({ VolumeSizeInGB: 5 }), [], 1],
    [
      'selected: what runs',
      withCluster({ VolumeSizeInGB: 5, InstancePreferences: [{ InstanceType: 'ml.c5.xlarge', InstanceCount: 1 }, { InstanceType: 'ml.m5.xlarge', InstanceCount: 3 }], SelectedInstanceType: 'ml.m5.xlarge', SelectedInstanceCount: 3 }),
      ['ml.m5.xlarge'],
      3,
    ],
  ])('%s', (_title, job, expectedTypes, expectedCount) => {
    expect(processingInstanceTypes(job)).toEqual(expectedTypes);
    expect(processingInstanceCount(job)).toBe(expectedCount);
  });
});

describe('processing job kind facts', () => {
  test('the rule invokes the responder only for InProgress events', () => {
    expect(eventPatternFor('processing-job')).toEqual({
      source: ['aws.sagemaker'],
      detailType: ['SageMaker Processing Job State Change'],
      detail: { ProcessingJobStatus: ['InProgress'] },
    });
  });

  test('stop, on processing-job ARNs, with the permissions its adapter calls', () => {
    const info = KINDS['processing-job'];
    expect(info).toMatchObject({ action: 'stop', api: 'StopProcessingJob', survivesAction: true, arnType: 'processing-job', consolePath: 'processing-jobs', listAction: 'sagemaker:ListProcessingJobs' });
    expect(info.permissions).toEqual([{ actions: ['sagemaker:DescribeProcessingJob', 'sagemaker:StopProcessingJob', 'sagemaker:AddTags', 'sagemaker:ListTags'], on: ['processing-job'] }]);
  });

  test('the policy accepts kinds.processing-job and a control id of the kind', () => {
    const parsed = settings({ kinds: { 'processing-job': { allowedInstanceTypes: ['ml.m5.xlarge'] } }, controls: { 'processing-job.max-runtime': 'report' } });
    expect(parsed.kinds['processing-job']?.allowedInstanceTypes).toEqual(['ml.m5.xlarge']);
  });
});
