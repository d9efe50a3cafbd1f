import { Match, type Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../lib/app';
import { RESOURCE_KINDS, type ResourceKind } from '../../lambda/core/kinds';
import { InvalidSettingsError, settingsFromEnv } from '../../lambda/core/settings';
import { DEFAULT_POLICY } from '../fixtures/resources';
import { actionsOf, cdkJsonContext, logicalIdByPath, onlyResource, resourceById, resourcesOf, synthGuard, type Statement } from './synth';

const RESPONDER: Record<ResourceKind, string> = {
  'training-job': 'TrainingJobResponder',
  model: 'ModelResponder',
  'notebook-instance': 'NotebookInstanceResponder',
};

/** The spec, restated on purpose: a change to the patterns in lambda/core/kinds.ts must show up here. */
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
};

const COMMON_ACTIONS = ['logs:CreateLogStream', 'logs:PutLogEvents', 'sqs:SendMessage', 'kms:GenerateDataKey', 'kms:Decrypt', 'sns:Publish', 'ssm:GetParameter'];
const SAGEMAKER_ACTIONS: Record<ResourceKind, string[]> = {
  'training-job': ['sagemaker:DescribeTrainingJob', 'sagemaker:StopTrainingJob', 'sagemaker:AddTags', 'sagemaker:ListTags'],
  model: ['sagemaker:DescribeModel', 'sagemaker:DeleteModel', 'sagemaker:ListTags'],
  'notebook-instance': ['sagemaker:DescribeNotebookInstance', 'sagemaker:StopNotebookInstance', 'sagemaker:AddTags', 'sagemaker:ListTags'],
};
const EC2_ACTIONS: Record<ResourceKind, string[]> = {
  'training-job': [],
  model: [],
  'notebook-instance': ['ec2:DescribeSubnets', 'ec2:DescribeRouteTables', 'ec2:DescribeSecurityGroups'],
};
const ARN_TYPE: Record<ResourceKind, string> = { 'training-job': 'training-job', model: 'model', 'notebook-instance': 'notebook-instance' };

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

describe('SageMakerGuard stack (cdk.json defaults)', () => {
  let template: Template;
  let id: ReturnType<typeof ids>;

  beforeAll(() => {
    ({ template } = synthGuard());
    id = ids(template);
  });

  test('one rule per kind, each with exactly the actionable-events pattern, and one sweep schedule', () => {
    template.resourceCountIs('AWS::Events::Rule', RESOURCE_KINDS.length + 1);
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

  test('the sweep runs daily by default, for up to 15 minutes, with adaptive retry, and is not re-run on failure', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 day)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [id.sweep, 'Arn'] }, DeadLetterConfig: { Arn: { 'Fn::GetAtt': [id.queue, 'Arn'] } } })],
    });
    const sweep = resourceById(template, 'AWS::Lambda::Function', id.sweep);
    expect(sweep.Properties).toMatchObject({ Timeout: 900, MemorySize: 512, Environment: { Variables: { AWS_RETRY_MODE: 'adaptive' } } });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { FunctionName: { Ref: id.sweep }, MaximumRetryAttempts: 0 });
  });

  test('the sweep role lists all kinds (List* need Resource "*") and acts on each kind only on its own ARNs', () => {
    const statements = roleStatements(template, id.sweepRole);
    const actions = statements.flatMap(actionsOf);
    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
    const list = statements.find((statement) => actionsOf(statement).includes('sagemaker:ListTrainingJobs'));
    expect(list?.Resource).toBe('*');
    expect(new Set(actionsOf(list!))).toEqual(new Set(['sagemaker:ListTrainingJobs', 'sagemaker:ListModels', 'sagemaker:ListNotebookInstances']));
    for (const kind of RESOURCE_KINDS) {
      const own = statements.find((statement) => JSON.stringify(statement.Resource) === JSON.stringify(sageMakerArn(ARN_TYPE[kind])));
      expect(new Set(actionsOf(own!))).toEqual(new Set(SAGEMAKER_ACTIONS[kind]));
    }
  });

  test('the KMS key rotates and encrypts both the topic and the dead-letter queue', () => {
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
  });

  test('key policy lets CloudWatch and EventBridge of this account use the key, and nothing else new', () => {
    for (const service of ['cloudwatch.amazonaws.com', 'events.amazonaws.com']) {
      template.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: service },
              Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
              Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
            }),
          ]),
        },
      });
    }
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
    expect(allows).toHaveLength(RESOURCE_KINDS.length + 1);
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

    for (const statement of statements) {
      const service = actionsOf(statement).map((action) => action.split(':')[0]);
      if (service.includes('sagemaker')) {
        expect(new Set(service)).toEqual(new Set(['sagemaker']));
        expect(statement.Resource).toEqual(sageMakerArn(ARN_TYPE[kind]));
      } else if (service.includes('ec2')) {
        expect(new Set(service)).toEqual(new Set(['ec2']));
        expect(actionsOf(statement).every((action) => action.startsWith('ec2:Describe'))).toBe(true);
        expect(statement.Resource).toBe('*');
      } else {
        // Everything else is scoped to a resource of this stack: its log group, the queue, the key, the topic.
        expect(statement.Resource).not.toBe('*');
        expect(JSON.stringify(statement.Resource)).toMatch(/"(Ref|Fn::GetAtt)"/);
      }
    }
    const logStatement = statements.find((s) => actionsOf(s).includes('logs:PutLogEvents'));
    expect(logStatement?.Resource).toEqual({ 'Fn::GetAtt': [id.logGroup(kind), 'Arn'] });
    const readSwitch = statements.find((s) => actionsOf(s).includes('ssm:GetParameter'));
    expect(actionsOf(readSwitch!)).toEqual(['ssm:GetParameter']);
    expect(JSON.stringify(readSwitch?.Resource)).toContain(`{"Ref":"${id.switchParameter}"}`);
    const publish = statements.find((s) => actionsOf(s).includes('sns:Publish'));
    expect(publish?.Resource).toEqual({ Ref: id.topic });
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

  test('GUARD_SETTINGS holds the validated defaults and parses at cold start', () => {
    for (const fn of Object.values(resourcesOf(template, 'AWS::Lambda::Function'))) {
      const variables = (fn.Properties.Environment as { Variables: Record<string, string> }).Variables;
      expect(settingsFromEnv(variables)).toEqual(DEFAULT_POLICY);
      expect(variables.ENFORCEMENT_SWITCH_PARAMETER).toEqual({ Ref: id.switchParameter });
    }
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

  test('each function has its own log group, kept 365 days by default and destroyed with the stack', () => {
    template.resourceCountIs('AWS::Logs::LogGroup', RESOURCE_KINDS.length + 1);
    for (const kind of RESOURCE_KINDS) {
      const logGroup = resourceById(template, 'AWS::Logs::LogGroup', id.logGroup(kind));
      expect(logGroup.Properties.RetentionInDays).toBe(365);
      expect(logGroup.DeletionPolicy).toBe('Delete');
    }
  });

  test('alarms on the dead-letter queue and on each function notify the topic', () => {
    const alarms = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(1 + RESOURCE_KINDS.length + 1);
    for (const alarm of alarms) {
      expect(alarm.Properties).toMatchObject({
        AlarmActions: [{ Ref: id.topic }],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [id.queue, 'QueueName'] } }],
    });
    for (const kind of RESOURCE_KINDS) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: id.fn(kind) } }],
      });
    }
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
    const functions = Object.values(resourcesOf(template, 'AWS::Lambda::Function'));
    expect(functions).toHaveLength(RESOURCE_KINDS.length + 1);
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
    expect(logGroups.map((logGroup) => logGroup.Properties.RetentionInDays)).toEqual([30, 30, 30, 30]);
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
