import * as sagemaker from '@aws-sdk/client-sagemaker';
import { hasInstanceStorage, instanceStoragePatterns } from '../../lambda/controls/blocks';
import type { Control, Prevention } from '../../lambda/controls/types';
import { KIND_LIST, type ResourceKind } from '../../lambda/kinds/registry';
import type { GuardSettingsInput } from '../../lambda/core/settings';
import { generateGuardrails, GuardrailsTooLargeError, LIMITS, SELF_PROTECTION, type GuardrailFormat, type PolicyDocument } from '../../lib/guardrails';
import { settings } from '../fixtures/resources';
import { ACCOUNT, decide, type Attachment, type ContextValue, type Request } from '../support/simulate';

/**
 * The guardrails judged by an independent IAM evaluator (@cloud-copilot/iam-simulate), table-driven from the catalog:
 * for every preventable control, under a policy with every option set, a request that breaks it is denied, a compliant
 * one is allowed (under an Allow-all identity policy), and an omitted parameter is denied where SageMaker's default is
 * insecure; exemptions, break-glass principals and the guard's self-protection hold; the documents fit their limits.
 */
const NOW = new Date('2026-12-02T12:00:00Z');
const OPTIONS = { stackName: 'SageMakerGuard', switchParameterName: '/sagemaker-guard/enforcement', now: NOW };
const KEY_A = `arn:aws:kms:us-east-1:${ACCOUNT}:key/00000000-0000-4000-8000-00000000000a`;
const KEY_B = `arn:aws:kms:us-east-1:${ACCOUNT}:key/00000000-0000-4000-8000-00000000000b`;
const OTHER_KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/00000000-0000-4000-8000-0000000000ff`;
const BREAK_GLASS = `arn:aws:iam::${ACCOUNT}:role/BreakGlass`;
const APPROVER = `arn:aws:iam::${ACCOUNT}:role/SecurityEngineering`;
const GUARD_ROLE = `arn:aws:iam::${ACCOUNT}:role/SageMakerGuard-TrainingJobResponderRole1A2B3C-XYZ`;
const ALLOWED_TYPE = 'ml.m5.xlarge';
/** The sweep's bucket as CloudFormation names it: <stack>-<logical id>-<random>, lower-cased. */
const SWEEP_BUCKET = 'arn:aws:s3:::sagemakerguard-guardsweepbucketdad60201-1a2b3c4d5e6f';

/** Every option the guardrails read, set. */
const EVERYTHING: GuardSettingsInput = {
  mode: 'enforce',
  interContainerEncryption: 'always',
  maxRuntimeSeconds: 86400,
  allowedSubnets: ['subnet-0aaaa1111', 'subnet-0bbbb2222'],
  allowedSecurityGroups: ['sg-0aaaa1111'],
  allowedKmsKeys: [KEY_A, KEY_B],
  requiredTags: { owner: [], 'data-class': ['internal', 'confidential'] },
  kinds: {
    ...Object.fromEntries(KIND_LIST.map((spec) => [spec.id, { allowedInstanceTypes: [ALLOWED_TYPE, 'ml.g5.2xlarge'] }])),
    endpoint: { mode: 'enforce', allowedInstanceTypes: [ALLOWED_TYPE] },
  },
  exemptions: [{ namePrefix: 'sandbox-', kinds: ['training-job'], controls: 'all', reason: 'sandbox account budget' }],
  guardrails: { exemptPrincipals: [BREAK_GLASS], approvers: [APPROVER] },
};

const generate = (input: GuardSettingsInput, format: GuardrailFormat) => generateGuardrails(settings(input), format, OPTIONS);

/**
 * The policy with every option set, as it fits the format: all of it in 4 SCPs; for the one managed policy, what the
 * generator's advice leaves to the responder (GuardrailsTooLargeError.controls in guardrails.respondOnly), as a user would.
 */
function fitted(format: GuardrailFormat): GuardSettingsInput {
  try {
    generate(EVERYTHING, format);
    return EVERYTHING;
  } catch (error) {
    if (!(error instanceof GuardrailsTooLargeError)) throw error;
    return { ...EVERYTHING, guardrails: { ...EVERYTHING.guardrails, respondOnly: [...error.controls] } };
  }
}

/** What a compliant request of one prevention carries. */
function compliant(prevention: Prevention): Record<string, ContextValue> {
  switch (prevention.rule) {
    case 'true':
      return { [prevention.key]: 'true' };
    case 'equals':
      return { [prevention.key]: prevention.value };
    case 'present':
      return { [prevention.key]: ['subnet-0aaaa1111'] };
    case 'allowed':
      return Object.fromEntries(prevention.lists.map((list) => [list.key, [list.key === 'sagemaker:InstanceTypes' ? ALLOWED_TYPE : (list.values(settings(EVERYTHING)) ?? [''])[0] ?? '']]));
    case 'kms-key':
      return { [prevention.key]: KEY_A };
    case 'max-runtime':
      return { [prevention.key]: '3600' };
    case 'request-tags':
      return { 'aws:RequestTag/owner': 'team-a', 'aws:RequestTag/data-class': 'internal', 'aws:TagKeys': ['owner', 'data-class'] };
  }
}

/** Requests that break a prevention: what each one changes of the compliant request (undefined: the key is left out). */
function violations(prevention: Prevention): [string, Record<string, ContextValue | undefined>][] {
  switch (prevention.rule) {
    case 'true':
      return [['set to false', { [prevention.key]: 'false' }], ['omitted (defaults to false)', { [prevention.key]: undefined }]];
    case 'equals':
      return [['set otherwise', { [prevention.key]: prevention.value === '2' ? '1' : 'Enabled' }], ['omitted (the insecure default)', { [prevention.key]: undefined }]];
    case 'present':
      return [['omitted (no VPC)', { [prevention.key]: undefined }]];
    case 'allowed':
      return prevention.lists.map((list) => [`${list.key} off the allow-list`, { [list.key]: [...(compliant(prevention)[list.key] as string[]), list.key === 'sagemaker:InstanceTypes' ? 'ml.p4d.24xlarge' : list.key.endsWith('Subnets') ? 'subnet-0ffff9999' : 'sg-0ffff9999'] }]);
    case 'kms-key':
      return [
        ['omitted (an AWS managed key)', { [prevention.key]: undefined }],
        ['the AWS managed key', { [prevention.key]: `arn:aws:kms:us-east-1:${ACCOUNT}:alias/aws/sagemaker` }],
        ['a key off allowedKmsKeys', { [prevention.key]: OTHER_KEY }],
      ];
    case 'max-runtime':
      return [['above the bound', { [prevention.key]: '86401' }], ['omitted', { [prevention.key]: undefined }]];
    case 'request-tags':
      return [
        ['a required tag missing', { 'aws:RequestTag/owner': undefined, 'aws:TagKeys': ['data-class'] }],
        ['a tag value not allowed', { 'aws:RequestTag/data-class': 'public' }],
      ];
  }
}

const arnOf = (kind: ResourceKind, name: string): string => `arn:aws:sagemaker:us-east-1:${ACCOUNT}:${KIND_LIST.find((spec) => spec.id === kind)?.arnType ?? ''}/${name}`;

/** A create request of the kind that passes every one of its preventable controls. */
function compliantCreate(kind: ResourceKind, name = 'prod-job-1'): Request {
  const spec = KIND_LIST.find((candidate) => candidate.id === kind)!;
  const context = Object.assign({}, ...(spec.controls as readonly Control<unknown>[]).flatMap((control) => (control.prevent === undefined ? [] : [compliant(control.prevent)]))) as Record<string, ContextValue>;
  return { action: spec.createAction, resource: arnOf(kind, name), context };
}

function changed(request: Request, change: Record<string, ContextValue | undefined>): Request {
  const merged = Object.entries({ ...request.context, ...change }).filter((entry): entry is [string, ContextValue] => entry[1] !== undefined);
  return { ...request, context: Object.fromEntries(merged) };
}

const preventable = KIND_LIST.flatMap((spec) =>
  (spec.controls as readonly Control<unknown>[]).flatMap((control) => (control.prevent === undefined || spec.id === 'endpoint' ? [] : [{ kind: spec.id, control }])),
);

describe.each<[GuardrailFormat, Attachment]>([
  ['scp', 'scp'],
  ['iam', 'identity'],
  ['boundary', 'boundary'],
])('guardrails as %s (attached as %s), every option set', (format, attachment) => {
  const policy = fitted(format);
  const generated = generate(policy, format);
  const documents: PolicyDocument[] = generated.documents.map((document) => document.policy);
  const prevented = new Set(generated.verdicts.filter((verdict) => verdict.status === 'prevented').map((verdict) => verdict.control));

  test('4 SCPs hold every option; the one managed policy holds what the advice leaves', () => {
    if (format === 'scp') expect(policy).toBe(EVERYTHING);
    else expect(policy.guardrails?.respondOnly?.length).toBeGreaterThan(0);
    expect(prevented.size).toBeGreaterThan(format === 'scp' ? 40 : 10);
  });

  test('a compliant create of every kind is allowed', async () => {
    for (const spec of KIND_LIST) expect([spec.id, await decide(documents, compliantCreate(spec.id), attachment)]).toEqual([spec.id, 'Allowed']);
  });

  const cases = preventable.flatMap(({ kind, control }) => violations(control.prevent!).map(([how, change]) => [`${control.id}: ${how}`, kind, change, control.id] as const));
  test.each(cases)('%s is denied (when the guardrails hold the control)', async (_title, kind, change, id) => {
    const verdict = await decide(documents, changed(compliantCreate(kind), change), attachment);
    if (prevented.has(id)) expect(verdict).toBe('ExplicitlyDenied');
    else expect(generated.verdicts.find((candidate) => candidate.control === id)?.status).toBe('respond-only');
  });

  test('the break-glass principal is allowed what others are denied', async () => {
    const insecure = changed(compliantCreate('notebook-instance'), { 'sagemaker:RootAccess': 'Enabled', 'sagemaker:DirectInternetAccess': 'Enabled' });
    expect(await decide(documents, insecure, attachment)).toBe('ExplicitlyDenied');
    expect(await decide(documents, { ...insecure, principal: BREAK_GLASS }, attachment)).toBe('Allowed');
  });

  test('an exempt name prefix is allowed for its kind only', async () => {
    const noIsolation = { 'sagemaker:NetworkIsolation': 'false' };
    expect(await decide(documents, changed(compliantCreate('training-job', 'sandbox-job-1'), noIsolation), attachment)).toBe('Allowed');
    expect(await decide(documents, changed(compliantCreate('processing-job', 'sandbox-job-1'), noIsolation), attachment)).toBe('ExplicitlyDenied');
  });

  // What the managed policy leaves to the responder is shown skipped, not passed.
  const whenPrevented = (id: string) => (prevented.has(id) ? test : test.skip);

  whenPrevented('training-job.volume-kms-key')('a volume key may be left out on instance storage only', async () => {
    const storage = changed(compliantCreate('training-job'), { 'sagemaker:VolumeKmsKeyArn': undefined, 'sagemaker:InstanceTypes': ['ml.g5.2xlarge'] });
    expect(await decide(documents, storage, attachment)).toBe('Allowed');
    const mixed = changed(storage, { 'sagemaker:InstanceTypes': ['ml.g5.2xlarge', ALLOWED_TYPE] });
    expect(await decide(documents, mixed, attachment)).toBe('ExplicitlyDenied');
  });

  const update = { action: 'sagemaker:UpdateNotebookInstance', resource: arnOf('notebook-instance', 'nb-1'), context: {} };
  test('an update that leaves the notebook settings out changes nothing and is allowed', async () => {
    expect(await decide(documents, update, attachment)).toBe('Allowed');
  });
  test.each<[string, string, ContextValue]>([
    ['notebook-instance.root-access', 'sagemaker:RootAccess', 'Enabled'],
    ['notebook-instance.imdsv2', 'sagemaker:MinimumInstanceMetadataServiceVersion', '1'],
    ['notebook-instance.instance-type', 'sagemaker:InstanceTypes', ['ml.p4d.24xlarge']],
  ])('an update that weakens %s is denied (when the guardrails hold it)', async (id, key, value) => {
    const verdict = await decide(documents, changed(update, { [key]: value }), attachment);
    expect(verdict).toBe(prevented.has(id) ? 'ExplicitlyDenied' : 'Allowed');
  });

  test('the guard protects itself: its tags, its switch and its stack are the approvers’ and its own roles’', async () => {
    const tag = { action: 'sagemaker:AddTags', resource: arnOf('training-job', 'prod-job-1'), context: { 'aws:TagKeys': ['sagemaker-guard:exempt'] } };
    expect(await decide(documents, tag, attachment)).toBe('ExplicitlyDenied');
    expect(await decide(documents, { ...tag, principal: APPROVER }, attachment)).toBe('Allowed');
    expect(await decide(documents, { ...tag, principal: GUARD_ROLE }, attachment)).toBe('Allowed');
    expect(await decide(documents, { ...tag, context: { 'aws:TagKeys': ['owner'] } }, attachment)).toBe('Allowed');
    // A tag exemption written at create time is the same self-exemption.
    const createWithExemption = changed(compliantCreate('notebook-instance'), { 'aws:TagKeys': ['owner', 'data-class', 'sagemaker-guard:exempt'] });
    expect(await decide(documents, createWithExemption, attachment)).toBe('ExplicitlyDenied');

    const flip = { action: 'ssm:PutParameter', resource: `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/sagemaker-guard/enforcement`, context: {} };
    expect(await decide(documents, flip, attachment)).toBe('ExplicitlyDenied');
    expect(await decide(documents, { ...flip, principal: APPROVER }, attachment)).toBe('Allowed');
    const disable = { action: 'events:DisableRule', resource: `arn:aws:events:us-east-1:${ACCOUNT}:rule/SageMakerGuard-TrainingJobRule1234-ABCD`, context: {} };
    expect(await decide(documents, disable, attachment)).toBe('ExplicitlyDenied');
    const ledger = { action: 'dynamodb:DeleteItem', resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/SageMakerGuard-Ledger1234-ABCD`, context: {} };
    expect(await decide(documents, ledger, attachment)).toBe('ExplicitlyDenied');
    expect(await decide(documents, { ...ledger, principal: GUARD_ROLE }, attachment)).toBe('Allowed');
    // The guardrails' own managed policy (lib/sagemaker-guardrails.ts names it <stack>-Guardrails-<region>): a new
    // version of it would silently drop every Deny of a boundary.
    const loosen = { action: 'iam:CreatePolicyVersion', resource: `arn:aws:iam::${ACCOUNT}:policy/SageMakerGuard-Guardrails-us-east-1`, context: {} };
    expect(await decide(documents, loosen, attachment)).toBe('ExplicitlyDenied');
    expect(await decide(documents, { ...loosen, action: 'iam:SetDefaultPolicyVersion' }, attachment)).toBe('ExplicitlyDenied');
    expect(await decide(documents, { ...loosen, principal: APPROVER }, attachment)).toBe('Allowed');
    expect(await decide(documents, { ...loosen, resource: `arn:aws:iam::${ACCOUNT}:policy/team-a-policy` }, attachment)).toBe('Allowed');
    // Cutting the guard off: a deny-all boundary on its roles, its role passed to a function of one's own, a false
    // notice on its topic, a dead letter dropped, its event invoke config (the way to the dead-letter queue) removed.
    const guardRole = `arn:aws:iam::${ACCOUNT}:role/SageMakerGuard-TrainingJobResponderRole1A2B3C-XYZ`;
    for (const [action, resource] of [
      ['iam:PutRolePermissionsBoundary', guardRole],
      ['iam:PassRole', guardRole],
      ['sns:Publish', `arn:aws:sns:us-east-1:${ACCOUNT}:SageMakerGuard-GuardTopic1234-ABCD`],
      ['sqs:DeleteMessage', `arn:aws:sqs:us-east-1:${ACCOUNT}:SageMakerGuard-GuardDeadLetterQueue1234-ABCD`],
      // Its dead letters read, or hidden (a receive makes a message invisible for the visibility timeout), until they
      // expire: on the hub's queue and on a spoke's forward dead-letter queue in a member account.
      ['sqs:ReceiveMessage', `arn:aws:sqs:us-east-1:${ACCOUNT}:SageMakerGuard-GuardDeadLetterQueue1234-ABCD`],
      ['sqs:ReceiveMessage', `arn:aws:sqs:eu-west-1:${ACCOUNT}:SageMakerGuard-forward-dead-letters`],
      ['sqs:ChangeMessageVisibility', `arn:aws:sqs:eu-west-1:${ACCOUNT}:SageMakerGuard-forward-dead-letters`],
      ['sqs:DeleteMessage', `arn:aws:sqs:eu-west-1:${ACCOUNT}:SageMakerGuard-forward-dead-letters`],
      ['lambda:DeleteFunctionEventInvokeConfig', `arn:aws:lambda:us-east-1:${ACCOUNT}:function:SageMakerGuard-GuardTrainingJobResponder-ABCD`],
      ['lambda:CreateFunctionUrlConfig', `arn:aws:lambda:us-east-1:${ACCOUNT}:function:SageMakerGuard-GuardTrainingJobResponder-ABCD`],
      ['dynamodb:PartiQLUpdate', `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/SageMakerGuard-Ledger1234-ABCD`],
      ['iam:CreatePolicy', `arn:aws:iam::${ACCOUNT}:policy/SageMakerGuard-Guardrails-us-east-1`],
      // An organization's spoke in a member account: its stack instance, its forwarding rule, its member role.
      ['cloudformation:DeleteStack', `arn:aws:cloudformation:eu-west-1:${ACCOUNT}:stack/StackSet-SageMakerGuard-spokes-0a1b2c3d/11112222-3333-4444-5555-666677778888`],
      ['events:DisableRule', `arn:aws:events:eu-west-1:${ACCOUNT}:rule/SageMakerGuard-NotebookInstanceResponder`],
      ['iam:PutRolePolicy', `arn:aws:iam::${ACCOUNT}:role/SageMakerGuard-member`],
      // The sweep (lib/sweep-machine.ts): its state machine <stack>-sweep stopped, changed, deleted or flooded with
      // runs; the map's run slowed or made to fail; its bucket's policy (which alone keeps its files the guard's),
      // lifecycle or versioning changed, the bucket deleted, a shard list or a result forged.
      ['states:StopExecution', `arn:aws:states:us-east-1:${ACCOUNT}:execution:SageMakerGuard-sweep:daily-2026-12-02`],
      ['states:StopExecution', `arn:aws:states:us-east-1:${ACCOUNT}:execution:SageMakerGuard-sweep/Shards:0a1b2c3d-0000-4000-8000-000000000001`],
      ['states:RedriveExecution', `arn:aws:states:us-east-1:${ACCOUNT}:execution:SageMakerGuard-sweep:daily-2026-12-02`],
      ['states:UpdateStateMachine', `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:SageMakerGuard-sweep`],
      ['states:DeleteStateMachine', `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:SageMakerGuard-sweep`],
      ['states:StartExecution', `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:SageMakerGuard-sweep`],
      ['states:UpdateStateMachineAlias', `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:SageMakerGuard-sweep:live`],
      ['states:UpdateMapRun', `arn:aws:states:us-east-1:${ACCOUNT}:mapRun:SageMakerGuard-sweep/Shards:0a1b2c3d-0000-4000-8000-000000000002`],
      ...(['s3:PutBucketPolicy', 's3:DeleteBucketPolicy', 's3:PutLifecycleConfiguration', 's3:PutBucketVersioning', 's3:PutEncryptionConfiguration', 's3:PutBucketPublicAccessBlock', 's3:PutReplicationConfiguration', 's3:DeleteBucket'] as const).map(
        (action) => [action, SWEEP_BUCKET] as const,
      ),
      ...(['s3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutObjectAcl', 's3:ReplicateObject', 's3:AbortMultipartUpload'] as const).map(
        (action) => [action, `${SWEEP_BUCKET}/runs/daily-2026-12-02/shards.json`] as const,
      ),
    ] as const) {
      expect([action, await decide(documents, { action, resource, context: {} }, attachment)]).toEqual([action, 'ExplicitlyDenied']);
      expect([action, await decide(documents, { action, resource, context: {}, principal: APPROVER }, attachment)]).toEqual([action, 'Allowed']);
      expect([action, await decide(documents, { action, resource, context: {}, principal: GUARD_ROLE }, attachment)]).toEqual([action, 'Allowed']);
    }
    // Reading the guard stays open to everyone.
    for (const [action, resource] of [
      ['lambda:GetFunction', `arn:aws:lambda:us-east-1:${ACCOUNT}:function:SageMakerGuard-GuardTrainingJobResponder-ABCD`],
      ['dynamodb:Query', `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/SageMakerGuard-Ledger1234-ABCD`],
      ['logs:FilterLogEvents', `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/SageMakerGuard-GuardTrainingJobResponder-ABCD`],
      ['sqs:GetQueueAttributes', `arn:aws:sqs:eu-west-1:${ACCOUNT}:SageMakerGuard-forward-dead-letters`],
      ['states:DescribeExecution', `arn:aws:states:us-east-1:${ACCOUNT}:execution:SageMakerGuard-sweep:daily-2026-12-02`],
      ['states:GetExecutionHistory', `arn:aws:states:us-east-1:${ACCOUNT}:execution:SageMakerGuard-sweep:daily-2026-12-02`],
      ['s3:GetObject', `${SWEEP_BUCKET}/runs/daily-2026-12-02/shards.json`],
      ['s3:ListBucket', SWEEP_BUCKET],
      // Others' state machines and buckets.
      ['states:StopExecution', `arn:aws:states:us-east-1:${ACCOUNT}:execution:team-a-pipeline:run-1`],
      ['s3:PutObject', 'arn:aws:s3:::team-a-data/train.csv'],
      ['s3:PutBucketPolicy', 'arn:aws:s3:::sagemakerguardian-data'],
    ] as const) {
      expect([action, await decide(documents, { action, resource, context: {} }, attachment)]).toEqual([action, 'Allowed']);
    }
    const unrelated = { action: 'events:DisableRule', resource: `arn:aws:events:us-east-1:${ACCOUNT}:rule/team-a-nightly`, context: {} };
    expect(await decide(documents, unrelated, attachment)).toBe('Allowed');
  });
});

describe.each<[GuardrailFormat, Attachment]>([
  ['iam', 'identity'],
  ['boundary', 'boundary'],
])('a principal carrying the %s guardrails (attached as %s) cannot take them off', (format, attachment) => {
  const documents = generate({ guardrails: { approvers: [APPROVER] } }, format).documents.map((document) => document.policy);
  const self = `arn:aws:iam::${ACCOUNT}:role/team-a-sagemaker`;
  const guardrailsPolicy = `arn:aws:iam::${ACCOUNT}:policy/SageMakerGuard-Guardrails-us-east-1`;

  test.each<[string, string, Record<string, ContextValue>, 'ExplicitlyDenied' | 'Allowed']>([
    ['remove its own boundary', 'iam:DeleteRolePermissionsBoundary', {}, 'ExplicitlyDenied'],
    ['replace its boundary with another policy', 'iam:PutRolePermissionsBoundary', { 'iam:PermissionsBoundary': `arn:aws:iam::${ACCOUNT}:policy/open` }, 'ExplicitlyDenied'],
    ['create a role with no boundary', 'iam:CreateRole', {}, 'ExplicitlyDenied'],
    ['create a role bounded by another policy', 'iam:CreateRole', { 'iam:PermissionsBoundary': `arn:aws:iam::${ACCOUNT}:policy/open` }, 'ExplicitlyDenied'],
    ['create a role bounded by the guardrails', 'iam:CreateRole', { 'iam:PermissionsBoundary': guardrailsPolicy }, 'Allowed'],
    ['detach the guardrails policy from itself', 'iam:DetachRolePolicy', { 'iam:PolicyARN': guardrailsPolicy }, 'ExplicitlyDenied'],
    ['attach the guardrails policy (the boundary variant would grant *)', 'iam:AttachRolePolicy', { 'iam:PolicyARN': guardrailsPolicy }, 'ExplicitlyDenied'],
    ['attach another policy', 'iam:AttachRolePolicy', { 'iam:PolicyARN': `arn:aws:iam::${ACCOUNT}:policy/team-a-reads` }, 'Allowed'],
  ])('%s: %s', async (_title, action, context, expected) => {
    expect(await decide(documents, { action, resource: self, context }, attachment)).toBe(expected);
    // The approvers (and the guard's roles) are not held.
    expect(await decide(documents, { action, resource: self, context, principal: APPROVER }, attachment)).toBe('Allowed');
  });

  test('SCPs carry none of it: an account cannot detach an SCP, and other teams keep managing their boundaries', async () => {
    const scps = generate({}, 'scp').documents.map((document) => document.policy);
    expect(await decide(scps, { action: 'iam:DeleteRolePermissionsBoundary', resource: self, context: {} }, 'scp')).toBe('Allowed');
  });
});

describe('documents, limits and the report', () => {
  test.each<GuardrailFormat>(['scp', 'iam', 'boundary'])('%s: the fitted policy is within the limits, minified', (format) => {
    const { documents } = generate(fitted(format), format);
    expect(documents.length).toBeGreaterThan(0);
    expect(documents.length).toBeLessThanOrEqual(LIMITS[format].documents);
    for (const document of documents) {
      expect(document.json.length).toBeLessThanOrEqual(LIMITS[format].characters);
      expect(document.json).toBe(JSON.stringify(document.policy));
      expect(document.json).not.toMatch(/\s{2}|\n/);
    }
  });

  test('SCPs are Deny only; the boundary has exactly one Allow *, first', () => {
    for (const document of generate(EVERYTHING, 'scp').documents) for (const statement of document.policy.Statement) expect(statement.Effect).toBe('Deny');
    const [boundary] = generate(fitted('boundary'), 'boundary').documents;
    expect(boundary).toBeDefined();
    expect(boundary.policy.Statement[0]).toEqual({ Effect: 'Allow', Action: '*', Resource: '*' });
    expect(boundary.policy.Statement.filter((statement) => statement.Effect === 'Allow')).toHaveLength(1);
  });

  test('statements with the same resources and conditions are merged: no two documents or statements repeat a condition', () => {
    const statements = generate(EVERYTHING, 'scp').documents.flatMap((document) => document.policy.Statement);
    const keys = statements.map(({ Action: _action, ...rest }) => JSON.stringify(rest));
    expect(new Set(keys).size).toBe(keys.length);
  });

  test('the report: prevented, respond only (no key), unused (no allow-list or bound) and not enforced', () => {
    const { verdicts } = generate({ kinds: { 'training-job': { mode: 'report' } } }, 'scp');
    const of = (id: string) => verdicts.find((verdict) => verdict.control === id);
    expect(of('model.network-isolation')).toEqual({ control: 'model.network-isolation', status: 'prevented', notes: [] });
    expect(of('notebook-instance.security-groups')).toMatchObject({ status: 'respond-only', why: 'no condition key of sagemaker:CreateNotebookInstance can see what it checks' });
    expect(of('processing-job.inter-container-encryption')?.status).toBe('respond-only');
    expect(JSON.stringify(of('processing-job.inter-container-encryption'))).toContain('IAM cannot see the instance count');
    expect(of('processing-job.instance-type')).toMatchObject({ status: 'unused', why: 'the policy sets no kinds.processing-job.allowedInstanceTypes' });
    expect(of('processing-job.max-runtime')).toMatchObject({ status: 'unused', why: 'the policy sets no maxRuntimeSeconds' });
    expect(of('training-job.vpc')).toMatchObject({ status: 'not-enforced', why: "the policy's mode for it is report" });
    expect(of('endpoint.required-tags')).toMatchObject({ status: 'not-enforced', why: "the policy's mode for it is report" });
    expect(verdicts).toHaveLength(KIND_LIST.reduce((sum, spec) => sum + spec.controls.length, 0));
  });

  test('a control the policy sends to respond only is left out of the documents', () => {
    const { documents, verdicts } = generate({ guardrails: { respondOnly: ['model.vpc'] } }, 'scp');
    expect(verdicts.find((verdict) => verdict.control === 'model.vpc')).toMatchObject({ status: 'respond-only', why: 'the policy lists it in guardrails.respondOnly' });
    expect(documents.flatMap((document) => document.controls)).not.toContain('model.vpc');
    expect(documents.flatMap((document) => document.controls)).toContain(SELF_PROTECTION);
  });

  test('an expired name-prefix exemption is left out; one that will expire is kept and the report says when to generate again', () => {
    const exemption = (expires: string) => ({ exemptions: [{ namePrefix: 'legacy-', kinds: ['model' as const], controls: 'all' as const, reason: 'r', expires }] });
    const expired = generate(exemption('2026-12-01'), 'scp').documents.map((document) => document.json).join();
    expect(expired).not.toContain('legacy-');
    const current = generate(exemption('2026-12-31'), 'scp');
    expect(current.documents.map((document) => document.json).join()).toContain('model/legacy-*');
    expect(current.verdicts.find((verdict) => verdict.control === 'model.vpc')).toMatchObject({ notes: ['the exemption for names starting "legacy-" ends on 2026-12-31: generate the guardrails again then'] });
  });

  test('allowedKmsKeys entries that are not key ARNs are named: IAM compares the key ARN', () => {
    const { verdicts } = generate({ allowedKmsKeys: [KEY_A, 'alias/team-a'] }, 'scp');
    expect(verdicts.find((verdict) => verdict.control === 'model.vpc')).toMatchObject({ notes: [] });
    expect(verdicts.find((verdict) => verdict.control === 'training-job.volume-kms-key')).toMatchObject({
      notes: ['allowedKmsKeys entries that are not key ARNs cannot be matched by sagemaker:VolumeKmsKeyArn (it carries the key\'s ARN): alias/team-a'],
    });
  });

  test('too much for the limits: exit with the controls to leave to the responder', () => {
    const subnets = Array.from({ length: 400 }, (_, index) => `subnet-0${String(index).padStart(8, '0')}`);
    let caught: unknown;
    try {
      generate({ ...EVERYTHING, allowedSubnets: subnets }, 'iam');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(GuardrailsTooLargeError);
    const error = caught as GuardrailsTooLargeError;
    expect(error.message).toMatch(/^the guardrails do not fit in one managed policy of 6144 characters; leave these controls to the responder by listing them in the policy's guardrails.respondOnly: /);
    expect(error.controls).toContain('training-job.allowed-network');
    expect(error.controls).not.toContain(SELF_PROTECTION);
  });
});

describe('instance storage patterns', () => {
  test('match exactly the instance types hasInstanceStorage names, over every type the SageMaker SDK knows', () => {
    const types = new Set<string>();
    for (const [name, value] of Object.entries(sagemaker)) {
      if (!name.endsWith('InstanceType') || typeof value !== 'object') continue;
      for (const type of Object.values(value as Record<string, unknown>)) if (typeof type === 'string' && type.startsWith('ml.')) types.add(type);
    }
    expect(types.size).toBeGreaterThan(100);
    const globs = instanceStoragePatterns().map((pattern) => new RegExp(`^${pattern.replace(/\./g, '\\.').replace(/\*/g, '.*').replace(/\?/g, '.')}$`));
    const mismatched = [...types].filter((type) => hasInstanceStorage(type) !== globs.some((glob) => glob.test(type)));
    expect(mismatched).toEqual([]);
  });
});
