import type { IpPermission, RouteTable, SecurityGroup, Subnet } from '@aws-sdk/client-ec2';
import type { DescribeNotebookInstanceCommandOutput } from '@aws-sdk/client-sagemaker';
import { allowedNetworkControl, IN_VPC, instanceTypeControl, checkKmsKey, requiredTagsControl } from '../../controls/blocks';
import { fail, pass, skip, type CheckResult, type Control } from '../../controls/types';

/** What EC2 says about the network a notebook sits in: read by the adapter, judged here. */
export interface NotebookNetwork {
  /** Undefined when EC2 does not know the subnet. */
  readonly subnet?: Subnet;
  /** The route table associated with the subnet, or the VPC's main table when none is. */
  readonly routeTable?: RouteTable;
  /** The security groups EC2 returned for the notebook's group ids. */
  readonly securityGroups: readonly SecurityGroup[];
}

export interface NotebookInstance {
  readonly notebook: Omit<DescribeNotebookInstanceCommandOutput, '$metadata'>;
  /** Present when the notebook has a SubnetId. */
  readonly network?: NotebookNetwork;
}

const ANYWHERE = new Set(['0.0.0.0/0', '::/0']);
const RECREATE = 'Create the notebook instance again (its network settings and key cannot be updated) with';
const NOT_IN_VPC = 'the notebook has no SubnetId (see notebook-instance.vpc)';

function openRanges(permission: IpPermission): string[] {
  const v4 = (permission.IpRanges ?? []).map((range) => range.CidrIp);
  const v6 = (permission.Ipv6Ranges ?? []).map((range) => range.CidrIpv6);
  return [...v4, ...v6].filter((cidr): cidr is string => cidr !== undefined && ANYWHERE.has(cidr));
}

function describePermission(permission: IpPermission): string {
  const protocol = permission.IpProtocol === '-1' ? 'all traffic' : (permission.IpProtocol ?? '?');
  if (permission.IpProtocol === '-1' || permission.FromPort === undefined) return protocol;
  const ports = permission.FromPort === permission.ToPort ? `${permission.FromPort}` : `${permission.FromPort}-${permission.ToPort ?? '?'}`;
  return `${protocol} ${ports}`;
}

/** Rules of the groups that open a direction to the whole internet, as readable strings. */
export function openRules(groups: readonly SecurityGroup[], direction: 'ingress' | 'egress'): string[] {
  return groups.flatMap((group) => {
    const permissions = (direction === 'ingress' ? group.IpPermissions : group.IpPermissionsEgress) ?? [];
    return permissions.flatMap((permission) =>
      openRanges(permission).map(
        (cidr) => `${group.GroupId ?? '?'} ${direction} ${describePermission(permission)} ${direction === 'ingress' ? 'from' : 'to'} ${cidr}`,
      ),
    );
  });
}

export function checkPrivateSubnet(subnetId: string, network: NotebookNetwork): CheckResult {
  if (network.subnet === undefined) return fail(`subnet ${subnetId} was not found by ec2:DescribeSubnets`);
  if (network.subnet.MapPublicIpOnLaunch === true) return fail(`subnet ${subnetId} has MapPublicIpOnLaunch=true`);
  const table = network.routeTable;
  if (table === undefined) return fail(`no route table found for subnet ${subnetId} (neither associated nor the VPC main table)`);
  const toIgw = (table.Routes ?? []).filter((route) => route.GatewayId?.startsWith('igw-') === true && route.State !== 'blackhole');
  if (toIgw.length > 0) {
    const where = table.Associations?.some((association) => association.SubnetId === subnetId) === true ? 'its route table' : 'the VPC main route table it uses';
    const routes = toIgw.map((route) => `${route.DestinationCidrBlock ?? route.DestinationIpv6CidrBlock ?? route.DestinationPrefixListId ?? '?'} -> ${route.GatewayId ?? '?'}`);
    return fail(`subnet ${subnetId}: ${where} ${table.RouteTableId ?? ''} routes ${routes.join(', ')} (an internet gateway)`);
  }
  return pass();
}

export function checkSecurityGroups(groupIds: readonly string[], network: NotebookNetwork, allowOpenEgress: boolean): CheckResult {
  if (groupIds.length === 0) return fail('the notebook has a subnet but no security groups');
  const found = new Set(network.securityGroups.map((group) => group.GroupId));
  const missing = groupIds.filter((id) => !found.has(id));
  if (missing.length > 0) return fail(`security group(s) ${missing.join(', ')} not found by ec2:DescribeSecurityGroups`);
  const open = [...openRules(network.securityGroups, 'ingress'), ...(allowOpenEgress ? [] : openRules(network.securityGroups, 'egress'))];
  return open.length === 0 ? pass() : fail(open.join('; '));
}

export const notebookInstanceControls: readonly Control<NotebookInstance>[] = [
  {
    id: 'notebook-instance.direct-internet-access',
    kind: 'notebook-instance',
    title: 'Direct internet access disabled',
    why: 'With direct internet access SageMaker gives the notebook its own route to the internet, outside your VPC controls.',
    severity: 'critical',
    fix: `${RECREATE} DirectInternetAccess=Disabled in a private subnet (reach the internet, if needed, through a NAT gateway or VPC endpoints).`,
    prevent: { rule: 'equals', key: 'sagemaker:DirectInternetAccess', value: 'Disabled' },
    check: ({ notebook }) =>
      notebook.DirectInternetAccess === 'Disabled'
        ? pass()
        : fail(`DirectInternetAccess is ${notebook.DirectInternetAccess ?? 'absent (defaults to Enabled)'}`),
  },
  {
    id: 'notebook-instance.vpc',
    kind: 'notebook-instance',
    title: 'Runs in a VPC',
    why: 'A notebook without a subnet runs in SageMaker-managed networking that your security groups and flow logs cannot see.',
    severity: 'high',
    fix: `${RECREATE} a SubnetId and SecurityGroupIds in your VPC.`,
    prevent: IN_VPC,
    check: ({ notebook }) => (notebook.SubnetId !== undefined && notebook.SubnetId !== '' ? pass() : fail('SubnetId is absent')),
  },
  {
    id: 'notebook-instance.private-subnet',
    kind: 'notebook-instance',
    title: 'Subnet is private',
    why: 'A subnet that maps public IPs or routes to an internet gateway gives the notebook a path to and from the internet.',
    severity: 'high',
    fix: `${RECREATE} a subnet that has MapPublicIpOnLaunch=false and no route to an internet gateway (use a NAT gateway or VPC endpoints instead).`,
    check: ({ notebook, network }) =>
      notebook.SubnetId === undefined || network === undefined ? skip(NOT_IN_VPC) : checkPrivateSubnet(notebook.SubnetId, network),
  },
  {
    id: 'notebook-instance.security-groups',
    kind: 'notebook-instance',
    title: 'Security groups closed to the internet',
    why: 'A rule open to 0.0.0.0/0 or ::/0 lets anyone reach the notebook, or lets the notebook send data anywhere.',
    severity: 'high',
    fix: 'Remove inbound rules from 0.0.0.0/0 and ::/0, and replace outbound rules to them with the endpoints the notebook needs (security groups can be edited in place).',
    check: ({ notebook, network }, { settings }) =>
      notebook.SubnetId === undefined || network === undefined
        ? skip(NOT_IN_VPC)
        : checkSecurityGroups(notebook.SecurityGroups ?? [], network, settings.allowNotebookOpenEgress),
  },
  {
    id: 'notebook-instance.root-access',
    kind: 'notebook-instance',
    title: 'Root access disabled',
    why: 'Root lets any notebook user change the instance, install software and read other users\' files.',
    severity: 'medium',
    fix: 'Stop the notebook instance and update it with RootAccess=Disabled (aws sagemaker update-notebook-instance --root-access Disabled), then start it.',
    prevent: { rule: 'equals', key: 'sagemaker:RootAccess', value: 'Disabled', onUpdate: true },
    check: ({ notebook }) =>
      notebook.RootAccess === 'Disabled' ? pass() : fail(`RootAccess is ${notebook.RootAccess ?? 'absent (defaults to Enabled)'}`),
  },
  {
    id: 'notebook-instance.kms-key',
    kind: 'notebook-instance',
    title: 'Volume encrypted with a customer KMS key',
    why: 'A customer managed key lets you control, audit and revoke access to the notebook\'s storage volume.',
    severity: 'medium',
    fix: `${RECREATE} KmsKeyId set to a customer managed KMS key.`,
    prevent: { rule: 'kms-key', key: 'sagemaker:VolumeKmsKeyArn', storageExempt: false },
    check: ({ notebook }, { settings }) => checkKmsKey(notebook.KmsKeyId, 'KmsKeyId', settings),
  },
  {
    id: 'notebook-instance.imdsv2',
    kind: 'notebook-instance',
    title: 'IMDSv2 only',
    why: 'IMDSv1 answers unauthenticated requests, so a server-side request forgery can steal the notebook role\'s credentials.',
    severity: 'medium',
    fix: 'Stop the notebook instance and update it with --instance-metadata-service-configuration MinimumInstanceMetadataServiceVersion=2, then start it.',
    prevent: { rule: 'equals', key: 'sagemaker:MinimumInstanceMetadataServiceVersion', value: '2', onUpdate: true },
    check: ({ notebook }) => {
      const version = notebook.InstanceMetadataServiceConfiguration?.MinimumInstanceMetadataServiceVersion;
      return version === '2' ? pass() : fail(`MinimumInstanceMetadataServiceVersion is ${version ?? 'absent (defaults to 1)'}`);
    },
  },
  allowedNetworkControl<NotebookInstance>('notebook-instance', `${RECREATE} a subnet and security groups the policy allows.`, ({ notebook }) =>
    notebook.SubnetId === undefined || notebook.SubnetId === '' ? undefined : { subnets: [notebook.SubnetId], securityGroups: notebook.SecurityGroups ?? [] },
  ),
  instanceTypeControl<NotebookInstance>('notebook-instance', {
    onUpdate: true,
    why: 'An allow-list keeps notebooks on approved, budgeted hardware.',
    fix: 'Stop the notebook instance and update it with an allowed --instance-type, then start it.',
    types: ({ notebook }) => (notebook.InstanceType === undefined ? [] : [notebook.InstanceType]),
  }),
  requiredTagsControl<NotebookInstance>('notebook-instance', 'Add the missing tags with aws sagemaker add-tags (no restart needed).'),
];
