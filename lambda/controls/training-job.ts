import type { DescribeTrainingJobCommandOutput } from '@aws-sdk/client-sagemaker';
import { describeKmsKey } from './kms';
import { allowedNetworkControl, placementOf, checkInstanceTypes, requiredTagsControl } from './shared';
import { fail, pass, skip, type Control } from './types';

export type TrainingJob = Omit<DescribeTrainingJobCommandOutput, '$metadata'>;

const RECREATE = 'Start a new training job (the settings of an existing job cannot be changed) with';

/** Instance types of the job: one for a homogeneous cluster, one per group for a heterogeneous one. */
export function trainingInstanceTypes(job: TrainingJob): string[] {
  const groups = job.ResourceConfig?.InstanceGroups ?? [];
  // The SDK types instance types as a closed union; new types appear first as plain strings.
  const types = groups.map((group): string | undefined => group.InstanceType).filter((type): type is string => type !== undefined);
  const single: string | undefined = job.ResourceConfig?.InstanceType;
  return single !== undefined ? [single, ...types] : types;
}

export function trainingInstanceCount(job: TrainingJob): number {
  const groups = job.ResourceConfig?.InstanceGroups ?? [];
  const inGroups = groups.reduce((sum, group) => sum + (group.InstanceCount ?? 0), 0);
  return (job.ResourceConfig?.InstanceCount ?? 0) + inGroups;
}

/**
 * Instance families with local NVMe instance storage, encrypted by a hardware module: SageMaker rejects a
 * VolumeKmsKeyId on them (SageMaker Developer Guide, "Instance Store Volumes"). A `d` after the generation
 * (m5d, c6id, g4dn, p4d, p3dn) means instance storage in the EC2 naming scheme.
 */
const INSTANCE_STORE_FAMILIES = new Set(['g5', 'g6', 'g6e', 'p5', 'p5e', 'p5en', 'trn1', 'trn1n', 'trn2']);
export function hasInstanceStorage(instanceType: string): boolean {
  const family = instanceType.split('.')[1] ?? '';
  return INSTANCE_STORE_FAMILIES.has(family) || /^[a-z]+\d+[a-z]*d[a-z]*$/.test(family);
}

export const trainingJobControls: readonly Control<TrainingJob>[] = [
  {
    id: 'training-job.network-isolation',
    kind: 'training-job',
    title: 'Network isolation enabled',
    why: 'Without network isolation the training container can reach the internet and other services, so data can leave.',
    severity: 'high',
    fix: `${RECREATE} network isolation (EnableNetworkIsolation=true, CLI --enable-network-isolation).`,
    iamConditionKey: 'sagemaker:NetworkIsolation',
    check: (job) =>
      job.EnableNetworkIsolation === true
        ? pass()
        : fail(`EnableNetworkIsolation is ${job.EnableNetworkIsolation === undefined ? 'absent (defaults to false)' : String(job.EnableNetworkIsolation)}`),
  },
  {
    id: 'training-job.vpc',
    kind: 'training-job',
    title: 'Runs in a VPC',
    why: 'Outside your VPC the job uses SageMaker-managed networking that your security groups, NACLs and flow logs cannot see or control.',
    severity: 'high',
    fix: `${RECREATE} a VpcConfig naming private subnets and security groups (CLI --vpc-config Subnets=...,SecurityGroupIds=...).`,
    iamConditionKey: 'sagemaker:VPCSubnets, sagemaker:VPCSecurityGroupIds',
    check: (job) => {
      const subnets = job.VpcConfig?.Subnets ?? [];
      const groups = job.VpcConfig?.SecurityGroupIds ?? [];
      if (job.VpcConfig === undefined) return fail('VpcConfig is absent');
      if (subnets.length === 0) return fail('VpcConfig has no Subnets');
      if (groups.length === 0) return fail('VpcConfig has no SecurityGroupIds');
      return pass();
    },
  },
  {
    id: 'training-job.inter-container-encryption',
    kind: 'training-job',
    title: 'Inter-container traffic encrypted',
    why: 'Distributed training exchanges data and model state between instances; unencrypted, it can be read on the network.',
    severity: 'medium',
    fix: `${RECREATE} EnableInterContainerTrafficEncryption=true (CLI --enable-inter-container-traffic-encryption).`,
    iamConditionKey: 'sagemaker:InterContainerTrafficEncryption',
    check: (job, { settings }) => {
      const count = trainingInstanceCount(job);
      if (settings.interContainerEncryption === 'distributed' && count <= 1) {
        return skip(`single-instance job (InstanceCount ${count}); required only for distributed jobs by the interContainerEncryption setting`);
      }
      return job.EnableInterContainerTrafficEncryption === true
        ? pass()
        : fail(`EnableInterContainerTrafficEncryption is ${job.EnableInterContainerTrafficEncryption === undefined ? 'absent (defaults to false)' : String(job.EnableInterContainerTrafficEncryption)} on a ${count}-instance job`);
    },
  },
  {
    id: 'training-job.volume-kms-key',
    kind: 'training-job',
    title: 'Storage volume encrypted with a customer KMS key',
    why: 'A customer managed key lets you control, audit and revoke access to the data on the training volumes.',
    severity: 'medium',
    fix: `${RECREATE} ResourceConfig.VolumeKmsKeyId set to a customer managed KMS key.`,
    iamConditionKey: 'sagemaker:VolumeKmsKey',
    check: (job, { settings }) => {
      const keyProblem = describeKmsKey(job.ResourceConfig?.VolumeKmsKeyId, 'ResourceConfig.VolumeKmsKeyId', settings.allowedKmsKeys);
      if (keyProblem === undefined) return pass();
      const types = trainingInstanceTypes(job);
      // A blank key is no key (as describeKmsKey reads it): on instance storage, SageMaker accepts none.
      const noKey = (job.ResourceConfig?.VolumeKmsKeyId ?? '').trim() === '';
      if (noKey && types.length > 0 && types.every(hasInstanceStorage)) {
        return skip(`${types.join(', ')} use local instance storage encrypted by hardware; SageMaker does not accept a VolumeKmsKeyId for them`);
      }
      return fail(keyProblem);
    },
  },
  {
    id: 'training-job.output-kms-key',
    kind: 'training-job',
    title: 'Output encrypted with a customer KMS key',
    why: 'Model artifacts written to S3 carry what was learned from the data; a customer managed key keeps them under your control.',
    severity: 'medium',
    fix: `${RECREATE} OutputDataConfig.KmsKeyId set to a customer managed KMS key.`,
    iamConditionKey: 'sagemaker:OutputKmsKey',
    check: (job, { settings }) => {
      const keyProblem = describeKmsKey(job.OutputDataConfig?.KmsKeyId, 'OutputDataConfig.KmsKeyId', settings.allowedKmsKeys);
      return keyProblem === undefined ? pass() : fail(keyProblem);
    },
  },
  {
    id: 'training-job.max-runtime',
    kind: 'training-job',
    title: 'Run time bounded',
    why: 'An unbounded job keeps billing and keeps its data and credentials in use long after it should have ended.',
    severity: 'low',
    fix: `${RECREATE} StoppingCondition.MaxRuntimeInSeconds at most the configured bound.`,
    iamConditionKey: 'sagemaker:MaxRuntimeInSeconds',
    check: (job, { settings }) => {
      const bound = settings.maxRuntimeSeconds;
      if (bound === undefined) return skip('no bound configured (setting maxRuntimeSeconds)');
      const actual = job.StoppingCondition?.MaxRuntimeInSeconds;
      if (actual === undefined) return fail(`StoppingCondition.MaxRuntimeInSeconds is absent; the bound is ${bound}`);
      return actual <= bound ? pass() : fail(`StoppingCondition.MaxRuntimeInSeconds is ${actual}, above the bound of ${bound}`);
    },
  },
  {
    id: 'training-job.instance-type',
    kind: 'training-job',
    title: 'Instance type allowed',
    why: 'An allow-list keeps jobs on approved, budgeted hardware.',
    severity: 'low',
    fix: `${RECREATE} an instance type from the allow-list.`,
    iamConditionKey: 'sagemaker:InstanceTypes',
    check: (job, context) => checkInstanceTypes(trainingInstanceTypes(job), 'training-job', context),
  },
  allowedNetworkControl<TrainingJob>('training-job', `${RECREATE} a VpcConfig that uses only the subnets and security groups the policy allows.`, (job) => placementOf(job.VpcConfig)),
  requiredTagsControl<TrainingJob>('training-job', 'Add the missing tags with aws sagemaker add-tags (tags can be added to an existing job); new jobs should carry them from the start.'),
];
