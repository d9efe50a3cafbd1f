import type { DescribeProcessingJobCommandOutput } from '@aws-sdk/client-sagemaker';
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
} from '../../controls/blocks';
import { fail, pass, type CheckResult, type CheckSettings, type Control } from '../../controls/types';

export type ProcessingJob = Omit<DescribeProcessingJobCommandOutput, '$metadata'>;

const KIND = 'processing-job';
const RECREATE = 'Start a new processing job (the settings of an existing job cannot be changed) with';
const CLUSTER = 'ProcessingResources.ClusterConfig';

/**
 * The instance types the job runs on, or may run on: the type SageMaker selected from InstancePreferences once
 * it has selected one, else the job's InstanceType, else every preference (any of them may still be launched).
 * Empty when DescribeProcessingJob shows no cluster (moto leaves ProcessingResources out; the real API never does).
 */
export function processingInstanceTypes(job: ProcessingJob): string[] {
  const cluster = job.ProcessingResources?.ClusterConfig;
  if (cluster === undefined) return [];
  if (cluster.SelectedInstanceType !== undefined) return [cluster.SelectedInstanceType];
  if (cluster.InstanceType !== undefined) return [cluster.InstanceType];
  const preferred = (cluster.InstancePreferences ?? []).map((preference) => preference.InstanceType).filter((type): type is NonNullable<typeof type> => type !== undefined);
  return [...new Set(preferred)];
}

/**
 * How many instances the job runs on: the selected count, else InstanceCount, else the largest count of the
 * preferences (any of them may still be launched), else 1 (the API's default). Undefined when the output
 * shows no cluster at all.
 */
export function processingInstanceCount(job: ProcessingJob): number | undefined {
  const cluster = job.ProcessingResources?.ClusterConfig;
  if (cluster === undefined) return undefined;
  if (cluster.SelectedInstanceCount !== undefined) return cluster.SelectedInstanceCount;
  if (cluster.InstanceCount !== undefined) return cluster.InstanceCount;
  const counts = (cluster.InstancePreferences ?? []).map((preference) => preference.InstanceCount).filter((count): count is number => count !== undefined);
  return counts.length > 0 ? Math.max(...counts) : 1;
}

/**
 * Inter-container encryption; when the output shows no cluster the job may be distributed, so nothing shows
 * the encryption is not needed: it must then be on, whatever the interContainerEncryption setting.
 */
function checkProcessingEncryption(job: ProcessingJob, settings: CheckSettings): CheckResult {
  const enabled = job.NetworkConfig?.EnableInterContainerTrafficEncryption;
  const count = processingInstanceCount(job);
  if (count !== undefined) return checkInterContainerEncryption(enabled, count, settings);
  if (enabled === true) return pass();
  return fail(
    `NetworkConfig.EnableInterContainerTrafficEncryption is ${enabled === undefined ? 'absent (defaults to false)' : String(enabled)} and ${CLUSTER} is absent, so the job may be distributed`,
  );
}

export const processingJobControls: readonly Control<ProcessingJob>[] = [
  {
    id: 'processing-job.network-isolation',
    kind: KIND,
    title: 'Network isolation enabled',
    why: 'Without network isolation the processing container can reach the internet and other services, so data can leave.',
    severity: 'high',
    fix: `${RECREATE} NetworkConfig.EnableNetworkIsolation=true (CLI --network-config EnableNetworkIsolation=true,...).`,
    prevent: { rule: 'true', key: 'sagemaker:NetworkIsolation' },
    check: (job) => checkTrue(job.NetworkConfig?.EnableNetworkIsolation, 'NetworkConfig.EnableNetworkIsolation'),
  },
  {
    id: 'processing-job.vpc',
    kind: KIND,
    title: 'Runs in a VPC',
    why: 'Outside your VPC the job uses SageMaker-managed networking that your security groups, NACLs and flow logs cannot see or control.',
    severity: 'high',
    fix: `${RECREATE} NetworkConfig.VpcConfig naming private subnets and security groups (CLI --network-config VpcConfig={Subnets=[...],SecurityGroupIds=[...]}).`,
    prevent: IN_VPC,
    check: (job) => checkVpcConfig(job.NetworkConfig?.VpcConfig, 'NetworkConfig.VpcConfig'),
  },
  {
    id: 'processing-job.inter-container-encryption',
    kind: KIND,
    title: 'Inter-container traffic encrypted',
    why: 'Distributed processing exchanges data between instances; unencrypted, it can be read on the network.',
    severity: 'medium',
    fix: `${RECREATE} NetworkConfig.EnableInterContainerTrafficEncryption=true.`,
    prevent: INTER_CONTAINER,
    check: (job, { settings }) => checkProcessingEncryption(job, settings),
  },
  {
    id: 'processing-job.volume-kms-key',
    kind: KIND,
    title: 'Storage volume encrypted with a customer KMS key',
    why: 'A customer managed key lets you control, audit and revoke access to the data on the processing volumes.',
    severity: 'medium',
    fix: `${RECREATE} ${CLUSTER}.VolumeKmsKeyId set to a customer managed KMS key (instance types with local instance storage take none).`,
    prevent: { rule: 'kms-key', key: 'sagemaker:VolumeKmsKeyArn', storageExempt: true },
    check: (job, { settings }) => checkVolumeKmsKey(job.ProcessingResources?.ClusterConfig?.VolumeKmsKeyId, `${CLUSTER}.VolumeKmsKeyId`, processingInstanceTypes(job), settings),
  },
  {
    id: 'processing-job.output-kms-key',
    kind: KIND,
    title: 'Output encrypted with a customer KMS key',
    why: 'Processing output written to S3 is derived from the data; a customer managed key keeps it under your control.',
    severity: 'medium',
    fix: `${RECREATE} ProcessingOutputConfig.KmsKeyId set to a customer managed KMS key.`,
    prevent: { rule: 'kms-key', key: 'sagemaker:OutputKmsKeyArn', storageExempt: false },
    check: (job, { settings }) => checkKmsKey(job.ProcessingOutputConfig?.KmsKeyId, 'ProcessingOutputConfig.KmsKeyId', settings),
  },
  maxRuntimeControl<ProcessingJob>(KIND, `${RECREATE} StoppingCondition.MaxRuntimeInSeconds at most the configured bound.`),
  instanceTypeControl<ProcessingJob>(KIND, { fix: `${RECREATE} an instance type (or InstancePreferences) from the allow-list.`, types: processingInstanceTypes }),
  allowedNetworkControl<ProcessingJob>(
    KIND,
    `${RECREATE} a NetworkConfig.VpcConfig that uses only the subnets and security groups the policy allows.`,
    (job) => placementOf(job.NetworkConfig?.VpcConfig),
  ),
  requiredTagsControl<ProcessingJob>(KIND, 'Add the missing tags with aws sagemaker add-tags (tags can be added to an existing job); new jobs should carry them from the start.'),
];
