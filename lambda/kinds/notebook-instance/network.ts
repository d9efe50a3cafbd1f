import { DescribeRouteTablesCommand, DescribeSecurityGroupsCommand, DescribeSubnetsCommand, type RouteTable } from '@aws-sdk/client-ec2';
import { ec2 } from '../../aws/clients';
import type { NotebookNetwork } from './controls';

/**
 * Reads what EC2 knows of a notebook's subnet, its effective route table and its security groups.
 * Filters rather than id lists, so a missing subnet or group comes back empty instead of as an error.
 */
export async function readNotebookNetwork(subnetId: string, securityGroupIds: readonly string[]): Promise<NotebookNetwork> {
  const [subnets, groups] = await Promise.all([
    ec2().send(new DescribeSubnetsCommand({ Filters: [{ Name: 'subnet-id', Values: [subnetId] }] })),
    securityGroupIds.length === 0
      ? Promise.resolve({ SecurityGroups: [] })
      : ec2().send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-id', Values: [...securityGroupIds] }] })),
  ]);
  const subnet = subnets.Subnets?.[0];
  const routeTable = subnet === undefined ? undefined : await effectiveRouteTable(subnetId, subnet.VpcId);
  return {
    ...(subnet !== undefined ? { subnet } : {}),
    ...(routeTable !== undefined ? { routeTable } : {}),
    securityGroups: groups.SecurityGroups ?? [],
  };
}

/** The table explicitly associated with the subnet, else the VPC's main table (which then applies). */
async function effectiveRouteTable(subnetId: string, vpcId: string | undefined): Promise<RouteTable | undefined> {
  const associated = await ec2().send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'association.subnet-id', Values: [subnetId] }] }));
  const explicit = associated.RouteTables?.[0];
  if (explicit !== undefined || vpcId === undefined) return explicit;
  const main = await ec2().send(
    new DescribeRouteTablesCommand({
      Filters: [
        { Name: 'vpc-id', Values: [vpcId] },
        { Name: 'association.main', Values: ['true'] },
      ],
    }),
  );
  return main.RouteTables?.[0];
}
