import * as z from 'zod/mini';
import { CONTROL_IDS, RESOURCE_KINDS } from '../kinds/registry';
import { describeIssues, issueMessage } from './validation';

/**
 * The policy: what is enforced, for whom, with which values. The same schema validates `cdk.json`
 * context at synth time and the GUARD_SETTINGS environment variable at cold start, so both fail with
 * the same message: the path, the value given and what is allowed.
 *
 * zod/mini, not classic zod: the classic API is not tree-shakable and put ~100 KB into every function.
 * Messages come from the schemas and, for the rest, from `issueMessage` (no zod locale is bundled).
 */
export const MODES = ['enforce', 'report', 'off'] as const;
export type PolicyMode = (typeof MODES)[number];
const mode = z.enum(MODES);

const controlId = z.enum(CONTROL_IDS as unknown as [string, ...string[]]);

/**
 * A list of control ids, or one of the words `words` ("all", "none") alone: given as the word or as a
 * list holding only it (`"all"` and `["all"]` mean the same).
 */
function controlsOrWord<const W extends readonly [string, ...string[]]>(words: W) {
  const expected = `expected ${words.map((word) => `"${word}"`).join(', ')} or a list of control ids`;
  return z.pipe(
    z.transform((value: unknown): unknown => {
      if (!Array.isArray(value) || value.length !== 1) return value;
      const [only] = value as unknown[];
      return typeof only === 'string' && words.includes(only) ? only : value;
    }),
    z.union([z.enum(words), z.array(controlId).check(z.minLength(1))], { error: expected }),
  );
}

const instanceTypes = z
  .array(z.string().check(z.regex(/^ml\.[a-z0-9-]+\.[a-z0-9-]+$/, 'expected a SageMaker instance type such as "ml.m5.xlarge"')))
  .check(z.minLength(1, 'expected at least one instance type; leave the key out to turn the check off'));

function idList(pattern: RegExp, example: string) {
  return z.array(z.string().check(z.regex(pattern, `expected an id such as "${example}"`))).check(z.minLength(1, 'expected at least one id; leave the key out to turn the check off'));
}

/** Key ids, key ARNs, alias names and alias ARNs, as SageMaker accepts them. */
const KMS_KEY = /^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[a-zA-Z0-9/_-]+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|alias\/[a-zA-Z0-9/_-]+)$/;

/** A calendar date, YYYY-MM-DD; an exemption holds through the end of that day (UTC). */
export const isoDate = z.iso.date({ error: 'expected a date as YYYY-MM-DD' });

const kindPolicy = z.strictObject({
  mode: z.optional(mode),
  allowedInstanceTypes: z.optional(instanceTypes),
});

const resourceKind = z.enum(RESOURCE_KINDS, { error: `expected one of: ${RESOURCE_KINDS.join(', ')}` });

const exemption = z.strictObject({
  namePrefix: z.string().check(z.minLength(1, 'expected a non-empty name prefix')),
  /** A prefix means different things for different kinds, so each exemption names the kinds it covers. */
  kinds: z
    .array(resourceKind, {
      error: (issue) =>
        issue.input === undefined
          ? `a name-prefix exemption must name the kinds it applies to, e.g. "kinds": ["training-job"] (any of: ${RESOURCE_KINDS.join(', ')})`
          : 'expected a list of resource kinds',
    })
    .check(z.minLength(1, `expected at least one of: ${RESOURCE_KINDS.join(', ')}`)),
  controls: controlsOrWord(['all']),
  reason: z.string().check(z.trim(), z.minLength(1, 'an exemption needs a reason')),
  expires: z.optional(isoDate),
});

/** An IAM role or user ARN (pattern) as aws:PrincipalArn carries it: the role's ARN, not its assumed-role session. */
const principalArn = z
  .string()
  .check(z.regex(/^arn:aws[a-z-]*:iam::(\d{12}|\*):(role|user)\/[\w+=,.@/*?-]+$/, 'expected an IAM role or user ARN such as "arn:aws:iam::111122223333:role/BreakGlass" (* and ? match any characters)'));

/** A non-empty string of at most `max` characters. */
const text = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));

export const settingsSchema = z.strictObject({
  /** Global default mode. */
  mode: z._default(mode, 'enforce'),
  /** Per resource kind: a default mode, and values that differ by kind. */
  kinds: z._default(
    z.strictObject(Object.fromEntries(RESOURCE_KINDS.map((kind) => [kind, z.optional(kindPolicy)])) as Record<(typeof RESOURCE_KINDS)[number], z.ZodMiniOptional<typeof kindPolicy>>),
    {},
  ),
  /** Per control mode, over the kind's and the global default. */
  controls: z._default(
    z.partialRecord(controlId, mode, {
      // zod reports unknown keys of a partial record here too, though its types do not say so.
      error: (issue) => {
        const { code, keys } = issue as { code: string; keys?: readonly string[] };
        return code === 'unrecognized_keys' ? `unknown control id ${(keys ?? []).map((key) => `"${key}"`).join(', ')}; expected one of: ${CONTROL_IDS.join(', ')}` : undefined;
      },
    }),
    {},
  ),
  interContainerEncryption: z._default(z.enum(['distributed', 'always']), 'distributed'),
  maxRuntimeSeconds: z.optional(z.number().check(z.int(), z.positive(), z.lte(28 * 24 * 3600))),
  allowNotebookOpenEgress: z._default(z.boolean(), false),
  allowedSubnets: z.optional(idList(/^subnet-[0-9a-f]{8,17}$/, 'subnet-0abc1234')),
  allowedSecurityGroups: z.optional(idList(/^sg-[0-9a-f]{8,17}$/, 'sg-0abc1234')),
  allowedKmsKeys: z.optional(
    z
      .array(z.string().check(z.regex(KMS_KEY, 'expected a KMS key id, key ARN, alias name or alias ARN')))
      .check(z.minLength(1, 'expected at least one key; leave the key out to turn the check off')),
  ),
  /** Tags every resource must carry; an empty list accepts any non-empty value. */
  requiredTags: z.optional(z.record(text(128), z.array(text(256)))),
  /** Resources whose names start with a prefix are exempt from some or all controls. */
  exemptions: z._default(z.array(exemption), []),
  /**
   * What a resource's own exemption tags may do: the controls a tag may exempt (default: every control
   * below high severity; "none" turns tag exemptions off; "all" allows any), and for how many days after
   * the guard first saw the tag (default 90). The expiry tag is always required.
   */
  tagExemptions: z._default(
    z.strictObject({
      controls: z.optional(controlsOrWord(['all', 'none'])),
      maxDays: z._default(
        z
          .number({ error: 'expected a number of days' })
          .check(z.int('expected a whole number of days, 1 to 365'), z.gte(1, 'expected 1 to 365 days'), z.lte(365, 'expected 1 to 365 days')),
        90,
      ),
    }),
    { maxDays: 90 },
  ),
  /** Owner routing: each address receives the notices whose owner tag has one of the listed values. */
  owners: z._default(
    z.record(z.email({ error: 'expected an email address' }), z.array(text(256)).check(z.minLength(1, 'expected at least one owner tag value')), {
      error: (issue) =>
        issue.code === 'invalid_key'
          ? `each key of owners is the email address that receives those owners' notices, such as "team-a@example.com"; ${JSON.stringify(issue.input)} is not an email address`
          : undefined,
    }),
    {},
  ),
  ownerTagKey: z._default(text(128), 'owner'),
  /**
   * The existing estate: resources whose episode (a job's or model's creation, a notebook's last start
   * or update) began before enforcement did (the ledger records when) are reported, not acted on,
   * unless `actOnExisting` is true. New ones are acted on as the policy says.
   */
  sweep: z._default(z.strictObject({ actOnExisting: z._default(z.boolean({ error: 'expected true or false' }), false) }), { actOnExisting: false }),
  /**
   * The preventive guardrails (`sagemaker-guard guardrails`, lib/guardrails): principals the Deny statements never
   * apply to (break-glass roles), and the approvers who alone, with the guard's own roles, may set the guard's
   * tags (`sagemaker-guard:*`, so tag exemptions really come from them), its switch and its stack (ARN patterns as
   * aws:PrincipalArn matches them: `*` and `?` allowed); and the controls the guardrails leave to the responder.
   */
  guardrails: z._default(
    z.strictObject({
      exemptPrincipals: z._default(z.array(principalArn), []),
      approvers: z._default(z.array(principalArn), []),
      /** Controls left out of the guardrails (the responder still enforces them): what does not fit in the limits. */
      respondOnly: z._default(z.array(controlId), []),
    }),
    { exemptPrincipals: [], approvers: [], respondOnly: [] },
  ),
});

export type GuardSettings = z.output<typeof settingsSchema>;
export type GuardSettingsInput = z.input<typeof settingsSchema>;
export type Exemption = GuardSettings['exemptions'][number];

export class InvalidSettingsError extends Error {
  override readonly name = 'InvalidSettingsError';
}

/** Validates settings, turning every schema issue into "where: what is expected (given: value)". */
export function parseSettings(input: unknown, source: string): GuardSettings {
  const result = settingsSchema.safeParse(input, { error: issueMessage });
  if (result.success) return result.data;
  const problems = describeIssues(result.error, input);
  throw new InvalidSettingsError(`Invalid sagemaker-guard settings in ${source}:\n  - ${problems.join('\n  - ')}`);
}

/** Environment variables the CDK construct sets on every function. */
export const SETTINGS_ENV = 'GUARD_SETTINGS';
export const TOPIC_ARN_ENV = 'TOPIC_ARN';
export const SWITCH_PARAMETER_ENV = 'ENFORCEMENT_SWITCH_PARAMETER';
/** Which kind a responder answers for: every kind's responder runs the same code (lambda/handlers/responder.ts). */
export const GUARD_KIND_ENV = 'GUARD_KIND';
/** Names the member role an organization deployment's responders assume in each account (lambda/aws/accounts.ts). */
export const MEMBER_ROLE_ENV = 'GUARD_MEMBER_ROLE_NAME';
/** The Step Functions sweep's bucket: a run's shards, the Map's results, what is left to resume. */
export const SWEEP_BUCKET_ENV = 'SWEEP_BUCKET';
/** The regions a hub's sweep covers, comma-separated (a single-account guard sweeps its own region). */
export const SWEEP_REGIONS_ENV = 'SWEEP_REGIONS';
/** The OUs (or root) whose accounts a hub's sweep covers, comma-separated. */
export const SWEEP_TARGET_OUS_ENV = 'SWEEP_TARGET_OUS';

/** Reads and validates the settings the CDK construct put in the function's environment. */
export function settingsFromEnv(env: NodeJS.ProcessEnv): GuardSettings {
  const raw = env[SETTINGS_ENV];
  if (raw === undefined || raw === '') return parseSettings({}, `environment variable ${SETTINGS_ENV} (absent)`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new InvalidSettingsError(`Environment variable ${SETTINGS_ENV} is not JSON: ${(error as Error).message}`);
  }
  return parseSettings(parsed, `environment variable ${SETTINGS_ENV}`);
}
