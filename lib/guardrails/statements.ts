/**
 * The preventive guardrails, from the control catalog and the same validated policy the guard deploys: every control
 * the policy enforces and a condition key can see becomes Deny statements on its kind's create (and update) action.
 * Pure: settings in, statements and a report out. lib/guardrails/pack.ts fits them into policy documents.
 *
 * Operators, as IAM evaluates them (and as test/unit/guardrails.test.ts checks with an independent evaluator):
 * an omitted parameter is SageMaker's insecure default, so absence is denied: `BoolIfExists` and the negated
 * `StringNotEquals`/`ArnNotEquals` match an absent key, and `Null: true` tests for one. Multivalued keys take
 * `ForAnyValue:` (any value off the list denies). Conditions in one block are ANDed, so each "deny when" is a
 * statement of its own.
 */
import { instanceStoragePatterns } from '../../lambda/controls/blocks';
import { SEVERITY_ORDER, type Control, type Prevention } from '../../lambda/controls/types';
import { policyMode } from '../../lambda/core/modes';
import type { GuardSettings } from '../../lambda/core/settings';
import { KIND_LIST, type ResourceKind } from '../../lambda/kinds/registry';

export type Condition = Readonly<Partial<Record<string, Readonly<Record<string, string | readonly string[]>>>>>;

export interface Statement {
  readonly Effect: 'Deny';
  readonly Action: readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: readonly string[];
  readonly Condition?: Condition;
}

/** A statement with the controls it carries, for the report and for "move these to respond only". */
export interface GuardrailStatement {
  readonly statement: Statement;
  readonly controls: readonly string[];
  /** Packing order: the guard's self-protection (-1), then by severity (critical 0 ... low 3). What does not fit is the least severe. */
  readonly rank: number;
}

export type ControlVerdict =
  | { readonly control: string; readonly status: 'prevented'; readonly notes: readonly string[] }
  | { readonly control: string; readonly status: 'respond-only' | 'not-enforced' | 'unused'; readonly why: string };

export interface GuardrailOptions {
  /** The guard's stack name: its resources' physical names (and so its roles) start with it. */
  readonly stackName: string;
  /** The switch parameter's name (lib/sagemaker-guard.ts DEFAULT_SWITCH_PARAMETER unless changed). */
  readonly switchParameterName: string;
  /** When the documents are generated: an exemption that has expired by then is left out. */
  readonly now: Date;
  /** @default 'aws' */
  readonly partition?: string;
}

export interface Guardrails {
  readonly statements: readonly GuardrailStatement[];
  readonly verdicts: readonly ControlVerdict[];
}

const isArn = (value: string): boolean => value.startsWith('arn:');

/** The Deny conditions ("deny when ...") of one prevention under the policy, each a statement of its own. */
interface DenyWhen {
  readonly condition: Condition;
  /** Deny on the kind's update action too (with the key present: an update that omits it changes nothing). */
  readonly onUpdate?: Condition;
}

function denials(prevention: Prevention, settings: GuardSettings, notes: string[]): DenyWhen[] | string {
  switch (prevention.rule) {
    case 'true': {
      const why = prevention.respondOnlyUnder?.(settings);
      if (why !== undefined) return why;
      return [{ condition: { BoolIfExists: { [prevention.key]: 'false' } } }];
    }
    case 'equals': {
      const { key, value } = prevention;
      return [
        {
          condition: { StringNotEquals: { [key]: value } },
          ...(prevention.onUpdate === true ? { onUpdate: { StringNotEquals: { [key]: value }, Null: { [key]: 'false' } } } : {}),
        },
      ];
    }
    case 'present':
      return [{ condition: { Null: { [prevention.key]: 'true' } } }];
    case 'allowed': {
      const lists = prevention.lists.flatMap((list) => {
        const values = list.values(settings);
        return values === undefined ? [] : [{ key: list.key, values }];
      });
      if (lists.length === 0) return `the policy sets no ${prevention.lists.map((list) => list.setting).join(' or ')}`;
      return lists.map(({ key, values }) => {
        const condition: Condition = { 'ForAnyValue:StringNotEquals': { [key]: [...values] } };
        return { condition, ...(prevention.onUpdate === true ? { onUpdate: condition } : {}) };
      });
    }
    case 'kms-key': {
      // An absent key means the AWS managed key. Its ARN (key/<id>, as the key carries it) cannot be told from a
      // customer key's without allowedKmsKeys, which is what makes the allow-list the strong form.
      const { key } = prevention;
      const allowed = settings.allowedKmsKeys;
      const arns = (allowed ?? []).filter((entry) => isArn(entry) && entry.includes(':key/'));
      const others = (allowed ?? []).filter((entry) => !arns.includes(entry));
      if (others.length > 0) notes.push(`allowedKmsKeys entries that are not key ARNs cannot be matched by ${key} (it carries the key's ARN): ${others.join(', ')}`);
      if (allowed === undefined) notes.push(`without allowedKmsKeys only a missing key is denied: the AWS managed key's ARN looks like any other`);
      if (!prevention.storageExempt) {
        // IfExists: absent matches too, so one statement denies a missing key and one off the list.
        return [{ condition: arns.length > 0 ? { ArnNotEqualsIfExists: { [key]: arns } } : { Null: { [key]: 'true' } } }];
      }
      const out: DenyWhen[] = [{ condition: { Null: { [key]: 'true' }, 'ForAnyValue:StringNotLike': { 'sagemaker:InstanceTypes': instanceStoragePatterns() } } }];
      if (arns.length > 0) out.push({ condition: { ArnNotEquals: { [key]: arns }, Null: { [key]: 'false' } } });
      return out;
    }
    case 'max-runtime': {
      const bound = settings.maxRuntimeSeconds;
      if (bound === undefined) return 'the policy sets no maxRuntimeSeconds';
      // IfExists: an absent bound (processing jobs may omit StoppingCondition) is denied too.
      return [{ condition: { NumericGreaterThanIfExists: { [prevention.key]: String(bound) } } }];
    }
    case 'request-tags': {
      const required = settings.requiredTags;
      if (required === undefined) return 'the policy sets no requiredTags';
      return Object.entries(required).map(([tag, values]): DenyWhen => {
        const key = `aws:RequestTag/${tag}`;
        // Absent, the negated operator matches too: a create without the tag is denied either way.
        return { condition: values.length > 0 ? { StringNotEquals: { [key]: [...values] } } : { Null: { [key]: 'true' } } };
      });
    }
  }
}

/** ARN patterns of a kind's resources whose names start with an exempt prefix (SageMaker ARNs carry names lower-cased). */
function exemptResources(kind: ResourceKind, arnType: string, control: Control<unknown>, settings: GuardSettings, now: Date, partition: string): string[] {
  const today = now.toISOString().slice(0, 10);
  return settings.exemptions
    .filter((rule) => rule.kinds.includes(kind) && (rule.controls === 'all' || rule.controls.includes(control.id)) && (rule.expires === undefined || rule.expires >= today))
    .flatMap((rule) => [...new Set([rule.namePrefix.toLowerCase(), rule.namePrefix])].map((prefix) => `arn:${partition}:sagemaker:*:*:${arnType}/${prefix}*`));
}

/** Adds `aws:PrincipalArn` exceptions to a condition (the break-glass principals, or the guard's own roles). */
function exceptPrincipals(condition: Condition, principals: readonly string[]): Condition {
  if (principals.length === 0) return condition;
  const existing = condition.ArnNotLike ?? {};
  return { ...condition, ArnNotLike: { ...existing, 'aws:PrincipalArn': [...principals] } };
}

function statement(actions: readonly string[], condition: Condition, notResource: readonly string[]): Statement {
  return { Effect: 'Deny', Action: [...actions], ...(notResource.length > 0 ? { NotResource: [...notResource] } : { Resource: '*' }), Condition: condition };
}

/** The controls' statements and what became of each control. */
function controlGuardrails(settings: GuardSettings, options: GuardrailOptions): Guardrails {
  const partition = options.partition ?? 'aws';
  const statements: GuardrailStatement[] = [];
  const verdicts: ControlVerdict[] = [];
  for (const spec of KIND_LIST) {
    for (const control of spec.controls as readonly Control<unknown>[]) {
      const { mode } = policyMode(control.id, spec.id, settings);
      if (mode !== 'enforce') {
        verdicts.push({ control: control.id, status: 'not-enforced', why: `the policy's mode for it is ${mode}` });
        continue;
      }
      if (settings.guardrails.respondOnly.includes(control.id)) {
        verdicts.push({ control: control.id, status: 'respond-only', why: 'the policy lists it in guardrails.respondOnly' });
        continue;
      }
      if (control.prevent === undefined) {
        verdicts.push({ control: control.id, status: 'respond-only', why: `no condition key of ${spec.createAction} can see what it checks` });
        continue;
      }
      const notes: string[] = [];
      const found = denials(control.prevent, settings, notes);
      if (typeof found === 'string') {
        verdicts.push({ control: control.id, status: control.prevent.rule === 'true' ? 'respond-only' : 'unused', why: found });
        continue;
      }
      const notResource = exemptResources(spec.id, spec.arnType, control, settings, options.now, partition);
      const principals = settings.guardrails.exemptPrincipals;
      const rank = SEVERITY_ORDER.indexOf(control.severity);
      for (const deny of found) {
        statements.push({ statement: statement([spec.createAction], exceptPrincipals(deny.condition, principals), notResource), controls: [control.id], rank });
        if (deny.onUpdate !== undefined && spec.updateAction !== undefined) {
          statements.push({ statement: statement([spec.updateAction], exceptPrincipals(deny.onUpdate, principals), notResource), controls: [control.id], rank });
        }
      }
      const expiring = settings.exemptions.filter((rule) => rule.kinds.includes(spec.id) && rule.expires !== undefined && notResource.length > 0);
      for (const rule of expiring) notes.push(`the exemption for names starting "${rule.namePrefix}" ends on ${rule.expires ?? ''}: generate the guardrails again then`);
      verdicts.push({ control: control.id, status: 'prevented', notes });
    }
  }
  return { statements, verdicts };
}

/**
 * What nobody but the guard's roles and the approvers may do to the guard's stack and the resources it created, as
 * verb patterns (shorter than the actions spelled out, and they cover actions AWS adds later). Every write and
 * permissions-management action on those resource types but the few test/unit/guardrail-actions.test.ts lists with
 * their reasons, and one read only: sqs:ReceiveMessage on the guard's queues (the hub's dead-letter queue, each
 * spoke's `<stack>-forward-dead-letters`), which hands over the dead letters and hides each for the visibility
 * timeout, so that a member account's user could keep them out of sight, received again and again, until they
 * expire. That test holds them to the Service Authorization Reference. Tagging is left alone (the guard reads no
 * tag of its own resources; s3:Put* and s3:Delete* cover the sweep bucket's tagging actions all the same). Reading
 * and replaying dead letters (`redrive`: sqs:ReceiveMessage, sqs:ChangeMessageVisibility, sqs:DeleteMessage) and
 * starting or resuming a sweep run are the approvers'.
 */
export const PROTECTED_ACTIONS = {
  cloudformation: ['cloudformation:CancelUpdateStack', 'cloudformation:ContinueUpdateRollback', 'cloudformation:Create*', 'cloudformation:Delete*', 'cloudformation:Execute*', 'cloudformation:RollbackStack', 'cloudformation:SetStackPolicy', 'cloudformation:Update*'],
  lambda: ['lambda:AddPermission', 'lambda:Create*', 'lambda:Delete*', 'lambda:Put*', 'lambda:RemovePermission', 'lambda:Update*'],
  events: ['events:Delete*', 'events:Disable*', 'events:Put*', 'events:RemoveTargets'],
  sns: ['sns:AddPermission', 'sns:CreateTopic', 'sns:DeleteTopic', 'sns:Publish', 'sns:Put*', 'sns:RemovePermission', 'sns:Set*', 'sns:Unsubscribe'],
  sqs: ['sqs:*MessageMoveTask', 'sqs:AddPermission', 'sqs:ChangeMessageVisibility', 'sqs:CreateQueue', 'sqs:Delete*', 'sqs:Purge*', 'sqs:ReceiveMessage', 'sqs:RemovePermission', 'sqs:SendMessage', 'sqs:Set*'],
  dynamodb: ['dynamodb:Associate*', 'dynamodb:BatchWriteItem', 'dynamodb:Create*', 'dynamodb:Delete*', 'dynamodb:Disable*', 'dynamodb:Enable*', 'dynamodb:PartiQLDelete', 'dynamodb:PartiQLInsert', 'dynamodb:PartiQLUpdate', 'dynamodb:Put*', 'dynamodb:Update*'],
  iam: ['iam:Attach*', 'iam:Create*', 'iam:Delete*', 'iam:Detach*', 'iam:PassRole', 'iam:Put*', 'iam:SetDefaultPolicyVersion', 'iam:Update*'],
  logs: ['logs:Associate*', 'logs:CreateLog*', 'logs:Delete*', 'logs:Disassociate*', 'logs:Put*'],
  // The sweep's state machine, its executions and map runs. Starting a run (states:Start*) is denied too: anyone else
  // could flood the guard with runs (each a plan, a Map over every account and a summary notice to the operators),
  // bury the daily run's summary among theirs, or start one with a resumeKey of their choosing; a run is the guard's
  // schedule's or the approvers' (the resume command in a summary is theirs).
  states: ['states:Create*', 'states:Delete*', 'states:Publish*', 'states:Redrive*', 'states:Start*', 'states:StopExecution', 'states:Update*'],
  // The sweep's bucket and its objects: its policy (which alone keeps the sweep's files the guard's), versioning,
  // lifecycle, encryption, replication into it, and every object write (a forged shard list skips an account, a
  // forged result makes a false summary).
  s3: ['s3:Abort*', 's3:Create*', 's3:Delete*', 's3:Put*', 's3:Replicate*', 's3:Restore*', 's3:Update*'],
} as const satisfies Record<string, readonly string[]>;

/** What nobody but the guard's roles and the approvers may do to the switch parameter. */
const SWITCH_ACTIONS = ['ssm:PutParameter', 'ssm:DeleteParameter', 'ssm:DeleteParameters', 'ssm:LabelParameterVersion'] as const;

/** The id every self-protection statement carries in the report. */
export const SELF_PROTECTION = 'guard.self-protection';

/**
 * The guard protects itself: nobody but its own roles and the policy's approvers sets or removes a
 * `sagemaker-guard:` tag (on a create or afterwards: tag exemptions really come from the approvers), changes the
 * switch, or changes the guard's stack and the resources it created (their physical names start with the stack's), among them the
 * guardrails' own managed policy (`<stack>-Guardrails-<region>`), the sweep's state machine and its runs, and the
 * sweep's bucket (its name is the stack's lower-cased).
 */
function selfProtection(settings: GuardSettings, options: GuardrailOptions): GuardrailStatement[] {
  const partition = options.partition ?? 'aws';
  const trusted = [`arn:${partition}:iam::*:role/${options.stackName}-*`, ...settings.guardrails.approvers];
  const except: Condition = { ArnNotLike: { 'aws:PrincipalArn': trusted } };
  const prefix = `${options.stackName}-*`;
  const statements: Statement[] = [
    {
      Effect: 'Deny',
      // Every create (sagemaker:Create*: those of kinds the guard does not watch yet too) carries its tags in aws:TagKeys.
      Action: ['sagemaker:AddTags', 'sagemaker:Create*', 'sagemaker:DeleteTags'],
      Resource: '*',
      Condition: { 'ForAnyValue:StringLike': { 'aws:TagKeys': ['sagemaker-guard:*'] }, ...except },
    },
    {
      Effect: 'Deny',
      // One statement for the switch, the stack and the resources (each action names its service, each pattern its
      // service's ARNs, so joining them denies nothing more): the approvers' ARNs in the condition are written once.
      Action: [...SWITCH_ACTIONS, ...Object.values(PROTECTED_ACTIONS).flat()],
      Resource: [
        `arn:${partition}:ssm:*:*:parameter${options.switchParameterName.startsWith('/') ? '' : '/'}${options.switchParameterName}`,
        // The guard's stack (<stack>/<id>), and in an organization the spokes' stack instances (StackSet-<stack>-spokes-<id>),
        // in one pattern: stacks of others whose name holds the guard's stack name are covered too.
        `arn:${partition}:cloudformation:*:*:stack/*${options.stackName}*`,
        `arn:${partition}:lambda:*:*:function:${prefix}`,
        `arn:${partition}:events:*:*:rule/${prefix}`,
        `arn:${partition}:sns:*:*:${prefix}`,
        `arn:${partition}:sqs:*:*:${prefix}`,
        `arn:${partition}:dynamodb:*:*:table/${prefix}`,
        `arn:${partition}:iam::*:role/${prefix}`,
        `arn:${partition}:iam::*:policy/${prefix}`,
        `arn:${partition}:logs:*:*:log-group:/aws/lambda/${prefix}`,
        // The sweep's state machine (<stack>-sweep) with its versions and aliases (stateMachine:<name>:<version or
        // alias>), its executions (execution:<name>:<id>; the Map's children, execution:<name>/<map run>:<id>) and map
        // runs (mapRun:<name>/<label>:<id>). IAM takes no wildcard in the resource type.
        `arn:${partition}:states:*:*:stateMachine:${prefix}`,
        `arn:${partition}:states:*:*:execution:${prefix}`,
        `arn:${partition}:states:*:*:mapRun:${prefix}`,
        // The sweep's bucket and its objects (the * spans the /): CloudFormation names it <stack>-<logical id>-<random>,
        // lower-cased.
        `arn:${partition}:s3:::${options.stackName.toLowerCase()}-*`,
      ],
      Condition: except,
    },
  ];
  return statements.map((entry) => ({ statement: entry, controls: [SELF_PROTECTION], rank: -1 }));
}

/** The name pattern of the guardrails' own managed policy (lib/sagemaker-guardrails.ts names it `<stack>-Guardrails-<region>`). */
export const guardrailsPolicyArnPattern = (stackName: string, partition = 'aws'): string => `arn:${partition}:iam::*:policy/${stackName}-Guardrails-*`;

/**
 * For the documents a principal carries (a permissions boundary, or the Deny-only policy on its roles): the principal
 * may not take them off, nor step around them. It may not remove or replace a permissions boundary, detach the
 * guardrails policy, attach one (the boundary variant's Allow * as an identity policy would grant everything), or
 * create a role or user that is not bounded by the guardrails. SCPs need none of this: a member account cannot detach
 * them. The guard's roles and the approvers are excepted, as everywhere.
 */
function principalPinning(settings: GuardSettings, options: GuardrailOptions): GuardrailStatement[] {
  const partition = options.partition ?? 'aws';
  const except: Condition = { ArnNotLike: { 'aws:PrincipalArn': [`arn:${partition}:iam::*:role/${options.stackName}-*`, ...settings.guardrails.approvers] } };
  const policy = guardrailsPolicyArnPattern(options.stackName, partition);
  const statements: Statement[] = [
    {
      Effect: 'Deny',
      // Verb patterns (here and below): each matches exactly the Role and User (and Group) forms of its action.
      Action: ['iam:Delete*PermissionsBoundary'],
      Resource: '*',
      Condition: except,
    },
    {
      Effect: 'Deny',
      Action: ['iam:CreateRole', 'iam:CreateUser', 'iam:Put*PermissionsBoundary'],
      Resource: '*',
      Condition: { ArnNotLikeIfExists: { 'iam:PermissionsBoundary': policy }, ...except },
    },
    {
      Effect: 'Deny',
      Action: ['iam:Attach*Policy', 'iam:Detach*Policy'],
      Resource: '*',
      Condition: { ArnLike: { 'iam:PolicyARN': policy }, ...except },
    },
  ];
  return statements.map((entry) => ({ statement: entry, controls: [SELF_PROTECTION], rank: -1 }));
}

/**
 * Every guardrail statement the policy asks for, and what became of each control. `carried`: the documents are
 * carried by principals (a boundary, or the Deny-only policy on roles), which then may not take them off.
 */
export function guardrails(settings: GuardSettings, options: GuardrailOptions, carried = false): Guardrails {
  const controls = controlGuardrails(settings, options);
  const pinning = carried ? principalPinning(settings, options) : [];
  return { statements: [...controls.statements, ...selfProtection(settings, options), ...pinning], verdicts: controls.verdicts };
}
