import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Match } from 'aws-cdk-lib/assertions';
import { eventPatternFor, KIND_LIST, RESOURCE_KINDS } from '../../lambda/kinds/registry';
import { ALARM_METRICS } from '../../lambda/pipeline/telemetry';
import { InvalidSettingsError } from '../../lambda/core/settings';
import { STACK_NAME } from '../../lib/app';
import { forwardDeadLetterQueueName, SPOKE_PARAMETERS, spokeStack, spokeTemplate } from '../../lib/organization/spoke';
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { LIST_ACTIONS, permissionsOf } from '../../lib/sagemaker-guard';
import { buildGuard, synthGuard, tempDir } from './synth';

/**
 * One deployment for an organization: the hub stack (the guard with its rules on a bus the organization's accounts
 * put events on, responders that assume each account's member role) and the StackSet of spokes it creates.
 */
const ORGANIZATION = { organizationId: 'o-abcdefghij', targetOus: ['ou-ab12-cdef3456'], regions: ['eu-west-1', 'us-east-1'] };
const ENV = { account: '111122223333', region: 'us-east-1' };

interface Resource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
  readonly Condition?: string;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

const resourcesOf = (template: { Resources: Record<string, Resource> }, type: string) => Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);

describe('the hub stack', () => {
  const { template, stack } = synthGuard({ organization: ORGANIZATION }, { env: ENV });
  const busId = stack.getLogicalId(stack.node.findChild('HubEventBus').node.defaultChild as never);

  test('the bus admits PutEvents from the organization\'s accounts only', () => {
    template.hasResourceProperties('AWS::Events::EventBusPolicy', {
      EventBusName: { Ref: busId },
      Statement: { Effect: 'Allow', Action: 'events:PutEvents', Principal: { AWS: '*' }, Condition: { StringEquals: { 'aws:PrincipalOrgID': ORGANIZATION.organizationId } } },
    });
    template.resourceCountIs('AWS::Events::EventBusPolicy', 1);
  });

  test('every responder\'s rule listens on the hub\'s bus; the hub account\'s own events are forwarded to it', () => {
    for (const kind of RESOURCE_KINDS) {
      const pattern = eventPatternFor(kind);
      template.hasResourceProperties('AWS::Events::Rule', { EventBusName: { Ref: busId }, EventPattern: Match.objectLike({ 'detail-type': pattern.detailType }) });
      template.hasResourceProperties('AWS::Events::Rule', {
        EventBusName: Match.absent(),
        EventPattern: Match.objectLike({ 'detail-type': pattern.detailType }),
        Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [busId, 'Arn'] }, DeadLetterConfig: Match.anyValue() })],
      });
    }
  });

  test('each responder, and the sweep\'s task, assumes the member role of this organization\'s accounts only, and names it in its environment', () => {
    const policies = template.findResources('AWS::IAM::Policy');
    const assumers = Object.values(policies).filter((policy) => JSON.stringify(policy).includes('sts:AssumeRole'));
    expect(assumers).toHaveLength(RESOURCE_KINDS.length + 1);
    for (const policy of assumers) {
      const statements = (policy as { Properties: { PolicyDocument: { Statement: { Action: unknown; Resource: unknown; Condition?: unknown }[] } } }).Properties.PolicyDocument.Statement;
      const assume = statements.find((statement) => statement.Action === 'sts:AssumeRole');
      expect(assume?.Condition).toEqual({ StringEquals: { 'aws:ResourceOrgID': ORGANIZATION.organizationId } });
      expect(JSON.stringify(assume?.Resource)).toContain(':iam::*:role/SageMakerGuard-member');
    }
    const responders = Object.values(template.findResources('AWS::Lambda::Function')).filter((fn) => JSON.stringify(fn).includes('GUARD_KIND'));
    expect(responders).toHaveLength(RESOURCE_KINDS.length);
    for (const fn of responders) expect(JSON.stringify(fn)).toContain('"GUARD_MEMBER_ROLE_NAME":"SageMakerGuard-member"');
  });

  test('an unreachable member account raises its own alarm', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: ALARM_METRICS.memberUnreachable, Namespace: 'SageMakerGuard' });
  });

  test('the StackSet: service-managed, deployed to the OUs and the accounts that join them, every region, the hub\'s first', () => {
    template.hasResourceProperties('AWS::CloudFormation::StackSet', {
      StackSetName: `${STACK_NAME}-spokes`,
      PermissionModel: 'SERVICE_MANAGED',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      CallAs: 'DELEGATED_ADMIN',
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      StackInstancesGroup: [{ DeploymentTargets: { OrganizationalUnitIds: ORGANIZATION.targetOus }, Regions: ORGANIZATION.regions }],
      OperationPreferences: Match.objectLike({ RegionOrder: ['us-east-1', 'eu-west-1'], RegionConcurrencyType: 'SEQUENTIAL', ConcurrencyMode: 'SOFT_FAILURE_TOLERANCE', FailureTolerancePercentage: 10 }),
      Parameters: Match.arrayWith([
        { ParameterKey: SPOKE_PARAMETERS.hubBusArn, ParameterValue: { 'Fn::GetAtt': [busId, 'Arn'] } },
        { ParameterKey: SPOKE_PARAMETERS.roleRegion, ParameterValue: 'us-east-1' },
      ]),
    });
  });

  test('only the responders\' roles and the sweep task\'s may assume the member role: the StackSet passes exactly their ARNs', () => {
    const [, stackSet] = Object.entries(template.findResources('AWS::CloudFormation::StackSet'))[0] ?? [];
    const parameters = (stackSet as { Properties: { Parameters: { ParameterKey: string; ParameterValue: unknown }[] } }).Properties.Parameters;
    const roles = parameters.find((parameter) => parameter.ParameterKey === SPOKE_PARAMETERS.hubRoleArns)?.ParameterValue as { 'Fn::Join': [string, { 'Fn::GetAtt': [string, string] }[]] };
    const ids = roles['Fn::Join'][1].map((entry) => entry['Fn::GetAtt'][0]);
    expect(ids).toHaveLength(RESOURCE_KINDS.length + 1);
    expect(ids.filter((id) => /^Guard.*ResponderRole[0-9A-F]{8}$/.test(id))).toHaveLength(RESOURCE_KINDS.length);
    // The sweep's page task (it lists and acts in each account); its plan and summary stay in the hub.
    expect(ids.filter((id) => /^GuardSweepRole[0-9A-F]{8}$/.test(id))).toHaveLength(1);
  });

  test('auditorRoleArns: the named auditor roles are trusted too, after the responders, and nothing else', () => {
    const auditor = 'arn:aws:iam::999988887777:role/SecurityAuditor';
    const { template: withAuditor } = synthGuard({ organization: { ...ORGANIZATION, auditorRoleArns: [auditor] } }, { env: ENV });
    const [, stackSet] = Object.entries(withAuditor.findResources('AWS::CloudFormation::StackSet'))[0] ?? [];
    const parameters = (stackSet as { Properties: { Parameters: { ParameterKey: string; ParameterValue: unknown }[] } }).Properties.Parameters;
    const roles = parameters.find((parameter) => parameter.ParameterKey === SPOKE_PARAMETERS.hubRoleArns)?.ParameterValue as { 'Fn::Join': [string, unknown[]] };
    expect(roles['Fn::Join'][1]).toHaveLength(RESOURCE_KINDS.length + 2);
    expect(roles['Fn::Join'][1].at(-1)).toBe(auditor);
  });

  test('the spoke template in the StackSet is the one spokeTemplate builds', () => {
    const [, stackSet] = Object.entries(template.findResources('AWS::CloudFormation::StackSet'))[0] ?? [];
    const body = JSON.parse((stackSet as { Properties: { TemplateBody: string } }).Properties.TemplateBody) as unknown;
    expect(body).toEqual(spokeTemplate('SageMakerGuard-member', STACK_NAME));
  });

  test('cdk-nag: no finding left in the hub stack; cfn-lint passes on it', () => {
    const { app } = buildGuard({ organization: ORGANIZATION }, { env: ENV, outdir: tempDir('guard-hub-nag-') });
    const assembly = app.synth();
    const report = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8')) as { pluginReports: { violations?: { ruleName: string }[] }[] };
    expect(report.pluginReports.flatMap((pluginReport) => pluginReport.violations ?? []).map((violation) => violation.ruleName)).toEqual([]);
    if (spawnSync('cfn-lint', ['--version']).status !== 0) return;
    const lint = spawnSync('cfn-lint', ['--format', 'parseable', '--', assembly.getStackByName(STACK_NAME).templateFullPath], { encoding: 'utf8' });
    expect({ status: lint.status, findings: `${lint.stdout}${lint.stderr}`.trim() }).toEqual({ status: 0, findings: '' });
  }, 60_000);
});

describe('the spoke template', () => {
  const template = spokeTemplate('SageMakerGuard-member', STACK_NAME) as unknown as { Resources: Record<string, Resource>; Parameters: Record<string, unknown>; Conditions: Record<string, unknown> };

  test('no assets, no bootstrap: its parameters are the hub\'s values only', () => {
    expect(Object.keys(template.Parameters).sort()).toEqual(Object.values(SPOKE_PARAMETERS).sort());
    expect(JSON.stringify(template)).not.toMatch(/BootstrapVersion|AssetParameters|cdk-hnb659fds|CDKMetadata/);
    expect(JSON.stringify(template).length).toBeLessThan(51_200);
  });

  test('one forwarding rule per kind, named under the hub\'s stack, with the hub\'s own pattern, to the hub\'s bus through the region\'s forwarding role', () => {
    const rules = resourcesOf(template, 'AWS::Events::Rule');
    expect(rules).toHaveLength(KIND_LIST.length);
    for (const spec of KIND_LIST) {
      const pattern = eventPatternFor(spec.id);
      const rule = rules.find(([, resource]) => JSON.stringify((resource.Properties.EventPattern as Record<string, unknown>)['detail-type']) === JSON.stringify(pattern.detailType));
      expect(rule?.[1].Properties.Name).toBe(`${STACK_NAME}-${spec.responderId}`);
      expect(rule?.[1].Properties.EventPattern).toEqual({ source: pattern.source, 'detail-type': pattern.detailType, ...(pattern.detail !== undefined ? { detail: pattern.detail } : {}) });
      expect(rule?.[1].Properties.Targets).toEqual([
        {
          Id: 'HubBus',
          Arn: { Ref: SPOKE_PARAMETERS.hubBusArn },
          RoleArn: { 'Fn::GetAtt': ['ForwardRole', 'Arn'] },
          RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['ForwardDeadLetters', 'Arn'] } },
        },
      ]);
    }
  });

  test('what the hub\'s bus cannot take is kept: an encrypted dead-letter queue per region, written by the forwarding rules only, TLS only', () => {
    const queues = resourcesOf(template, 'AWS::SQS::Queue');
    expect(queues).toHaveLength(1);
    expect(queues[0]?.[1].Properties).toEqual({ QueueName: forwardDeadLetterQueueName(STACK_NAME), SqsManagedSseEnabled: true, MessageRetentionPeriod: 1_209_600 });
    const [[, policy] = []] = resourcesOf(template, 'AWS::SQS::QueuePolicy');
    const statements = (policy?.Properties.PolicyDocument as { Statement: { Sid: string; Effect: string; Principal: unknown; Condition: Record<string, Record<string, unknown>> }[] }).Statement;
    const allow = statements.find((statement) => statement.Effect === 'Allow');
    expect(allow?.Principal).toEqual({ Service: 'events.amazonaws.com' });
    const sources = allow?.Condition.ArnEquals['aws:SourceArn'] as { 'Fn::Join': [string, unknown[]] }[];
    expect(sources).toHaveLength(KIND_LIST.length);
    expect(sources.map((source) => JSON.stringify(source))).toEqual(KIND_LIST.map((spec) => expect.stringContaining(`:rule/${STACK_NAME}-${spec.responderId}`) as unknown));
    expect(statements.find((statement) => statement.Effect === 'Deny')?.Condition).toEqual({ Bool: { 'aws:SecureTransport': 'false' } });
  });

  test('the dead letters outlive the stack instance: the queue and its policy (TLS only) are retained on delete and on replacement', () => {
    // An account moved out of the target OUs (or the StackSet taken down) loses its stack instance, not the events it
    // could not forward.
    const [[, queue] = []] = resourcesOf(template, 'AWS::SQS::Queue');
    const [[, policy] = []] = resourcesOf(template, 'AWS::SQS::QueuePolicy');
    for (const resource of [queue, policy]) expect([resource?.Type, resource?.DeletionPolicy, resource?.UpdateReplacePolicy]).toEqual([resource?.Type, 'Retain', 'Retain']);
    // Nothing else of the spoke is kept: rules and roles go with the instance.
    const retained = Object.entries(template.Resources).filter(([, resource]) => resource.DeletionPolicy !== undefined || resource.UpdateReplacePolicy !== undefined);
    expect(retained.map(([id]) => id).sort()).toEqual(['ForwardDeadLetters', 'ForwardDeadLettersPolicy']);
  });

  test('the member role exists once per account (the hub region\'s instance creates it); each region has its forwarding role', () => {
    expect(template.Conditions.InRoleRegion).toEqual({ 'Fn::Equals': [{ Ref: 'AWS::Region' }, { Ref: SPOKE_PARAMETERS.roleRegion }] });
    const roles: Partial<Record<string, Resource>> = Object.fromEntries(resourcesOf(template, 'AWS::IAM::Role'));
    expect(Object.keys(roles).sort()).toEqual(['ForwardRole', 'MemberRole']);
    expect(roles.MemberRole?.Condition).toBe('InRoleRegion');
    expect(roles.ForwardRole?.Condition).toBeUndefined();
    expect(roles.ForwardRole?.Properties.RoleName).toEqual({ 'Fn::Join': ['', [`${STACK_NAME}-forward-`, { Ref: 'AWS::Region' }]] });
  });

  test('the member role trusts the hub\'s function roles only, and holds exactly what the kinds call, in this account', () => {
    const [, member] = resourcesOf(template, 'AWS::IAM::Role').find(([id]) => id === 'MemberRole') ?? [];
    expect(member?.Properties.RoleName).toBe('SageMakerGuard-member');
    expect(member?.Properties.AssumeRolePolicyDocument).toEqual({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: { Ref: SPOKE_PARAMETERS.hubRoleArns } }, Action: 'sts:AssumeRole' }] });
    const statements = (member?.Properties.Policies as { PolicyDocument: { Statement: { Action: string[]; Resource: unknown }[] } }[])[0]?.PolicyDocument.Statement ?? [];
    const { byArnType, unscoped } = permissionsOf(RESOURCE_KINDS);
    const expected = [...byArnType].map(([arnType, actions]) => ({ arnType, actions: [...actions].sort() }));
    for (const { arnType, actions } of expected) {
      const statement = statements.find((candidate) => JSON.stringify(candidate.Resource).includes(`:${arnType}/*`));
      expect([arnType, statement?.Action]).toEqual([arnType, actions]);
      expect(JSON.stringify(statement?.Resource)).toContain('{"Ref":"AWS::AccountId"}');
    }
    const anyResource = statements.find((candidate) => candidate.Resource === '*');
    expect(anyResource?.Action).toEqual([...new Set([...unscoped, ...LIST_ACTIONS])].sort());
    for (const statement of statements) for (const action of statement.Action) expect(action).not.toContain('*');
    expect(statements).toHaveLength(expected.length + 1);
  });

  test('the forwarding role: EventBridge of this account only, PutEvents on the hub\'s bus only', () => {
    const [, forward] = resourcesOf(template, 'AWS::IAM::Role').find(([id]) => id === 'ForwardRole') ?? [];
    expect(JSON.stringify(forward?.Properties.AssumeRolePolicyDocument)).toContain('"aws:SourceAccount":{"Ref":"AWS::AccountId"}');
    expect(forward?.Properties.Policies).toEqual([
      { PolicyName: 'PutOnHubBus', PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: { Ref: SPOKE_PARAMETERS.hubBusArn } }] } },
    ]);
  });

  test('cdk-nag: no finding in the spoke', () => {
    const { app } = spokeStack('SageMakerGuard-member', STACK_NAME);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const assembly = app.synth({ force: true });
    const file = path.join(assembly.directory, 'validation-report.json');
    const report = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { pluginReports: { violations?: { ruleName: string }[] }[] }) : { pluginReports: [] };
    expect(report.pluginReports.flatMap((pluginReport) => pluginReport.violations ?? []).map((violation) => violation.ruleName)).toEqual([]);
  });

  const cfnLint = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
  (cfnLint.status === 0 ? test : test.skip)('passes cfn-lint', () => {
    const file = path.join(tempDir('guard-spoke-'), 'spoke.json');
    fs.writeFileSync(file, JSON.stringify(template));
    const lint = spawnSync('cfn-lint', ['--format', 'parseable', '--', file], { encoding: 'utf8' });
    expect({ status: lint.status, findings: `${lint.stdout}${lint.stderr}`.trim() }).toEqual({ status: 0, findings: '' });
  });
});

describe('invalid organization context: the synth stops and names the field', () => {
  test.each<[string, unknown, RegExp]>([
    ['an organization id that is not one', { ...ORGANIZATION, organizationId: 'org-1' }, /organization\.organizationId: expected the organization id.*\(given: "org-1"\)/],
    ['no OU', { ...ORGANIZATION, targetOus: [] }, /organization\.targetOus: expected at least one OU/],
    ['an account id where an OU belongs', { ...ORGANIZATION, targetOus: ['111122223333'] }, /organization\.targetOus\.0: expected an OU id/],
    ['a region twice', { ...ORGANIZATION, regions: ['us-east-1', 'us-east-1'] }, /organization\.regions: expected each region once/],
    ['a region misspelled', { ...ORGANIZATION, regions: ['us-east1'] }, /organization\.regions\.0: expected a region name/],
    ['a role name with a path', { ...ORGANIZATION, memberRoleName: 'guard/member' }, /organization\.memberRoleName: expected an IAM role name/],
    ['an unknown key', { ...ORGANIZATION, targetOu: ['ou-ab12-cdef3456'] }, /organization.*targetOu/],
    ['an auditor that is a wildcard', { ...ORGANIZATION, auditorRoleArns: ['arn:aws:iam::111122223333:role/*'] }, /organization\.auditorRoleArns\.0: expected an IAM role ARN/],
    ['an auditor that is a user', { ...ORGANIZATION, auditorRoleArns: ['arn:aws:iam::111122223333:user/alice'] }, /organization\.auditorRoleArns\.0: expected an IAM role ARN/],
    ['an account as the auditor', { ...ORGANIZATION, auditorRoleArns: ['111122223333'] }, /organization\.auditorRoleArns\.0: expected an IAM role ARN/],
    // The StackSet parameter is comma-delimited: a comma would add a bare account id, which trusts the whole account.
    ['an auditor with a comma', { ...ORGANIZATION, auditorRoleArns: ['arn:aws:iam::111122223333:role/Auditor,999988887777'] }, /organization\.auditorRoleArns\.0: expected an IAM role ARN/],
    ['an invented partition', { ...ORGANIZATION, auditorRoleArns: ['arn:awsx:iam::111122223333:role/Auditor'] }, /organization\.auditorRoleArns\.0: expected an IAM role ARN/],
    ['a path without a role name', { ...ORGANIZATION, auditorRoleArns: ['arn:aws:iam::111122223333:role/team/'] }, /organization\.auditorRoleArns\.0: expected an IAM role ARN/],
    ['a role name over 64 characters', { ...ORGANIZATION, auditorRoleArns: [`arn:aws:iam::111122223333:role/${'a'.repeat(65)}`] }, /organization\.auditorRoleArns\.0: expected an IAM role ARN/],
  ])('%s', (_title, organization, message) => {
    expect(() => buildGuard({ organization }, { env: ENV })).toThrow(InvalidSettingsError);
    expect(() => buildGuard({ organization }, { env: ENV })).toThrow(message);
  });

  test('the hub\'s own region must be one of the regions', () => {
    expect(() => buildGuard({ organization: { ...ORGANIZATION, regions: ['eu-west-1'] } }, { env: ENV })).toThrow("organization.regions must include the hub's own region us-east-1");
  });

  test('an environment-agnostic synth cannot place the roles: it says to deploy with a region', () => {
    expect(() => buildGuard({ organization: ORGANIZATION })).toThrow("an organization deployment needs the hub's region at synth time");
  });
});

describe('auditor roles that no member role could trust: the synth stops and names them', () => {
  const auditor = (name: string, partition = 'aws') => `arn:${partition}:iam::999988887777:role/${name}`;

  test.each<[string, string, string, string]>([
    ['a China role for a commercial hub', 'us-east-1', 'aws', 'aws-cn'],
    ['a GovCloud role for a commercial hub', 'us-east-1', 'aws', 'aws-us-gov'],
    ['a commercial role for a China hub', 'cn-north-1', 'aws-cn', 'aws'],
    ['a commercial role for a GovCloud hub', 'us-gov-west-1', 'aws-us-gov', 'aws'],
  ])('another partition than the hub region\'s: %s', (_title, region, own, other) => {
    const foreign = auditor('SecurityAuditor', other);
    const organization = { ...ORGANIZATION, regions: [region], auditorRoleArns: [auditor('Fine', own), foreign] };
    expect(() => buildGuard({ organization }, { env: { account: ENV.account, region } })).toThrow(
      `organization.auditorRoleArns: ${foreign} is not in the partition of the hub's region ${region} (${own}): a member role cannot trust a role of another partition`,
    );
  });

  test('a role of the hub region\'s own partition is accepted, in China and GovCloud too', () => {
    for (const [region, partition] of [['us-east-1', 'aws'], ['cn-north-1', 'aws-cn'], ['us-gov-west-1', 'aws-us-gov']] as const) {
      const organization = { ...ORGANIZATION, regions: [region], auditorRoleArns: [auditor('SecurityAuditor', partition)] };
      expect(() => buildGuard({ organization }, { env: { account: ENV.account, region } })).not.toThrow();
    }
  });

  /**
   * The member role's trust policy as the spoke template has it, with the StackSet's parameter filled in: each of
   * the hub's function roles (tokens at synth) as the longest ARN it can have (a generated name, 64 characters), then
   * the auditors. Its size without white space is what IAM holds to 2,048 characters.
   */
  const spoke = spokeTemplate('SageMakerGuard-member', STACK_NAME) as unknown as { Resources: Record<string, Resource> };
  const trust = JSON.stringify(spoke.Resources.MemberRole.Properties.AssumeRolePolicyDocument);
  const functionRoles = (() => {
    const { template } = synthGuard({ organization: ORGANIZATION }, { env: ENV });
    const [, stackSet] = Object.entries(template.findResources('AWS::CloudFormation::StackSet'))[0] ?? [];
    const parameters = (stackSet as { Properties: { Parameters: { ParameterKey: string; ParameterValue: unknown }[] } }).Properties.Parameters;
    return (parameters.find((parameter) => parameter.ParameterKey === SPOKE_PARAMETERS.hubRoleArns)?.ParameterValue as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1].length;
  })();
  const longestFunctionRole = `arn:aws:iam::${ENV.account}:role/${'x'.repeat(64)}`;
  const trustSize = (auditors: readonly string[]) =>
    trust.replace(JSON.stringify({ Ref: SPOKE_PARAMETERS.hubRoleArns }), JSON.stringify([...Array.from({ length: functionRoles }, () => longestFunctionRole), ...auditors])).length;
  /** As few auditor roles as bring the trust policy to `size` characters: names of 64 characters but the last few. */
  const auditorsFilling = (size: number): string[] => {
    const room = size - trustSize([]);
    // Each auditor adds its ARN, two quotes and a comma; a name is 64 characters at most.
    const count = Math.ceil(room / (auditor('').length + 64 + 3));
    let letters = room - count * (auditor('').length + 3);
    return Array.from({ length: count }, (_, index) => {
      const length = Math.min(64, letters - 2 * (count - index - 1));
      letters -= length;
      return auditor(`${String(index).padStart(2, '0')}${'a'.repeat(length - 2)}`);
    });
  };

  test('auditors up to IAM\'s trust policy limit are accepted; one character more is refused, with the sizes', () => {
    expect(functionRoles).toBeGreaterThanOrEqual(RESOURCE_KINDS.length);
    const fits = auditorsFilling(2_048);
    expect(trustSize(fits)).toBe(2_048);
    expect(() => buildGuard({ organization: { ...ORGANIZATION, auditorRoleArns: fits } }, { env: ENV })).not.toThrow();
    const over = auditorsFilling(2_049);
    expect(trustSize(over)).toBe(2_049);
    expect(() => buildGuard({ organization: { ...ORGANIZATION, auditorRoleArns: over } }, { env: ENV })).toThrow(
      `organization.auditorRoleArns: with these ${over.length} auditor roles the member role's trust policy could reach 2049 characters, past IAM's default limit of 2048`,
    );
  });
});
