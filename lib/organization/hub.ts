/**
 * The hub of an organization deployment, around the SageMakerGuard construct (whose rules listen on the hub's bus):
 * - the bus policy: only accounts of the organization may put events on it (aws:PrincipalOrgID);
 * - the hub account's own SageMaker events, forwarded from its default bus to the hub's bus like a spoke's (a
 *   StackSet never deploys to the management account, and the hub may sit outside the target OUs);
 * - the StackSet of spokes (lib/organization/spoke.ts): service-managed, deployed to every account of the target OUs
 *   and to the accounts that join them later, in every listed region, the hub's region first (its instance creates
 *   the account's IAM roles).
 */
import { Fn, Stack, Token } from 'aws-cdk-lib';
import { CfnStackSet } from 'aws-cdk-lib/aws-cloudformation';
import { Rule, type EventBus } from 'aws-cdk-lib/aws-events';
import { EventBus as EventBusTarget } from 'aws-cdk-lib/aws-events-targets';
import { AnyPrincipal, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { eventPatternFor, KIND_LIST } from '../../lambda/kinds/registry';
import type { OrganizationDeploy } from '../config';
import type { SageMakerGuard } from '../sagemaker-guard';
import { SPOKE_PARAMETERS, spokeTemplate } from './spoke';

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
