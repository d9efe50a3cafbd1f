import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../lib/app';
import { RESOURCE_KINDS, type ResourceKind } from '../../lambda/kinds/registry';
import { App, Stack } from 'aws-cdk-lib';
import { InvalidSettingsError, parseSettings, settingsFromEnv } from '../../lambda/core/settings';
import { SageMakerGuard, type SageMakerGuardProps } from '../../lib/sagemaker-guard';
import { ALARM_METRICS } from '../../lambda/pipeline/telemetry';

/** The alarm metrics a single-account guard emits: it assumes no member role, so it cannot miss one. */
const SINGLE_ACCOUNT_METRICS = Object.values(ALARM_METRICS).filter((metric) => metric !== ALARM_METRICS.memberUnreachable);
import { LEDGER } from '../../lambda/ledger/schema';
import { LEASE_MS } from '../../lambda/ledger/records';
import { DEFAULT_POLICY } from '../fixtures/resources';
import { actionsOf, cdkJsonContext, guardResourcesOf, logicalIdByPath, onlyResource, resourceById, resourcesOf, synthGuard, TRIGGER_PROVIDER_PREFIX, type Statement } from './synth';

const RESPONDER: Record<ResourceKind, string> = {
  'training-job': 'TrainingJobResponder',
  model: 'ModelResponder',
  'notebook-instance': 'NotebookInstanceResponder',
  'processing-job': 'ProcessingJobResponder',
  'transform-job': 'TransformJobResponder',
  'hyper-parameter-tuning-job': 'HyperParameterTuningJobResponder',
  'endpoint-config': 'EndpointConfigResponder',
  endpoint: 'EndpointResponder',
};

/** The spec, restated on purpose: a change to the patterns the kinds declare (lambda/kinds/<kind>/index.ts) must show up here. */
const EXPECTED_PATTERNS: Record<ResourceKind, unknown> = {
  'training-job': {
    source: ['aws.sagemaker'],
    'detail-type': ['SageMaker Training Job State Change'],
    detail: { TrainingJobStatus: ['InProgress'] },
  },
  model: {
    source: ['aws.sagemaker'],
    'detail-type': ['SageMaker Model State Change'],
  },
  'notebook-instance': {
    source: ['aws.sagemaker'],
    'detail-type': ['SageMaker Notebook Instance State Change'],
    detail: { NotebookInstanceStatus: ['InService'] },
  },
  'processing-job': { source: ['aws.sagemaker'], 'detail-type': ['SageMaker Processing Job State Change'], detail: { ProcessingJobStatus: ['InProgress'] } },
  'transform-job': { source: ['aws.sagemaker'], 'detail-type': ['SageMaker Transform Job State Change'], detail: { TransformJobStatus: ['InProgress'] } },
  'hyper-parameter-tuning-job': {
    source: ['aws.sagemaker'],
    'detail-type': ['SageMaker HyperParameter Tuning Job State Change'],
    detail: { HyperParameterTuningJobStatus: ['InProgress'] },
  },
  // Endpoint config events carry no status: every one is checked (whether an endpoint uses it is read at run time).
  'endpoint-config': { source: ['aws.sagemaker'], 'detail-type': ['SageMaker Endpoint Config State Change'] },
  // The documented event says IN_SERVICE where DescribeEndpoint says InService: the rule matches both.
  endpoint: { source: ['aws.sagemaker'], 'detail-type': ['SageMaker Endpoint State Change'], detail: { EndpointStatus: ['InService', 'IN_SERVICE'] } },
};

/** Every guard function: its log group, its on-failure destination (the queue and its key), the topic, the ledger. */
const BASE_ACTIONS = ['logs:CreateLogStream', 'logs:PutLogEvents', 'sqs:SendMessage', 'kms:GenerateDataKey', 'kms:Decrypt', 'sns:Publish'];
const LEDGER_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'];
const COMMON_ACTIONS = [...BASE_ACTIONS, ...LEDGER_ACTIONS, 'ssm:GetParameter'];
/** The functions that are not responders, by construct id. */
const OTHER_FUNCTIONS = ['Sweep', 'SweepPlan', 'SweepSummary', 'Resend', 'SwitchWatch', 'EnforcementStart'] as const;
const FUNCTION_COUNT = RESOURCE_KINDS.length + OTHER_FUNCTIONS.length;
/** EnforcementStart runs once per deploy (a failure fails the deploy): it has no errors alarm. */
const ALARMED_FUNCTIONS = FUNCTION_COUNT - 1;
/** The sweep: three task functions, and its state machine's own alarm and log group. */
const SWEEP_FUNCTIONS = ['Sweep', 'SweepPlan', 'SweepSummary'] as const;
/** The function roles (the state machine's roles, SweepMachine/..., are not functions'). */
const functionRoles = (template: Template) => Object.keys(guardResourcesOf(template, 'AWS::IAM::Role')).filter((role) => !role.startsWith('GuardSweepMachine'));
/** The responders' rules, the sweep and resend schedules, the switch watch. */
const RULE_COUNT = RESOURCE_KINDS.length + 3;
const SWITCH_NAME = '/sagemaker-guard/enforcement';
/**
 * What each responder may do, written out here independently of the kinds' own declarations: SageMaker actions by
 * the ARN type they are scoped to, and the read-only actions IAM grants only on "*".
 */
const GRANTS: Record<ResourceKind, { readonly sagemaker: Record<string, string[]>; readonly anyResource: string[] }> = {
  'training-job': { sagemaker: { 'training-job': ['sagemaker:DescribeTrainingJob', 'sagemaker:StopTrainingJob', 'sagemaker:AddTags', 'sagemaker:ListTags'] }, anyResource: [] },
  // A deleted model's notice names the endpoints still serving it: ListEndpoints, DescribeEndpoint, DescribeEndpointConfig.
  model: {
    sagemaker: { model: ['sagemaker:DescribeModel', 'sagemaker:DeleteModel', 'sagemaker:ListTags'], endpoint: ['sagemaker:DescribeEndpoint'], 'endpoint-config': ['sagemaker:DescribeEndpointConfig'] },
    anyResource: ['sagemaker:ListEndpoints'],
  },
  'notebook-instance': {
    sagemaker: { 'notebook-instance': ['sagemaker:DescribeNotebookInstance', 'sagemaker:StopNotebookInstance', 'sagemaker:AddTags', 'sagemaker:ListTags'] },
    anyResource: ['ec2:DescribeSubnets', 'ec2:DescribeRouteTables', 'ec2:DescribeSecurityGroups'],
  },
  'processing-job': { sagemaker: { 'processing-job': ['sagemaker:DescribeProcessingJob', 'sagemaker:StopProcessingJob', 'sagemaker:AddTags', 'sagemaker:ListTags'] }, anyResource: [] },
  // A transform job's network settings are its model's.
  'transform-job': {
    sagemaker: { 'transform-job': ['sagemaker:DescribeTransformJob', 'sagemaker:StopTransformJob', 'sagemaker:AddTags', 'sagemaker:ListTags'], model: ['sagemaker:DescribeModel'] },
    anyResource: [],
  },
  'hyper-parameter-tuning-job': {
    sagemaker: { 'hyper-parameter-tuning-job': ['sagemaker:DescribeHyperParameterTuningJob', 'sagemaker:StopHyperParameterTuningJob', 'sagemaker:AddTags', 'sagemaker:ListTags'] },
    anyResource: [],
  },
  // Deleted only when no endpoint uses it: it lists and describes endpoints; its variants' models are judged too.
  'endpoint-config': {
    sagemaker: {
      'endpoint-config': ['sagemaker:DescribeEndpointConfig', 'sagemaker:DeleteEndpointConfig', 'sagemaker:ListTags'],
      model: ['sagemaker:DescribeModel'],
      endpoint: ['sagemaker:DescribeEndpoint'],
    },
    anyResource: ['sagemaker:ListEndpoints'],
  },
  endpoint: {
    sagemaker: {
      endpoint: ['sagemaker:DescribeEndpoint', 'sagemaker:DeleteEndpoint', 'sagemaker:ListTags'],
      'endpoint-config': ['sagemaker:DescribeEndpointConfig'],
      model: ['sagemaker:DescribeModel'],
    },
    anyResource: [],
  },
};
const SAGEMAKER_ACTIONS = Object.fromEntries(RESOURCE_KINDS.map((kind) => [kind, Object.values(GRANTS[kind].sagemaker).flat()])) as Record<ResourceKind, string[]>;
const EC2_ACTIONS = Object.fromEntries(RESOURCE_KINDS.map((kind) => [kind, GRANTS[kind].anyResource])) as Record<ResourceKind, string[]>;
const LIST_ACTIONS = [
  'sagemaker:ListTrainingJobs',
  'sagemaker:ListModels',
  'sagemaker:ListNotebookInstances',
  'sagemaker:ListProcessingJobs',
  'sagemaker:ListTransformJobs',
  'sagemaker:ListHyperParameterTuningJobs',
  'sagemaker:ListEndpointConfigs',
  'sagemaker:ListEndpoints',
];
/** Every kind's SageMaker grants merged by ARN type: what the sweep holds. */
function mergedGrants(): Map<string, Set<string>> {
  const merged = new Map<string, Set<string>>();
  for (const kind of RESOURCE_KINDS) {
    for (const [arnType, actions] of Object.entries(GRANTS[kind].sagemaker)) merged.set(arnType, new Set([...(merged.get(arnType) ?? []), ...actions]));
  }
  return merged;
}

function sageMakerArn(arnType: string): unknown {
  return {
    'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sagemaker:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:${arnType}/*`]],
  };
}

function ids(template: Template) {
  return {
    key: logicalIdByPath(template, 'AWS::KMS::Key', 'Guard/Key/Resource'),
    topic: logicalIdByPath(template, 'AWS::SNS::Topic', 'Guard/Topic/Resource'),
    queue: logicalIdByPath(template, 'AWS::SQS::Queue', 'Guard/DeadLetterQueue/Resource'),
    switchParameter: logicalIdByPath(template, 'AWS::SSM::Parameter', 'Guard/EnforcementSwitch/Resource'),
    fn: (kind: ResourceKind) => logicalIdByPath(template, 'AWS::Lambda::Function', `${RESPONDER[kind]}/Function/Resource`),
    role: (kind: ResourceKind) => logicalIdByPath(template, 'AWS::IAM::Role', `${RESPONDER[kind]}/Role/Resource`),
    sweep: logicalIdByPath(template, 'AWS::Lambda::Function', 'Guard/Sweep/Function/Resource'),
    sweepRole: logicalIdByPath(template, 'AWS::IAM::Role', 'Guard/Sweep/Role/Resource'),
    logGroup: (kind: ResourceKind) => logicalIdByPath(template, 'AWS::Logs::LogGroup', `${RESPONDER[kind]}/LogGroup/Resource`),
    ledger: logicalIdByPath(template, 'AWS::DynamoDB::Table', 'Guard/Ledger/Resource'),
    other: (constructId: (typeof OTHER_FUNCTIONS)[number]) => logicalIdByPath(template, 'AWS::Lambda::Function', `Guard/${constructId}/Function/Resource`),
    otherRole: (constructId: (typeof OTHER_FUNCTIONS)[number]) => logicalIdByPath(template, 'AWS::IAM::Role', `Guard/${constructId}/Role/Resource`),
    rule: (constructId: string) => logicalIdByPath(template, 'AWS::Events::Rule', `Guard/${constructId}/Resource`),
  };
}

/** Every statement granted to a role: its inline Policies plus each AWS::IAM::Policy attached to it. */
function roleStatements(template: Template, roleId: string): Statement[] {
  const role = resourceById(template, 'AWS::IAM::Role', roleId);
  const inline = ((role.Properties.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[]).flatMap((p) => p.PolicyDocument.Statement);
  const attached = Object.values(resourcesOf(template, 'AWS::IAM::Policy'))
    .filter((policy) => (policy.Properties.Roles as unknown[]).some((ref) => JSON.stringify(ref) === JSON.stringify({ Ref: roleId })))
    .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
  return [...inline, ...attached];
}

const getAttArn = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });
const tokens = (...names: string[]) => names.map((name) => ({ Ref: `AWS::${name}` }));

/** The ARN of the switch parameter, from the deploying partition, region and account and the parameter's name. */
function switchArn(switchParameterId: string): unknown {
  const [partition, region, account] = tokens('Partition', 'Region', 'AccountId');
  return { 'Fn::Join': ['', ['arn:', partition, ':ssm:', region, ':', account, ':parameter', { Ref: switchParameterId }]] };
}

/** Logical ids each resource depends on: Ref, Fn::GetAtt (also inside Fn::Sub strings) and DependsOn. */
function dependencies(template: Template): Map<string, Set<string>> {
  const resources = template.toJSON().Resources as Record<string, { DependsOn?: string | string[] } & Record<string, unknown>>;
  const graph = new Map<string, Set<string>>();
  for (const [logicalId, resource] of Object.entries(resources)) {
    const found = new Set<string>();
    const visit = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(visit);
      else if (node !== null && typeof node === 'object') {
        const record = node as Record<string, unknown>;
        if (typeof record.Ref === 'string') found.add(record.Ref);
        const getAtt = record['Fn::GetAtt'];
        if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') found.add(getAtt[0]);
        const sub = record['Fn::Sub'];
        const subText: unknown = Array.isArray(sub) ? (sub as unknown[])[0] : sub;
        if (typeof subText === 'string') for (const match of subText.matchAll(/\$\{([A-Za-z0-9]+)/g)) found.add(match[1]);
        Object.values(record).forEach(visit);
      }
    };
    visit(resource.Properties);
    for (const dependsOn of [resource.DependsOn ?? []].flat()) found.add(dependsOn);
    graph.set(logicalId, new Set([...found].filter((id) => id in resources)));
  }
  return graph;
}

/** A dependency cycle among the template's resources, or undefined. CloudFormation rejects a template that has one. */
function findCycle(template: Template): string[] | undefined {
  const graph = dependencies(template);
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const walk = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'visiting') return [...path.slice(path.indexOf(node)), node];
    state.set(node, 'visiting');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = walk(next);
      if (cycle !== undefined) return cycle;
    }
    path.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = walk(node);
    if (cycle !== undefined) return cycle;
  }
  return undefined;
}

describe('SageMakerGuard stack (cdk.json defaults)', () => {
  let template: Template;
  let id: ReturnType<typeof ids>;

  beforeAll(() => {
    ({ template } = synthGuard());
    id = ids(template);
  });

  test('no function that takes ledger records per event outlives the ledger lease (a live holder never loses its lease)', () => {
    const functions = guardResourcesOf(template, 'AWS::Lambda::Function');
    const timeouts = Object.entries(functions)
      .filter(([logicalId]) => !logicalId.startsWith('GuardSweep'))
      .map(([logicalId, fn]) => [logicalId, (fn.Properties as { Timeout?: number }).Timeout] as const);
    expect(timeouts.length).toBeGreaterThanOrEqual(5);
    for (const [, timeout] of timeouts) expect((timeout ?? 3) * 1000).toBeLessThanOrEqual(LEASE_MS);
  });

  test('no CloudFormation dependency cycle (the ledger policy names the roles, the roles\' policies name the ledger)', () => {
    expect(findCycle(template)).toBeUndefined();
  });

  test('one rule per kind, each with exactly the actionable-events pattern, the sweep and resend schedules, the switch watch', () => {
    template.resourceCountIs('AWS::Events::Rule', RULE_COUNT);
    const rules = resourcesOf(template, 'AWS::Events::Rule');
    for (const kind of RESOURCE_KINDS) {
      const targetingKind = Object.values(rules).filter((rule) =>
        (rule.Properties.Targets as { Arn: unknown }[]).some((t) => JSON.stringify(t.Arn) === JSON.stringify({ 'Fn::GetAtt': [id.fn(kind), 'Arn'] })),
      );
      expect(targetingKind).toHaveLength(1);
      expect(targetingKind[0]?.Properties.EventPattern).toEqual(EXPECTED_PATTERNS[kind]);
      expect(targetingKind[0]?.Properties.State).toBe('ENABLED');
    }
  });

  test('each event rule target retries 8 times for up to 24 h, then dead-letters to the queue', () => {
    for (const rule of Object.values(resourcesOf(template, 'AWS::Events::Rule')).filter((candidate) => candidate.Properties.EventPattern !== undefined)) {
      const targets = rule.Properties.Targets as Record<string, unknown>[];
      expect(targets).toHaveLength(1);
      expect(targets[0]).toMatchObject({
        RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 24 * 3600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [id.queue, 'Arn'] } },
      });
    }
  });

  test('the switch watcher gets every Parameter Store change of the switch, and nothing else', () => {
    const rule = resourceById(template, 'AWS::Events::Rule', id.rule('SwitchWatchRule'));
    expect(rule.Properties.EventPattern).toEqual({ source: ['aws.ssm'], 'detail-type': ['Parameter Store Change'], detail: { name: [SWITCH_NAME] } });
    expect(rule.Properties.Targets).toEqual([
      expect.objectContaining({ Arn: getAttArn(id.other('SwitchWatch')), DeadLetterConfig: { Arn: getAttArn(id.queue) } }),
    ]);
  });

  test('the resend function drains the outbox every 10 minutes; a run not started within 10 minutes is dead-lettered', () => {
    const rule = resourceById(template, 'AWS::Events::Rule', id.rule('ResendSchedule'));
    expect(rule.Properties).toMatchObject({
      ScheduleExpression: 'rate(10 minutes)',
      State: 'ENABLED',
      Targets: [
        {
          Arn: getAttArn(id.other('Resend')),
          DeadLetterConfig: { Arn: getAttArn(id.queue) },
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 600 },
        },
      ],
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: id.other('Resend') },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: getAttArn(id.queue) } },
    });
  });

  test('the sweep runs daily by default: the schedule starts the state machine, whose tasks run with adaptive retry and are retried by Step Functions, not Lambda', () => {
    const machine = logicalIdByPath(template, 'AWS::StepFunctions::StateMachine', 'Guard/SweepMachine/StateMachine/Resource');
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 day)',
      Targets: [Match.objectLike({ Arn: { Ref: machine }, RoleArn: Match.anyValue(), DeadLetterConfig: { Arn: { 'Fn::GetAtt': [id.queue, 'Arn'] } }, RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 } })],
    });
    const timeouts = { Sweep: 600, SweepPlan: 300, SweepSummary: 300 };
    for (const constructId of SWEEP_FUNCTIONS) {
      const fn = resourceById(template, 'AWS::Lambda::Function', id.other(constructId));
      expect(fn.Properties).toMatchObject({ Timeout: timeouts[constructId], MemorySize: 512, Environment: { Variables: { AWS_RETRY_MODE: 'adaptive', SWEEP_BUCKET: { Ref: logicalIdByPath(template, 'AWS::S3::Bucket', 'Guard/SweepBucket/Resource') } } } });
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { FunctionName: { Ref: id.other(constructId) }, MaximumRetryAttempts: 0 });
    }
    // One bundle, three exports.
    expect(SWEEP_FUNCTIONS.map((constructId) => resourceById(template, 'AWS::Lambda::Function', id.other(constructId)).Properties.Handler)).toEqual(['index.page', 'index.plan', 'index.summarize']);
  });

  test('the sweep role lists all kinds (List* need Resource "*") and acts on each kind only on its own ARNs', () => {
    const statements = roleStatements(template, id.sweepRole);
    const actions = statements.flatMap(actionsOf);
    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
    expect(new Set(actions)).toEqual(
      new Set([...COMMON_ACTIONS, ...RESOURCE_KINDS.flatMap((kind) => [...SAGEMAKER_ACTIONS[kind], ...EC2_ACTIONS[kind]]), ...LIST_ACTIONS]),
    );
    const list = statements.find((statement) => actionsOf(statement).includes('sagemaker:ListTrainingJobs'));
    expect(list?.Resource).toBe('*');
    expect(new Set(actionsOf(list!))).toEqual(new Set([...RESOURCE_KINDS.flatMap((kind) => EC2_ACTIONS[kind]), ...LIST_ACTIONS]));
    for (const [arnType, actions] of mergedGrants()) {
      const own = statements.find((statement) => JSON.stringify(statement.Resource) === JSON.stringify(sageMakerArn(arnType)));
      expect(new Set(actionsOf(own!))).toEqual(actions);
    }
  });

  test('the KMS key rotates and encrypts the topic, the dead-letter queue and the ledger', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [id.key, 'Arn'] },
      DisplayName: Match.stringLikeRegexp('.+'),
    });
    template.resourceCountIs('AWS::SQS::Queue', 1);
    template.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: { 'Fn::GetAtt': [id.key, 'Arn'] },
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: getAttArn(id.key) },
    });
  });

  test('the ledger: keys, TTL and indexes of lambda/ledger/schema.ts, on demand, point-in-time recovery, kept and protected', () => {
    const ledger = resourceById(template, 'AWS::DynamoDB::Table', id.ledger);
    expect(ledger.DeletionPolicy).toBe('Retain');
    expect(ledger.UpdateReplacePolicy).toBe('Retain');
    const index = (name: string, partitionKey: string, sortKey: string) => ({
      IndexName: name,
      KeySchema: [
        { AttributeName: partitionKey, KeyType: 'HASH' },
        { AttributeName: sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    });
    expect(ledger.Properties).toMatchObject({
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
      GlobalSecondaryIndexes: [index('pending-notices', 'noticePending', 'at'), index('by-day', 'day', 'at')],
    });
    const definitions = ledger.Properties.AttributeDefinitions as { AttributeName: string; AttributeType: string }[];
    expect(new Map(definitions.map((d) => [d.AttributeName, d.AttributeType]))).toEqual(
      new Map(['pk', 'sk', 'noticePending', 'at', 'day'].map((name) => [name, 'S'])),
    );
    // The spec above, restated on purpose, matches the one layout the functions, the CLI and the emulator read.
    expect(LEDGER).toMatchObject({
      partitionKey: 'pk',
      sortKey: 'sk',
      ttlAttribute: 'expiresAt',
      pendingIndex: { name: 'pending-notices', partitionKey: 'noticePending', sortKey: 'at' },
      historyIndex: { name: 'by-day', partitionKey: 'day', sortKey: 'at' },
    });
  });

  test('the ledger\'s resource policy denies every item write to all principals but the guard\'s function roles', () => {
    const ledger = resourceById(template, 'AWS::DynamoDB::Table', id.ledger);
    const statements = (ledger.Properties.ResourcePolicy as { PolicyDocument: { Statement: Statement[] } }).PolicyDocument.Statement;
    expect(statements).toHaveLength(1);
    const [deny] = statements;
    expect(deny).toMatchObject({ Effect: 'Deny', Principal: { AWS: '*' }, Resource: '*' });
    expect(new Set(actionsOf(deny))).toEqual(
      new Set([
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'dynamodb:BatchWriteItem',
        'dynamodb:PartiQLInsert',
        'dynamodb:PartiQLUpdate',
        'dynamodb:PartiQLDelete',
      ]),
    );
    expect(Object.keys(deny.Condition ?? {})).toEqual(['ArnNotEquals']);
    const allowed = deny.Condition?.ArnNotEquals['aws:PrincipalArn'] as unknown[];
    const roles = functionRoles(template);
    expect(roles).toHaveLength(FUNCTION_COUNT);
    expect(allowed).toHaveLength(roles.length);
    expect(new Set(allowed.map((arn) => JSON.stringify(arn)))).toEqual(new Set(roles.map((role) => JSON.stringify(getAttArn(role)))));
  });

  test('key policy: EventBridge may use the key only through SQS (dead letters), CloudWatch only through SNS (alarms)', () => {
    const key = resourceById(template, 'AWS::KMS::Key', id.key);
    const statements = (key.Properties.KeyPolicy as { Statement: Statement[] }).Statement;
    const viaService = (service: string) => ({
      StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', [`${service}.`, { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] } },
    });
    const forService = (principal: string) => statements.filter((statement) => JSON.stringify(statement.Principal) === JSON.stringify({ Service: principal }));
    expect(forService('events.amazonaws.com')).toEqual([
      { Sid: 'AllowEventBridgeToDeadLetterEncryptedQueue', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: '*', Condition: viaService('sqs') },
    ]);
    expect(forService('cloudwatch.amazonaws.com')).toEqual([
      { Sid: 'AllowCloudWatchAlarmsToNotifyEncryptedTopic', Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: '*', Condition: viaService('sns') },
    ]);
    // Only those two and KMS's default statement (the account's IAM policies administer the key).
    expect(statements).toHaveLength(3);
    expect(statements.filter((statement) => isDefaultKeyAdminStatement(statement as unknown as Record<string, unknown>))).toHaveLength(1);
    // A condition key the service does not send for these paths would silently drop every dead letter and alarm notice.
    expect(JSON.stringify(statements)).not.toMatch(/aws:Source(Account|Arn|OrgID)/);
  });

  /**
   * KMS's default key policy statement: the account root gets kms:*, which hands key administration to IAM
   * policies (without it the key becomes unmanageable). It grants nothing to the guard's functions.
   */
  const isDefaultKeyAdminStatement = (statement: Record<string, unknown>): boolean =>
    (JSON.stringify(statement.Principal) as string | undefined)?.includes(':root') === true && statement.Action === 'kms:*';

  test('no Allow statement anywhere in the template grants a wildcard action (roles, key, topic and queue policies)', () => {
    const found: string[] = [];
    const visit = (node: unknown, where: string): void => {
      if (Array.isArray(node)) {
        node.forEach((child, index) => {
          visit(child, `${where}[${index}]`);
        });
      }
      else if (node !== null && typeof node === 'object') {
        const record = node as Record<string, unknown>;
        if (record.Effect === 'Allow' && record.Action !== undefined && !isDefaultKeyAdminStatement(record)) {
          for (const action of actionsOf(record as unknown as Statement)) if (action.includes('*')) found.push(`${where}: ${action}`);
        }
        for (const [key, child] of Object.entries(record)) visit(child, `${where}.${key}`);
      }
    };
    visit(template.toJSON(), 'template');
    expect(found).toEqual([]);
  });

  test('topic and queue policies deny requests not made over TLS', () => {
    const denyInsecure = (action: string, principal: unknown) =>
      Match.arrayWith([
        Match.objectLike({ Effect: 'Deny', Action: action, Principal: principal, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      ]);
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: id.topic }],
      PolicyDocument: { Statement: denyInsecure('sns:Publish', '*') },
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: id.queue }],
      PolicyDocument: { Statement: denyInsecure('sqs:*', { AWS: '*' }) },
    });
  });

  test('only rules of this stack may send to the dead-letter queue, and only CloudWatch alarms of this account may publish', () => {
    const queuePolicy = onlyResource(template, 'AWS::SQS::QueuePolicy');
    const allows = (queuePolicy.Properties.PolicyDocument as { Statement: Statement[] }).Statement.filter((s) => s.Effect === 'Allow');
    expect(allows).toHaveLength(RULE_COUNT);
    for (const statement of allows) {
      expect(statement).toMatchObject({ Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage' });
      expect(statement.Condition?.ArnEquals['aws:SourceArn']).toBeDefined();
    }
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: Match.objectLike({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } }),
          }),
        ]),
      },
    });
  });

  test.each(RESOURCE_KINDS)('%s role: exactly the expected actions, no wildcard action, SageMaker scoped to its kind', (kind) => {
    const roleId = id.role(kind);
    const role = resourceById(template, 'AWS::IAM::Role', roleId);
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.AssumeRolePolicyDocument).toMatchObject({
      Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }],
    });

    const statements = roleStatements(template, roleId);
    expect(statements.every((s) => s.Effect === 'Allow')).toBe(true);
    const actions = statements.flatMap(actionsOf);
    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
    expect(new Set(actions)).toEqual(new Set([...COMMON_ACTIONS, ...SAGEMAKER_ACTIONS[kind], ...EC2_ACTIONS[kind]]));
    expect(actions).toHaveLength(new Set(actions).size);
    expect(new Set(statements.filter((statement) => statement.Effect === 'Allow' && statement.Resource === '*').flatMap(actionsOf))).toEqual(new Set(EC2_ACTIONS[kind]));

    for (const statement of statements) {
      const service = actionsOf(statement).map((action) => action.split(':')[0]);
      if (statement.Resource === '*') {
        // Only reads without resource-level permissions: EC2 Describe*, SageMaker List*.
        expect(actionsOf(statement).every((action) => /^(ec2:Describe|sagemaker:List)/.test(action))).toBe(true);
      } else if (service.includes('sagemaker')) {
        expect(new Set(service)).toEqual(new Set(['sagemaker']));
        const arnType = Object.keys(GRANTS[kind].sagemaker).find((type) => JSON.stringify(statement.Resource) === JSON.stringify(sageMakerArn(type)));
        expect(arnType).toBeDefined();
        expect(new Set(actionsOf(statement))).toEqual(new Set(GRANTS[kind].sagemaker[arnType ?? '']));
      } else {
        // Everything else is scoped to a resource of this stack: its log group, the queue, the key, the topic, the ledger, the switch.
        expect(statement.Resource).not.toBe('*');
        expect(JSON.stringify(statement.Resource)).toMatch(/"(Ref|Fn::GetAtt)"/);
      }
    }
    const logStatement = statements.find((s) => actionsOf(s).includes('logs:PutLogEvents'));
    expect(logStatement?.Resource).toEqual({ 'Fn::GetAtt': [id.logGroup(kind), 'Arn'] });
    const readSwitch = statements.find((s) => actionsOf(s).includes('ssm:GetParameter'));
    expect(actionsOf(readSwitch!)).toEqual(['ssm:GetParameter']);
    expect(readSwitch?.Resource).toEqual(switchArn(id.switchParameter));
    const publish = statements.find((s) => actionsOf(s).includes('sns:Publish'));
    expect(publish?.Resource).toEqual({ Ref: id.topic });
  });

  test.each(OTHER_FUNCTIONS)('%s role: exactly what it needs, no wildcard action', (constructId) => {
    const expected: Record<(typeof OTHER_FUNCTIONS)[number], string[]> = {
      Sweep: [...COMMON_ACTIONS, ...RESOURCE_KINDS.flatMap((kind) => [...SAGEMAKER_ACTIONS[kind], ...EC2_ACTIONS[kind]]), ...LIST_ACTIONS],
      // The resend function only reads the ledger's outbox and publishes: no switch, no SageMaker.
      Resend: [...BASE_ACTIONS, ...LEDGER_ACTIONS],
      SwitchWatch: [...BASE_ACTIONS, ...LEDGER_ACTIONS, 'ssm:GetParameter'],
      // The sweep's plan and summary: the ledger (owed notices, the run's notice), the run's files in the bucket.
      SweepPlan: [...BASE_ACTIONS, ...LEDGER_ACTIONS, 's3:GetObject', 's3:PutObject'],
      SweepSummary: [...BASE_ACTIONS, ...LEDGER_ACTIONS, 's3:GetObject', 's3:PutObject'],
      // Run once per deploy: reads and creates the one record of when enforcement began; publishes nothing.
      EnforcementStart: [...BASE_ACTIONS.filter((action) => action !== 'sns:Publish'), 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'],
    };
    const statements = roleStatements(template, id.otherRole(constructId));
    expect(statements.every((s) => s.Effect === 'Allow')).toBe(true);
    const actions = statements.flatMap(actionsOf);
    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
    // The sweep holds each kind's SageMaker statement separately (sagemaker:ListTags once per kind's ARN).
    if (constructId !== 'Sweep') expect(actions).toHaveLength(new Set(actions).size);
    expect(new Set(actions)).toEqual(new Set(expected[constructId]));
    if (constructId === 'SwitchWatch') {
      expect(statements.find((s) => actionsOf(s).includes('ssm:GetParameter'))?.Resource).toEqual(switchArn(id.switchParameter));
    }
  });

  test('every function role: exactly GetItem, PutItem, UpdateItem and Query on the ledger and its indexes, and kms:Decrypt on its key', () => {
    const roles = functionRoles(template);
    expect(roles).toHaveLength(FUNCTION_COUNT);
    // EnforcementStart only reads and writes its one record (see its own test).
    for (const roleId of roles.filter((role) => !role.startsWith('GuardEnforcementStart'))) {
      const statements = roleStatements(template, roleId);
      const ledgerStatements = statements.filter((s) => actionsOf(s).some((action) => action.startsWith('dynamodb:')));
      expect(ledgerStatements).toHaveLength(1);
      expect(new Set(actionsOf(ledgerStatements[0]))).toEqual(new Set(LEDGER_ACTIONS));
      expect(ledgerStatements[0].Resource).toEqual([getAttArn(id.ledger), { 'Fn::Join': ['', [getAttArn(id.ledger), '/index/*']] }]);
      const keyStatements = statements.filter((s) => actionsOf(s).some((action) => action.startsWith('kms:')));
      expect(keyStatements).toHaveLength(1);
      expect(keyStatements[0].Resource).toEqual(getAttArn(id.key));
      expect(actionsOf(keyStatements[0])).toContain('kms:Decrypt');
    }
  });

  test.each(RESOURCE_KINDS)('%s function: runtime, size, environment, log group, async retries to the queue', (kind) => {
    const fnId = id.fn(kind);
    const fn = resourceById(template, 'AWS::Lambda::Function', fnId);
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 256,
      Timeout: 60,
      Handler: 'index.handler',
      Role: { 'Fn::GetAtt': [id.role(kind), 'Arn'] },
      LoggingConfig: { LogGroup: { Ref: id.logGroup(kind) } },
      Environment: {
        Variables: {
          TOPIC_ARN: { Ref: id.topic },
          LEDGER_TABLE: { Ref: id.ledger },
          GUARD_SETTINGS: expect.any(String) as unknown,
          POWERTOOLS_SERVICE_NAME: 'sagemaker-guard',
          POWERTOOLS_METRICS_NAMESPACE: 'SageMakerGuard',
          POWERTOOLS_LOG_LEVEL: 'INFO',
        },
      },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fnId },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 6 * 3600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [id.queue, 'Arn'] } } },
    });
  });

  test('every function: GUARD_SETTINGS holds the validated defaults, the switch and the ledger are named', () => {
    const functions = Object.values(guardResourcesOf(template, 'AWS::Lambda::Function'));
    expect(functions).toHaveLength(FUNCTION_COUNT);
    for (const fn of functions) {
      const variables = (fn.Properties.Environment as { Variables: Record<string, string> }).Variables;
      expect(settingsFromEnv(variables)).toEqual(DEFAULT_POLICY);
      expect(variables.ENFORCEMENT_SWITCH_PARAMETER).toEqual({ Ref: id.switchParameter });
      expect(variables.LEDGER_TABLE).toEqual({ Ref: id.ledger });
      expect(variables.TOPIC_ARN).toEqual({ Ref: id.topic });
    }
  });

  test.each(OTHER_FUNCTIONS)('%s function: the shared runtime and its own log group', (constructId) => {
    const fn = resourceById(template, 'AWS::Lambda::Function', id.other(constructId));
    expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], Role: getAttArn(id.otherRole(constructId)) });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: id.other(constructId) },
      DestinationConfig: { OnFailure: { Destination: getAttArn(id.queue) } },
    });
  });

  test('the backout switch: an SSM parameter that starts at "policy" and accepts only policy or report', () => {
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/sagemaker-guard/enforcement',
      Type: 'String',
      Value: 'policy',
      AllowedPattern: '^(policy|report)$',
    });
    template.hasOutput('EnforcementSwitchParameter', { Value: { Ref: id.switchParameter } });
  });

  test('outputs: the topic, the dead-letter queue, the ledger table (the CLI reads it), the policy mode, the switch', () => {
    template.hasOutput('TopicArn', { Value: { Ref: id.topic } });
    template.hasOutput('DeadLetterQueueUrl', { Value: { Ref: id.queue } });
    template.hasOutput('LedgerTableName', { Value: { Ref: id.ledger } });
    template.hasOutput('EnforcementSwitchParameter', { Value: { Ref: id.switchParameter } });
    expect(Object.keys(template.toJSON().Outputs as Record<string, unknown>).sort()).toEqual(
      ['DeadLetterQueueUrl', 'EnforcementSwitchParameter', 'LedgerTableName', 'PolicyMode', 'TopicArn'].sort(),
    );
  });

  test('each function has its own log group, kept 365 days by default and destroyed with the stack', () => {
    // And the state machine's (its execution events, without their data).
    template.resourceCountIs('AWS::Logs::LogGroup', FUNCTION_COUNT + 1);
    for (const kind of RESOURCE_KINDS) {
      const logGroup = resourceById(template, 'AWS::Logs::LogGroup', id.logGroup(kind));
      expect(logGroup.Properties.RetentionInDays).toBe(365);
      expect(logGroup.DeletionPolicy).toBe('Delete');
    }
  });

  test('every alarm notifies the topic when a sum reaches 1 in one period, and says what happened and what to do', () => {
    const alarms = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm'));
    // Dead letters sent, notifications failed; errors of each function; dead letters lost by each rule; the 3 metrics;
    // a sweep run that failed, timed out or was stopped.
    expect(alarms).toHaveLength(2 + ALARMED_FUNCTIONS + RULE_COUNT + SINGLE_ACCOUNT_METRICS.length + 3);
    for (const alarm of alarms) {
      expect(alarm.Properties).toMatchObject({
        AlarmActions: [{ Ref: id.topic }],
        Threshold: 1,
        EvaluationPeriods: 1,
        Statistic: 'Sum',
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmDescription: expect.stringMatching(/^sagemaker-guard.{60,}/) as unknown,
      });
    }
  });

  test('dead-letter alarm: every message sent to the queue (NumberOfMessagesSent), not messages still waiting', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'NumberOfMessagesSent',
      Statistic: 'Sum',
      Period: 300,
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [id.queue, 'QueueName'] } }],
    });
    template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateNumberOfMessagesVisible' }, 0);
  });

  test('topic alarm: a notice or alarm SNS failed to deliver', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SNS',
      MetricName: 'NumberOfNotificationsFailed',
      Period: 300,
      Dimensions: [{ Name: 'TopicName', Value: { 'Fn::GetAtt': [id.topic, 'TopicName'] } }],
    });
  });

  test('each function has an errors alarm', () => {
    const alarmed = OTHER_FUNCTIONS.filter((constructId) => constructId !== 'EnforcementStart');
    for (const fnId of [...RESOURCE_KINDS.map((kind) => id.fn(kind)), ...alarmed.map((constructId) => id.other(constructId))]) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId } }],
      });
    }
  });

  test('each EventBridge rule has an alarm on the events it could not dead-letter (InvocationsFailedToBeSentToDlq)', () => {
    const ruleIds = Object.keys(resourcesOf(template, 'AWS::Events::Rule'));
    expect(ruleIds).toHaveLength(RULE_COUNT);
    for (const ruleId of ruleIds) {
      template.resourcePropertiesCountIs(
        'AWS::CloudWatch::Alarm',
        { Namespace: 'AWS/Events', MetricName: 'InvocationsFailedToBeSentToDlq', Period: 300, Dimensions: [{ Name: 'RuleName', Value: { Ref: ruleId } }] },
        1,
      );
    }
  });

  test('no MemberAccountUnreachable alarm in a single-account guard', () => {
    template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: ALARM_METRICS.memberUnreachable }, 0);
  });

  test.each(SINGLE_ACCOUNT_METRICS)('alarm on the functions\' %s metric: namespace SageMakerGuard, only the service dimension', (metricName) => {
    template.resourcePropertiesCountIs(
      'AWS::CloudWatch::Alarm',
      {
        Namespace: 'SageMakerGuard',
        MetricName: metricName,
        Statistic: 'Sum',
        Period: 300,
        Dimensions: [{ Name: 'service', Value: 'sagemaker-guard' }],
        TreatMissingData: 'notBreaching',
      },
      1,
    );
  });

  test('no email subscription when notificationEmails is empty', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });
});

describe('SageMakerGuard stack (settings from -c)', () => {
  let template: Template;

  beforeAll(() => {
    ({ template } = synthGuard({
      policy: JSON.stringify({
        mode: 'report',
        kinds: { 'training-job': { allowedInstanceTypes: ['ml.m5.xlarge', 'ml.g5.2xlarge'] } },
        owners: { 'team-a@example.com': ['team-a'], 'data-science@example.com': ['ds-1', 'ds-2'] },
      }),
      notificationEmails: 'secops@example.com, ml-platform@example.org',
      logRetentionDays: '30',
    }));
  });

  test('report mode and the other settings reach GUARD_SETTINGS of every function', () => {
    // A report-only policy: no EnforcementStart (enforcement has not begun).
    const functions = Object.values(guardResourcesOf(template, 'AWS::Lambda::Function'));
    expect(functions).toHaveLength(FUNCTION_COUNT - 1);
    for (const fn of functions) {
      const settings = settingsFromEnv((fn.Properties.Environment as { Variables: Record<string, string> }).Variables);
      expect(settings.mode).toBe('report');
      expect(settings.kinds['training-job']?.allowedInstanceTypes).toEqual(['ml.m5.xlarge', 'ml.g5.2xlarge']);
    }
  });

  test('operators get every notice: one unfiltered email subscription per notificationEmails address', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 4);
    for (const email of ['secops@example.com', 'ml-platform@example.org']) {
      template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: email, FilterPolicy: Match.absent() });
    }
  });

  test('owners get only their notices: a filter policy on the owner attribute with the values the policy lists', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'team-a@example.com', FilterPolicy: { owner: ['team-a'] } });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'data-science@example.com', FilterPolicy: { owner: ['ds-1', 'ds-2'] } });
  });

  test('log retention follows logRetentionDays', () => {
    const logGroups = Object.values(resourcesOf(template, 'AWS::Logs::LogGroup'));
    // Every function's but the trigger provider's, and the state machine's.
    expect(logGroups.map((logGroup) => logGroup.Properties.RetentionInDays)).toEqual(Array<number>(FUNCTION_COUNT).fill(30));
  });
});

describe('SageMakerGuard stack bound to an account and region (CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION set)', () => {
  const ACCOUNT = '111111111111';
  const REGION = 'eu-west-3';
  let template: Template;

  beforeAll(() => {
    ({ template } = synthGuard({}, { env: { account: ACCOUNT, region: REGION } }));
  });

  test('synthesizes without a dependency cycle', () => {
    expect(findCycle(template)).toBeUndefined();
  });

  test('no policy names the switch parameter with a literal region or account: the ARN is built from the deploying ones', () => {
    const policies = Object.values(resourcesOf(template, 'AWS::IAM::Policy'));
    const readSwitch = policies
      .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
      .filter((statement) => actionsOf(statement).includes('ssm:GetParameter'));
    // Responders, sweep and switch watcher.
    expect(readSwitch).toHaveLength(RESOURCE_KINDS.length + 2);
    const switchParameter = logicalIdByPath(template, 'AWS::SSM::Parameter', 'Guard/EnforcementSwitch/Resource');
    for (const statement of readSwitch) {
      expect(statement.Resource).toEqual(switchArn(switchParameter));
      expect(JSON.stringify(statement.Resource)).not.toContain(REGION);
      expect(JSON.stringify(statement.Resource)).not.toContain(ACCOUNT);
    }
    // Nowhere in the template, policies included, is there an SSM ARN with a literal region.
    expect(JSON.stringify(template.toJSON())).not.toMatch(new RegExp(`:ssm:${REGION}:`));
  });
});

describe('SageMakerGuard stack without the sweep (sweepSchedule off)', () => {
  let template: Template;

  beforeAll(() => {
    ({ template } = synthGuard({ sweepSchedule: 'off' }));
  });

  test('no sweep, and the ledger\'s writers are exactly the remaining roles', () => {
    expect(Object.keys(guardResourcesOf(template, 'AWS::Lambda::Function'))).toHaveLength(FUNCTION_COUNT - SWEEP_FUNCTIONS.length);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 0);
    template.resourceCountIs('AWS::S3::Bucket', 0);
    template.resourcePropertiesCountIs('AWS::Events::Rule', { ScheduleExpression: 'rate(1 day)' }, 0);
    const ledger = onlyResource(template, 'AWS::DynamoDB::Table');
    const [deny] = (ledger.Properties.ResourcePolicy as { PolicyDocument: { Statement: Statement[] } }).PolicyDocument.Statement;
    const roles = functionRoles(template);
    expect(new Set((deny.Condition?.ArnNotEquals['aws:PrincipalArn'] as unknown[]).map((arn) => JSON.stringify(arn)))).toEqual(
      new Set(roles.map((role) => JSON.stringify(getAttArn(role)))),
    );
    template.resourceCountIs('AWS::CloudWatch::Alarm', 2 + (ALARMED_FUNCTIONS - SWEEP_FUNCTIONS.length) + (RULE_COUNT - 1) + SINGLE_ACCOUNT_METRICS.length);
  });
});

describe('invalid configuration', () => {
  test.each([
    [{ policy: { mode: 'bogus' } }, 'mode'],
    [{ logRetentionDays: '42' }, 'logRetentionDays'],
    [{ notificationEmails: 'not-an-address' }, 'notificationEmails.0'],
    [{ policy: '{"maxRuntimeSeconds":"forever"}' }, 'maxRuntimeSeconds'],
    [{ policy: { controls: { 'model.vpc': 'sometimes' } } }, 'controls.model.vpc'],
  ])('%j fails synthesis naming %s', (overrides, key) => {
    const build = () => buildApp({ context: { ...cdkJsonContext(), ...overrides }, env: {}, nag: false });
    expect(build).toThrow(InvalidSettingsError);
    expect(build).toThrow(new RegExp(`^  - ${key.replace('.', '\\.')}: `, 'm'));
  });
});

describe('the deploy records when enforcement began (the existing estate is reported, not acted on)', () => {
  test('an enforcing policy: a trigger runs EnforcementStart after the ledger exists, waiting for its result', () => {
    const { template } = synthGuard();
    const trigger = onlyResource(template, 'Custom::Trigger');
    expect(trigger.Properties).toMatchObject({ InvocationType: 'RequestResponse', ExecuteOnHandlerChange: true });
    const ledgerId = Object.keys(resourcesOf(template, 'AWS::DynamoDB::Table'))[0];
    expect((trigger as unknown as { DependsOn?: string[] }).DependsOn).toContain(ledgerId);

    // Its function may read and create that one record, nothing else of the ledger's.
    const roleId = Object.keys(guardResourcesOf(template, 'AWS::IAM::Role')).find((role) => role.startsWith('GuardEnforcementStart')) ?? '';
    const policies = Object.values(resourcesOf(template, 'AWS::IAM::Policy')).filter((policy) =>
      (policy.Properties.Roles as unknown[]).some((role) => JSON.stringify(role) === JSON.stringify({ Ref: roleId })),
    );
    const statements = policies.flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
    const ledger = statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('dynamodb:')));
    expect(ledger).toEqual([
      expect.objectContaining({ Action: ['dynamodb:GetItem', 'dynamodb:PutItem'], Resource: { 'Fn::GetAtt': [ledgerId, 'Arn'] } }),
      // An upgrade: the ledger's first stop or delete, read through the history index only.
      expect.objectContaining({ Action: 'dynamodb:Query', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [ledgerId, 'Arn'] }, `/index/${LEDGER.historyIndex.name}`]] } }),
    ]);

    // CDK's provider may only invoke that function.
    const providerRole = Object.entries(resourcesOf(template, 'AWS::IAM::Role')).find(([id]) => id.startsWith(TRIGGER_PROVIDER_PREFIX))?.[1];
    const inline = (providerRole?.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[]).flatMap((policy) => policy.PolicyDocument.Statement);
    expect(inline.flatMap(actionsOf)).toEqual(['lambda:InvokeFunction']);
  });

  test('a report-only policy records nothing: enforcement has not begun', () => {
    const { template } = synthGuard({ policy: { mode: 'report' } });
    template.resourceCountIs('Custom::Trigger', 0);
    expect(Object.keys(guardResourcesOf(template, 'AWS::Lambda::Function'))).toHaveLength(FUNCTION_COUNT - 1);
  });
});


describe('the construct used directly applies the same deploy rules', () => {
  const inStack = (props: Partial<SageMakerGuardProps> & Pick<SageMakerGuardProps, 'notificationEmails'>) => () => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Consumer');
    return new SageMakerGuard(stack, 'Guard', props);
  };

  test.each<[string, Partial<SageMakerGuardProps> & Pick<SageMakerGuardProps, 'notificationEmails'>, string]>([
    ['nobody to tell while enforcing', { notificationEmails: [] }, "SageMakerGuard: notificationEmails is empty and the policy has no owners, so nobody would be told when the guard stops or deletes a resource (the policy enforces). pass notificationEmails: ['secops@example.com']"],
    ['a plural unit for 1', { notificationEmails: 'none', sweepSchedule: 'rate(1 days)' }, 'SageMakerGuard: sweepSchedule: rate(1 days): EventBridge needs "day" with 1'],
    ['a cron with five fields', { notificationEmails: 'none', sweepSchedule: 'cron(0 6 * * *)' }, 'SageMakerGuard: sweepSchedule: cron(0 6 * * *): expected six fields'],
  ])('%s is refused', (_name, props, message) => {
    expect(inStack(props)).toThrow(message);
  });

  test('owners but no operator address: allowed, with a warning that alarms and summaries reach nobody', () => {
    const guard = inStack({ notificationEmails: [], settings: parseSettings({ owners: { 'team-a@example.com': ['team-a'] } }, 'test') })();
    const warnings = Annotations.fromStack(Stack.of(guard)).findWarning('*', Match.stringLikeRegexp('alarms, sweep summaries'));
    expect(warnings).toHaveLength(1);
    const quiet = inStack({ notificationEmails: 'none' })();
    expect(Annotations.fromStack(Stack.of(quiet)).findWarning('*', Match.stringLikeRegexp('alarms, sweep summaries'))).toHaveLength(0);
  });

  test('"none" says no email on purpose; owners are someone to tell; report mode may tell nobody', () => {
    expect(inStack({ notificationEmails: 'none' })).not.toThrow();
    expect(inStack({ notificationEmails: [], settings: parseSettings({ owners: { 'team-a@example.com': ['team-a'] } }, 'test') })).not.toThrow();
    expect(inStack({ notificationEmails: [], settings: parseSettings({ mode: 'report' }, 'test') })).not.toThrow();
  });
});
