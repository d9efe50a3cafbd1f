import type { DescribeTransformJobCommandOutput } from '@aws-sdk/client-sagemaker';
import { instanceTypeControl, checkKmsKey, checkVolumeKmsKey, derivedControls, fixFrom, suffixOf, requiredTagsControl, type Part } from '../../controls/blocks';
import type { Control } from '../../controls/types';
import { modelControls, type Model } from '../model/controls';

export type TransformJobDescription = Omit<DescribeTransformJobCommandOutput, '$metadata'>;

/**
 * What the transform job controls read. A transform job has no network settings of its own: its containers run
 * with its model's (ModelName), so the adapter describes the model too.
 */
export interface TransformJob {
  readonly job: TransformJobDescription;
  /** DescribeModel of job.ModelName; undefined when that model no longer exists (or the job names none). */
  readonly model: Model | undefined;
}

const KIND = 'transform-job';
const RECREATE = 'Start a new transform job (the settings of an existing job cannot be changed) with';
/** Neither a transform job nor a model can be updated: the fix is a new model and a new job. */
const NEW_MODEL = "A transform job runs with its model's network settings, and neither can be changed: create a model with";
const THEN_NEW_JOB = 'and start a new transform job with it. CreateTransformJob has no network condition keys: gate CreateModel';

function time(value: Date | undefined): number | undefined {
  return value instanceof Date && !Number.isNaN(value.getTime()) ? value.getTime() : undefined;
}

/**
 * The job's model as a part for the model controls. Nothing shows a job is safe when its model is gone (it may
 * have been deleted right after the job started, or by the guard itself for failing the model controls) or was
 * created again after the job started (the new model's settings are not necessarily the ones the job runs with).
 */
export function modelPart(resource: TransformJob): Part<Model> {
  const name = resource.job.ModelName;
  if (name === undefined || name === '') return { label: 'model (ModelName absent)', value: undefined, missing: 'the job names no model, so nothing shows how its containers are networked' };
  const label = `model ${name}`;
  const { model } = resource;
  if (model === undefined) {
    return {
      label,
      value: undefined,
      missing: 'no longer exists (DescribeModel: not found), so nothing shows the settings the job runs with; a model can be deleted right after the job starts',
    };
  }
  const modelCreated = time(model.CreationTime);
  const jobCreated = time(resource.job.CreationTime);
  if (modelCreated !== undefined && jobCreated !== undefined && modelCreated > jobCreated) {
    return {
      label,
      value: undefined,
      missing: `was created again (${new Date(modelCreated).toISOString()}) after the job started (${new Date(jobCreated).toISOString()}), so its settings are not necessarily the ones the job runs with`,
    };
  }
  return { label, value: model };
}

const MODEL_FIX: Readonly<Record<string, string>> = {
  'network-isolation': `${NEW_MODEL} EnableNetworkIsolation=true (CLI --enable-network-isolation) ${THEN_NEW_JOB} with sagemaker:NetworkIsolation.`,
  vpc: `${NEW_MODEL} a VpcConfig naming private subnets and security groups (CLI --vpc-config Subnets=...,SecurityGroupIds=...) ${THEN_NEW_JOB} with sagemaker:VpcSubnets and sagemaker:VpcSecurityGroupIds.`,
  'allowed-network': `${NEW_MODEL} a VpcConfig that uses only the subnets and security groups the policy allows ${THEN_NEW_JOB} with sagemaker:VpcSubnets and sagemaker:VpcSecurityGroupIds.`,
};

const MODEL_WHY: Readonly<Record<string, string>> = {
  'network-isolation': "The job runs its model's containers with the model's settings; without network isolation they can make outbound calls, so the data being transformed can leave.",
  vpc: "The job runs in its model's VpcConfig; without one, its traffic bypasses your VPC controls (security groups, NACLs, flow logs).",
  'allowed-network': "The job runs in its model's subnets and security groups; only reviewed ones keep the data on approved network paths.",
};

const lowerFirst = (text: string): string => text.charAt(0).toLowerCase() + text.slice(1);

/** The model controls (but its required tags: the job has its own), over the job's model. */
const modelDerived: Control<TransformJob>[] = derivedControls<TransformJob, Model>(
  KIND,
  modelControls.filter((control) => control.id !== 'model.required-tags'),
  (resource) => [modelPart(resource)],
  {
    idPrefix: 'model-',
    title: (source) => `Model ${lowerFirst(source.title)}`,
    fix: fixFrom(KIND, MODEL_FIX),
    // A transform job carries no network condition keys: its posture is set when the model is created.
    keepsPrevention: false,
    noParts: 'the job names no model',
  },
).map((control) => ({ ...control, why: MODEL_WHY[suffixOf(control.id).replace(/^model-/, '')] ?? control.why }));

function instanceTypes(resource: TransformJob): string[] {
  const type = resource.job.TransformResources?.InstanceType;
  return type === undefined ? [] : [type];
}

export const transformJobControls: readonly Control<TransformJob>[] = [
  ...modelDerived,
  {
    id: 'transform-job.volume-kms-key',
    kind: KIND,
    title: 'Storage volume encrypted with a customer KMS key',
    why: 'The volumes of the transform instances hold the input and the results while the job runs; a customer managed key lets you control, audit and revoke access to them.',
    severity: 'medium',
    fix: `${RECREATE} TransformResources.VolumeKmsKeyId set to a customer managed KMS key (instance types with local instance storage take none).`,
    prevent: { rule: 'kms-key', key: 'sagemaker:VolumeKmsKeyArn', storageExempt: true },
    check: (resource, { settings }) => checkVolumeKmsKey(resource.job.TransformResources?.VolumeKmsKeyId, 'TransformResources.VolumeKmsKeyId', instanceTypes(resource), settings),
  },
  {
    id: 'transform-job.output-kms-key',
    kind: KIND,
    title: 'Output encrypted with a customer KMS key',
    why: 'The inferences written to S3 are derived from the data; a customer managed key keeps them under your control.',
    severity: 'medium',
    fix: `${RECREATE} TransformOutput.KmsKeyId set to a customer managed KMS key.`,
    prevent: { rule: 'kms-key', key: 'sagemaker:OutputKmsKeyArn', storageExempt: false },
    check: (resource, { settings }) => checkKmsKey(resource.job.TransformOutput?.KmsKeyId, 'TransformOutput.KmsKeyId', settings),
  },
  instanceTypeControl<TransformJob>(KIND, { fix: `${RECREATE} TransformResources.InstanceType from the allow-list (kinds.transform-job.allowedInstanceTypes).`, types: instanceTypes }),
  requiredTagsControl<TransformJob>(KIND, 'Add the missing tags with aws sagemaker add-tags (tags can be added to an existing transform job); new jobs should carry them from the start.'),
];
