import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { GuardConfig } from './config';
import { SageMakerGuard } from './sagemaker-guard';
import { GuardrailsManagedPolicy } from './sagemaker-guardrails';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { OrganizationHub } from './organization/hub';

export interface SageMakerGuardStackProps extends StackProps {
  readonly config: GuardConfig;
}

/** The standalone deployment of the SageMakerGuard construct. */
export class SageMakerGuardStack extends Stack {
  readonly guard: SageMakerGuard;
  /** The in-account guardrails policy, when the context asks for it (`guardrails.managedPolicy`). */
  readonly guardrailsPolicy?: GuardrailsManagedPolicy;
  /** The hub of an organization deployment, when the context has `organization`. */
  readonly hub?: OrganizationHub;

  constructor(scope: Construct, id: string, props: SageMakerGuardStackProps) {
    super(scope, id, {
      description: 'sagemaker-guard: stops or deletes SageMaker training jobs, models and notebook instances that break security controls',
      ...props,
    });
    const { config } = props;

    const { organization } = config;
    // The hub's bus, where every account's spoke (and the hub account itself) forwards its SageMaker events.
    const hubBus = organization !== undefined ? new EventBus(this, 'HubEventBus', { description: 'sagemaker-guard: SageMaker events of the organization\'s accounts' }) : undefined;
    this.guard = new SageMakerGuard(this, 'Guard', {
      settings: config.settings,
      notificationEmails: config.notificationEmails,
      logRetention: config.logRetention,
      sweepSchedule: config.sweepSchedule,
      ...(organization !== undefined && hubBus !== undefined
        ? { hub: { eventBus: hubBus, memberRoleName: organization.memberRoleName, organizationId: organization.organizationId, targetOus: organization.targetOus, regions: organization.regions } }
        : {}),
    });
    if (organization !== undefined && hubBus !== undefined) {
      this.hub = new OrganizationHub(this, 'Organization', { organization, eventBus: hubBus, guard: this.guard });
      new CfnOutput(this, 'HubEventBusArn', { description: 'The hub\'s event bus: the spokes forward their accounts\' SageMaker events here', value: hubBus.eventBusArn });
      new CfnOutput(this, 'SpokeStackSetName', { description: 'The StackSet of spokes (one stack instance per account and region)', value: this.hub.stackSet.stackSetName });
    }

    new CfnOutput(this, 'TopicArn', {
      description: 'SNS topic of guard notices and alarms; subscribe more endpoints here',
      value: this.guard.topic.topicArn,
    });
    new CfnOutput(this, 'DeadLetterQueueUrl', {
      description: 'Events and invocations the guard could not process',
      value: this.guard.deadLetterQueue.queueUrl,
    });
    new CfnOutput(this, 'LedgerTableName', {
      description: 'DynamoDB remediation ledger: what the guard decided, did and still owes to tell (npx sagemaker-guard history reads it)',
      value: this.guard.ledger.tableName,
    });
    new CfnOutput(this, 'PolicyMode', { description: 'The policy\'s global default mode (per-kind and per-control modes may differ)', value: config.settings.mode });
    new CfnOutput(this, 'EnforcementSwitchParameter', {
      description: 'Set to "report" to stop all enforcement within 30 seconds, "policy" to resume',
      value: this.guard.enforcementSwitch.parameterName,
    });
    if (config.guardrails.managedPolicy !== false) {
      this.guardrailsPolicy = new GuardrailsManagedPolicy(this, 'GuardrailsPolicy', {
        settings: config.settings,
        format: config.guardrails.managedPolicy,
        switchParameterName: this.guard.switchParameterName,
      });
    }
  }
}
