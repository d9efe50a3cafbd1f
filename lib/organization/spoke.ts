/**
 * The spoke: what the hub's StackSet puts in every account of the target OUs, in every listed region. No code and no
 * assets (a StackSet template is one body), only:
 * - one EventBridge rule per kind on the default bus, with the hub's own event patterns, forwarding to the hub's bus
 *   through a role of the region's own (`<hub stack>-forward-<region>`), retried for a day, then kept in the region's
 *   dead-letter queue (`<hub stack>-forward-dead-letters`, 14 days, kept when the stack instance goes) instead of
 *   dropped;
 * - in the hub's region only (IAM is global, and a role of the same name in every region would collide): the member
 *   role, which only the hub's function roles may assume, with exactly the reads, stops, deletes and tags the kinds
 *   call (the kinds' own permission lists, as the hub's roles get them) in this account.
 * Every name starts with the hub's stack name, so the guardrails' SCPs (their self-protection) cover the spokes too.
 * Declarative, built from the kind registry: adding a kind adds its rule and its permissions here too.
 */
import { App, BootstraplessSynthesizer, CfnCondition, CfnParameter, Fn, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { CfnRule } from 'aws-cdk-lib/aws-events';
import { CfnRole } from 'aws-cdk-lib/aws-iam';
import { CfnQueue, CfnQueuePolicy } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { eventPatternFor, KIND_LIST, KINDS, RESOURCE_KINDS } from '../../lambda/kinds/registry';
import { LIST_ACTIONS, permissionsOf } from '../sagemaker-guard';

/**
 * The forwarding role's name in each account and region: one per region (so no region's rules wait for another's
 * instance, also when an account joins later), under the hub stack's name, so the guardrails' self-protection
 * (`role/<stack>-*`) covers it.
 */
export const forwardRoleName = (hubStackName: string, region: string): string => `${hubStackName}-forward-${region}`;

/** The queue in each account and region that keeps the events its rules could not put on the hub's bus. */
export const forwardDeadLetterQueueName = (hubStackName: string): string => `${hubStackName}-forward-dead-letters`;

/** EventBridge's delivery retries to the hub's bus before an event goes to the dead-letter queue: its maximum, a day. */
export const FORWARD_RETRY = { maximumEventAgeInSeconds: 86_400, maximumRetryAttempts: 185 } as const;

/** The spoke template's parameters, which the StackSet fills from the hub stack's values. */
export const SPOKE_PARAMETERS = { hubBusArn: 'HubEventBusArn', hubRoleArns: 'HubFunctionRoleArns', roleRegion: 'RoleRegion' } as const;

/**
 * The member role's trust policy: `principals` (the hub's function roles, then the auditor roles) may assume it. The
 * hub measures it too, with the auditors' ARNs, against IAM's size limit (lib/organization/hub.ts).
 */
export function memberTrustPolicy(principals: readonly string[]): { readonly Version: string; readonly Statement: readonly Record<string, unknown>[] } {
  return { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: principals }, Action: 'sts:AssumeRole' }] };
}

export interface SpokeStackProps extends StackProps {
  readonly memberRoleName: string;
  /** The hub's stack name: the spoke's rules and forwarding roles are named under it (the guardrails protect `<stack>-*`). */
  readonly hubStackName: string;
}

/** Keys of an event pattern as EventBridge's JSON spells them (the L1 rule takes the raw pattern). */
function rawPattern(kind: (typeof RESOURCE_KINDS)[number]): Record<string, unknown> {
  const pattern = eventPatternFor(kind);
  return { source: pattern.source, 'detail-type': pattern.detailType, ...(pattern.detail !== undefined ? { detail: pattern.detail } : {}) };
}

export class SpokeStack extends Stack {
  constructor(scope: Construct, id: string, props: SpokeStackProps) {
    super(scope, id, { description: 'sagemaker-guard spoke: forwards SageMaker events to the hub and holds the role the hub acts through', ...props });
    const hubBusArn = new CfnParameter(this, SPOKE_PARAMETERS.hubBusArn, { type: 'String', description: 'The hub\'s event bus' });
    const hubRoleArns = new CfnParameter(this, SPOKE_PARAMETERS.hubRoleArns, { type: 'CommaDelimitedList', description: 'The hub function roles that may assume the member role' });
    const roleRegion = new CfnParameter(this, SPOKE_PARAMETERS.roleRegion, { type: 'String', description: 'The one region whose stack instance creates the account\'s IAM roles' });
    const inRoleRegion = new CfnCondition(this, 'InRoleRegion', { expression: Fn.conditionEquals(this.region, roleRegion.valueAsString) });

    if (props.hubStackName.length > 40) throw new Error(`the hub's stack name is ${props.hubStackName.length} characters: the spokes' role and rule names (<stack>-forward-<region>, 64 at most) need it to be 40 at most`);
    const forwardName = forwardRoleName(props.hubStackName, this.region);
    const forwardRole = new CfnRole(this, 'ForwardRole', {
      roleName: forwardName,
      description: 'sagemaker-guard: EventBridge puts this account\'s SageMaker events on the hub\'s bus',
      assumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': this.account } } }],
      },
      policies: [{ policyName: 'PutOnHubBus', policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: hubBusArn.valueAsString }] } }],
    });

    const { byArnType, unscoped } = permissionsOf(RESOURCE_KINDS);
    const memberRole = new CfnRole(this, 'MemberRole', {
      roleName: props.memberRoleName,
      description: 'sagemaker-guard: the hub\'s functions read, stop, delete and tag SageMaker resources of this account through this role',
      maxSessionDuration: 3600,
      assumeRolePolicyDocument: memberTrustPolicy(hubRoleArns.valueAsList),
      policies: [
        {
          policyName: 'GuardKinds',
          policyDocument: {
            Version: '2012-10-17',
            Statement: [
              ...[...byArnType].map(([arnType, actions]) => ({
                Effect: 'Allow',
                Action: [...actions].sort(),
                // Every region: the role is global, and the hub acts wherever the event came from.
                Resource: `arn:${this.partition}:sagemaker:*:${this.account}:${arnType}/*`,
              })),
              // EC2 reads and the sweep's listings have no resource-level permissions.
              { Effect: 'Allow', Action: [...new Set([...unscoped, ...LIST_ACTIONS])].sort(), Resource: '*' },
            ],
          },
        },
      ],
    });
    memberRole.cfnOptions.condition = inRoleRegion;
    for (const arnType of byArnType.keys()) {
      Validations.of(memberRole).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sagemaker:*:<AWS::AccountId>:${arnType}/*]`,
        reason: `The hub reads or acts on any SageMaker ${arnType} of this account (names are known from events only), in any region the spoke forwards from; one resource type in one account.`,
      });
    }
    Validations.of(memberRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'EC2 Describe* and SageMaker List* have no resource-level permissions: IAM accepts only "*" for them. They are reads.',
    });

    // What the hub's bus refuses or cannot take (a bus policy that no longer admits the account, the hub being
    // redeployed) is kept here, encrypted, for 14 days, and is visible in the account: never dropped in silence.
    const deadLetters = new CfnQueue(this, 'ForwardDeadLetters', {
      queueName: forwardDeadLetterQueueName(props.hubStackName),
      sqsManagedSseEnabled: true,
      messageRetentionPeriod: 14 * 24 * 3600,
    });
    // Kept (with its policy: TLS only) when the stack instance is deleted or the queue replaced: an account that
    // leaves the target OUs, or a StackSet taken down, must not throw away the events it could not forward. Their
    // 14 days run on; the queue itself stays until someone deletes it, and while it is there a new stack instance
    // in that account and region (the account back in the OUs) fails on its name: read or replay it, delete it,
    // then retry the instance (README).
    deadLetters.applyRemovalPolicy(RemovalPolicy.RETAIN);
    Validations.of(deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the forwarding rules\' targets: nothing consumes it to fail again.',
    });
    const ruleNames = KIND_LIST.map((spec) => `${props.hubStackName}-${spec.responderId}`);
    const deadLettersPolicy = new CfnQueuePolicy(this, 'ForwardDeadLettersPolicy', {
      queues: [deadLetters.ref],
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'ForwardingRulesOnly',
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Resource: deadLetters.attrArn,
            Condition: { ArnEquals: { 'aws:SourceArn': ruleNames.map((name) => `arn:${this.partition}:events:${this.region}:${this.account}:rule/${name}`) } },
          },
          { Sid: 'TlsOnly', Effect: 'Deny', Principal: '*', Action: 'sqs:*', Resource: deadLetters.attrArn, Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
        ],
      },
    });
    deadLettersPolicy.applyRemovalPolicy(RemovalPolicy.RETAIN);

    KIND_LIST.forEach((spec, index) => {
      new CfnRule(this, `${KINDS[spec.id].responderId}Forward`, {
        name: ruleNames[index],
        description: `sagemaker-guard: actionable SageMaker ${spec.label} events to the hub`,
        eventPattern: rawPattern(spec.id),
        targets: [{ id: 'HubBus', arn: hubBusArn.valueAsString, roleArn: forwardRole.attrArn, retryPolicy: { ...FORWARD_RETRY }, deadLetterConfig: { arn: deadLetters.attrArn } }],
      });
    });
  }
}

/** The spoke, in an App of its own: no bootstrap parameter, no CDK metadata, nothing but its resources. */
export function spokeStack(memberRoleName: string, hubStackName: string): { readonly app: App; readonly stack: SpokeStack } {
  const app = new App({ context: { 'aws:cdk:enable-path-metadata': false } });
  const stack = new SpokeStack(app, 'SageMakerGuardSpoke', { memberRoleName, hubStackName, synthesizer: new BootstraplessSynthesizer(), analyticsReporting: false });
  return { app, stack };
}

/** The spoke's template: the StackSet's body. */
export function spokeTemplate(memberRoleName: string, hubStackName: string): Record<string, unknown> {
  const { app, stack } = spokeStack(memberRoleName, hubStackName);
  return app.synth().getStackByName(stack.stackName).template as Record<string, unknown>;
}
