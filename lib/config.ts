import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as z from 'zod';
import { readFileSync } from 'node:fs';
import { IAM_ROLE_NAME, REGION_NAME } from '../lambda/core/aws-names';
import { InvalidSettingsError, parseSettings, type GuardSettings } from '../lambda/core/settings';
import { describeIssues } from '../lambda/core/validation';
import { duplicateAddresses, EMAIL, recipientsProblem, NO_EMAIL, type NotificationEmails } from './recipients';
import { scheduleProblems } from './schedule';

/**
 * Deploy-time configuration, read from CDK context (cdk.json `context`, or `cdk synth -c key=value`).
 *
 * The policy is one document: the context key `policy` (an object in cdk.json, or a JSON string with -c),
 * or `policyFile`, the path of a JSON file (relative to the directory cdk runs in). It is validated with
 * `parseSettings`, the same schema the functions use at cold start. The deploy-only keys (where notices
 * go, log retention) are separate context keys; strings from `-c` are coerced to the type each expects.
 * Every bad key is reported at once, with the value given and what is expected.
 * Pure but for reading the policy file, which is injected.
 */
export const CONTEXT_SOURCE = 'CDK context (cdk.json or -c)';

/** Reads one context key; `app.node.tryGetContext` fits. */
export type ContextGetter = (key: string) => unknown;
export type FileReader = (path: string) => string;

export interface GuardConfig {
  readonly settings: GuardSettings;
  /** The addresses subscribed to every notice, or `none`: nobody by email, on purpose. */
  readonly notificationEmails: NotificationEmails;
  readonly logRetention: RetentionDays;
  /** EventBridge schedule expression of the sweep, or `off`. */
  readonly sweepSchedule: string;
  /** Which generated guardrails (lib/sagemaker-guardrails.ts) the app deploys besides the guard. */
  readonly guardrails: GuardrailsDeploy;
  /** One guard for an organization (lib/organization): the hub, and the spokes its StackSet deploys. */
  readonly organization?: OrganizationDeploy;
}

export interface OrganizationDeploy {
  /** o-...: the event bus admits only this organization's accounts, and the member role only this organization's. */
  readonly organizationId: string;
  /** The OUs whose accounts (now and later) get the spoke. */
  readonly targetOus: readonly string[];
  /** The regions each account gets the spoke in; the hub's own region among them. */
  readonly regions: readonly string[];
  /** The role the spoke creates in each account for the hub's functions. */
  readonly memberRoleName: string;
  /** Who deploys the StackSet: a delegated administrator (the hub's usual account) or the management account itself. */
  readonly callAs: 'DELEGATED_ADMIN' | 'SELF';
  /**
   * Roles, besides the hub's functions, that the member role trusts: whoever runs `audit --role-name` across accounts.
   * In the hub's partition, and few enough for the member role's trust policy (the hub checks both: lib/organization/hub.ts).
   */
  readonly auditorRoleArns: readonly string[];
}

/** Under the guard's stack name (lib/app.ts STACK_NAME), so the guardrails' SCPs protect it and trust it with the guard's tags. */
export const DEFAULT_MEMBER_ROLE_NAME = 'SageMakerGuard-member';

export interface GuardrailsDeploy {
  /** An in-account customer managed policy: the `boundary` or the Deny-only `iam` variant; false: none. */
  readonly managedPolicy: false | 'boundary' | 'iam';
  /** A second stack, SageMakerGuardrails, of service control policies (for the management account). */
  readonly serviceControlPolicies: boolean;
  /** Root, OU or account ids the SCPs are attached to; none by default. */
  readonly targetIds: readonly string[];
}

/**
 * How a string from the command line becomes the type a key expects:
 * - `number`: a decimal number; `list`: comma-separated (blanks dropped), or a JSON array such as `["a","b"]`;
 *   `object`: a JSON object such as `{"managedPolicy":true}`.
 * An empty (or blank) string means "not set", so the default applies. `null` (JSON) always means "not set".
 * Non-string values (JSON from cdk.json) are passed through.
 */
export type Coercion = 'string' | 'number' | 'boolean' | 'list' | 'object';

/** Keys only the CDK app reads: where notices go, and how long the functions' logs are kept. */
export const DEPLOY_KEYS = {
  notificationEmails: 'list',
  logRetentionDays: 'number',
  sweepSchedule: 'string',
  guardrails: 'object',
  organization: 'object',
} as const satisfies Record<string, Coercion>;

export const DEFAULT_LOG_RETENTION_DAYS = RetentionDays.ONE_YEAR;

/** The numeric values of CDK's RetentionDays enum (1, 3, 5, ..., 3653, 9999 = never expire), ascending. */
export const RETENTION_DAYS_VALUES: readonly RetentionDays[] = Object.values(RetentionDays)
  .filter((value): value is RetentionDays => typeof value === 'number')
  .sort((a, b) => a - b);

/** The RetentionDays member for a number of days, if there is one. */
export function retentionDaysOf(days: number): RetentionDays | undefined {
  return RETENTION_DAYS_VALUES.find((value) => {
    const valueDays: number = value;
    return valueDays === days;
  });
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

export function coerce(value: unknown, as: Coercion): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (as === 'string') return value;
  if (text === '') return undefined;
  switch (as) {
    case 'number':
      return NUMBER.test(text) ? Number(text) : value;
    case 'boolean': {
      const lower = text.toLowerCase();
      if (lower === 'true') return true;
      if (lower === 'false') return false;
      return value;
    }
    case 'list':
      return text.startsWith('[') ? parseJsonArray(text) ?? value : splitList(text);
    case 'object':
      return parseJsonObject(text) ?? value;
  }
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function parseJsonArray(text: string): unknown[] | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** AWS Organizations target ids: the root, an OU, or an account. */
export const TARGET_ID = /^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|\d{12})$/;

const guardrailsSchema = z
  .strictObject(
    {
      managedPolicy: z
        .union([z.boolean(), z.literal('boundary'), z.literal('iam')], { error: 'expected true (the permissions boundary variant), "boundary", "iam" (Deny only, to attach to roles) or false' })
        .default(false),
      serviceControlPolicies: z.boolean({ error: 'expected true (synthesize the SageMakerGuardrails stack of SCPs) or false' }).default(false),
      targetIds: z
        .array(z.string().regex(TARGET_ID, { error: 'expected an organization root (r-...), OU (ou-...-...) or 12-digit account id' }), {
          error: 'expected a list of root, OU or account ids',
        })
        .default([]),
    },
    { error: 'expected an object such as {"managedPolicy": true} (a JSON string with -c)' },
  )
  .superRefine((value, ctx) => {
    if (value.targetIds.length > 0 && !value.serviceControlPolicies) {
      ctx.addIssue({ code: 'custom', path: ['targetIds'], message: 'targetIds attach the service control policies: set serviceControlPolicies to true too' });
    }
  })
  .default({ managedPolicy: false, serviceControlPolicies: false, targetIds: [] });


const organizationSchema = z.strictObject(
  {
    organizationId: z.string({ error: 'expected the organization id, o- and 10 to 32 letters or digits' }).regex(/^o-[a-z0-9]{10,32}$/, { error: 'expected the organization id, o- and 10 to 32 letters or digits' }),
    targetOus: z
      .array(z.string().regex(/^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/, { error: 'expected an OU id (ou-...-...) or the root (r-...)' }), {
        error: 'expected a list of OU ids',
      })
      .min(1, { error: 'expected at least one OU (or the root, r-...): the spokes go to the accounts in them' }),
    regions: z
      .array(z.string().regex(REGION_NAME, { error: 'expected a region name such as us-east-1' }), { error: 'expected a list of region names' })
      .min(1, { error: 'expected at least one region' })
      .refine((regions) => new Set(regions).size === regions.length, { error: 'expected each region once' }),
    memberRoleName: z
      .string()
      .regex(IAM_ROLE_NAME, { error: 'expected an IAM role name (1 to 64 of letters, digits and +=,.@_-)' })
      .default(DEFAULT_MEMBER_ROLE_NAME),
    callAs: z.enum(['DELEGATED_ADMIN', 'SELF'], { error: 'expected DELEGATED_ADMIN (the hub is a delegated administrator for CloudFormation StackSets) or SELF (the management account)' }).default('DELEGATED_ADMIN'),
    auditorRoleArns: z
      // No comma anywhere: the StackSet passes the ARNs as one comma-delimited parameter, and "role/a,111122223333" would
      // smuggle in a bare account id, which trusts every principal of that account.
      .array(z.string().regex(/^arn:(aws|aws-cn|aws-us-gov):iam::\d{12}:role\/([\w+=.@-]+\/)*[\w+=.@-]{1,64}$/, { error: 'expected an IAM role ARN such as arn:aws:iam::111122223333:role/SecurityAuditor (no wildcard, no user, no comma)' }), {
        error: 'expected a list of IAM role ARNs',
      })
      .refine((arns) => new Set(arns).size === arns.length, { error: 'expected each role once' })
      .default([]),
  },
  { error: 'expected an object such as {"organizationId": "o-...", "targetOus": ["ou-..."], "regions": ["us-east-1"]} (a JSON string with -c)' },
);

const deploySchema = z.object({
  notificationEmails: z
    .array(EMAIL, {
      error: 'expected a list of email addresses (comma-separated with -c)',
    })
    .superRefine((emails, ctx) => {
      for (const { index, message } of duplicateAddresses(emails)) ctx.addIssue({ code: 'custom', path: [index], message });
    })
    .default([]),
  logRetentionDays: z
    .number({ error: 'expected a number of days' })
    .refine((days) => retentionDaysOf(days) !== undefined, {
      error: `expected one of CDK's RetentionDays values: ${RETENTION_DAYS_VALUES.join(', ')} (9999 = never expire)`,
    })
    .default(DEFAULT_LOG_RETENTION_DAYS),
  sweepSchedule: z
    .string({ error: 'expected an EventBridge schedule such as "rate(1 day)" or "cron(0 6 * * ? *)", or "off"' })
    .superRefine((expression, ctx) => {
      if (expression === 'off') return;
      for (const problem of scheduleProblems(expression)) ctx.addIssue({ code: 'custom', message: `${problem}; e.g. "rate(1 day)", "rate(12 hours)", "cron(0 6 * * ? *)" or "off"` });
    })
    .default('rate(1 day)'),
  guardrails: guardrailsSchema,
  organization: organizationSchema.optional(),
});

/** `notificationEmails=none` (any case; or `["none"]`): nobody is subscribed by email, on purpose. */
function isNoEmail(value: unknown): boolean {
  const only = Array.isArray(value) && value.length === 1 ? (value[0] as unknown) : value;
  return typeof only === 'string' && only.trim().toLowerCase() === NO_EMAIL;
}

/** Reads the keys of `table` through `get`, coerced, leaving out the ones that are not set. */
function readKeys(get: ContextGetter, table: Readonly<Record<string, Coercion>>): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [key, as] of Object.entries(table)) {
    const value = coerce(get(key), as);
    if (value !== undefined) input[key] = value;
  }
  return input;
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidSettingsError(`Invalid sagemaker-guard settings: ${what} is not valid JSON (${(error as Error).message})`);
  }
}

/** Where one of two conflicting keys came from, for the message: cdk.json, or the command line. */
function origin(key: string, value: unknown, project: ContextGetter | undefined): 'cdk.json' | 'the command line' {
  return project !== undefined && JSON.stringify(project(key)) === JSON.stringify(value) ? 'cdk.json' : 'the command line';
}

/**
 * The policy document and where it came from: `policy` (object or JSON string) or `policyFile`.
 * `project` reads the context block of the project's cdk.json (when there is one): the CDK CLI merges
 * it with `-c`, so comparing tells which key the command line gave. A key given on the command line
 * overrides the other one's default in cdk.json (`-c policyFile=strict.json` beats cdk.json's
 * `policy`); both in cdk.json, or both on the command line, is a mistake.
 */
export function readPolicy(get: ContextGetter, readFile: FileReader, project?: ContextGetter): { input: unknown; source: string } {
  const inline = get('policy');
  const file = get('policyFile');
  const hasInline = inline !== undefined && inline !== null && inline !== '';
  const hasFile = typeof file === 'string' && file.trim() !== '';
  let use: 'inline' | 'file' | undefined = hasFile ? 'file' : hasInline ? 'inline' : undefined;
  let overrides = '';
  if (hasInline && hasFile) {
    const inlineFrom = origin('policy', inline, project);
    const fileFrom = origin('policyFile', file, project);
    if (inlineFrom === fileFrom) {
      throw new InvalidSettingsError(
        `Invalid sagemaker-guard settings in CDK context: "policy" and "policyFile" both come from ${inlineFrom}; give the policy as "policy" or as "policyFile", not both`,
      );
    }
    use = fileFrom === 'the command line' ? 'file' : 'inline';
    overrides = use === 'file' ? '; given on the command line, it overrides the "policy" in cdk.json' : `; given on the command line, it overrides policyFile ${file} in cdk.json`;
  }
  if (use === 'file' && typeof file === 'string') {
    const path = file.trim();
    let text: string;
    try {
      text = readFile(path);
    } catch (error) {
      throw new InvalidSettingsError(`Invalid sagemaker-guard settings: policyFile ${path} cannot be read (${(error as Error).message})`);
    }
    return { input: parseJson(text, `policyFile ${path}`), source: `policy file ${path}${overrides}` };
  }
  if (file !== undefined && file !== null && typeof file !== 'string') {
    throw new InvalidSettingsError(`Invalid sagemaker-guard settings in CDK context: policyFile: expected a file path (given: ${JSON.stringify(file)})`);
  }
  if (use === undefined) return { input: {}, source: `${CONTEXT_SOURCE}, key "policy" (absent: defaults)` };
  const input = typeof inline === 'string' ? parseJson(inline, 'the context key "policy"') : inline;
  return { input, source: `${CONTEXT_SOURCE}, key "policy"${overrides}` };
}

/**
 * Reads and validates the whole configuration.
 * @throws InvalidSettingsError naming every bad key, the value given and what is expected.
 */
export function loadConfig(get: ContextGetter, readFile: FileReader = (path) => readFileSync(path, 'utf8'), project?: ContextGetter): GuardConfig {
  const deployInput = readKeys(get, DEPLOY_KEYS);
  const noEmail = isNoEmail(deployInput.notificationEmails);
  if (noEmail) delete deployInput.notificationEmails;
  const deploy = deploySchema.safeParse(deployInput);
  const deployProblems = deploy.success ? [] : describeIssues(deploy.error, deployInput);

  const policy = readPolicy(get, readFile, project);
  let settings: GuardSettings;
  try {
    settings = parseSettings(policy.input, policy.source);
  } catch (error) {
    if (error instanceof InvalidSettingsError && deployProblems.length > 0) {
      throw new InvalidSettingsError(`${error.message}\n  - ${deployProblems.join('\n  - ')}`);
    }
    throw error;
  }
  if (!deploy.success) {
    throw new InvalidSettingsError(`Invalid sagemaker-guard settings in ${CONTEXT_SOURCE}:\n  - ${deployProblems.join('\n  - ')}`);
  }
  const both = deploy.data.notificationEmails.filter((email) => Object.keys(settings.owners).some((owner) => owner.toLowerCase() === email.toLowerCase()));
  if (both.length > 0) {
    throw new InvalidSettingsError(
      `Invalid sagemaker-guard settings: ${both.join(', ')} is in notificationEmails (which receive every notice) and in policy.owners; SNS allows one subscription per address, so list it in one place only`,
    );
  }
  const logRetention = retentionDaysOf(deploy.data.logRetentionDays);
  if (logRetention === undefined) throw new Error(`unreachable: logRetentionDays ${deploy.data.logRetentionDays} passed validation`);
  const notificationEmails: NotificationEmails = noEmail ? NO_EMAIL : deploy.data.notificationEmails;
  const nobody = recipientsProblem(settings, notificationEmails, 'context');
  if (nobody !== undefined) throw new InvalidSettingsError(`Invalid sagemaker-guard settings: ${nobody}`);
  const { managedPolicy, serviceControlPolicies, targetIds } = deploy.data.guardrails;
  const guardrails: GuardrailsDeploy = { managedPolicy: managedPolicy === true ? 'boundary' : managedPolicy, serviceControlPolicies, targetIds };
  const { organization } = deploy.data;
  return { settings, notificationEmails, logRetention, sweepSchedule: deploy.data.sweepSchedule, guardrails, ...(organization !== undefined ? { organization } : {}) };
}
