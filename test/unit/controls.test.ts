import { ALL_CONTROLS, CATALOG, evaluate, type ResourceByKind } from '../../lambda/kinds/registry';
import { hasInstanceStorage } from '../../lambda/kinds/training-job/controls';
import type { CheckResult } from '../../lambda/controls/types';
import type { ResourceKind } from '../../lambda/kinds/registry';
import { exemptionsFor, resolveMode } from '../../lambda/core/modes';
import type { GuardSettingsInput } from '../../lambda/core/settings';
import { CUSTOMER_KEY, enforceAll, model, notebook, privateNetwork, settings, trainingJob } from '../fixtures/resources';

interface Case<K extends ResourceKind> {
  readonly control: string;
  readonly name: string;
  readonly resource: ResourceByKind[K];
  readonly settings?: GuardSettingsInput;
  readonly tags?: Record<string, string>;
  readonly expect: CheckResult['status'];
  /** A fragment the observed value (fail) or reason (skip) must contain. */
  readonly says?: string;
}

function run<K extends ResourceKind>(kind: K, cases: readonly Case<K>[]): void {
  test.each(cases.map((c) => [`${c.control}: ${c.name}`, c] as const))('%s', (_title, c) => {
    const control = CATALOG[kind].find((candidate) => candidate.id === c.control);
    if (control === undefined) throw new Error(`no control ${c.control}`);
    const result = control.check(c.resource, { settings: settings(c.settings), tags: c.tags ?? {} });
    expect(result.status).toBe(c.expect);
    if (c.says !== undefined) {
      const text = result.status === 'fail' ? result.observed : result.status === 'skip' ? result.reason : '';
      expect(text).toContain(c.says);
    }
  });
}

const AWS_KEY = 'alias/aws/sagemaker';
const trainingTypes = (types: string[]): GuardSettingsInput => ({ kinds: { 'training-job': { allowedInstanceTypes: types } } });

describe('training job controls', () => {
  run<'training-job'>('training-job', [
    { control: 'training-job.network-isolation', name: 'enabled', resource: trainingJob(), expect: 'pass' },
    { control: 'training-job.network-isolation', name: 'disabled', resource: trainingJob({ EnableNetworkIsolation: false }), expect: 'fail', says: 'is false' },
    { control: 'training-job.network-isolation', name: 'absent', resource: trainingJob({ EnableNetworkIsolation: undefined }), expect: 'fail', says: 'absent (defaults to false)' },
    { control: 'training-job.vpc', name: 'subnets and groups', resource: trainingJob(), expect: 'pass' },
    { control: 'training-job.vpc', name: 'absent', resource: trainingJob({ VpcConfig: undefined }), expect: 'fail', says: 'VpcConfig is absent' },
    { control: 'training-job.vpc', name: 'no subnets', resource: trainingJob({ VpcConfig: { Subnets: [], SecurityGroupIds: ['sg-1'] } }), expect: 'fail', says: 'no Subnets' },
    { control: 'training-job.vpc', name: 'no groups', resource: trainingJob({ VpcConfig: { Subnets: ['subnet-1'], SecurityGroupIds: [] } }), expect: 'fail', says: 'no SecurityGroupIds' },
    { control: 'training-job.inter-container-encryption', name: 'distributed, enabled', resource: trainingJob(), expect: 'pass' },
    { control: 'training-job.inter-container-encryption', name: 'distributed, disabled', resource: trainingJob({ EnableInterContainerTrafficEncryption: false }), expect: 'fail', says: '2-instance job' },
    { control: 'training-job.inter-container-encryption', name: 'distributed, absent', resource: trainingJob({ EnableInterContainerTrafficEncryption: undefined }), expect: 'fail', says: 'absent' },
    {
      control: 'training-job.inter-container-encryption',
      name: 'single instance, default setting',
      resource: trainingJob({ EnableInterContainerTrafficEncryption: false, ResourceConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 5 } }),
      expect: 'skip',
      says: 'single-instance',
    },
    {
      control: 'training-job.inter-container-encryption',
      name: 'single instance, setting always',
      resource: trainingJob({ EnableInterContainerTrafficEncryption: false, ResourceConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 5 } }),
      settings: { interContainerEncryption: 'always' },
      expect: 'fail',
    },
    {
      control: 'training-job.inter-container-encryption',
      name: 'heterogeneous cluster counts every group',
      resource: trainingJob({
        EnableInterContainerTrafficEncryption: false,
        ResourceConfig: {
          VolumeSizeInGB: 5,
          InstanceGroups: [
            { InstanceGroupName: 'a', InstanceType: 'ml.m5.xlarge', InstanceCount: 1 },
            { InstanceGroupName: 'b', InstanceType: 'ml.p3.2xlarge', InstanceCount: 1 },
          ],
        },
      }),
      expect: 'fail',
      says: '2-instance',
    },
    { control: 'training-job.volume-kms-key', name: 'customer key', resource: trainingJob(), expect: 'pass' },
    {
      control: 'training-job.volume-kms-key',
      name: 'absent',
      resource: trainingJob({ ResourceConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 5 } }),
      expect: 'fail',
      says: 'not set',
    },
    {
      control: 'training-job.volume-kms-key',
      name: 'AWS managed key',
      resource: trainingJob({ ResourceConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 5, VolumeKmsKeyId: AWS_KEY } }),
      expect: 'fail',
      says: 'AWS managed key',
    },
    {
      control: 'training-job.volume-kms-key',
      name: 'absent on instance storage (SageMaker refuses a key there)',
      resource: trainingJob({ ResourceConfig: { InstanceType: 'ml.p4d.24xlarge', InstanceCount: 1, VolumeSizeInGB: 5 } }),
      expect: 'skip',
      says: 'local instance storage',
    },
    { control: 'training-job.output-kms-key', name: 'customer key', resource: trainingJob(), expect: 'pass' },
    { control: 'training-job.output-kms-key', name: 'absent', resource: trainingJob({ OutputDataConfig: { S3OutputPath: 's3://b/o' } }), expect: 'fail', says: 'not set' },
    {
      control: 'training-job.output-kms-key',
      name: 'AWS managed key by alias ARN',
      resource: trainingJob({ OutputDataConfig: { S3OutputPath: 's3://b/o', KmsKeyId: 'arn:aws:kms:us-east-1:123456789012:alias/aws/sagemaker' } }),
      expect: 'fail',
      says: 'AWS managed key',
    },
    { control: 'training-job.max-runtime', name: 'no bound configured', resource: trainingJob(), expect: 'skip', says: 'maxRuntimeSeconds' },
    { control: 'training-job.max-runtime', name: 'within bound', resource: trainingJob(), settings: { maxRuntimeSeconds: 3600 }, expect: 'pass' },
    { control: 'training-job.max-runtime', name: 'above bound', resource: trainingJob(), settings: { maxRuntimeSeconds: 1800 }, expect: 'fail', says: '3600, above the bound of 1800' },
    { control: 'training-job.max-runtime', name: 'absent', resource: trainingJob({ StoppingCondition: undefined }), settings: { maxRuntimeSeconds: 60 }, expect: 'fail', says: 'absent' },
    { control: 'training-job.instance-type', name: 'no allow-list', resource: trainingJob(), expect: 'skip', says: 'kinds.training-job.allowedInstanceTypes' },
    { control: 'training-job.instance-type', name: 'allowed', resource: trainingJob(), settings: trainingTypes(['ml.m5.xlarge']), expect: 'pass' },
    { control: 'training-job.instance-type', name: 'not allowed', resource: trainingJob(), settings: trainingTypes(['ml.c5.xlarge']), expect: 'fail', says: 'ml.m5.xlarge not in the allow-list' },
    {
      control: 'training-job.instance-type',
      name: 'absent',
      resource: trainingJob({ ResourceConfig: { VolumeSizeInGB: 5 } }),
      settings: trainingTypes(['ml.c5.xlarge']),
      expect: 'fail',
      says: 'no instance type',
    },
    {
      control: 'training-job.volume-kms-key',
      name: 'customer key outside allowedKmsKeys',
      resource: trainingJob(),
      settings: { allowedKmsKeys: ['arn:aws:kms:us-east-1:123456789012:key/00000000-0000-4000-8000-000000000000'] },
      expect: 'fail',
      says: 'is not in allowedKmsKeys',
    },
    { control: 'training-job.volume-kms-key', name: 'key on allowedKmsKeys by ARN', resource: trainingJob(), settings: { allowedKmsKeys: [CUSTOMER_KEY] }, expect: 'pass' },
    {
      control: 'training-job.output-kms-key',
      name: 'key on allowedKmsKeys by bare key id',
      resource: trainingJob(),
      settings: { allowedKmsKeys: ['1234abcd-12ab-34cd-56ef-1234567890ab'] },
      expect: 'pass',
    },
    { control: 'training-job.allowed-network', name: 'no allow-lists', resource: trainingJob(), expect: 'skip', says: 'no allowedSubnets' },
    { control: 'training-job.allowed-network', name: 'subnet off the list', resource: trainingJob(), settings: { allowedSubnets: ['subnet-0aaaa1111'] }, expect: 'fail', says: 'subnet(s) subnet-0private not in allowedSubnets' },
    {
      control: 'training-job.allowed-network',
      name: 'subnet and group on their lists',
      resource: trainingJob({ VpcConfig: { Subnets: ['subnet-0aaaa1111'], SecurityGroupIds: ['sg-0bbbb2222'] } }),
      settings: { allowedSubnets: ['subnet-0aaaa1111'], allowedSecurityGroups: ['sg-0bbbb2222'] },
      expect: 'pass',
    },
    {
      control: 'training-job.allowed-network',
      name: 'group off its list',
      resource: trainingJob({ VpcConfig: { Subnets: ['subnet-0aaaa1111'], SecurityGroupIds: ['sg-0cccc3333'] } }),
      settings: { allowedSecurityGroups: ['sg-0bbbb2222'] },
      expect: 'fail',
      says: 'security group(s) sg-0cccc3333 not in allowedSecurityGroups',
    },
    { control: 'training-job.allowed-network', name: 'no VpcConfig', resource: trainingJob({ VpcConfig: undefined }), settings: { allowedSubnets: ['subnet-0aaaa1111'] }, expect: 'skip', says: 'training-job.vpc' },
    { control: 'training-job.required-tags', name: 'none required', resource: trainingJob(), expect: 'skip', says: 'no requiredTags' },
    {
      control: 'training-job.required-tags',
      name: 'present with an allowed value',
      resource: trainingJob(),
      settings: { requiredTags: { 'cost-center': ['ml-1', 'ml-2'], owner: [] } },
      tags: { 'cost-center': 'ml-2', owner: 'team-a' },
      expect: 'pass',
    },
    {
      control: 'training-job.required-tags',
      name: 'missing and off-list',
      resource: trainingJob(),
      settings: { requiredTags: { 'cost-center': ['ml-1'], owner: [] } },
      tags: { 'cost-center': 'marketing' },
      expect: 'fail',
      says: 'tag cost-center=marketing is not one of ml-1; tag owner is missing',
    },
  ]);

  test.each([
    ['ml.p4d.24xlarge', true],
    ['ml.g4dn.xlarge', true],
    ['ml.m5d.large', true],
    ['ml.c6id.2xlarge', true],
    ['ml.g5.2xlarge', true],
    ['ml.trn1.32xlarge', true],
    ['ml.m5.xlarge', false],
    ['ml.p3.2xlarge', false],
    ['ml.c5.xlarge', false],
  ])('instance storage of %s is %s', (type, expected) => {
    expect(hasInstanceStorage(type)).toBe(expected);
  });
});

describe('model controls', () => {
  run<'model'>('model', [
    { control: 'model.network-isolation', name: 'enabled', resource: model(), expect: 'pass' },
    { control: 'model.network-isolation', name: 'disabled', resource: model({ EnableNetworkIsolation: false }), expect: 'fail', says: 'a primary container' },
    {
      control: 'model.network-isolation',
      name: 'absent, inference pipeline',
      resource: model({ EnableNetworkIsolation: undefined, PrimaryContainer: undefined, Containers: [{ Image: 'a' }, { Image: 'b' }] }),
      expect: 'fail',
      says: '2 containers',
    },
    { control: 'model.vpc', name: 'present', resource: model(), expect: 'pass' },
    { control: 'model.vpc', name: 'present, inference pipeline', resource: model({ PrimaryContainer: undefined, Containers: [{ Image: 'a' }] }), expect: 'pass' },
    { control: 'model.vpc', name: 'absent, primary container', resource: model({ VpcConfig: undefined }), expect: 'fail', says: 'VpcConfig is absent for a primary container' },
    {
      control: 'model.vpc',
      name: 'absent, containers',
      resource: model({ VpcConfig: undefined, PrimaryContainer: undefined, Containers: [{ Image: 'a' }] }),
      expect: 'fail',
      says: '1 container (Containers)',
    },
    { control: 'model.vpc', name: 'empty (as moto returns it)', resource: model({ VpcConfig: {} as never }), expect: 'fail', says: 'no Subnets' },
    { control: 'model.vpc', name: 'no groups', resource: model({ VpcConfig: { Subnets: ['subnet-1'], SecurityGroupIds: [] } }), expect: 'fail', says: 'no SecurityGroupIds' },
    { control: 'model.allowed-network', name: 'subnet off the list', resource: model(), settings: { allowedSubnets: ['subnet-0aaaa1111'] }, expect: 'fail', says: 'subnet-0private not in allowedSubnets' },
    { control: 'model.allowed-network', name: 'no VpcConfig', resource: model({ VpcConfig: undefined }), settings: { allowedSubnets: ['subnet-0aaaa1111'] }, expect: 'skip' },
    { control: 'model.required-tags', name: 'missing', resource: model(), settings: { requiredTags: { project: [] } }, expect: 'fail', says: 'tag project is missing' },
    { control: 'model.required-tags', name: 'blank value counts as missing', resource: model(), settings: { requiredTags: { project: [] } }, tags: { project: ' ' }, expect: 'fail' },
  ]);
});

const igwRoutes = { ...privateNetwork().routeTable, Routes: [{ DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-0public', State: 'active' as const }] };
const openGroup = (direction: 'IpPermissions' | 'IpPermissionsEgress', cidr: { CidrIp?: string; CidrIpv6?: string }) => ({
  securityGroups: [
    {
      GroupId: 'sg-0closed',
      IpPermissions: [],
      IpPermissionsEgress: [],
      [direction]: [{ IpProtocol: direction === 'IpPermissions' ? 'tcp' : '-1', FromPort: 22, ToPort: 22, ...(cidr.CidrIp ? { IpRanges: [cidr] } : { Ipv6Ranges: [cidr] }) }],
    },
  ],
});

describe('notebook instance controls', () => {
  run<'notebook-instance'>('notebook-instance', [
    { control: 'notebook-instance.direct-internet-access', name: 'disabled', resource: notebook(), expect: 'pass' },
    { control: 'notebook-instance.direct-internet-access', name: 'enabled', resource: notebook({ DirectInternetAccess: 'Enabled' }), expect: 'fail', says: 'is Enabled' },
    { control: 'notebook-instance.direct-internet-access', name: 'absent', resource: notebook({ DirectInternetAccess: undefined }), expect: 'fail', says: 'defaults to Enabled' },
    { control: 'notebook-instance.vpc', name: 'in a subnet', resource: notebook(), expect: 'pass' },
    { control: 'notebook-instance.vpc', name: 'no subnet', resource: notebook({ SubnetId: undefined }, null), expect: 'fail', says: 'SubnetId is absent' },
    { control: 'notebook-instance.private-subnet', name: 'private, NAT route only', resource: notebook(), expect: 'pass' },
    { control: 'notebook-instance.private-subnet', name: 'no subnet', resource: notebook({ SubnetId: undefined }, null), expect: 'skip', says: 'notebook-instance.vpc' },
    {
      control: 'notebook-instance.private-subnet',
      name: 'maps public IPs',
      resource: notebook({}, { subnet: { SubnetId: 'subnet-0private', MapPublicIpOnLaunch: true } }),
      expect: 'fail',
      says: 'MapPublicIpOnLaunch=true',
    },
    { control: 'notebook-instance.private-subnet', name: 'own table routes to an IGW', resource: notebook({}, { routeTable: igwRoutes }), expect: 'fail', says: 'its route table rtb-0private routes 0.0.0.0/0 -> igw-0public' },
    {
      control: 'notebook-instance.private-subnet',
      name: 'main table routes to an IGW',
      resource: notebook({}, { routeTable: { RouteTableId: 'rtb-0main', Associations: [{ Main: true }], Routes: [{ DestinationIpv6CidrBlock: '::/0', GatewayId: 'igw-0public', State: 'active' }] } }),
      expect: 'fail',
      says: 'the VPC main route table it uses rtb-0main routes ::/0 -> igw-0public',
    },
    {
      control: 'notebook-instance.private-subnet',
      name: 'blackholed IGW route does not route',
      resource: notebook({}, { routeTable: { ...igwRoutes, Routes: [{ DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-0gone', State: 'blackhole' }] } }),
      expect: 'pass',
    },
    { control: 'notebook-instance.private-subnet', name: 'subnet unknown to EC2', resource: notebook({}, { subnet: undefined }), expect: 'fail', says: 'was not found' },
    { control: 'notebook-instance.private-subnet', name: 'no route table', resource: notebook({}, { routeTable: undefined }), expect: 'fail', says: 'no route table' },
    { control: 'notebook-instance.security-groups', name: 'closed', resource: notebook(), expect: 'pass' },
    { control: 'notebook-instance.security-groups', name: 'no subnet', resource: notebook({ SubnetId: undefined }, null), expect: 'skip' },
    { control: 'notebook-instance.security-groups', name: 'ingress from 0.0.0.0/0', resource: notebook({}, openGroup('IpPermissions', { CidrIp: '0.0.0.0/0' })), expect: 'fail', says: 'sg-0closed ingress tcp 22 from 0.0.0.0/0' },
    { control: 'notebook-instance.security-groups', name: 'ingress from ::/0', resource: notebook({}, openGroup('IpPermissions', { CidrIpv6: '::/0' })), expect: 'fail', says: 'from ::/0' },
    { control: 'notebook-instance.security-groups', name: 'egress to 0.0.0.0/0', resource: notebook({}, openGroup('IpPermissionsEgress', { CidrIp: '0.0.0.0/0' })), expect: 'fail', says: 'egress all traffic to 0.0.0.0/0' },
    {
      control: 'notebook-instance.security-groups',
      name: 'egress to 0.0.0.0/0 allowed by setting',
      resource: notebook({}, openGroup('IpPermissionsEgress', { CidrIp: '0.0.0.0/0' })),
      settings: { allowNotebookOpenEgress: true },
      expect: 'pass',
    },
    {
      control: 'notebook-instance.security-groups',
      name: 'ingress still fails when egress is allowed',
      resource: notebook({}, openGroup('IpPermissions', { CidrIp: '0.0.0.0/0' })),
      settings: { allowNotebookOpenEgress: true },
      expect: 'fail',
    },
    { control: 'notebook-instance.security-groups', name: 'group unknown to EC2', resource: notebook({}, { securityGroups: [] }), expect: 'fail', says: 'sg-0closed not found' },
    { control: 'notebook-instance.security-groups', name: 'no groups', resource: notebook({ SecurityGroups: [] }), expect: 'fail', says: 'no security groups' },
    { control: 'notebook-instance.root-access', name: 'disabled', resource: notebook(), expect: 'pass' },
    { control: 'notebook-instance.root-access', name: 'enabled', resource: notebook({ RootAccess: 'Enabled' }), expect: 'fail', says: 'is Enabled' },
    { control: 'notebook-instance.root-access', name: 'absent', resource: notebook({ RootAccess: undefined }), expect: 'fail', says: 'defaults to Enabled' },
    { control: 'notebook-instance.kms-key', name: 'customer key', resource: notebook(), expect: 'pass' },
    { control: 'notebook-instance.kms-key', name: 'absent', resource: notebook({ KmsKeyId: undefined }), expect: 'fail', says: 'AWS managed key is used' },
    { control: 'notebook-instance.kms-key', name: 'AWS managed key', resource: notebook({ KmsKeyId: AWS_KEY }), expect: 'fail', says: 'AWS managed key alias/aws/sagemaker' },
    { control: 'notebook-instance.imdsv2', name: 'version 2', resource: notebook(), expect: 'pass' },
    {
      control: 'notebook-instance.imdsv2',
      name: 'version 1',
      resource: notebook({ InstanceMetadataServiceConfiguration: { MinimumInstanceMetadataServiceVersion: '1' } }),
      expect: 'fail',
      says: 'is 1',
    },
    { control: 'notebook-instance.imdsv2', name: 'absent', resource: notebook({ InstanceMetadataServiceConfiguration: undefined }), expect: 'fail', says: 'defaults to 1' },
    { control: 'notebook-instance.kms-key', name: 'outside allowedKmsKeys', resource: notebook(), settings: { allowedKmsKeys: ['alias/ml-notebooks'] }, expect: 'fail', says: 'not in allowedKmsKeys' },
    {
      control: 'notebook-instance.allowed-network',
      name: 'subnet and group allowed',
      resource: notebook({ SubnetId: 'subnet-0aaaa1111', SecurityGroups: ['sg-0bbbb2222'] }),
      settings: { allowedSubnets: ['subnet-0aaaa1111'], allowedSecurityGroups: ['sg-0bbbb2222'] },
      expect: 'pass',
    },
    { control: 'notebook-instance.allowed-network', name: 'group off the list', resource: notebook(), settings: { allowedSecurityGroups: ['sg-0bbbb2222'] }, expect: 'fail', says: 'sg-0closed not in allowedSecurityGroups' },
    { control: 'notebook-instance.allowed-network', name: 'not in a VPC', resource: notebook({ SubnetId: undefined }, null), settings: { allowedSubnets: ['subnet-0aaaa1111'] }, expect: 'skip' },
    { control: 'notebook-instance.instance-type', name: 'no allow-list', resource: notebook(), expect: 'skip', says: 'kinds.notebook-instance.allowedInstanceTypes' },
    { control: 'notebook-instance.instance-type', name: 'allowed', resource: notebook(), settings: { kinds: { 'notebook-instance': { allowedInstanceTypes: ['ml.t3.medium'] } } }, expect: 'pass' },
    {
      control: 'notebook-instance.instance-type',
      name: 'not allowed (the training allow-list does not apply)',
      resource: notebook(),
      settings: { kinds: { 'notebook-instance': { allowedInstanceTypes: ['ml.t3.large'] }, 'training-job': { allowedInstanceTypes: ['ml.t3.medium'] } } },
      expect: 'fail',
      says: 'ml.t3.medium not in the allow-list (ml.t3.large)',
    },
    { control: 'notebook-instance.required-tags', name: 'present', resource: notebook(), settings: { requiredTags: { owner: [] } }, tags: { owner: 'team-a' }, expect: 'pass' },
  ]);
});

describe('catalog', () => {
  test('ids are unique, prefixed by their kind, and every control is complete', () => {
    const ids = ALL_CONTROLS.map((control) => control.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const control of ALL_CONTROLS) {
      expect(control.id.startsWith(`${control.kind}.`)).toBe(true);
      expect(control.title).not.toBe('');
      expect(control.why).not.toBe('');
      expect(control.fix).not.toBe('');
    }
  });

  test('a compliant resource of each kind passes or skips every control', () => {
    for (const [kind, resource] of [
      ['training-job', trainingJob()],
      ['model', model()],
      ['notebook-instance', notebook()],
    ] as const) {
      expect(evaluate(kind, resource as never, { settings: settings(), tags: {} }, enforceAll).findings).toEqual([]);
    }
  });

  test('evaluate reports findings with catalog text and mode, and does not run controls that are off', () => {
    const job = trainingJob({ EnableNetworkIsolation: false, VpcConfig: undefined });
    const all = evaluate('training-job', job, { settings: settings(), tags: {} }, enforceAll);
    expect(all.findings.map((finding) => finding.controlId)).toEqual(['training-job.network-isolation', 'training-job.vpc']);
    expect(all.findings[0]).toMatchObject({ severity: 'high', title: 'Network isolation enabled', observed: 'EnableNetworkIsolation is false', mode: 'enforce', modeSource: 'policy.mode' });

    const policy = settings({ controls: { 'training-job.vpc': 'off', 'training-job.network-isolation': 'report' } });
    const none = exemptionsFor('training-job', job.TrainingJobName ?? '', {}, policy, [], new Date());
    const some = evaluate('training-job', job, { settings: policy, tags: {} }, (id) => resolveMode(id, 'training-job', policy, none, 'policy'));
    expect(some.findings.map((finding) => [finding.controlId, finding.mode])).toEqual([['training-job.network-isolation', 'report']]);
    expect(some.outcomes.find((outcome) => outcome.controlId === 'training-job.vpc')).toEqual({
      controlId: 'training-job.vpc',
      result: { status: 'off' },
      mode: { mode: 'off', source: 'policy.controls' },
    });
  });

  test('a job that breaks everything fails every training control', () => {
    const bad = trainingJob({
      EnableNetworkIsolation: undefined,
      EnableInterContainerTrafficEncryption: undefined,
      VpcConfig: undefined,
      ResourceConfig: { InstanceType: 'ml.p3.16xlarge', InstanceCount: 4, VolumeSizeInGB: 5 },
      OutputDataConfig: { S3OutputPath: 's3://b' },
      StoppingCondition: { MaxRuntimeInSeconds: 432000 },
    });
    const policy = settings({
      maxRuntimeSeconds: 86400,
      kinds: { 'training-job': { allowedInstanceTypes: ['ml.m5.xlarge'] } },
      allowedSubnets: ['subnet-0aaaa1111'],
      requiredTags: { owner: [] },
    });
    const result = evaluate('training-job', { ...bad, VpcConfig: { Subnets: ['subnet-0other000'], SecurityGroupIds: [] } }, { settings: policy, tags: {} }, enforceAll);
    expect(result.findings.map((finding) => finding.controlId)).toEqual(CATALOG['training-job'].map((control) => control.id));
    expect(result.findings.find((finding) => finding.controlId === 'training-job.vpc')?.observed).toBe('VpcConfig has no SecurityGroupIds');
  });
});
