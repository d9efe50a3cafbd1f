/**
 * CDK assertions on the sweep's state machine (lib/sweep-machine.ts), for one account and for a hub: the states and
 * how they fail, the Map's bounds, the bucket and who may write it.
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { HISTORY_LIMIT, MAX_TASKS_PER_CHILD, RETRIES_PER_TASK, SWEEP_MAX_CONCURRENCY } from '../../lib/sweep-machine';
import { RUN_DEADLINE_MS } from '../../lambda/sweep/plan';
import { actionsOf, logicalIdByPath, onlyResource, resourceById, synthGuard, type Statement } from './synth';

interface AslState {
  Type: string;
  Next?: string;
  End?: boolean;
  Retry?: { ErrorEquals: string[]; MaxAttempts?: number; BackoffRate?: number; JitterStrategy?: string; IntervalSeconds?: number; MaxDelaySeconds?: number }[];
  Catch?: { ErrorEquals: string[]; ResultPath?: string; Next: string }[];
  Parameters?: Record<string, unknown>;
  ResultPath?: string;
  ItemSelector?: Record<string, string>;
  ItemProcessor?: { ProcessorConfig: { Mode: string; ExecutionType: string }; StartAt: string; States: Record<string, AslState> };
  ItemReader?: { Resource: unknown; ReaderConfig: { InputType: string }; Parameters: Record<string, unknown> };
  ResultWriter?: { Resource: unknown; Parameters: Record<string, unknown> };
  MaxConcurrency?: number;
  ToleratedFailurePercentage?: number;
  Choices?: { Variable: string; BooleanEquals?: boolean; NumericGreaterThanEquals?: number; Next: string }[];
  Default?: string;
}

interface Asl {
  StartAt: string;
  TimeoutSeconds: number;
  States: Record<string, AslState>;
}

/** The definition as Step Functions reads it, the tokens in it written as <logical id>. */
function definitionOf(template: Template): Asl {
  const machine = onlyResource(template, 'AWS::StepFunctions::StateMachine');
  const parts = (machine.Properties.DefinitionString as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  const text = parts
    .map((part) => {
      if (typeof part === 'string') return part;
      const token = part as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
      return `<${token.Ref ?? token['Fn::GetAtt']?.[0] ?? '?'}>`;
    })
    .join('');
  return JSON.parse(text) as Asl;
}

describe('the sweep state machine (one account)', () => {
  let template: Template;
  let asl: Asl;
  beforeAll(() => {
    ({ template } = synthGuard());
    asl = definitionOf(template);
  });

  test('a Standard workflow: Plan, then the Map of shards, then Summarize; a failed plan or Map still reaches a summary', () => {
    const machine = onlyResource(template, 'AWS::StepFunctions::StateMachine');
    expect(machine.Properties).toMatchObject({ StateMachineType: 'STANDARD', TracingConfiguration: { Enabled: true }, LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false } });
    expect(asl.StartAt).toBe('Plan');
    expect(asl.TimeoutSeconds).toBe(23 * 3600);
    expect(asl.States.Plan).toMatchObject({ Type: 'Task', Next: 'Shards', ResultPath: '$.plan' });
    expect(asl.States.Shards).toMatchObject({ Type: 'Map', Next: 'Summarize', ResultPath: '$.results' });
    expect(asl.States.Summarize).toMatchObject({ Type: 'Task', End: true });
    expect(asl.States.Plan.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.planError', Next: 'SummarizeFailedPlan' }]);
    expect(asl.States.Shards.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.mapError', Next: 'SummarizeFailedMap' }]);
    expect(asl.States.SummarizeFailedPlan.Parameters).toMatchObject({ Payload: { 'planError.$': '$.planError' } });
    expect(asl.States.SummarizeFailedMap.Parameters).toMatchObject({ Payload: { 'mapError.$': '$.mapError', 'plan.$': '$.plan.value' } });
    // The run names itself: the execution's name is the run id in notices and logs.
    expect(asl.States.Plan.Parameters).toMatchObject({ Payload: { 'runId.$': '$$.Execution.Name', 'startedAt.$': '$$.Execution.StartTime', 'input.$': '$' } });
  });

  test('the Map: a Distributed Map over the plan\'s shards file, bounded concurrency, no failed shard fails the run, results to the bucket', () => {
    const bucket = logicalIdByPath(template, 'AWS::S3::Bucket', 'Guard/SweepBucket/Resource');
    const map = asl.States.Shards;
    expect(map.ItemProcessor?.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
    expect(map.MaxConcurrency).toBe(SWEEP_MAX_CONCURRENCY);
    expect(map.ToleratedFailurePercentage).toBe(100);
    expect(map.ItemReader).toMatchObject({ ReaderConfig: { InputType: 'JSON' }, Parameters: { Bucket: `<${bucket}>`, 'Key.$': '$.plan.value.itemsKey' } });
    expect(map.ResultWriter).toMatchObject({ Parameters: { Bucket: `<${bucket}>`, Prefix: 'results' } });
    expect(map.ItemSelector).toEqual({ 'progress.$': '$$.Map.Item.Value', 'runId.$': '$.plan.value.runId', 'deadline.$': '$.plan.value.deadline' });
  });

  test('each shard loops SweepPage -> Done? until the listing ends, or hands its cursor back at the run\'s deadline or before its history is full', () => {
    const states = asl.States.Shards.ItemProcessor?.States ?? {};
    expect(asl.States.Shards.ItemProcessor?.StartAt).toBe('SweepPage');
    expect(states.SweepPage).toMatchObject({ Type: 'Task', Next: 'ShardDone?' });
    expect(states['ShardDone?']).toMatchObject({
      Type: 'Choice',
      Choices: [
        { Variable: '$.progress.done', BooleanEquals: true, Next: 'ShardFinished' },
        { Variable: '$.handBack', BooleanEquals: true, Next: 'DeadlineHandBack' },
        { Variable: '$.progress.tasks', NumericGreaterThanEquals: MAX_TASKS_PER_CHILD, Next: 'HandBack' },
      ],
      Default: 'SweepPage',
    });
    // 7 history events per loop (5 for the task, 2 for the choice) and 3 per retry: even with every retry used, the
    // child stays under 25,000. The retries the definition allows are the ones counted.
    const retries = (states.SweepPage.Retry ?? []).reduce((sum, retry) => sum + (retry.MaxAttempts ?? 3), 0);
    expect(retries).toBe(RETRIES_PER_TASK);
    expect(MAX_TASKS_PER_CHILD * (7 + 3 * retries)).toBeLessThan(HISTORY_LIMIT);
    // The run's shards hand back 3 hours before the run's timeout, so the summary runs.
    expect(asl.TimeoutSeconds * 1000 - RUN_DEADLINE_MS).toBe(3 * 3_600_000);
    // A task that fails past its retries: the shard keeps its cursor and the error, and its child succeeds.
    expect(states.SweepPage.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'ShardFailed' }]);
    expect(states.ShardFailed).toMatchObject({ Type: 'Pass', End: true });
  });

  test('throttling is retried with exponential backoff and full jitter, in every task', () => {
    const tasks = [asl.States.Plan, asl.States.Summarize, asl.States.Shards.ItemProcessor?.States.SweepPage];
    for (const task of tasks) {
      const throttling = task?.Retry?.find((retry) => retry.ErrorEquals.includes('Lambda.TooManyRequestsException'));
      expect(throttling?.ErrorEquals).toEqual(expect.arrayContaining(['ThrottlingException', 'Lambda.ServiceException']));
      expect(throttling).toMatchObject({ BackoffRate: 2, JitterStrategy: 'FULL' });
      expect(throttling?.MaxAttempts).toBeGreaterThanOrEqual(4);
    }
  });

  test('a run that ends without its summary alarms: failed, timed out, or stopped by someone', () => {
    const machine = logicalIdByPath(template, 'AWS::StepFunctions::StateMachine', 'Guard/SweepMachine/StateMachine/Resource');
    for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/States',
        MetricName: metric,
        Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: machine } }],
        Threshold: 1,
        AlarmActions: [{ Ref: Match.stringLikeRegexp('^GuardTopic') }],
      });
    }
  });

  test('the state machine is named under the stack, so the guardrails\' SCPs protect it', () => {
    expect(onlyResource(template, 'AWS::StepFunctions::StateMachine').Properties.StateMachineName).toBe('SageMakerGuard-sweep');
  });

  test('the bucket: encrypted, TLS only, private, files kept 30 days, and only the guard writes its files', () => {
    const bucketId = logicalIdByPath(template, 'AWS::S3::Bucket', 'Guard/SweepBucket/Resource');
    const bucket = resourceById(template, 'AWS::S3::Bucket', bucketId);
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LifecycleConfiguration: { Rules: [expect.objectContaining({ ExpirationInDays: 30, Status: 'Enabled' })] },
    });
    const policy = onlyResource(template, 'AWS::S3::BucketPolicy');
    const statements = (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
    expect(statements.find((statement) => statement.Condition?.Bool['aws:SecureTransport'] === 'false')?.Effect).toBe('Deny');
    const onlyGuard = statements.find((statement) => statement.Sid === 'OnlyTheGuardWritesTheSweepsFiles');
    expect(onlyGuard?.Effect).toBe('Deny');
    expect(actionsOf(onlyGuard!)).toEqual(expect.arrayContaining(['s3:PutObject', 's3:DeleteObject']));
    const writers = (onlyGuard?.Condition?.ArnNotEquals['aws:PrincipalArn'] as { 'Fn::GetAtt': [string, string] }[]).map((arn) => arn['Fn::GetAtt'][0]);
    expect(writers).toEqual([
      logicalIdByPath(template, 'AWS::IAM::Role', 'Guard/SweepPlan/Role/Resource'),
      logicalIdByPath(template, 'AWS::IAM::Role', 'Guard/SweepSummary/Role/Resource'),
      logicalIdByPath(template, 'AWS::IAM::Role', 'Guard/SweepMachine/StateMachine/Role/Resource'),
    ]);
  });

  test('a single-account guard\'s tasks get no region or OU list: the plan sweeps its own account and region', () => {
    const plan = resourceById(template, 'AWS::Lambda::Function', logicalIdByPath(template, 'AWS::Lambda::Function', 'Guard/SweepPlan/Function/Resource'));
    const variables = (plan.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables.SWEEP_REGIONS).toBeUndefined();
    expect(variables.SWEEP_TARGET_OUS).toBeUndefined();
  });
});

describe('the sweep state machine (hub)', () => {
  const ORGANIZATION = { organizationId: 'o-abcdefghij', targetOus: ['ou-ab12-cdef3456', 'r-ab12'], regions: ['eu-west-1', 'us-east-1'] };
  let template: Template;
  beforeAll(() => {
    ({ template } = synthGuard({ organization: ORGANIZATION }, { env: { account: '111122223333', region: 'us-east-1' } }));
  });

  test('the plan is told the OUs and regions, and may list the organization\'s OUs and accounts, read-only', () => {
    const planId = logicalIdByPath(template, 'AWS::Lambda::Function', 'Guard/SweepPlan/Function/Resource');
    const variables = (resourceById(template, 'AWS::Lambda::Function', planId).Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables).toMatchObject({ SWEEP_REGIONS: 'eu-west-1,us-east-1', SWEEP_TARGET_OUS: 'ou-ab12-cdef3456,r-ab12' });
    const roleId = logicalIdByPath(template, 'AWS::IAM::Role', 'Guard/SweepPlan/Role/Resource');
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) => JSON.stringify(policy).includes(roleId));
    const statements = policies.flatMap((policy) => (policy as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement);
    const organizations = statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('organizations:')));
    expect(organizations.flatMap(actionsOf).sort()).toEqual(['organizations:ListAccountsForParent', 'organizations:ListOrganizationalUnitsForParent']);
    // Only the page task enters the member accounts.
    expect(statements.flatMap(actionsOf)).not.toContain('sts:AssumeRole');
  });
});
