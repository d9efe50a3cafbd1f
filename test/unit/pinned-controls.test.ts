import { evaluate, type ResourceByKind } from '../../lambda/kinds/registry';
import { fixFrom, suffixOf } from '../../lambda/controls/blocks';
import { type ControlOutcome } from '../../lambda/controls/types';
import { trainingInstanceCount, trainingInstanceTypes, type TrainingJob } from '../../lambda/kinds/training-job/controls';
import type { ResourceKind } from '../../lambda/kinds/registry';
import type { GuardSettingsInput } from '../../lambda/core/settings';
import { CUSTOMER_KEY, enforceAll, model, notebook, settings, trainingJob } from '../fixtures/resources';

/**
 * Pins control outcomes that mutation testing found unpinned: the allowed-network lists, the KMS
 * allow-list, the instance-storage exception of the volume key, blank ids, and an empty VpcConfig. Every
 * outcome is run through `evaluate`, as the handlers run it, and compared whole.
 */
type Result = ControlOutcome['result'];

function resultOf<K extends ResourceKind>(kind: K, resource: ResourceByKind[K], controlId: string, input: GuardSettingsInput = {}): Result {
  const { outcomes } = evaluate(kind, resource, { settings: settings(input), tags: {} }, enforceAll);
  const outcome = outcomes.find((candidate) => candidate.controlId === controlId);
  if (outcome === undefined) throw new Error(`no outcome for ${controlId}`);
  return outcome.result;
}

function failedIds<K extends ResourceKind>(kind: K, resource: ResourceByKind[K], input: GuardSettingsInput = {}): string[] {
  return evaluate(kind, resource, { settings: settings(input), tags: {} }, enforceAll).findings.map((finding) => finding.controlId);
}

const PASS: Result = { status: 'pass' };
const fail = (observed: string): Result => ({ status: 'fail', observed });
const skip = (reason: string): Result => ({ status: 'skip', reason });

const SUBNET_A = 'subnet-0aaaa1111';
const SUBNET_B = 'subnet-0bbbb2222';
const SUBNET_C = 'subnet-0cccc3333';
const SG_A = 'sg-0aaaa1111';
const SG_B = 'sg-0bbbb2222';
const SG_C = 'sg-0cccc3333';

const KEY_1 = 'arn:aws:kms:us-east-1:123456789012:key/00000000-0000-4000-8000-000000000001';
const KEY_3 = 'arn:aws:kms:us-east-1:123456789012:key/00000000-0000-4000-8000-000000000003';
const CUSTOMER_KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const NOT_SET_VOLUME = 'ResourceConfig.VolumeKmsKeyId is not set, so an AWS managed key is used';

const NB_NETWORK = 'notebook-instance.allowed-network';
const TJ_NETWORK = 'training-job.allowed-network';
const MODEL_NETWORK = 'model.allowed-network';
const VOLUME_KEY = 'training-job.volume-kms-key';
const OUTPUT_KEY = 'training-job.output-kms-key';
const NB_KEY = 'notebook-instance.kms-key';

const job = (resourceConfig: NonNullable<TrainingJob['ResourceConfig']>, overrides: Partial<TrainingJob> = {}): TrainingJob => trainingJob({ ResourceConfig: resourceConfig, ...overrides });
const groups = (...types: string[]) => types.map((type, index) => ({ InstanceGroupName: `group-${index + 1}`, InstanceType: type as never, InstanceCount: 1 }));

describe('notebook: subnet and security groups against allowedSubnets / allowedSecurityGroups', () => {
  test.each<[string, ResourceByKind['notebook-instance'], GuardSettingsInput, Result]>([
    ['subnet outside allowedSubnets: fails', notebook({ SubnetId: SUBNET_C }), { allowedSubnets: [SUBNET_A, SUBNET_B] }, fail(`subnet(s) ${SUBNET_C} not in allowedSubnets`)],
    ['subnet the first of allowedSubnets: passes', notebook({ SubnetId: SUBNET_A }), { allowedSubnets: [SUBNET_A, SUBNET_B] }, PASS],
    ['subnet the second of allowedSubnets: passes', notebook({ SubnetId: SUBNET_B }), { allowedSubnets: [SUBNET_A, SUBNET_B] }, PASS],
    // Only one list set: the other is not checked.
    ['only allowedSubnets set: any security group passes', notebook({ SubnetId: SUBNET_A, SecurityGroups: [SG_C] }), { allowedSubnets: [SUBNET_A] }, PASS],
    ['only allowedSecurityGroups set: any subnet passes', notebook({ SubnetId: SUBNET_C, SecurityGroups: [SG_A] }), { allowedSecurityGroups: [SG_A] }, PASS],
    ['only allowedSecurityGroups set: a group off it fails, the subnet is not named', notebook({ SubnetId: SUBNET_C, SecurityGroups: [SG_A, SG_C] }), { allowedSecurityGroups: [SG_A, SG_B] }, fail(`security group(s) ${SG_C} not in allowedSecurityGroups`)],
    ['only allowedSubnets set: a subnet off it fails, the groups are not named', notebook({ SubnetId: SUBNET_C, SecurityGroups: [SG_C] }), { allowedSubnets: [SUBNET_A] }, fail(`subnet(s) ${SUBNET_C} not in allowedSubnets`)],
    [
      'both lists set, both broken: both named, subnet first',
      notebook({ SubnetId: SUBNET_C, SecurityGroups: [SG_A, SG_B, SG_C] }),
      { allowedSubnets: [SUBNET_A], allowedSecurityGroups: [SG_A] },
      fail(`subnet(s) ${SUBNET_C} not in allowedSubnets; security group(s) ${SG_B}, ${SG_C} not in allowedSecurityGroups`),
    ],
    ['neither list set: skipped', notebook({ SubnetId: SUBNET_C }), {}, skip('no allowedSubnets or allowedSecurityGroups in the policy')],
  ])('%s', (_title, resource, input, expected) => {
    expect(resultOf('notebook-instance', resource, NB_NETWORK, input)).toEqual(expected);
  });

  test('a notebook outside allowedSubnets is a finding of that control only', () => {
    expect(failedIds('notebook-instance', notebook({ SubnetId: SUBNET_C }), { allowedSubnets: [SUBNET_A] })).toEqual([NB_NETWORK]);
    expect(failedIds('notebook-instance', notebook({ SubnetId: SUBNET_A }), { allowedSubnets: [SUBNET_A] })).toEqual([]);
  });
});

describe('training jobs and models: only the list that is set is checked', () => {
  const vpc = (subnets: string[], securityGroups: string[]) => ({ Subnets: subnets, SecurityGroupIds: securityGroups });
  test.each<[string, ReturnType<typeof vpc>, GuardSettingsInput, Result]>([
    ['only allowedSubnets, groups off every list', vpc([SUBNET_A], [SG_C]), { allowedSubnets: [SUBNET_A] }, PASS],
    ['only allowedSecurityGroups, subnets off every list', vpc([SUBNET_C], [SG_A]), { allowedSecurityGroups: [SG_A] }, PASS],
    ['only allowedSubnets, one of two subnets off it', vpc([SUBNET_A, SUBNET_C], [SG_C]), { allowedSubnets: [SUBNET_A, SUBNET_B] }, fail(`subnet(s) ${SUBNET_C} not in allowedSubnets`)],
    ['only allowedSecurityGroups, one group off it', vpc([SUBNET_C], [SG_C, SG_B]), { allowedSecurityGroups: [SG_A, SG_B] }, fail(`security group(s) ${SG_C} not in allowedSecurityGroups`)],
  ])('%s', (_title, vpcConfig, input, expected) => {
    expect(resultOf('training-job', trainingJob({ VpcConfig: vpcConfig }), TJ_NETWORK, input)).toEqual(expected);
    expect(resultOf('model', model({ VpcConfig: vpcConfig }), MODEL_NETWORK, input)).toEqual(expected);
  });
});

describe('training job VpcConfig without Subnets', () => {
  const EMPTY = {} as NonNullable<TrainingJob['VpcConfig']>;
  test.each<[string, TrainingJob['VpcConfig'], Result]>([
    ['VpcConfig {} fails the VPC control', EMPTY, fail('VpcConfig has no Subnets')],
    ['groups but no Subnets key fails on the subnets', { SecurityGroupIds: [SG_A] } as NonNullable<TrainingJob['VpcConfig']>, fail('VpcConfig has no Subnets')],
    ['subnets but no SecurityGroupIds key fails on the groups', { Subnets: [SUBNET_A] } as NonNullable<TrainingJob['VpcConfig']>, fail('VpcConfig has no SecurityGroupIds')],
    ['both empty lists fails on the subnets first', { Subnets: [], SecurityGroupIds: [] }, fail('VpcConfig has no Subnets')],
  ])('%s', (_title, vpcConfig, expected) => {
    expect(resultOf('training-job', trainingJob({ VpcConfig: vpcConfig }), 'training-job.vpc')).toEqual(expected);
  });

  test('VpcConfig {}: the VPC control is the only finding (allowed-network has no subnet to refuse, so it passes)', () => {
    expect(failedIds('training-job', trainingJob({ VpcConfig: EMPTY }), { allowedSubnets: [SUBNET_A] })).toEqual(['training-job.vpc']);
    expect(resultOf('training-job', trainingJob({ VpcConfig: EMPTY }), TJ_NETWORK, { allowedSubnets: [SUBNET_A] })).toEqual(PASS);
  });

  test('a model with VpcConfig {} fails its VPC control the same way', () => {
    expect(resultOf('model', model({ VpcConfig: EMPTY }), 'model.vpc')).toEqual(fail('VpcConfig has no Subnets for a primary container'));
  });
});

describe('training job volume key on instance storage', () => {
  test.each<[string, TrainingJob, Result]>([
    [
      'instance-store family (g5), no key: skipped, not failed',
      job({ InstanceType: 'ml.g5.2xlarge', InstanceCount: 1, VolumeSizeInGB: 5 }),
      skip('ml.g5.2xlarge use local instance storage encrypted by hardware; SageMaker does not accept a VolumeKmsKeyId for them'),
    ],
    [
      'instance-store family by the d suffix (g4dn), no key: skipped',
      job({ InstanceType: 'ml.g4dn.xlarge', InstanceCount: 1, VolumeSizeInGB: 5 }),
      skip('ml.g4dn.xlarge use local instance storage encrypted by hardware; SageMaker does not accept a VolumeKmsKeyId for them'),
    ],
    [
      'heterogeneous cluster, every group on instance storage, no key: skipped, naming every type',
      job({ VolumeSizeInGB: 5, InstanceGroups: groups('ml.p4d.24xlarge', 'ml.g5.12xlarge') }),
      skip('ml.p4d.24xlarge, ml.g5.12xlarge use local instance storage encrypted by hardware; SageMaker does not accept a VolumeKmsKeyId for them'),
    ],
    // A mixed cluster: one group has instance storage, one has EBS volumes. The exception needs every type
    // to have instance storage, so the missing key fails.
    ['heterogeneous cluster, one group on instance storage and one not, no key: fails', job({ VolumeSizeInGB: 5, InstanceGroups: groups('ml.p4d.24xlarge', 'ml.m5.xlarge') }), fail(NOT_SET_VOLUME)],
    ['heterogeneous cluster, the EBS group first: fails the same', job({ VolumeSizeInGB: 5, InstanceGroups: groups('ml.m5.xlarge', 'ml.g5.2xlarge') }), fail(NOT_SET_VOLUME)],
    ['EBS family (m5), no key: fails', job({ InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 5 }), fail(NOT_SET_VOLUME)],
    ['no instance type at all, no key: fails (the exception needs a type)', job({ VolumeSizeInGB: 5 }), fail(NOT_SET_VOLUME)],
    [
      'instance storage with the AWS managed key set: fails (only an absent key is excused)',
      job({ InstanceType: 'ml.g5.2xlarge', InstanceCount: 1, VolumeSizeInGB: 5, VolumeKmsKeyId: 'alias/aws/sagemaker' }),
      fail('ResourceConfig.VolumeKmsKeyId is the AWS managed key alias/aws/sagemaker'),
    ],
    ['instance storage with a customer key: passes', job({ InstanceType: 'ml.g5.2xlarge', InstanceCount: 1, VolumeSizeInGB: 5, VolumeKmsKeyId: CUSTOMER_KEY }), PASS],
  ])('%s', (_title, resource, expected) => {
    expect(resultOf('training-job', resource, VOLUME_KEY)).toEqual(expected);
  });

  test('instance storage, no key, under allowedKmsKeys: still skipped', () => {
    expect(resultOf('training-job', job({ InstanceType: 'ml.p5.48xlarge', InstanceCount: 1, VolumeSizeInGB: 5 }), VOLUME_KEY, { allowedKmsKeys: [KEY_1] })).toEqual(
      skip('ml.p5.48xlarge use local instance storage encrypted by hardware; SageMaker does not accept a VolumeKmsKeyId for them'),
    );
  });

  test('instance storage with a key off allowedKmsKeys: fails', () => {
    expect(resultOf('training-job', job({ InstanceType: 'ml.g5.2xlarge', InstanceCount: 1, VolumeSizeInGB: 5, VolumeKmsKeyId: KEY_3 }), VOLUME_KEY, { allowedKmsKeys: [KEY_1] })).toEqual(
      fail(`ResourceConfig.VolumeKmsKeyId ${KEY_3} is not in allowedKmsKeys (${KEY_1})`),
    );
  });
});

describe('allowedKmsKeys with more than one entry', () => {
  const TWO = { allowedKmsKeys: [KEY_1, CUSTOMER_KEY] };
  const WITH_ALIAS = { allowedKmsKeys: [KEY_1, 'alias/ml-notebooks'] };
  const offList = (field: string, key: string, list: string[]) => fail(`${field} ${key} is not in allowedKmsKeys (${list.join(', ')})`);

  test.each<[string, string, GuardSettingsInput, (field: string) => Result]>([
    ['the key ARN of the second entry', CUSTOMER_KEY, TWO, () => PASS],
    ['the bare key id of the second entry (an ARN)', CUSTOMER_KEY_ID, TWO, () => PASS],
    ['the key ARN of the first entry', KEY_1, TWO, () => PASS],
    ['the alias of the second entry', 'alias/ml-notebooks', WITH_ALIAS, () => PASS],
    ['a key on neither entry', KEY_3, TWO, (field) => offList(field, KEY_3, [KEY_1, CUSTOMER_KEY])],
    ['an alias on neither entry', 'alias/other', WITH_ALIAS, (field) => offList(field, 'alias/other', [KEY_1, 'alias/ml-notebooks'])],
  ])('%s', (_title, key, input, expected) => {
    expect(resultOf('notebook-instance', notebook({ KmsKeyId: key }), NB_KEY, input)).toEqual(expected('KmsKeyId'));
    expect(resultOf('training-job', job({ InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 5, VolumeKmsKeyId: key }), VOLUME_KEY, input)).toEqual(expected('ResourceConfig.VolumeKmsKeyId'));
    expect(resultOf('training-job', trainingJob({ OutputDataConfig: { S3OutputPath: 's3://b/o', KmsKeyId: key } }), OUTPUT_KEY, input)).toEqual(expected('OutputDataConfig.KmsKeyId'));
  });
});

describe('blank ids are treated as absent', () => {
  test.each<[string, string]>([
    ['an empty', ''],
    ['an all-spaces', '   '],
  ])('%s notebook KmsKeyId fails as not set, with or without allowedKmsKeys', (_title, blank) => {
    const notSet = fail('KmsKeyId is not set, so an AWS managed key is used');
    expect(resultOf('notebook-instance', notebook({ KmsKeyId: blank }), NB_KEY)).toEqual(notSet);
    expect(resultOf('notebook-instance', notebook({ KmsKeyId: blank }), NB_KEY, { allowedKmsKeys: [KEY_1] })).toEqual(notSet);
    expect(resultOf('notebook-instance', notebook({ KmsKeyId: undefined }), NB_KEY)).toEqual(notSet);
  });

  test.each<[string, string]>([
    ['an empty', ''],
    ['an all-spaces', '   '],
  ])('%s training job key fails as not set (EBS instance, and output)', (_title, blank) => {
    expect(resultOf('training-job', job({ InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 5, VolumeKmsKeyId: blank }), VOLUME_KEY, { allowedKmsKeys: [KEY_1] })).toEqual(fail(NOT_SET_VOLUME));
    expect(resultOf('training-job', trainingJob({ OutputDataConfig: { S3OutputPath: 's3://b/o', KmsKeyId: blank } }), OUTPUT_KEY)).toEqual(
      fail('OutputDataConfig.KmsKeyId is not set, so an AWS managed key is used'),
    );
  });

  // Found while pinning: the instance-storage exception tested `VolumeKmsKeyId === undefined` while
  // describeKmsKey treats a blank key as not set, so a blank key on ml.g5 failed (and an enforced job was
  // stopped for a key SageMaker does not accept there). A blank key is now skipped like an absent one.
  test.each<[string, string]>([
    ['an empty', ''],
    ['an all-spaces', '   '],
  ])('%s VolumeKmsKeyId on instance storage is skipped like an absent one', (_title, blank) => {
    expect(resultOf('training-job', job({ InstanceType: 'ml.g5.2xlarge', InstanceCount: 1, VolumeSizeInGB: 5, VolumeKmsKeyId: blank }), VOLUME_KEY)).toEqual(
      skip('ml.g5.2xlarge use local instance storage encrypted by hardware; SageMaker does not accept a VolumeKmsKeyId for them'),
    );
  });

  // A blank SubnetId, as DescribeNotebookInstance may give it; the adapter reads no network for it (null).
  test.each<[string, string, GuardSettingsInput, Result]>([
    ['notebook-instance.vpc', 'fails as absent', {}, fail('SubnetId is absent')],
    ['notebook-instance.private-subnet', 'is skipped as not in a VPC', {}, skip('the notebook has no SubnetId (see notebook-instance.vpc)')],
    ['notebook-instance.security-groups', 'is skipped as not in a VPC', {}, skip('the notebook has no SubnetId (see notebook-instance.vpc)')],
    [NB_NETWORK, 'is skipped as having no placement', { allowedSubnets: [SUBNET_A] }, skip('no VPC placement (see notebook-instance.vpc)')],
    [NB_NETWORK, 'is skipped as having no placement (groups list only)', { allowedSecurityGroups: [SG_A] }, skip('no VPC placement (see notebook-instance.vpc)')],
  ])('a blank SubnetId: %s %s', (controlId, _title, input, expected) => {
    expect(resultOf('notebook-instance', notebook({ SubnetId: '' }, null), controlId, input)).toEqual(expected);
    expect(resultOf('notebook-instance', notebook({ SubnetId: undefined }, null), controlId, input)).toEqual(expected);
  });

  test('a blank SubnetId is a finding of the VPC control only', () => {
    expect(failedIds('notebook-instance', notebook({ SubnetId: '' }, null), { allowedSubnets: [SUBNET_A] })).toEqual(['notebook-instance.vpc']);
  });
});

describe('training jobs: the instance types and count the controls read', () => {
  test.each<[string, TrainingJob['ResourceConfig'], string[], number]>([
    ['no ResourceConfig', undefined, [], 0],
    ['a homogeneous cluster', { InstanceType: 'ml.m5.xlarge', InstanceCount: 3, VolumeSizeInGB: 5 }, ['ml.m5.xlarge'], 3],
    ['instance groups', { VolumeSizeInGB: 5, InstanceGroups: groups('ml.m5.xlarge', 'ml.g5.2xlarge') }, ['ml.m5.xlarge', 'ml.g5.2xlarge'], 2],
    // A group without a type names nothing (no undefined in the list); a group without a count adds none.
    ['a group without a type or count', { VolumeSizeInGB: 5, InstanceGroups: [{ InstanceGroupName: 'g', InstanceType: 'ml.c5.xlarge', InstanceCount: 2 }, { InstanceGroupName: 'h' } as never] }, ['ml.c5.xlarge'], 2],
  ])('%s', (_title, resourceConfig, types, count) => {
    const settingsOf = { ...trainingJob(), ResourceConfig: resourceConfig };
    expect(trainingInstanceTypes(settingsOf)).toEqual(types);
    expect(trainingInstanceCount(settingsOf)).toBe(count);
  });

  test('a job without ResourceConfig or OutputDataConfig fails both key controls (absent is the AWS managed key), without a crash', () => {
    const bare: TrainingJob = { ...trainingJob(), ResourceConfig: undefined, OutputDataConfig: undefined };
    expect(resultOf('training-job', bare, VOLUME_KEY)).toEqual(fail(NOT_SET_VOLUME));
    expect(resultOf('training-job', bare, OUTPUT_KEY)).toEqual(fail('OutputDataConfig.KmsKeyId is not set, so an AWS managed key is used'));
  });
});

describe('fixFrom: a derived control takes its fix from the deriving kind’s table', () => {
  const source = { id: 'model.vpc', fix: 'the model’s fix' } as Parameters<ReturnType<typeof fixFrom>>[0];
  test('the entry for the source control’s suffix', () => {
    expect(fixFrom('transform-job', { vpc: 'the job’s fix' })(source)).toBe('the job’s fix');
  });
  test('no entry: a loud error naming the kind and the missing suffix, never a generic text', () => {
    expect(() => fixFrom('transform-job', { 'network-isolation': 'x' })(source)).toThrow('transform-job: no fix text for the control derived from model.vpc (add "vpc" to its table)');
  });
  test('suffixOf is the part after the kind', () => {
    expect(suffixOf('hyper-parameter-tuning-job.volume-kms-key')).toBe('volume-kms-key');
  });
});
