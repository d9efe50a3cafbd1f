import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App, Aws, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { GUARDRAILS_STACK_NAME, STACK_NAME } from '../../lib/app';
import { generateGuardrails, GuardrailsTooLargeError, LIMITS, type PolicyDocument } from '../../lib/guardrails';
import { DEFAULT_SWITCH_PARAMETER } from '../../lib/sagemaker-guard';
import { GuardrailsManagedPolicy, SageMakerGuardrails } from '../../lib/sagemaker-guardrails';
import { InvalidSettingsError, parseSettings, type GuardSettingsInput } from '../../lambda/core/settings';
import { KIND_LIST } from '../../lambda/kinds/registry';
import { buildGuard, synthGuard, tempDir } from './synth';

/**
 * The two deploy options of the generated guardrails: `guardrails.managedPolicy` (an in-account managed policy in the
 * guard's stack) and `guardrails.serviceControlPolicies` (a second stack of SCPs for the management account). The
 * documents themselves are judged by an IAM evaluator in test/unit/guardrails.test.ts; these tests prove the templates
 * carry exactly what the generator wrote, where it belongs, and that a bad request fails the synth.
 */
/**
 * A policy the one managed policy holds whole: the defaults and an approver. 6,144 characters go fast (the guard's
 * self-protection and the pinning of the boundary take about 3,300): see the "too large" case below.
 */
const POLICY: GuardSettingsInput = {
  mode: 'enforce',
  guardrails: { approvers: ['arn:aws:iam::111122223333:role/SecurityEngineering'] },
};

/** Bound to an account and region, so the partition is known at synth time (an environment-agnostic stack is below). */
const ENV = { account: '111122223333', region: 'us-east-1' };

const expected = (format: 'scp' | 'iam' | 'boundary', partition = 'aws') =>
  generateGuardrails(parseSettings(POLICY, 'test'), format, { stackName: STACK_NAME, switchParameterName: DEFAULT_SWITCH_PARAMETER, now: new Date(), partition });

interface ManagedPolicyResource {
  readonly Properties: { readonly ManagedPolicyName: unknown; readonly PolicyDocument: PolicyDocument; readonly Description: string };
}

function managedPolicies(template: Template): ManagedPolicyResource[] {
  return Object.values(template.findResources('AWS::IAM::ManagedPolicy')) as ManagedPolicyResource[];
}

describe('by default: no guardrails resources', () => {
  test('the guard stack has no managed policy and the app has no SCP stack', () => {
    const { template, app, guardrailsStack } = synthGuard({ policy: POLICY });
    expect(managedPolicies(template)).toHaveLength(0);
    expect(guardrailsStack).toBeUndefined();
    expect(app.node.children.filter((child) => child instanceof Stack).map((stack) => stack.node.id)).toEqual([STACK_NAME]);
  });
});

describe('guardrails.managedPolicy: the in-account policy', () => {
  test.each<[unknown, 'boundary' | 'iam']>([
    [true, 'boundary'],
    ['boundary', 'boundary'],
    ['iam', 'iam'],
  ])('managedPolicy %j: the %s document, as generated, named after the stack and region, its ARN an output', (managedPolicy, format) => {
    const { template, stack } = synthGuard({ policy: POLICY, guardrails: { managedPolicy } }, { env: ENV });
    const [policy, ...others] = managedPolicies(template);
    expect(others).toHaveLength(0);
    const [document] = expected(format).documents;
    expect(policy.Properties.PolicyDocument).toEqual(document.policy);
    expect(JSON.stringify(policy.Properties.PolicyDocument).length).toBeLessThanOrEqual(LIMITS[format].characters);
    expect(policy.Properties.ManagedPolicyName).toBe(`${STACK_NAME}-Guardrails-us-east-1`);
    expect(policy.Properties.Description).toContain(format === 'boundary' ? 'permissions boundary' : 'Deny only');
    const allows = policy.Properties.PolicyDocument.Statement.filter((statement) => statement.Effect === 'Allow');
    expect(allows).toHaveLength(format === 'boundary' ? 1 : 0);
    expect(stack.guardrailsPolicy).toBeDefined();
    const logicalId = stack.getLogicalId(stack.guardrailsPolicy!.policy);
    template.hasOutput('GuardrailsPolicyArn', { Value: { Ref: logicalId }, Description: Match.stringLikeRegexp(`\\d+ controls prevented, \\d+ of 6144 characters`) });
  });

  test('the self-protection covers the policy itself: its name matches the protected <stack>- pattern', () => {
    const { template } = synthGuard({ policy: POLICY, guardrails: { managedPolicy: true } }, { env: ENV });
    const [policy] = managedPolicies(template);
    const name = String(policy.Properties.ManagedPolicyName);
    const protectedArns = policy.Properties.PolicyDocument.Statement.filter((statement) => statement.Effect === 'Deny' && [statement.Action].flat().includes('iam:SetDefaultPolicyVersion')).flatMap((statement) =>
      'Resource' in statement && statement.Resource !== undefined ? [statement.Resource].flat() : [],
    );
    const glob = (pattern: string) => new RegExp(`^${pattern.replace(/[.?+^$()|[\]{}]/g, '\\$&').replace(/\*/g, '.*')}$`);
    expect(protectedArns.some((pattern) => glob(pattern).test(`arn:aws:iam::111122223333:policy/${name}`))).toBe(true);
  });

  test('an environment-agnostic stack names AWS::Partition, resolved at deploy; the size bound assumes the longest partition', () => {
    const { template, stack } = synthGuard({ policy: POLICY, guardrails: { managedPolicy: 'iam' } });
    const text = JSON.stringify(managedPolicies(template)[0]?.Properties.PolicyDocument);
    expect(text).toContain('{"Ref":"AWS::Partition"}');
    expect(text).not.toContain('aws-p-tokn');
    expect(text.replaceAll('arn:aws:iam::111122223333:role/SecurityEngineering', '')).not.toContain('arn:aws:');
    const document = stack.guardrailsPolicy?.generated.documents.at(0);
    // The JSON held to the limit is the one with the 10-character stand-in (aws-us-gov is the longest partition).
    expect(document?.json).toContain('arn:aws-p-tokn:');
    expect(document?.json.length).toBeGreaterThan(JSON.stringify(expected('iam').documents[0]?.policy).length);
  });

  test('a stack bound to an aws-cn region writes aws-cn ARNs', () => {
    const { template } = synthGuard({ policy: POLICY, guardrails: { managedPolicy: 'iam' } }, { env: { account: '111122223333', region: 'cn-north-1' } });
    const [policy] = managedPolicies(template);
    expect(policy.Properties.PolicyDocument).toEqual(expected('iam', 'aws-cn').documents[0]?.policy);
    expect(policy.Properties.ManagedPolicyName).toBe(`${STACK_NAME}-Guardrails-cn-north-1`);
    // Only the approver's ARN, as the policy gives it, is in another partition.
    expect(JSON.stringify(policy.Properties.PolicyDocument).replaceAll('arn:aws:iam::111122223333:role/SecurityEngineering', '')).not.toContain('arn:aws:');
  });

  test('the switch parameter the guard was given is the one the policy protects', () => {
    const stack = new Stack(new App(), 'Custom');
    const guardrails = new GuardrailsManagedPolicy(stack, 'Policy', { settings: parseSettings(POLICY, 'test'), switchParameterName: '/platform/guard-switch', format: 'iam' });
    expect(JSON.stringify(guardrails.generated.documents[0]?.policy)).toContain('parameter/platform/guard-switch');
    expect(JSON.stringify(guardrails.generated.documents[0]?.policy)).toContain('role/Custom-*');
  });

  test.each<['boundary' | 'iam', string[]]>([
    ['boundary', ['AwsSolutions-IAM5[Action::*]', 'AwsSolutions-IAM5[Resource::*]'].map((id) => `Annotation::${id}`)],
    ['iam', []],
  ])('cdk-nag: the %s variant leaves no finding; its acknowledgements are %j, each with a reason', (managedPolicy, acknowledged) => {
    const { app, stack } = buildGuard({ policy: POLICY, guardrails: { managedPolicy } }, { outdir: tempDir('guard-guardrails-nag-'), env: ENV });
    const assembly = app.synth();
    const report = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8')) as { pluginReports: { violations?: { ruleName: string }[] }[] };
    expect(report.pluginReports.flatMap((pluginReport) => pluginReport.violations ?? [])).toEqual([]);
    const acks = Object.assign(
      {},
      ...(stack.guardrailsPolicy?.policy.node.metadata ?? []).filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).map((entry) => entry.data as Record<string, string>),
    ) as Record<string, string>;
    expect(Object.keys(acks).sort()).toEqual(acknowledged);
    for (const reason of Object.values(acks)) expect(reason).toContain('permissions boundary grants nothing by itself');
  });

  test('what cannot fit one managed policy fails the synth, naming the controls for guardrails.respondOnly', () => {
    const everything: GuardSettingsInput = {
      ...POLICY,
      allowedSubnets: ['subnet-0aaaa1111'],
      interContainerEncryption: 'always',
      maxRuntimeSeconds: 86400,
      allowedSecurityGroups: ['sg-0aaaa1111'],
      allowedKmsKeys: ['arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-000000000001'],
      requiredTags: { owner: [], 'data-class': ['internal', 'confidential'] },
      kinds: Object.fromEntries(KIND_LIST.map((spec) => [spec.id, { allowedInstanceTypes: ['ml.m5.xlarge', 'ml.g5.2xlarge'] }])),
    };
    let thrown: unknown;
    try {
      buildGuard({ policy: everything, guardrails: { managedPolicy: true } });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(GuardrailsTooLargeError);
    const controls = (thrown as GuardrailsTooLargeError).controls;
    expect(controls.length).toBeGreaterThan(0);
    expect((thrown as Error).message).toContain('guardrails.respondOnly');
    // Following the advice makes it fit.
    const { template } = synthGuard({ policy: { ...everything, guardrails: { ...everything.guardrails, respondOnly: [...controls] } }, guardrails: { managedPolicy: true } });
    expect(managedPolicies(template)).toHaveLength(1);
  });
});

interface OrganizationsPolicy {
  readonly Properties: { readonly Name: string; readonly Type: string; readonly Content: unknown; readonly TargetIds?: string[]; readonly Description: string };
}

describe('guardrails.serviceControlPolicies: the SageMakerGuardrails stack', () => {
  const policiesOf = (template: Template) => Object.values(template.findResources('AWS::Organizations::Policy')) as OrganizationsPolicy[];

  test('one SERVICE_CONTROL_POLICY per generated document, its content the document as generated, attached to nothing by default', () => {
    const { guardrailsStack } = buildGuard({ policy: POLICY, guardrails: { serviceControlPolicies: true } }, { env: ENV });
    expect(guardrailsStack?.stackName).toBe(GUARDRAILS_STACK_NAME);
    const template = Template.fromStack(guardrailsStack as Stack);
    const documents = expected('scp').documents;
    const policies = policiesOf(template);
    expect(policies.map((policy) => policy.Properties.Name)).toEqual(documents.map((_, index) => `sagemaker-guard-${index + 1}`));
    policies.forEach((policy, index) => {
      expect(policy.Properties.Type).toBe('SERVICE_CONTROL_POLICY');
      expect(policy.Properties.Content).toEqual(documents[index]?.policy);
      // Minified as the resource's handler writes it, within the quota.
      expect(JSON.stringify(policy.Properties.Content)).toBe(documents[index]?.json);
      expect(JSON.stringify(policy.Properties.Content).length).toBeLessThanOrEqual(LIMITS.scp.characters);
      expect(policy.Properties.TargetIds).toBeUndefined();
      expect(policy.Properties.Description.length).toBeLessThanOrEqual(512);
    });
    // The guard's own stack is unchanged: no managed policy, and no SCP in it.
    expect(Object.keys(template.findOutputs('*'))).toEqual(documents.map((_, index) => `Scp${index + 1}Id`));
  });

  test('targetIds attach every SCP to each given root, OU or account', () => {
    const targetIds = ['ou-ab12-cdef3456', '111122223333'];
    const { guardrailsStack } = buildGuard({ policy: POLICY, guardrails: { serviceControlPolicies: true, targetIds } });
    const policies = policiesOf(Template.fromStack(guardrailsStack as Stack));
    expect(policies.length).toBeGreaterThan(0);
    for (const policy of policies) expect(policy.Properties.TargetIds).toEqual(targetIds);
  });

  test('given with -c as a JSON string, as the CLI passes it', () => {
    const { guardrailsStack, template } = synthGuard({ policy: POLICY, guardrails: '{"serviceControlPolicies":true,"managedPolicy":"iam"}' });
    expect(guardrailsStack).toBeDefined();
    expect(managedPolicies(template)).toHaveLength(1);
  });

  test('the construct in a stack of your own: a name prefix, your guard stack name', () => {
    const stack = new Stack(new App(), 'Management');
    const construct = new SageMakerGuardrails(stack, 'Guardrails', { settings: parseSettings(POLICY, 'test'), namePrefix: 'platform-sm', guardStackName: 'MyGuard' });
    const policies = policiesOf(Template.fromStack(stack));
    expect(policies[0]?.Properties.Name).toBe('platform-sm-1');
    expect(JSON.stringify(policies[0]?.Properties.Content)).toContain('role/MyGuard-*');
    expect(construct.policies).toHaveLength(policies.length);
  });
});

const cfnLint = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
(cfnLint.status === 0 ? describe : describe.skip)('cfn-lint on both templates with the guardrails on', () => {
  test('the guard stack with its managed policy, and the SCP stack, pass cfn-lint', () => {
    const { app } = buildGuard({ policy: POLICY, guardrails: { managedPolicy: true, serviceControlPolicies: true, targetIds: ['ou-ab12-cdef3456'] } }, { outdir: tempDir('guard-guardrails-lint-') });
    const assembly = app.synth();
    for (const name of [STACK_NAME, GUARDRAILS_STACK_NAME]) {
      const lint = spawnSync('cfn-lint', ['--format', 'parseable', '--', assembly.getStackByName(name).templateFullPath], { encoding: 'utf8' });
      expect({ name, status: lint.status, findings: `${lint.stdout}${lint.stderr}`.trim() }).toEqual({ name, status: 0, findings: '' });
    }
  }, 120_000);
});

describe('invalid guardrails context: the synth stops and says which field, which value, what was expected', () => {
  test.each<[string, unknown, RegExp]>([
    ['targetIds without serviceControlPolicies', { targetIds: ['ou-ab12-cdef3456'] }, /guardrails\.targetIds.*set serviceControlPolicies to true/],
    ['a target id that is no root, OU or account', { serviceControlPolicies: true, targetIds: ['ou-bad'] }, /guardrails\.targetIds\.0: expected an organization root \(r-\.\.\.\), OU .*\(given: "ou-bad"\)/],
    ['managedPolicy of an unknown variant', { managedPolicy: 'scp' }, /guardrails\.managedPolicy: expected true .*"boundary", "iam" .*\(given: "scp"\)/],
    ['serviceControlPolicies as a string', { serviceControlPolicies: 'yes' }, /guardrails\.serviceControlPolicies: expected true .*\(given: "yes"\)/],
    ['an unknown key', { managedPolicies: true }, /guardrails.*managedPolicies/],
    ['not an object', '[1]', /guardrails.*expected an object/],
  ])('%s', (_, guardrails, message) => {
    expect(() => buildGuard({ policy: POLICY, guardrails })).toThrow(InvalidSettingsError);
    expect(() => buildGuard({ policy: POLICY, guardrails })).toThrow(message);
  });

  test('a dotted key (-c guardrails.managedPolicy=true) is refused, not silently ignored', () => {
    expect(() => buildGuard({ policy: POLICY, 'guardrails.managedPolicy': 'true' })).toThrow(InvalidSettingsError);
    expect(() => buildGuard({ policy: POLICY, 'guardrails.managedPolicy': 'true' })).toThrow(`"guardrails.managedPolicy" is not read; give the whole object as JSON, e.g. -c guardrails='{"managedPolicy":true}'`);
    expect(() => buildGuard({ 'policy.mode': 'report' })).toThrow('"policy.mode" is not read');
  });

  test('names that do not fit AWS limits, and tokens, stop the synth', () => {
    const settings = parseSettings(POLICY, 'test');
    expect(() => new SageMakerGuardrails(new Stack(new App(), 'A'), 'G', { settings, namePrefix: 'x'.repeat(121) })).toThrow('namePrefix must be 1 to 120 characters (given 121)');
    expect(() => new GuardrailsManagedPolicy(new Stack(new App(), 'A'.repeat(101)), 'P', { settings })).toThrow("the guard's stack name is 101 characters");
    expect(() => new GuardrailsManagedPolicy(new Stack(new App(), 'B'), 'P', { settings, guardStackName: Aws.STACK_NAME })).toThrow('guardStackName must be a literal string');
    expect(() => new SageMakerGuardrails(new Stack(new App(), 'C'), 'G', { settings, switchParameterName: Aws.STACK_ID })).toThrow('switchParameterName must be a literal string');
    expect(() => new SageMakerGuardrails(new Stack(new App(), 'D'), 'G', { settings, partition: Aws.PARTITION })).toThrow('partition must be a literal string');
  });

  test('an exemption that will end is a synth warning: the deployed guardrails keep excusing it until the next deploy', () => {
    const stack = new Stack(new App(), 'E');
    new SageMakerGuardrails(stack, 'G', {
      settings: parseSettings({ ...POLICY, exemptions: [{ namePrefix: 'sandbox-', kinds: ['training-job'], controls: 'all', reason: 'budget', expires: '2027-06-30' }] }, 'test'),
      now: new Date('2027-01-01T00:00:00Z'),
    });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('sandbox-.*2027-06-30.*deploy after that day'));
    expect(warnings).toHaveLength(1);
  });
});
