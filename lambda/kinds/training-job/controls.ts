import type { DescribeTrainingJobCommandOutput } from '@aws-sdk/client-sagemaker';
import {
  allowedNetworkControl,
  IN_VPC,
  INTER_CONTAINER,
  instanceTypeControl,
  checkInterContainerEncryption,
  checkKmsKey,
  maxRuntimeControl,
  checkTrue,
  checkVolumeKmsKey,
  checkVpcConfig,
  placementOf,
  requiredTagsControl,
  type VpcConfig,
} from '../../controls/blocks';
import type { Control } from '../../controls/types';

export { hasInstanceStorage } from '../../controls/blocks';

export type TrainingJob = Omit<DescribeTrainingJobCommandOutput, '$metadata'>;

/**
 * What the training controls read: the settings a training job shares with each training job definition of a
 * hyper-parameter tuning job (lambda/kinds/hyper-parameter-tuning-job checks those with these same controls).
 */
export interface TrainingSettings {
  readonly EnableNetworkIsolation?: boolean | undefined;
  readonly VpcConfig?: VpcConfig | undefined;
  readonly EnableInterContainerTrafficEncryption?: boolean | undefined;
  readonly ResourceConfig?:
    | {
        readonly InstanceType?: string | undefined;
        readonly InstanceCount?: number | undefined;
        readonly VolumeKmsKeyId?: string | undefined;
        readonly InstanceGroups?: readonly { readonly InstanceType?: string | undefined; readonly InstanceCount?: number | undefined }[] | undefined;
      }
    | undefined;
  readonly OutputDataConfig?: { readonly KmsKeyId?: string | undefined } | undefined;
  readonly StoppingCondition?: { readonly MaxRuntimeInSeconds?: number | undefined } | undefined;
}

const KIND = 'training-job';
const RECREATE = 'Start a new training job (the settings of an existing job cannot be changed) with';

/** Instance types of the job: one for a homogeneous cluster, one per group for a heterogeneous one. */
export function trainingInstanceTypes(job: TrainingSettings): string[] {
  const groups = job.ResourceConfig?.InstanceGroups ?? [];
  const types = groups.map((group) => group.InstanceType).filter((type): type is string => type !== undefined);
  const single = job.ResourceConfig?.InstanceType;
  return single !== undefined ? [single, ...types] : types;
}

export function trainingInstanceCount(job: TrainingSettings): number {
  const groups = job.ResourceConfig?.InstanceGroups ?? [];
  const inGroups = groups.reduce((sum, group) => sum + (group.InstanceCount ?? 0), 0);
  return (job.ResourceConfig?.InstanceCount ?? 0) + inGroups;
}

export const trainingJobControls: readonly Control<TrainingSettings>[] = [
  {
    id: 'training-job.network-isolation',
    kind: KIND,
    title: 'Network isolation enabled',
    why: 'Without network isolation the training container can reach the internet and other services, so data can leave.',
    severity: 'high',
    fix: `${RECREATE} network isolation (EnableNetworkIsolation=true, CLI --enable-network-isolation).`,
    prevent: { rule: 'true', key: 'sagemaker:NetworkIsolation' },
    check: (job) => checkTrue(job.EnableNetworkIsolation, 'EnableNetworkIsolation'),
  },
  {
    id: 'training-job.vpc',
    kind: KIND,
    title: 'Runs in a VPC',
    why: 'Outside your VPC the job uses SageMaker-managed networking that your security groups, NACLs and flow logs cannot see or control.',
    severity: 'high',
    fix: `${RECREATE} a VpcConfig naming private subnets and security groups (CLI --vpc-config Subnets=...,SecurityGroupIds=...).`,
    prevent: IN_VPC,
    check: (job) => checkVpcConfig(job.VpcConfig),
  },
  {
    id: 'training-job.inter-container-encryption',
    kind: KIND,
    title: 'Inter-container traffic encrypted',
    why: 'Distributed training exchanges data and model state between instances; unencrypted, it can be read on the network.',
    severity: 'medium',
    fix: `${RECREATE} EnableInterContainerTrafficEncryption=true (CLI --enable-inter-container-traffic-encryption).`,
    prevent: INTER_CONTAINER,
    check: (job, { settings }) => checkInterContainerEncryption(job.EnableInterContainerTrafficEncryption, trainingInstanceCount(job), settings),
  },
  {
    id: 'training-job.volume-kms-key',
    kind: KIND,
    title: 'Storage volume encrypted with a customer KMS key',
    why: 'A customer managed key lets you control, audit and revoke access to the data on the training volumes.',
    severity: 'medium',
    fix: `${RECREATE} ResourceConfig.VolumeKmsKeyId set to a customer managed KMS key.`,
    prevent: { rule: 'kms-key', key: 'sagemaker:VolumeKmsKeyArn', storageExempt: true },
    check: (job, { settings }) => checkVolumeKmsKey(job.ResourceConfig?.VolumeKmsKeyId, 'ResourceConfig.VolumeKmsKeyId', trainingInstanceTypes(job), settings),
  },
  {
    id: 'training-job.output-kms-key',
    kind: KIND,
    title: 'Output encrypted with a customer KMS key',
    why: 'Model artifacts written to S3 carry what was learned from the data; a customer managed key keeps them under your control.',
    severity: 'medium',
    fix: `${RECREATE} OutputDataConfig.KmsKeyId set to a customer managed KMS key.`,
    prevent: { rule: 'kms-key', key: 'sagemaker:OutputKmsKeyArn', storageExempt: false },
    check: (job, { settings }) => checkKmsKey(job.OutputDataConfig?.KmsKeyId, 'OutputDataConfig.KmsKeyId', settings),
  },
  maxRuntimeControl<TrainingSettings>(KIND, `${RECREATE} StoppingCondition.MaxRuntimeInSeconds at most the configured bound.`),
  instanceTypeControl<TrainingSettings>(KIND, { fix: `${RECREATE} an instance type from the allow-list.`, types: trainingInstanceTypes }),
  allowedNetworkControl<TrainingSettings>(KIND, `${RECREATE} a VpcConfig that uses only the subnets and security groups the policy allows.`, (job) => placementOf(job.VpcConfig)),
  requiredTagsControl<TrainingSettings>(KIND, 'Add the missing tags with aws sagemaker add-tags (tags can be added to an existing job); new jobs should carry them from the start.'),
];
