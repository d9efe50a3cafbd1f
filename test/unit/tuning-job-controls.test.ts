import { keysOf, runControlCases, type ControlCase } from '../support/control-cases';
import { CATALOG, evaluate } from '../../lambda/kinds/registry';
import { trainingDefinitions, tuningResourceConfig, type HyperParameterTuningJob } from '../../lambda/kinds/hyper-parameter-tuning-job/controls';
import { hyperParameterTuningJob as tuningKind } from '../../lambda/kinds/hyper-parameter-tuning-job';
import { trainingInstanceCount, trainingInstanceTypes } from '../../lambda/kinds/training-job/controls';
import type { GuardSettingsInput } from '../../lambda/core/settings';
import { CUSTOMER_KEY, enforceAll, settings } from '../fixtures/resources';
import { definition, tuningJob, tuningJobWith } from '../fixtures/tuning-job';

type Case = ControlCase<HyperParameterTuningJob>;
function run(cases: readonly Case[]): void {
  runControlCases('hyper-parameter-tuning-job', cases);
}

const K = 'hyper-parameter-tuning-job';
const ISOLATION = `${K}.network-isolation`;
const VPC = `${K}.vpc`;
const ENCRYPTION = `${K}.inter-container-encryption`;
const VOLUME = `${K}.volume-kms-key`;
const OUTPUT = `${K}.output-kms-key`;
const RUNTIME = `${K}.max-runtime`;
const INSTANCE = `${K}.instance-type`;
const NETWORK = `${K}.allowed-network`;
const TAGS = `${K}.required-tags`;
const SUBNET_A = 'subnet-0aaaa1111';
const SUBNET_B = 'subnet-0bbbb2222';
const trainingTypes = (types: string[]): GuardSettingsInput => ({ kinds: { 'training-job': { allowedInstanceTypes: types } } });

/** A definition on HyperParameterTuningResourceConfig (no ResourceConfig), with InstanceConfigs; `key: null` sets no volume key. */
const flexible = (configs: { type: string; count: number }[], key: string | null = CUSTOMER_KEY, overrides = {}) =>
  definition({
    ResourceConfig: undefined,
    HyperParameterTuningResourceConfig: {
      AllocationStrategy: 'Prioritized',
      ...(key !== null ? { VolumeKmsKeyId: key } : {}),
      InstanceConfigs: configs.map(({ type, count }) => ({ InstanceType: type as never, InstanceCount: count, VolumeSizeInGB: 30 })),
    },
    ...overrides,
  });

/** Two definitions: a compliant one and one that breaks what `overrides` says. */
const twoDefinitions = (overrides: Parameters<typeof definition>[0]): HyperParameterTuningJob =>
  tuningJob({ TrainingJobDefinition: undefined, TrainingJobDefinitions: [definition({ DefinitionName: 'xgb-a' }), definition({ DefinitionName: 'xgb-b', ...overrides })] });

describe('tuning job: the training controls, over every training job definition', () => {
  run([
    { control: ISOLATION, name: 'enabled', resource: tuningJob(), expect: 'pass' },
    { control: ISOLATION, name: 'disabled', resource: tuningJobWith({ EnableNetworkIsolation: false }), expect: 'fail', says: 'TrainingJobDefinition: EnableNetworkIsolation is false' },
    { control: ISOLATION, name: 'absent', resource: tuningJobWith({ EnableNetworkIsolation: undefined }), expect: 'fail', says: 'absent (defaults to false)' },
    { control: ISOLATION, name: 'one of two definitions disabled: named by DefinitionName', resource: twoDefinitions({ EnableNetworkIsolation: false }), expect: 'fail', says: 'xgb-b: EnableNetworkIsolation is false' },
    { control: VPC, name: 'in a VPC', resource: tuningJob(), expect: 'pass' },
    { control: VPC, name: 'absent', resource: tuningJobWith({ VpcConfig: undefined }), expect: 'fail', says: 'TrainingJobDefinition: VpcConfig is absent' },
    { control: VPC, name: 'no groups in the second definition', resource: twoDefinitions({ VpcConfig: { Subnets: [SUBNET_A], SecurityGroupIds: [] } }), expect: 'fail', says: 'xgb-b: VpcConfig has no SecurityGroupIds' },
    { control: ENCRYPTION, name: 'distributed, enabled', resource: tuningJob(), expect: 'pass' },
    { control: ENCRYPTION, name: 'distributed, disabled', resource: tuningJobWith({ EnableInterContainerTrafficEncryption: false }), expect: 'fail', says: '2-instance job' },
    { control: ENCRYPTION, name: 'distributed, absent', resource: tuningJobWith({ EnableInterContainerTrafficEncryption: undefined }), expect: 'fail', says: 'absent' },
    {
      control: ENCRYPTION,
      name: 'single instance: skipped by the distributed setting',
      resource: tuningJobWith({ EnableInterContainerTrafficEncryption: false, ResourceConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 5 } }),
      expect: 'skip',
      says: 'single-instance',
    },
    {
      control: ENCRYPTION,
      name: 'InstanceConfigs of 1 and 3 instances: the largest (3) can run, so encryption is required',
      resource: tuningJobWith(flexible([{ type: 'ml.m5.xlarge', count: 1 }, { type: 'ml.c5.xlarge', count: 3 }], CUSTOMER_KEY, { EnableInterContainerTrafficEncryption: false })),
      expect: 'fail',
      says: 'TrainingJobDefinition (HyperParameterTuningResourceConfig): EnableInterContainerTrafficEncryption is false on a 3-instance job',
    },
    {
      control: ENCRYPTION,
      name: 'InstanceConfigs all single-instance: skipped',
      resource: tuningJobWith(flexible([{ type: 'ml.m5.xlarge', count: 1 }, { type: 'ml.c5.xlarge', count: 1 }], CUSTOMER_KEY, { EnableInterContainerTrafficEncryption: false })),
      expect: 'skip',
      says: 'InstanceCount 1',
    },
    { control: VOLUME, name: 'customer key', resource: tuningJob(), expect: 'pass' },
    { control: VOLUME, name: 'absent', resource: tuningJobWith({ ResourceConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 2, VolumeSizeInGB: 50 } }), expect: 'fail', says: 'VolumeKmsKeyId is not set' },
    { control: VOLUME, name: 'AWS managed key', resource: tuningJobWith({ ResourceConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 2, VolumeSizeInGB: 50, VolumeKmsKeyId: 'alias/aws/sagemaker' } }), expect: 'fail', says: 'AWS managed key' },
    { control: VOLUME, name: 'HyperParameterTuningResourceConfig with a customer key', resource: tuningJobWith(flexible([{ type: 'ml.m5.xlarge', count: 2 }])), expect: 'pass' },
    { control: VOLUME, name: 'HyperParameterTuningResourceConfig without a key', resource: tuningJobWith(flexible([{ type: 'ml.m5.xlarge', count: 2 }], null)), expect: 'fail', says: 'HyperParameterTuningResourceConfig): ResourceConfig.VolumeKmsKeyId is not set' },
    { control: VOLUME, name: 'no key, every InstanceConfigs type on instance storage: skipped', resource: tuningJobWith(flexible([{ type: 'ml.g5.xlarge', count: 1 }, { type: 'ml.p4d.24xlarge', count: 1 }], null)), expect: 'skip', says: 'ml.g5.xlarge, ml.p4d.24xlarge use local instance storage' },
    { control: VOLUME, name: 'no key, one InstanceConfigs type with EBS volumes: fails', resource: tuningJobWith(flexible([{ type: 'ml.g5.xlarge', count: 1 }, { type: 'ml.m5.xlarge', count: 1 }], null)), expect: 'fail', says: 'not set' },
    { control: OUTPUT, name: 'customer key', resource: tuningJob(), expect: 'pass' },
    { control: OUTPUT, name: 'absent', resource: tuningJobWith({ OutputDataConfig: { S3OutputPath: 's3://b' } }), expect: 'fail', says: 'OutputDataConfig.KmsKeyId is not set' },
    { control: OUTPUT, name: 'AWS managed key in the second definition', resource: twoDefinitions({ OutputDataConfig: { S3OutputPath: 's3://b', KmsKeyId: 'alias/aws/sagemaker' } }), expect: 'fail', says: 'xgb-b: OutputDataConfig.KmsKeyId is the AWS managed key' },
    { control: RUNTIME, name: 'no bound configured', resource: tuningJob(), expect: 'skip', says: 'maxRuntimeSeconds' },
    { control: RUNTIME, name: 'within the bound', resource: tuningJob(), settings: { maxRuntimeSeconds: 3600 }, expect: 'pass' },
    { control: RUNTIME, name: 'above the bound', resource: tuningJobWith({ StoppingCondition: { MaxRuntimeInSeconds: 86400 } }), settings: { maxRuntimeSeconds: 3600 }, expect: 'fail', says: 'is 86400, above the bound of 3600' },
    { control: RUNTIME, name: 'absent', resource: tuningJobWith({ StoppingCondition: {} }), settings: { maxRuntimeSeconds: 3600 }, expect: 'fail', says: 'is absent' },
    { control: INSTANCE, name: 'no training-job allow-list', resource: tuningJob(), expect: 'skip', says: 'kinds.training-job.allowedInstanceTypes' },
    { control: INSTANCE, name: 'allowed by the training-job allow-list', resource: tuningJob(), settings: trainingTypes(['ml.m5.xlarge']), expect: 'pass' },
    { control: INSTANCE, name: 'not allowed', resource: tuningJob(), settings: trainingTypes(['ml.c5.xlarge']), expect: 'fail', says: 'ml.m5.xlarge not in the allow-list (ml.c5.xlarge)' },
    {
      control: INSTANCE,
      name: 'every InstanceConfigs type is checked: one outside the list fails',
      resource: tuningJobWith(flexible([{ type: 'ml.m5.xlarge', count: 1 }, { type: 'ml.p3.16xlarge', count: 1 }])),
      settings: trainingTypes(['ml.m5.xlarge']),
      expect: 'fail',
      says: 'ml.p3.16xlarge not in the allow-list',
    },
    { control: INSTANCE, name: 'every InstanceConfigs type allowed', resource: tuningJobWith(flexible([{ type: 'ml.m5.xlarge', count: 1 }, { type: 'ml.c5.xlarge', count: 1 }])), settings: trainingTypes(['ml.m5.xlarge', 'ml.c5.xlarge']), expect: 'pass' },
    { control: INSTANCE, name: 'a definition with no resources at all', resource: tuningJobWith({ ResourceConfig: undefined }), settings: trainingTypes(['ml.m5.xlarge']), expect: 'fail', says: 'names no instance type' },
    { control: NETWORK, name: 'no allow-lists', resource: tuningJob(), expect: 'skip' },
    { control: NETWORK, name: 'subnet allowed', resource: tuningJobWith({ VpcConfig: { Subnets: [SUBNET_A], SecurityGroupIds: ['sg-0aaaa1111'] } }), settings: { allowedSubnets: [SUBNET_A] }, expect: 'pass' },
    { control: NETWORK, name: 'subnet not allowed', resource: tuningJobWith({ VpcConfig: { Subnets: [SUBNET_B], SecurityGroupIds: ['sg-0aaaa1111'] } }), settings: { allowedSubnets: [SUBNET_A] }, expect: 'fail', says: `TrainingJobDefinition: subnet(s) ${SUBNET_B} not in allowedSubnets` },
    { control: NETWORK, name: 'no VPC placement', resource: tuningJobWith({ VpcConfig: undefined }), settings: { allowedSubnets: [SUBNET_A] }, expect: 'skip', says: 'see training-job.vpc' },
    { control: TAGS, name: 'no requiredTags', resource: tuningJob(), expect: 'skip' },
    { control: TAGS, name: 'present on the tuning job', resource: tuningJob(), settings: { requiredTags: { owner: [] } }, tags: { owner: 'team-a' }, expect: 'pass' },
    { control: TAGS, name: 'missing', resource: tuningJob(), settings: { requiredTags: { owner: [] } }, expect: 'fail', says: 'tag owner is missing' },
  ]);

  test('a tuning job that shows no training job definition fails every definition control the policy uses: nothing shows how its jobs run', () => {
    const bare = tuningJob({ TrainingJobDefinition: undefined, TrainingJobDefinitions: undefined });
    const { findings } = evaluate(K, bare, { settings: settings(), tags: {} }, enforceAll);
    // The run-time bound, instance types and network allow-lists are not in this policy: they skip (notApplicable).
    const unused = [`${K}.max-runtime`, `${K}.instance-type`, `${K}.allowed-network`, TAGS];
    expect(findings.map((finding) => finding.controlId)).toEqual(CATALOG[K].filter((control) => !unused.includes(control.id)).map((control) => control.id));
    // A tuning job is held to the training-job allow-list.
    const everything = settings({ maxRuntimeSeconds: 3600, kinds: { 'training-job': { allowedInstanceTypes: ['ml.m5.xlarge'] } }, allowedSubnets: ['subnet-0a1b2c3d4'] });
    expect(evaluate(K, bare, { settings: everything, tags: {} }, enforceAll).findings.map((finding) => finding.controlId)).toEqual(
      CATALOG[K].filter((control) => control.id !== TAGS).map((control) => control.id),
    );
    expect(findings[0].observed).toBe('the tuning job: shows neither TrainingJobDefinition nor TrainingJobDefinitions, so nothing shows how its training jobs run');
  });
});

describe('training job definitions as the training controls read them', () => {
  test('labels: DefinitionName, else TrainingJobDefinition or TrainingJobDefinitions[i]', () => {
    const job = tuningJob({ TrainingJobDefinition: definition(), TrainingJobDefinitions: [definition({ DefinitionName: 'named' }), definition()] });
    expect(trainingDefinitions(job).map((part) => part.label)).toEqual(['TrainingJobDefinition', 'named', 'TrainingJobDefinitions[1]']);
  });

  test('a definition with both ResourceConfig and HyperParameterTuningResourceConfig is checked with each', () => {
    const both = definition({ HyperParameterTuningResourceConfig: { InstanceType: 'ml.p3.16xlarge', InstanceCount: 4 } });
    const parts = trainingDefinitions(tuningJob({ TrainingJobDefinition: both }));
    expect(parts.map((part) => part.label)).toEqual(['TrainingJobDefinition (ResourceConfig)', 'TrainingJobDefinition (HyperParameterTuningResourceConfig)']);
    const { findings } = evaluate(K, tuningJob({ TrainingJobDefinition: both }), { settings: settings(trainingTypes(['ml.m5.xlarge'])), tags: {} }, enforceAll);
    expect(findings.map((finding) => [finding.controlId, finding.observed])).toEqual([
      [VOLUME, 'TrainingJobDefinition (HyperParameterTuningResourceConfig): ResourceConfig.VolumeKmsKeyId is not set, so an AWS managed key is used'],
      [INSTANCE, 'TrainingJobDefinition (HyperParameterTuningResourceConfig): ml.p3.16xlarge not in the allow-list (ml.m5.xlarge)'],
    ]);
  });

  test.each<[string, Parameters<typeof tuningResourceConfig>[0], string[], number]>([
    ['InstanceType and InstanceCount', { InstanceType: 'ml.m5.xlarge', InstanceCount: 3 }, ['ml.m5.xlarge'], 3],
    [
      'InstanceConfigs: every type, the largest count',
      { InstanceConfigs: [{ InstanceType: 'ml.m5.xlarge', InstanceCount: 2, VolumeSizeInGB: 5 }, { InstanceType: 'ml.c5.xlarge', InstanceCount: 4, VolumeSizeInGB: 5 }, { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 5 }] },
      ['ml.m5.xlarge', 'ml.c5.xlarge', 'ml.m5.xlarge'],
      4,
    ],
    ['both forms (the API takes one): all of them', { InstanceType: 'ml.p3.2xlarge', InstanceCount: 1, InstanceConfigs: [{ InstanceType: 'ml.c5.xlarge', InstanceCount: 2, VolumeSizeInGB: 5 }] }, ['ml.p3.2xlarge', 'ml.c5.xlarge'], 2],
    ['nothing', {}, [], 0],
  ])('HyperParameterTuningResourceConfig, %s', (_title, config, types, count) => {
    const resources = tuningResourceConfig(config);
    expect(trainingInstanceTypes({ ResourceConfig: resources })).toEqual(types);
    expect(trainingInstanceCount({ ResourceConfig: resources })).toBe(count);
  });
});

describe('tuningResourceConfig: the ResourceConfig the training controls read', () => {
  test.each<[string, Parameters<typeof tuningResourceConfig>[0], ReturnType<typeof tuningResourceConfig>]>([
    ['an instance count only: no type, that count', { InstanceCount: 3 }, { InstanceCount: 3, VolumeKmsKeyId: undefined, InstanceGroups: [] }],
    ['an instance type only: that type, no count', { InstanceType: 'ml.m5.xlarge' }, { VolumeKmsKeyId: undefined, InstanceGroups: [{ InstanceType: 'ml.m5.xlarge', InstanceCount: 0 }] }],
    ['nothing: no count, no groups', {}, { VolumeKmsKeyId: undefined, InstanceGroups: [] }],
    [
      'InstanceConfigs and a volume key',
      { VolumeKmsKeyId: 'k', InstanceConfigs: [{ InstanceType: 'ml.c5.xlarge', InstanceCount: 2, VolumeSizeInGB: 5 }] },
      { InstanceCount: 2, VolumeKmsKeyId: 'k', InstanceGroups: [{ InstanceType: 'ml.c5.xlarge', InstanceCount: 0 }] },
    ],
  ])('%s', (_title, config, expected) => {
    expect(tuningResourceConfig(config)).toEqual(expected);
  });
});

describe('tuning job catalog', () => {
  test('the training controls but required-tags, then its own required-tags, with the current condition keys', () => {
    expect(CATALOG[K].map((control) => [control.id, control.severity, keysOf(control)])).toEqual([
      [ISOLATION, 'high', 'sagemaker:NetworkIsolation'],
      [VPC, 'high', 'sagemaker:VpcSubnets'],
      [ENCRYPTION, 'medium', 'sagemaker:InterContainerTrafficEncryption'],
      [VOLUME, 'medium', 'sagemaker:VolumeKmsKeyArn'],
      [OUTPUT, 'medium', 'sagemaker:OutputKmsKeyArn'],
      [RUNTIME, 'low', 'sagemaker:MaxRuntimeInSeconds'],
      [INSTANCE, 'low', 'sagemaker:InstanceTypes'],
      [NETWORK, 'medium', 'sagemaker:VpcSubnets, sagemaker:VpcSecurityGroupIds'],
      [TAGS, 'low', 'aws:RequestTag/${TagKey}'],
    ]);
    for (const control of CATALOG[K]) {
      expect(control.kind).toBe(K);
      expect(control.fix).not.toBe('');
    }
  });

  test('texts: the fix is a new tuning job, and the instance-type control says it reads the training-job allow-list', () => {
    const byId = Object.fromEntries(CATALOG[K].map((control) => [control.id, control]));
    expect(byId[ISOLATION].title).toBe('Network isolation enabled in every training job definition');
    expect(byId[ISOLATION].fix).toMatch(/^Start a new tuning job .*EnableNetworkIsolation=true\.$/);
    expect(byId[INSTANCE].why).toContain('A tuning job runs training jobs');
    expect(byId[INSTANCE].why).toContain('kinds.training-job.allowedInstanceTypes');
    expect(byId[INSTANCE].fix).toContain('kinds.training-job.allowedInstanceTypes');
    expect(byId[INSTANCE].fix).toContain('InstanceConfigs');
  });

  test('a compliant tuning job passes or skips every control; one that breaks everything fails every one', () => {
    expect(evaluate(K, tuningJob(), { settings: settings(), tags: {} }, enforceAll).findings).toEqual([]);
    const bad = tuningJobWith({
      EnableNetworkIsolation: false,
      EnableInterContainerTrafficEncryption: false,
      VpcConfig: { Subnets: [SUBNET_B], SecurityGroupIds: [] },
      ResourceConfig: { InstanceType: 'ml.p3.16xlarge', InstanceCount: 4, VolumeSizeInGB: 5 },
      OutputDataConfig: { S3OutputPath: 's3://b' },
      StoppingCondition: { MaxRuntimeInSeconds: 432000 },
    });
    const policy = settings({ maxRuntimeSeconds: 86400, allowedSubnets: [SUBNET_A], requiredTags: { owner: [] }, ...trainingTypes(['ml.m5.xlarge']) });
    const { findings } = evaluate(K, bad, { settings: policy, tags: {} }, enforceAll);
    expect(findings.map((finding) => finding.controlId)).toEqual(CATALOG[K].map((control) => control.id));
  });

  test('the kind: facts and permissions', () => {
    expect(tuningKind).toMatchObject({
      id: K,
      label: 'hyper-parameter tuning job',
      responderId: 'HyperParameterTuningJobResponder',
      detailType: 'SageMaker HyperParameter Tuning Job State Change',
      nameField: 'HyperParameterTuningJobName',
      statusField: 'HyperParameterTuningJobStatus',
      actionableStatuses: ['InProgress'],
      action: 'stop',
      api: 'StopHyperParameterTuningJob',
      survivesAction: true,
      consolePath: 'hyper-tuning-jobs',
      arnType: 'hyper-parameter-tuning-job',
      listAction: 'sagemaker:ListHyperParameterTuningJobs',
    });
    expect(tuningKind.permissions).toEqual([
      { actions: ['sagemaker:DescribeHyperParameterTuningJob', 'sagemaker:StopHyperParameterTuningJob', 'sagemaker:AddTags', 'sagemaker:ListTags'], on: ['hyper-parameter-tuning-job'] },
    ]);
  });
});
