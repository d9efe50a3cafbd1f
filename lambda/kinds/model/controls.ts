import type { DescribeModelCommandOutput } from '@aws-sdk/client-sagemaker';
import { allowedNetworkControl, IN_VPC, checkTrue, checkVpcConfig, placementOf, requiredTagsControl } from '../../controls/blocks';
import type { Control } from '../../controls/types';

export type Model = Omit<DescribeModelCommandOutput, '$metadata'>;

/** How the model's containers are set up, for messages: one primary container or an inference pipeline. */
export function containerSetup(model: Model): string {
  const count = model.Containers?.length ?? 0;
  if (count > 0) return `${count} container${count === 1 ? '' : 's'} (Containers)`;
  return model.PrimaryContainer !== undefined ? 'a primary container' : 'no container definition';
}

const RECREATE = 'Create the model again (enforce mode has deleted it) with';

export const modelControls: readonly Control<Model>[] = [
  {
    id: 'model.network-isolation',
    kind: 'model',
    title: 'Network isolation enabled',
    why: 'Without network isolation the inference containers can make outbound calls, so data sent to the model can leave.',
    severity: 'high',
    fix: `${RECREATE} EnableNetworkIsolation=true (CLI --enable-network-isolation); a model cannot be updated.`,
    prevent: { rule: 'true', key: 'sagemaker:NetworkIsolation' },
    check: (model) => checkTrue(model.EnableNetworkIsolation, 'EnableNetworkIsolation', ` for ${containerSetup(model)}`),
  },
  {
    id: 'model.vpc',
    kind: 'model',
    title: 'Runs in a VPC',
    why: 'The VpcConfig applies to every container of the model; without it, hosting traffic bypasses your VPC controls.',
    severity: 'high',
    fix: `${RECREATE} a VpcConfig naming private subnets and security groups (CLI --vpc-config Subnets=...,SecurityGroupIds=...).`,
    prevent: IN_VPC,
    check: (model) => checkVpcConfig(model.VpcConfig, 'VpcConfig', ` for ${containerSetup(model)}`),
  },
  allowedNetworkControl<Model>('model', `${RECREATE} a VpcConfig that uses only the subnets and security groups the policy allows.`, (model) => placementOf(model.VpcConfig)),
  requiredTagsControl<Model>('model', 'Add the missing tags with aws sagemaker add-tags; a model that was deleted is created again with them (CreateModel --tags).'),
];
