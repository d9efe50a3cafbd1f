/**
 * The sweep as a Step Functions Standard workflow, for one account or a whole organization alike:
 *
 *   Plan (Lambda: the owed notices, then the shards: each kind in each account and region, written to S3)
 *     -> Shards (Distributed Map over that file; each shard is a child execution with its own history)
 *          SweepPage (Lambda: up to PAGES_PER_TASK List pages from the shard's cursor) -> Done? -> SweepPage ...
 *     -> Summarize (Lambda: reads the Map's results, sends one notice, writes what is left to resume)
 *
 * A failed plan or Map still reaches Summarize (the notice says the run could not start or lost its results); a
 * shard whose task fails after its retries ends as a failed shard with its cursor kept, never as a failed run.
 */
import { Duration, FeatureFlags, RemovalPolicy, Stack, Token, Validations, type CfnElement } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Stats, TreatMissingData, type Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { Effect, AnyPrincipal, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, type CfnBucket } from 'aws-cdk-lib/aws-s3';
import {
  Choice,
  Condition,
  DefinitionBody,
  DistributedMap,
  JitterType,
  JsonPath,
  LogLevel,
  Pass,
  ResultWriterV2,
  S3JsonItemReader,
  StateMachine,
  StateMachineType,
  Succeed,
  TaskInput,
  type IChainable,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { GuardFunction } from './guard-function';

/** Shards swept at once. Each runs one task at a time; each task keeps SWEEP_CONCURRENCY Describe calls in flight. */
export const SWEEP_MAX_CONCURRENCY = 40;
/**
 * Tasks one child runs before it hands its cursor back (the summary offers to resume from it). A loop iteration
 * writes 7 history events (5 for the task, 2 for the choice), and each retry of its task 3 more; a task is retried at
 * most RETRIES_PER_TASK times, so even a child whose every task is retried to the end writes at most
 * 600 x (7 + 3 x 10) = 22,200 events, under the 25,000 a Standard execution's history holds. 600 tasks of 20 pages
 * of 100 are 1.2 million resources of one kind in one account and region.
 */
export const MAX_TASKS_PER_CHILD = 600;
/** The most retries one SweepPage task gets: 8 for throttling and Lambda's faults, 2 for any other error. */
export const RETRIES_PER_TASK = 8 + 2;
/** A Standard execution's history limit. */
export const HISTORY_LIMIT = 25_000;
/** The whole run: a daily sweep that has not ended in 23 hours is stopped before the next one starts. */
export const SWEEP_RUN_TIMEOUT = Duration.hours(23);
/** Errors a task is retried on, with exponential backoff and full jitter: throttling, and Lambda's own faults. */
export const THROTTLING_ERRORS: readonly string[] = ['Lambda.TooManyRequestsException', 'ThrottlingException', 'TooManyRequestsException', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException'];

/**
 * The sweep's bucket: a run's shards, the Map's results, what is left to resume. Created before the functions (they
 * are told its name); only the guard writes it (SweepMachine adds the bucket policy that says so).
 */
export function sweepBucket(scope: Construct, id: string): Bucket {
  const bucket = new Bucket(scope, id, {
    encryption: BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    // A run's shards, results and resume file serve that run and the next: a month is plenty.
    lifecycleRules: [{ expiration: Duration.days(30), abortIncompleteMultipartUploadAfter: Duration.days(1) }],
    removalPolicy: RemovalPolicy.RETAIN,
  });
  Validations.of(bucket).acknowledge({
    id: 'AwsSolutions-S1',
    reason: 'The bucket holds the sweep\'s working files (shards, the Map\'s results, resume files), written only by the guard\'s roles and Step Functions (its bucket policy denies object writes to everyone else; the guardrails\' SCPs protect the bucket itself). Object writes are CloudTrail data events: enable them on the bucket where an audit trail of its objects is wanted.',
  });
  return bucket;
}

export interface SweepMachineProps {
  readonly bucket: Bucket;
  readonly plan: GuardFunction;
  readonly page: GuardFunction;
  readonly summarize: GuardFunction;
  readonly logRetention: RetentionDays;
}

export class SweepMachine extends Construct {
  readonly stateMachine: StateMachine;
  readonly bucket: Bucket;
  /** A run that failed, timed out or was stopped: each ends without the summary. */
  readonly alarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: SweepMachineProps) {
    super(scope, id);
    // The ResultWriter with Bucket and Prefix, as Step Functions documents it (the V2 class renders it).
    this.node.setContext('@aws-cdk/aws-stepfunctions:useDistributedMapResultWriterV2', true);
    this.bucket = props.bucket;

    const plan = new LambdaInvoke(this, 'Plan', {
      lambdaFunction: props.plan.function,
      comment: 'the owed notices, then the shards of this run (or of the run it resumes), written to the bucket',
      payload: TaskInput.fromObject({ runId: JsonPath.executionName, startedAt: JsonPath.executionStartTime, input: JsonPath.entirePayload }),
      resultSelector: { 'value.$': '$.Payload' },
      resultPath: '$.plan',
      retryOnServiceExceptions: false,
    });
    plan.addRetry({ errors: [...THROTTLING_ERRORS], interval: Duration.seconds(2), backoffRate: 2, maxAttempts: 5, maxDelay: Duration.seconds(60), jitterStrategy: JitterType.FULL });
    // A passing S3 or Organizations fault must not cost the day's run.
    plan.addRetry({ errors: ['States.TaskFailed'], interval: Duration.seconds(10), backoffRate: 2, maxAttempts: 2, jitterStrategy: JitterType.FULL });

    const page = new LambdaInvoke(this, 'SweepPage', {
      lambdaFunction: props.page.function,
      comment: 'one task of one shard: up to PAGES_PER_TASK List pages from its cursor, checked and acted on',
      payloadResponseOnly: false,
      outputPath: '$.Payload',
      retryOnServiceExceptions: false,
    });
    page.addRetry({ errors: [...THROTTLING_ERRORS], interval: Duration.seconds(2), backoffRate: 2, maxAttempts: 8, maxDelay: Duration.minutes(2), jitterStrategy: JitterType.FULL });
    // Any other error, or throttling past the retries: this shard ends as failed, with the cursor it had.
    page.addRetry({ errors: ['States.TaskFailed'], interval: Duration.seconds(5), backoffRate: 2, maxAttempts: 2, jitterStrategy: JitterType.FULL });
    const shardFailed = new Pass(this, 'ShardFailed', { comment: 'the shard keeps its cursor and the error; the summary offers to resume it' });
    page.addCatch(shardFailed, { errors: ['States.ALL'], resultPath: '$.failure' });

    const next = new Choice(this, 'ShardDone?')
      .when(Condition.booleanEquals('$.progress.done', true), new Succeed(this, 'ShardFinished'))
      .when(Condition.booleanEquals('$.handBack', true), new Succeed(this, 'DeadlineHandBack', { comment: 'the run\'s deadline passed: the cursor goes back to the summary, which runs before the run\'s timeout' }))
      .when(Condition.numberGreaterThanEquals('$.progress.tasks', MAX_TASKS_PER_CHILD), new Succeed(this, 'HandBack', { comment: 'the child\'s history is near its limit: the cursor goes back to the summary' }))
      .otherwise(page);
    const shard: IChainable = page.next(next);

    const shards = new DistributedMap(this, 'Shards', {
      comment: 'every shard in parallel, each a child execution with its own history',
      itemReader: new S3JsonItemReader({ bucket: this.bucket, key: JsonPath.stringAt('$.plan.value.itemsKey') }),
      itemSelector: { 'progress.$': '$$.Map.Item.Value', 'runId.$': '$.plan.value.runId', 'deadline.$': '$.plan.value.deadline' },
      maxConcurrency: SWEEP_MAX_CONCURRENCY,
      // A failed shard is reported by the summary, never a failed run.
      toleratedFailurePercentage: 100,
      mapExecutionType: StateMachineType.STANDARD,
      resultWriterV2: new ResultWriterV2({ bucket: this.bucket, prefix: 'results' }),
      resultPath: '$.results',
    });
    shards.itemProcessor(shard);

    const summarize = new LambdaInvoke(this, 'Summarize', {
      lambdaFunction: props.summarize.function,
      comment: 'one notice for the run: counts, what was done, what it could not reach or finish',
      payload: TaskInput.fromObject({
        runId: JsonPath.executionName,
        startedAt: JsonPath.executionStartTime,
        stateMachineArn: JsonPath.stateMachineId,
        'plan.$': '$.plan.value',
        'results.$': '$.results',
      }),
      outputPath: '$.Payload',
      retryOnServiceExceptions: false,
    });
    summarize.addRetry({ errors: [...THROTTLING_ERRORS, 'States.TaskFailed'], interval: Duration.seconds(5), backoffRate: 2, maxAttempts: 4, jitterStrategy: JitterType.FULL });
    const summarizeFailure = (name: string, field: 'planError' | 'mapError'): IChainable =>
      new LambdaInvoke(this, name, {
        lambdaFunction: props.summarize.function,
        comment: `one notice saying the run could not finish (${field})`,
        payload: TaskInput.fromObject({
          runId: JsonPath.executionName,
          startedAt: JsonPath.executionStartTime,
          stateMachineArn: JsonPath.stateMachineId,
          ...(field === 'mapError' ? { 'plan.$': '$.plan.value' } : {}),
          [`${field}.$`]: `$.${field}`,
        }),
        outputPath: '$.Payload',
        retryOnServiceExceptions: false,
      }).addRetry({ errors: [...THROTTLING_ERRORS, 'States.TaskFailed'], interval: Duration.seconds(5), backoffRate: 2, maxAttempts: 4, jitterStrategy: JitterType.FULL });
    plan.addCatch(summarizeFailure('SummarizeFailedPlan', 'planError'), { errors: ['States.ALL'], resultPath: '$.planError' });
    shards.addCatch(summarizeFailure('SummarizeFailedMap', 'mapError'), { errors: ['States.ALL'], resultPath: '$.mapError' });

    const logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      // Under the stack's name, like the guard's other resources, so the guardrails' SCPs protect it.
      stateMachineName: `${Stack.of(this).stackName}-sweep`,
      comment: 'sagemaker-guard: the sweep of existing SageMaker resources, in every account and region it covers',
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(plan.next(shards).next(summarize)),
      timeout: SWEEP_RUN_TIMEOUT,
      tracingEnabled: true,
      logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: false },
    });
    // CDK makes the state machine depend on its role and reads the role's ARN too; cfn-lint reports the pair as W3005.
    (this.stateMachine.node.defaultChild as CfnElement & { addMetadata(key: string, value: unknown): void }).addMetadata('cfn-lint', { config: { ignore_checks: ['W3005'] } });
    const role = this.stateMachine.role;
    const logicalId = (construct: Construct): string => Stack.of(this).getLogicalId(construct.node.defaultChild as CfnElement);
    for (const task of [props.plan, props.page, props.summarize]) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${logicalId(task.function)}.Arn>:*]`,
        reason: 'CDK\'s LambdaInvoke grants the function and its versions (<arn>:*): the function is the sweep\'s own, nothing else.',
      });
    }
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::<${logicalId(this.bucket)}>/*]`,
      reason: 'The Map reads the shards file (ItemReader) and writes its results (ResultWriter) under names made at run time, in the sweep\'s own bucket only.',
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'CloudWatch Logs delivery (logs:*LogDelivery, DescribeLogGroups, DescribeResourcePolicies, PutResourcePolicy) and X-Ray (PutTraceSegments, PutTelemetryRecords, GetSampling*) accept only Resource "*"; CDK adds them for the state machine\'s logging and tracing.',
    });
    // CDK adds its Distributed Map policy at synth, on this state machine's executions (names it writes as text).
    const stack = Stack.of(this);
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    const partition = Token.isUnresolved(stack.region) ? '<AWS::Partition>' : region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
    const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    const machineId = logicalId(this.stateMachine);
    for (const suffix of [':*', '/*:*']) {
      Validations.of(this.stateMachine).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:${partition}:states:${region}:${account}:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${machineId}"}]}]}${suffix}]`,
        reason: 'CDK\'s Distributed Map policy: the map describes, stops and redrives its own child executions (execution:<this state machine>:...), whose names Step Functions makes at run time.',
      });
    }

    // Only the guard may write the sweep's files: a forged shard list would skip accounts, a forged result a false summary.
    const writers = [props.plan.role.roleArn, props.summarize.role.roleArn, this.stateMachine.role.roleArn];
    this.bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'OnlyTheGuardWritesTheSweepsFiles',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['s3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutObjectAcl', 's3:PutObjectTagging', 's3:RestoreObject', 's3:ReplicateObject'],
        resources: [this.bucket.arnForObjects('*')],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': writers } },
      }),
    );
    // Exact actions (grantRead/grantPut would add s3:GetObject*, s3:List*, s3:Abort*): the plan writes and reads a run's
    // files, the summary reads the Map's results and writes what is left to resume.
    const objects = (role: GuardFunction, sid: string, actions: string[], prefix: string, why: string): void => {
      role.role.addToPrincipalPolicy(new PolicyStatement({ sid, actions, resources: [this.bucket.arnForObjects(`${prefix}*`)] }));
      Validations.of(role.role).acknowledge({ id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnBucket)}.Arn>/${prefix}*]`, reason: why });
    };
    objects(props.plan, 'WriteAndReadRunFiles', ['s3:PutObject', 's3:GetObject'], 'runs/', 'A run\'s files are named by its execution name, known only at run time; the prefix holds nothing else.');
    objects(props.summarize, 'WriteResumeFiles', ['s3:PutObject'], 'runs/', 'A run\'s resume file is named by its execution name, known only at run time; the prefix holds nothing else.');
    objects(props.summarize, 'ReadMapResults', ['s3:GetObject'], '', 'The Map\'s results (results/<map run>/...) and a run\'s files (runs/<run>/...) are named at run time; the bucket holds nothing but the sweep\'s files.');

    // A run that ends without its summary: failed (the summary kept failing), timed out, or stopped by someone.
    const ended = (id: string, what: string, metric: Metric): Alarm =>
      new Alarm(this, id, {
        alarmDescription: `sagemaker-guard: a sweep run ${what}, so its summary may not have been sent; see the state machine's executions (and CloudTrail for who stopped it)`,
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    const period = { period: Duration.hours(1), statistic: Stats.SUM };
    this.alarms = [
      ended('FailedAlarm', 'failed', this.stateMachine.metricFailed(period)),
      ended('TimedOutAlarm', 'timed out', this.stateMachine.metricTimedOut(period)),
      ended('AbortedAlarm', 'was stopped (aborted)', this.stateMachine.metricAborted(period)),
    ];
    if (!FeatureFlags.of(this).isEnabled('@aws-cdk/aws-stepfunctions:useDistributedMapResultWriterV2')) {
      throw new Error('SweepMachine: the ResultWriterV2 feature flag did not take effect');
    }
  }
}
