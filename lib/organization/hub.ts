/**
 * The hub of an organization deployment, around the SageMakerGuard construct (whose rules listen on the hub's bus):
 * - the bus policy: only accounts of the organization may put events on it (aws:PrincipalOrgID);
 * - the hub account's own SageMaker events, forwarded from its default bus to the hub's bus like a spoke's (a
 *   StackSet never deploys to the management account, and the hub may sit outside the target OUs);
 * - the StackSet of spokes (lib/organization/spoke.ts): service-managed, deployed to every account of the target OUs
 *   and to the accounts that join them later, in every listed region, the hub's region first (its instance creates
 *   the account's IAM roles).
 * It refuses, at synth, auditor roles that no spoke's member role could trust: of another partition than the hub's,
 * or so many that the member role's trust policy would pass IAM's size limit.
 */
import { Fn, Stack, Token } from 'aws-cdk-lib';
import { CfnStackSet } from 'aws-cdk-lib/aws-cloudformation';
import { Rule, type EventBus } from 'aws-cdk-lib/aws-events';
import { EventBus as EventBusTarget } from 'aws-cdk-lib/aws-events-targets';
import { AnyPrincipal, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct } from 'constructs';
import { eventPatternFor, KIND_LIST } from '../../lambda/kinds/registry';
import type { OrganizationDeploy } from '../config';
import type { SageMakerGuard } from '../sagemaker-guard';
import { memberTrustPolicy, SPOKE_PARAMETERS, spokeTemplate } from './spoke';

/**
 * IAM's default quota for the size of a role's trust policy, in characters without white space. An account can have
 * it raised (to 4,096), but the spokes go to every account of the target OUs, now and later: the hub holds the
 * member role to the default.
 */
export const TRUST_POLICY_LIMIT = 2_048;

/** The partition of a region: CDK's region facts, else by its name (cn-* China, us-gov-* GovCloud, else commercial). */
export function partitionOfRegion(region: string): string {
  const known = RegionInfo.get(region).partition;
  if (known !== undefined) return known;
  return region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
}

/**
 * The largest the member role's trust policy can be once the StackSet fills it in. The function roles' ARNs are
 * tokens at synth, so each counts as the longest ARN such a role can have: the roles have no path and a name that
 * CloudFormation generates, 64 characters at most, so `arn:<partition>:iam::<12 digits>:role/<64 characters>` (95
 * characters in the aws partition, 102 in aws-us-gov). The auditors' ARNs count as they are, and the JSON around
 * them (quotes, commas, the statement) is the spoke's own policy (memberTrustPolicy) without white space, as IAM
 * counts it. An upper bound, so a deploy it lets through cannot fail on the size.
 */
export function memberTrustPolicySize(partition: string, functionRoles: number, auditorRoleArns: readonly string[]): number {
  const longest = `arn:${partition}:iam::${'0'.repeat(12)}:role/${'x'.repeat(64)}`;
  return JSON.stringify(memberTrustPolicy([...Array.from({ length: functionRoles }, () => longest), ...auditorRoleArns])).length;
}

/**
 * Refuses the auditor roles no member role could trust: one of another partition than the hub's (IAM refuses a
 * principal of another partition, so every spoke's member role would fail to deploy), or so many that the trust
 * policy could pass TRUST_POLICY_LIMIT.
 */
function checkAuditorRoles(region: string, functionRoles: number, auditorRoleArns: readonly string[]): void {
  const partition = partitionOfRegion(region);
  const foreign = auditorRoleArns.filter((arn) => arn.split(':')[1] !== partition);
  if (foreign.length > 0) {
    throw new Error(
      `organization.auditorRoleArns: ${foreign.join(', ')} ${foreign.length === 1 ? 'is' : 'are'} not in the partition of the hub's region ${region} (${partition}): ` +
        `a member role cannot trust a role of another partition, so every spoke's member role would fail to deploy. Name roles of arn:${partition}:iam:: only`,
    );
  }
  const size = memberTrustPolicySize(partition, functionRoles, auditorRoleArns);
  if (size > TRUST_POLICY_LIMIT) {
    const ownSize = memberTrustPolicySize(partition, functionRoles, []);
    throw new Error(
      `organization.auditorRoleArns: with these ${auditorRoleArns.length} auditor roles the member role's trust policy could reach ${size} characters, ` +
        `past IAM's default limit of ${TRUST_POLICY_LIMIT} for a role's trust policy, and every spoke's member role would fail to deploy ` +
        `(with the hub's ${functionRoles} function roles alone it takes up to ${ownSize}, which leaves ${TRUST_POLICY_LIMIT - ownSize} for the auditors' ARNs, each with 3 characters of quotes and comma). ` +
        'Name fewer auditor roles, such as one role that the auditors assume in turn',
    );
  }
}

export interface OrganizationHubProps {
  readonly organization: OrganizationDeploy;
  /** The bus the guard's rules listen on. */
  readonly eventBus: EventBus;
  readonly guard: SageMakerGuard;
}

export class OrganizationHub extends Construct {
  readonly stackSet: CfnStackSet;
  /** The region whose stack instances create each account's IAM roles: the hub's own. */
  readonly roleRegion: string;

  constructor(scope: Construct, id: string, props: OrganizationHubProps) {
    super(scope, id);
    const { organization, eventBus, guard } = props;
    const stack = Stack.of(this);
    if (Token.isUnresolved(stack.region)) {
      throw new Error('an organization deployment needs the hub\'s region at synth time: deploy with credentials (CDK_DEFAULT_REGION), or give the stack an env');
    }
    if (!organization.regions.includes(stack.region)) {
      throw new Error(`organization.regions must include the hub's own region ${stack.region} (given: ${organization.regions.join(', ')}): the accounts' roles are created there`);
    }
    this.roleRegion = stack.region;
    checkAuditorRoles(stack.region, guard.memberRoleUsers.length, organization.auditorRoleArns);

    eventBus.addToResourcePolicy(
      new PolicyStatement({
        sid: 'OrganizationAccountsPutEvents',
        principals: [new AnyPrincipal()],
        actions: ['events:PutEvents'],
        resources: [eventBus.eventBusArn],
        conditions: { StringEquals: { 'aws:PrincipalOrgID': organization.organizationId } },
      }),
    );

    for (const spec of KIND_LIST) {
      new Rule(this, `${spec.responderId}Forward`, {
        description: `sagemaker-guard: the hub account's own SageMaker ${spec.label} events to the hub's bus`,
        eventPattern: eventPatternFor(spec.id),
        targets: [new EventBusTarget(eventBus, { deadLetterQueue: guard.deadLetterQueue })],
      });
    }

    const others = organization.regions.filter((region) => region !== this.roleRegion);
    this.stackSet = new CfnStackSet(this, 'Spokes', {
      stackSetName: `${stack.stackName}-spokes`,
      description: 'sagemaker-guard spokes: forward SageMaker events to the hub; the member role the hub acts through',
      permissionModel: 'SERVICE_MANAGED',
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      callAs: organization.callAs,
      capabilities: ['CAPABILITY_NAMED_IAM'],
      managedExecution: { Active: true },
      operationPreferences: {
        // The hub's region first: its instance creates the roles the other regions' rules use. (Automatic
        // deployment to an account that joins later does not follow these preferences.)
        regionOrder: [this.roleRegion, ...others],
        regionConcurrencyType: 'SEQUENTIAL',
        // One account that refuses its spoke (a role name taken, an SCP on IAM, a region not enabled) must not roll
        // back the hub: up to a tenth of the accounts may fail (their instances show it, and their events never
        // come), and STRICT mode would cap concurrency at the tolerance + 1.
        concurrencyMode: 'SOFT_FAILURE_TOLERANCE',
        maxConcurrentPercentage: 25,
        failureTolerancePercentage: 10,
      },
      parameters: [
        { parameterKey: SPOKE_PARAMETERS.hubBusArn, parameterValue: eventBus.eventBusArn },
        { parameterKey: SPOKE_PARAMETERS.hubRoleArns, parameterValue: Fn.join(',', [...guard.memberRoleUsers.map((role) => role.roleArn), ...organization.auditorRoleArns]) },
        { parameterKey: SPOKE_PARAMETERS.roleRegion, parameterValue: this.roleRegion },
      ],
      stackInstancesGroup: [{ deploymentTargets: { organizationalUnitIds: [...organization.targetOus] }, regions: [...organization.regions] }],
      templateBody: JSON.stringify(spokeTemplate(organization.memberRoleName, stack.stackName)),
    });
  }
}
