import type { ResourceKind } from '../core/kinds';
import { fail, pass, skip, type CheckContext, type CheckResult, type Control } from './types';

/** Subnets and security groups of a resource's VPC placement, when it has one. */
export interface Placement {
  readonly subnets: readonly string[];
  readonly securityGroups: readonly string[];
}

/** The placement a Describe* VpcConfig gives (training jobs and models share its shape). */
export function placementOf(vpc: { readonly Subnets?: readonly string[]; readonly SecurityGroupIds?: readonly string[] } | undefined): Placement | undefined {
  return vpc === undefined ? undefined : { subnets: vpc.Subnets ?? [], securityGroups: vpc.SecurityGroupIds ?? [] };
}

/** Every subnet and security group must be on the policy's allow-lists (when the policy has them). */
export function checkAllowedNetwork(placement: Placement | undefined, context: CheckContext, vpcControl: string): CheckResult {
  const { allowedSubnets, allowedSecurityGroups } = context.settings;
  if (allowedSubnets === undefined && allowedSecurityGroups === undefined) return skip('no allowedSubnets or allowedSecurityGroups in the policy');
  if (placement === undefined) return skip(`no VPC placement (see ${vpcControl})`);
  const problems: string[] = [];
  const badSubnets = allowedSubnets === undefined ? [] : placement.subnets.filter((id) => !allowedSubnets.includes(id));
  if (badSubnets.length > 0) problems.push(`subnet(s) ${badSubnets.join(', ')} not in allowedSubnets`);
  const badGroups = allowedSecurityGroups === undefined ? [] : placement.securityGroups.filter((id) => !allowedSecurityGroups.includes(id));
  if (badGroups.length > 0) problems.push(`security group(s) ${badGroups.join(', ')} not in allowedSecurityGroups`);
  return problems.length === 0 ? pass() : fail(problems.join('; '));
}

export function checkInstanceTypes(types: readonly string[], kind: ResourceKind, context: CheckContext): CheckResult {
  const allowed = context.settings.kinds[kind]?.allowedInstanceTypes;
  if (allowed === undefined) return skip(`no allow-list in the policy (kinds.${kind}.allowedInstanceTypes)`);
  if (types.length === 0) return fail('the resource names no instance type');
  const outside = types.filter((type) => !allowed.includes(type));
  return outside.length === 0 ? pass() : fail(`${outside.join(', ')} not in the allow-list (${allowed.join(', ')})`);
}

/** The required-tags control, the same for every kind: tags come from ListTags, not Describe. */
export function requiredTagsControl<R>(kind: ResourceKind, fix: string): Control<R> {
  return {
    id: `${kind}.required-tags`,
    kind,
    title: 'Required tags present',
    why: 'Tags name the owner, cost centre and data class that access reviews and incident response rely on.',
    severity: 'low',
    fix,
    check: (_resource, { settings, tags }) => {
      const required = settings.requiredTags;
      if (required === undefined) return skip('no requiredTags in the policy');
      const present: Readonly<Partial<Record<string, string>>> = tags;
      const problems = Object.entries(required).flatMap(([key, allowed]) => {
        const value = present[key];
        if (value === undefined || value.trim() === '') return [`tag ${key} is missing`];
        if (allowed.length > 0 && !allowed.includes(value)) return [`tag ${key}=${value} is not one of ${allowed.join(', ')}`];
        return [];
      });
      return problems.length === 0 ? pass() : fail(problems.join('; '));
    },
  };
}

/** The allowed-network control, the same for every kind but for where the placement is read. */
export function allowedNetworkControl<R>(kind: ResourceKind, fix: string, placement: (resource: R) => Placement | undefined): Control<R> {
  return {
    id: `${kind}.allowed-network`,
    kind,
    title: 'Subnets and security groups allowed',
    why: 'Only subnets and security groups that the platform team has reviewed keep data on approved network paths.',
    severity: 'medium',
    fix,
    iamConditionKey: 'sagemaker:VPCSubnets, sagemaker:VPCSecurityGroupIds',
    check: (resource, context) => checkAllowedNetwork(placement(resource), context, `${kind}.vpc`),
  };
}
