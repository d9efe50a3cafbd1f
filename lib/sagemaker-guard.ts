import { Aws, Duration, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { SubscriptionFilter, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { ParameterTier, StringParameter } from 'aws-cdk-lib/aws-ssm';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { eventPatternFor, KINDS, RESOURCE_KINDS, type ResourceKind } from '../lambda/core/kinds';
import { SWITCH_VALUES } from '../lambda/core/modes';
import type { GuardSettings } from '../lambda/core/settings';
import { GuardFunction } from './guard-function';

export interface SageMakerGuardProps {
  /** Validated settings (see lib/config.ts, or parseSettings in lambda/core/settings.ts). */
  readonly settings: GuardSettings;
  /** Addresses subscribed to the notice topic. Each must confirm the subscription email. */
  readonly notificationEmails: readonly string[];
  /** How long the functions' logs are kept. */
  readonly logRetention: RetentionDays;
  /**
   * Name of the SSM parameter operators flip to `report` to stop all enforcement without a deploy.
   * @default '/sagemaker-guard/enforcement'
   */
  readonly switchParameterName?: string;
  /**
   * When the scheduled sweep runs (an EventBridge schedule expression), or `off` for no sweep.
   * @default 'rate(1 day)'
   */
  readonly sweepSchedule?: string;
}

export const DEFAULT_SWITCH_PARAMETER = '/sagemaker-guard/enforcement';

/** Construct ids of the responders, one per kind. */
export const RESPONDER_IDS: Readonly<Record<ResourceKind, string>> = {
  'training-job': 'TrainingJobResponder',
  model: 'ModelResponder',
  'notebook-instance': 'NotebookInstanceResponder',
};

/** What each responder may do to its kind of SageMaker resource: describe, remediate, read and write tags. */
export const SAGEMAKER_ACTIONS: Readonly<Record<ResourceKind, readonly string[]>> = {
  'training-job': ['sagemaker:DescribeTrainingJob', 'sagemaker:StopTrainingJob', 'sagemaker:AddTags', 'sagemaker:ListTags'],
  // A deleted model cannot carry tags, so the model responder never writes them.
  model: ['sagemaker:DescribeModel', 'sagemaker:DeleteModel', 'sagemaker:ListTags'],
  'notebook-instance': [
    'sagemaker:DescribeNotebookInstance',
    'sagemaker:StopNotebookInstance',
    'sagemaker:AddTags',
    'sagemaker:ListTags',
  ],
};

/** Read-only EC2 calls some kinds make to evaluate network controls (notebook subnet, routes, security groups). */
export const EC2_ACTIONS: Readonly<Record<ResourceKind, readonly string[]>> = {
  'training-job': [],
  model: [],
  'notebook-instance': ['ec2:DescribeSubnets', 'ec2:DescribeRouteTables', 'ec2:DescribeSecurityGroups'],
};

/** The sweep's listings: List* actions have no resource-level permissions. */
export const LIST_ACTIONS: readonly string[] = RESOURCE_KINDS.map((kind) => KINDS[kind].listAction);

export const DEFAULT_SWEEP_SCHEDULE = 'rate(1 day)';

/** Every resource of the kind in this account and region; the guard learns names only from events. */
export function sageMakerResourcesArn(kind: ResourceKind): string {
  return `arn:${Aws.PARTITION}:sagemaker:${Aws.REGION}:${Aws.ACCOUNT_ID}:${KINDS[kind].arnType}/*`;
}

/**
 * sagemaker-guard: per SageMaker resource kind, an EventBridge rule sends the actionable state-change
 * events to a responder function, which describes the resource, evaluates the security controls,
 * stops or deletes it when it breaks them, and publishes a notice to an encrypted SNS topic.
 * Events EventBridge cannot deliver and invocations that keep failing land in one encrypted dead-letter
 * queue; alarms on that queue and on function errors notify the same topic.
 */
export class SageMakerGuard extends Construct {
  readonly key: Key;
  readonly topic: Topic;
  readonly deadLetterQueue: Queue;
  readonly enforcementSwitch: StringParameter;
  readonly functions: Readonly<Record<ResourceKind, NodejsFunction>>;
  /** The scheduled sweep, unless `sweepSchedule` is `off`. */
  readonly sweepFunction?: NodejsFunction;
  readonly rules: Readonly<Record<ResourceKind, Rule>>;
  readonly alarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: SageMakerGuardProps) {
    super(scope, id);

    this.key = new Key(this, 'Key', {
      description: 'sagemaker-guard: encrypts the notice topic and the dead-letter queue',
      enableKeyRotation: true,
    });
    // AWS services that write to the encrypted topic and queue on the account's behalf.
    for (const [sid, service] of [
      ['AllowCloudWatchAlarmsToNotifyEncryptedTopic', 'cloudwatch.amazonaws.com'],
      ['AllowEventBridgeToDeadLetterEncryptedQueue', 'events.amazonaws.com'],
    ] as const) {
      this.key.addToResourcePolicy(
        new PolicyStatement({
          sid,
          principals: [new ServicePrincipal(service)],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
        }),
      );
    }

    this.topic = new Topic(this, 'Topic', {
      displayName: 'SageMaker Guard notices',
      masterKey: this.key,
      enforceSSL: true,
    });
    // A topic policy replaces SNS's default one, so let CloudWatch alarms of this account publish.
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*` },
        },
      }),
    );
    // Operators get every notice and alarm; each owner address only the notices whose owner tag it claims.
    for (const email of props.notificationEmails) this.topic.addSubscription(new EmailSubscription(email));
    for (const [email, owners] of Object.entries(props.settings.owners)) {
      this.topic.addSubscription(
        new EmailSubscription(email, { filterPolicy: { owner: SubscriptionFilter.stringFilter({ allowlist: [...owners] }) } }),
      );
    }

    this.enforcementSwitch = new StringParameter(this, 'EnforcementSwitch', {
      parameterName: props.switchParameterName ?? DEFAULT_SWITCH_PARAMETER,
      description: 'sagemaker-guard backout switch: "policy" follows the policy; "report" never stops, deletes or tags anything',
      stringValue: 'policy',
      allowedPattern: `^(${SWITCH_VALUES.join('|')})$`,
      tier: ParameterTier.STANDARD,
    });

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue: EventBridge rule targets and the responders\' asynchronous ' +
        'invocations send what they could not process here, and an alarm notifies the topic when it holds a message.',
    });

    const functions: Partial<Record<ResourceKind, NodejsFunction>> = {};
    const rules: Partial<Record<ResourceKind, Rule>> = {};
    const alarms: Alarm[] = [
      new Alarm(this, 'DeadLetterQueueNotEmptyAlarm', {
        alarmDescription: 'sagemaker-guard: an event or invocation was dead-lettered; inspect the queue and redrive or discard it',
        metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: Stats.MAXIMUM }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    ];

    for (const kind of RESOURCE_KINDS) {
      const responderId = RESPONDER_IDS[kind];
      const responder = new GuardFunction(this, responderId, {
        entry: kind,
        purpose: `evaluates SageMaker ${KINDS[kind].label} events and remediates non-compliant resources`,
        settings: props.settings,
        topicArn: this.topic.topicArn,
        switchParameterName: this.enforcementSwitch.parameterName,
        deadLetterQueue: this.deadLetterQueue,
        logRetention: props.logRetention,
      });
      this.grantPermissions([kind], responder);
      functions[kind] = responder.function;

      rules[kind] = new Rule(this, `${responderId}Rule`, {
        description: `sagemaker-guard: actionable SageMaker ${KINDS[kind].label} events to ${responderId}`,
        eventPattern: eventPatternFor(kind),
        targets: [
          new LambdaFunction(responder.function, {
            deadLetterQueue: this.deadLetterQueue,
            retryAttempts: 8,
            maxEventAge: Duration.hours(24),
          }),
        ],
      });

      alarms.push(this.errorsAlarm(`${responderId}ErrorsAlarm`, responder.function, `the ${KINDS[kind].label} responder failed`, Duration.minutes(5)));
    }
    const schedule = props.sweepSchedule ?? DEFAULT_SWEEP_SCHEDULE;
    if (schedule !== 'off') {
      const sweeper = new GuardFunction(this, 'Sweep', {
        entry: 'sweep',
        purpose: 'scheduled sweep: checks existing SageMaker resources against the policy, acts, and sends one summary notice',
        settings: props.settings,
        topicArn: this.topic.topicArn,
        switchParameterName: this.enforcementSwitch.parameterName,
        deadLetterQueue: this.deadLetterQueue,
        logRetention: props.logRetention,
        timeout: Duration.minutes(15),
        memorySize: 512,
        // A failed sweep is not re-run at once: the next scheduled run covers it, and the errors alarm tells.
        retryAttempts: 0,
        environment: { AWS_RETRY_MODE: 'adaptive' },
      });
      this.grantPermissions(RESOURCE_KINDS, sweeper, true);
      sweeper.role.addToPrincipalPolicy(
        new PolicyStatement({ sid: 'ListSageMakerResources', actions: [...LIST_ACTIONS], resources: ['*'] }),
      );
      new Rule(this, 'SweepSchedule', {
        description: 'sagemaker-guard: runs the sweep of existing SageMaker resources',
        schedule: Schedule.expression(schedule),
        targets: [new LambdaFunction(sweeper.function, { deadLetterQueue: this.deadLetterQueue, retryAttempts: 2, maxEventAge: Duration.hours(1) })],
      });
      alarms.push(this.errorsAlarm('SweepErrorsAlarm', sweeper.function, 'the scheduled sweep failed', Duration.minutes(15)));
      this.sweepFunction = sweeper.function;
    }
    for (const alarm of alarms) alarm.addAlarmAction(new SnsAction(this.topic));

    this.functions = functions as Record<ResourceKind, NodejsFunction>;
    this.rules = rules as Record<ResourceKind, Rule>;
    this.alarms = alarms;
  }

  /** Any error of a function within one period raises the alarm (the topic is told by the caller). */
  private errorsAlarm(id: string, fn: NodejsFunction, what: string, period: Duration): Alarm {
    return new Alarm(this, id, {
      alarmDescription: `sagemaker-guard: ${what}; see its log group`,
      metric: fn.metricErrors({ period, statistic: Stats.SUM }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }

  /** Least privilege: each kind's SageMaker actions on that kind's ARNs, EC2 reads if needed, the switch, the topic. */
  private grantPermissions(kinds: readonly ResourceKind[], target: GuardFunction, listsAll = false): void {
    for (const kind of kinds) {
      target.role.addToPrincipalPolicy(
        new PolicyStatement({ actions: [...SAGEMAKER_ACTIONS[kind]], resources: [sageMakerResourcesArn(kind)] }),
      );
      Validations.of(target.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:${KINDS[kind].arnType}/*]`,
        reason:
          `The function must act on any SageMaker ${KINDS[kind].label} in this account and region: names are only ` +
          'known from events or listings at run time. The wildcard is confined to one resource type in one account and region.',
      });
    }

    const ec2Actions = [...new Set(kinds.flatMap((kind) => EC2_ACTIONS[kind]))];
    if (ec2Actions.length > 0) {
      target.role.addToPrincipalPolicy(new PolicyStatement({ sid: 'ReadNotebookNetwork', actions: ec2Actions, resources: ['*'] }));
    }
    if (ec2Actions.length > 0 || listsAll) {
      Validations.of(target.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Read-only actions that do not support resource-level permissions, so IAM accepts only Resource "*" for them: ' +
          `${[...ec2Actions, ...(listsAll ? LIST_ACTIONS : [])].join(', ')}. No other action in this role uses "*".`,
      });
    }

    target.role.addToPrincipalPolicy(
      new PolicyStatement({ sid: 'ReadEnforcementSwitch', actions: ['ssm:GetParameter'], resources: [this.enforcementSwitch.parameterArn] }),
    );
    // grants.publish() would add kms:GenerateDataKey*; publishing to an SSE-KMS topic needs only these two.
    this.topic.grants.actions(target.function, ['sns:Publish'], { keyActions: ['kms:GenerateDataKey', 'kms:Decrypt'] });
  }
}
