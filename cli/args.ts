/**
 * The command line, parsed and validated without side effects: argv in, options or a UsageError out.
 * Imports nothing that creates AWS clients or loggers (main.ts sets their environment first).
 */
import { parseArgs } from 'node:util';
import { RESOURCE_KINDS, type ResourceKind } from '../lambda/kinds/registry';
import { LEDGER_RETENTION_DAYS } from '../lambda/ledger/schema';
import { ACCOUNT_ID, IAM_ROLE_NAME } from '../lambda/core/aws-names';

export const COMMAND = 'sagemaker-guard';
export const COMMANDS = ['audit', 'history', 'redrive', 'guardrails'] as const;
export type CommandName = (typeof COMMANDS)[number];
export const DEFAULT_CONCURRENCY = 8;
export const MAX_CONCURRENCY = 32;
/** The CloudFormation stack whose outputs name the ledger table and the dead-letter queue (bin/ deploys it under this name). */
export const DEFAULT_STACK = 'SageMakerGuard';
/** How far back `history` looks without --since. */
export const DEFAULT_HISTORY_DAYS = 7;
/** What the audit writes on stdout: a table, NDJSON (one object per resource), or CSV (one row per failed control). */
export const AUDIT_FORMATS = ['table', 'json', 'csv'] as const;
export const GUARDRAIL_FORMATS = ['scp', 'iam', 'boundary'] as const;
export type GuardrailsFormat = (typeof GUARDRAIL_FORMATS)[number];
export const DEFAULT_SWITCH = '/sagemaker-guard/enforcement';
export type AuditFormat = (typeof AUDIT_FORMATS)[number];

export interface AuditOptions {
  /** Regions in the order given; empty means the SDK's default (AWS_REGION or the profile's region). */
  readonly regions: readonly string[];
  readonly profile?: string;
  readonly kinds: readonly ResourceKind[];
  /** Training jobs created after this time, in any status, instead of the InProgress ones. */
  readonly since?: Date;
  readonly policyFile?: string;
  readonly switchParameter?: string;
  readonly concurrency: number;
  /** --format, or --json (short for --format json); default table. */
  readonly format: AuditFormat;
  readonly remediate: boolean;
  readonly yes: boolean;
  /** Where the guard's ledger says when enforcement began (the existing estate): the table, else the stack's output. */
  readonly table?: string;
  readonly stack: string;
  /** Other accounts, entered through their member role (--role-name); without it, the caller's account only. */
  readonly members?: MemberOptions;
}

/** The audit across accounts: which accounts, the role each holds for the guard, and where the hub's stack is. */
export interface MemberOptions {
  readonly roleName: string;
  /** --accounts, in the order given; or every active account of the organization (--organization). */
  readonly accounts: readonly string[] | 'organization';
  /** The region of the guard's hub stack, whose ledger and switch serve every account (default: the first --region). */
  readonly hubRegion?: string;
}

export interface HistoryOptions {
  /** The region of the ledger table (default: AWS_REGION or the profile's region). */
  readonly region?: string;
  readonly profile?: string;
  /** Records created at or after this time; every UTC day from its day to today is read. */
  readonly since: Date;
  readonly json: boolean;
  /** The ledger table; without it, the LedgerTableName output of `stack`. */
  readonly table?: string;
  readonly stack: string;
}

export interface RedriveOptions {
  /** The region of the queue (default: the queue URL's region, else AWS_REGION or the profile's region). */
  readonly region?: string;
  readonly profile?: string;
  /** The dead-letter queue; without it, the DeadLetterQueueUrl output of `stack`. */
  readonly queueUrl?: string;
  readonly stack: string;
  readonly dryRun: boolean;
  readonly yes: boolean;
}

export interface GuardrailsOptions {
  readonly policyFile?: string;
  readonly format: GuardrailsFormat;
  /** Where the documents are written; without it, nothing is written (the report says what would be). */
  readonly out?: string;
  readonly stack: string;
  readonly switchParameter: string;
  readonly json: boolean;
}

export type Parsed =
  | { readonly command: 'help'; readonly topic?: CommandName }
  | { readonly command: 'audit'; readonly options: AuditOptions }
  | { readonly command: 'history'; readonly options: HistoryOptions }
  | { readonly command: 'redrive'; readonly options: RedriveOptions }
  | { readonly command: 'guardrails'; readonly options: GuardrailsOptions };

/** A mistake in the command line: the message says what and how to fix it; main prints it with the usage text of `topic`. */
export class UsageError extends Error {
  override readonly name = 'UsageError';

  constructor(
    message: string,
    /** The command the mistake is in, when it is known: main shows that command's usage. */
    readonly topic?: CommandName,
  ) {
    super(message);
  }
}

export const AUDIT_USAGE = `Usage: ${COMMAND} audit [options]

Checks the SageMaker resources that already exist against the guard's controls: running training jobs,
notebook instances (any state; only InService ones can be stopped) and all models. Changes nothing unless
--remediate is given.

Options:
  --region REGION          region to audit; repeat for several (default: AWS_REGION or the profile's region)
  --profile NAME           AWS profile from ~/.aws/config (default: the usual credential chain)
  --kinds LIST             comma-separated: ${RESOURCE_KINDS.join(',')} (default: all)
  --since DATE             training jobs created since DATE (YYYY-MM-DD or ISO 8601), in any status,
                           for a historical report (default: only InProgress jobs)
  --policy FILE            the policy: a JSON policy document, or a CDK project's cdk.json, whose
                           context.policy or context.policyFile is read as cdk deploy reads it
                           (default: ./cdk.json when there is one, else the built-in defaults)
  --switch-parameter NAME  honour the enforcement switch in this SSM parameter (one region only); it is
                           read first, and a missing or invalid switch stops the audit (exit 2)
  --concurrency N          Describe calls in flight at once, 1-${MAX_CONCURRENCY} (default ${DEFAULT_CONCURRENCY})
  --format FORMAT          table (the default); json: one JSON object per line per resource, then a
                           summary object; csv: one row per failed control (RFC 4180), summary on stderr
  --json                   short for --format json
  --remediate              stop or delete what fails an enforced control, as the responder does (asks first);
                           the existing estate is spared as the guard spares it (unless sweep.actOnExisting)
  --yes                    with --remediate: do not ask
  --stack NAME             the guard's stack, whose ledger says when enforcement began (default ${DEFAULT_STACK})
  --table NAME             the ledger table itself, instead of --stack
  --role-name NAME         audit other accounts: assume arn:aws:iam::ACCOUNT:role/NAME in each (the guard's member
                           role, SageMakerGuard-member by default); the caller's own account uses its own credentials
  --accounts LIST          with --role-name: the accounts to audit, comma-separated 12-digit ids (repeatable)
  --organization           with --role-name: every active account of the organization (organizations:ListAccounts,
                           from the management or a delegated administrator account)
  --hub-region REGION      with --role-name: the region of the guard's hub stack, whose ledger (the existing estate)
                           and switch serve every account (default: the first --region)
  -h, --help               this text

Resources older than enforcement (the existing estate, read from the guard's ledger in each region when it
is deployed there) are marked "existing": the guard reports them and does not act on them.
Each row has the resource's account, owner (its owner tag) and the highest severity of its failed controls;
a terminal too narrow for the whole table leaves out the account and owner columns (json and csv have them).
The policy used is said on stderr (and in the JSON summary's policySource).
Each option but --region, --kinds and --accounts is given at most once.
An account the audit cannot enter (its role missing, or not trusting the caller) is an error row in each
requested region, and the audit exits 2: it is never skipped in silence.

Exit codes: 0 no violations, 1 violations found, 2 a usage, policy, switch, access or listing error, or a run
in which every resource found failed (other failures of single resources are error rows).`;

export const HISTORY_USAGE = `Usage: ${COMMAND} history [options]

Lists what the guard did, oldest first, from its ledger (a DynamoDB table): each stop, delete or report-only
notice, with the controls that failed, the result of the call and whether the notice went out.

Options:
  --since DATE             records since DATE (YYYY-MM-DD, a UTC day, or ISO 8601 time), at most
                           ${LEDGER_RETENTION_DAYS} days back (default: ${DEFAULT_HISTORY_DAYS} days ago)
  --json                   one JSON object per line per record, then a summary object
  --table NAME             the ledger table (default: the LedgerTableName output of the stack)
  --stack NAME             the guard's CloudFormation stack (default ${DEFAULT_STACK})
  --region REGION          the region of the stack and the table (default: AWS_REGION or the profile's region)
  --profile NAME           AWS profile from ~/.aws/config (default: the usual credential chain)
  -h, --help               this text

Needs dynamodb:Query on the table and its by-day index (and cloudformation:DescribeStacks without --table).
Exit codes: 0 listed (even when empty), 2 usage, access or other errors.`;

export const REDRIVE_USAGE = `Usage: ${COMMAND} redrive [options]

Replays what the guard's dead-letter queue holds: events EventBridge could not deliver to a function, and
records of asynchronous invocations that failed every retry. Each original event is sent again to the
function that failed, synchronously; its message is deleted only when that invocation succeeds. Messages
that cannot be read or whose replay fails stay in the queue. Asks first unless --yes is given.

Options:
  --queue-url URL          the dead-letter queue (default: the DeadLetterQueueUrl output of the stack)
  --stack NAME             the guard's CloudFormation stack (default ${DEFAULT_STACK})
  --dry-run                list what would be replayed (function, event, error); change nothing
  --yes                    replay without asking (needed when stdin is not a terminal)
  --region REGION          the queue's region (default: the queue URL's, else AWS_REGION or the profile's)
  --profile NAME           AWS profile from ~/.aws/config (default: the usual credential chain)
  -h, --help               this text

Needs sqs:ReceiveMessage, sqs:DeleteMessage, sqs:ChangeMessageVisibility (and kms:Decrypt on the queue's key),
lambda:InvokeFunction on the guard's functions, and cloudformation:DescribeStacks without --queue-url.
Exit codes: 0 every message replayed (or, with --dry-run, readable), 2 a replay failed, a message could not be
read, usage, access or other errors.`;

export const GUARDRAILS_USAGE = `Usage: ${COMMAND} guardrails [options]

Writes the preventive guardrails: IAM policy documents, generated from the controls and the same policy the
guard deploys, that refuse at the API what the guard would otherwise stop or delete after the fact. Every control
the policy enforces and a condition key can see becomes Deny statements on its kind's create (and update) action;
the rest stays respond only (the guard's responders enforce it as before). Works offline: it calls no AWS API.

Options:
  --policy FILE            the policy, as for audit (default: ./cdk.json when there is one, else the defaults)
  --format FORMAT          scp (the default): service control policies, Deny only, at most 4 of 5,120 characters;
                           iam: one customer managed policy of at most 6,144 characters, Deny only, to attach to roles;
                           boundary: the same with an Allow * first, to set as a permissions boundary (never as an
                           identity policy: its Allow would grant everything)
  --out DIR                write DIR/sagemaker-guard-guardrail-N.json (without it, print the report only)
  --stack NAME             the guard's stack, whose roles and resources the guardrails protect (default ${DEFAULT_STACK})
  --switch-parameter NAME  the guard's switch parameter (default ${DEFAULT_SWITCH})
  --json                   the report as one JSON object (documents included)
  -h, --help               this text

The report lists which controls are prevented, which are respond only (and why), and each document's size.
Exit codes: 0 written, 2 a usage or policy error, or documents that cannot fit the format's limits (the message
names the controls to list in the policy's guardrails.respondOnly).`;

const USAGES: Readonly<Record<CommandName, string>> = { audit: AUDIT_USAGE, history: HISTORY_USAGE, redrive: REDRIVE_USAGE, guardrails: GUARDRAILS_USAGE };

/** Every command's usage, after a one-line summary of each. */
export const USAGE = `Usage: ${COMMAND} <command> [options]

Commands:
  audit     check existing SageMaker resources against the controls (and optionally remediate)
  history   list what the guard did, from its ledger
  redrive   replay the dead-letter queue's events to the functions that failed them
  guardrails  write the preventive IAM guardrails (SCPs or a managed policy) generated from the controls

${COMMANDS.map((command) => USAGES[command]).join('\n\n')}`;

/** The usage text of one command, or of all when `topic` is undefined. */
export function usageOf(topic?: CommandName): string {
  return topic === undefined ? USAGE : USAGES[topic];
}

/** Every command's options: node's parser knows them all, then each command rejects those that are not its own. */
const OPTIONS = {
  region: { type: 'string', multiple: true },
  profile: { type: 'string' },
  kinds: { type: 'string', multiple: true },
  since: { type: 'string' },
  policy: { type: 'string' },
  'switch-parameter': { type: 'string' },
  concurrency: { type: 'string' },
  format: { type: 'string' },
  json: { type: 'boolean' },
  remediate: { type: 'boolean' },
  yes: { type: 'boolean' },
  table: { type: 'string' },
  stack: { type: 'string' },
  'queue-url': { type: 'string' },
  'dry-run': { type: 'boolean' },
  out: { type: 'string' },
  'role-name': { type: 'string' },
  accounts: { type: 'string', multiple: true },
  organization: { type: 'boolean' },
  'hub-region': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;
type OptionName = keyof typeof OPTIONS;

/** Which options each command takes (help is everyone's). */
const COMMAND_OPTIONS: Readonly<Record<CommandName, readonly OptionName[]>> = {
  audit: ['region', 'profile', 'kinds', 'since', 'policy', 'switch-parameter', 'concurrency', 'format', 'json', 'remediate', 'yes', 'table', 'stack', 'role-name', 'accounts', 'organization', 'hub-region'],
  history: ['since', 'json', 'table', 'stack', 'region', 'profile'],
  redrive: ['queue-url', 'stack', 'dry-run', 'yes', 'region', 'profile'],
  guardrails: ['policy', 'format', 'out', 'stack', 'switch-parameter', 'json'],
};

/** Commercial, GovCloud, China and ISO partitions: us-east-1, us-gov-west-1, cn-north-1, us-isob-east-1. */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** A stack name, or a stack id (its ARN), as DescribeStacks takes. */
const STACK = /^([A-Za-z][A-Za-z0-9-]{0,127}|arn:aws[a-z-]*:cloudformation:[a-z0-9-]+:\d{12}:stack\/[A-Za-z][A-Za-z0-9-]*\/[0-9a-f-]+)$/;
/** A DynamoDB table name, or a table ARN. */
const TABLE = /^([A-Za-z0-9_.-]{3,255}|arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\d{12}:table\/[A-Za-z0-9_.-]{3,255})$/;
/** The path of a queue URL: /ACCOUNT/NAME. */
const QUEUE_PATH = /^\/\d{12}\/[A-Za-z0-9_-]{1,80}(\.fifo)?$/;
/** Hosts that name the queue's region: sqs.REGION.amazonaws.com(.cn), and the legacy REGION.queue.amazonaws.com. */
const QUEUE_HOST_REGION = [/^sqs\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/, /^([a-z0-9-]+)\.queue\.amazonaws\.com(\.cn)?$/];
const DAY_MS = 24 * 3600 * 1000;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function nodeParse(argv: readonly string[]): ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true; tokens: true }>> {
  try {
    return parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true, tokens: true });
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    const option = /'([^']+)'/.exec(message)?.[1];
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`unknown option ${option ?? message}`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      // "Option '--region <value>' argument missing" or "Option '--json' does not take an argument"
      const name = option?.split(' ')[0] ?? 'an option';
      throw new UsageError(/missing/.test(message) ? `${name} needs a value` : `${name} takes no value`);
    }
    throw new UsageError(message);
  }
}

type Token = NonNullable<ReturnType<typeof nodeParse>['tokens']>[number];

/** "a", "a" and "b", "a", "b" and "c" */
function andList(items: readonly string[]): string {
  return items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items.at(-1) ?? ''}` : (items[0] ?? '');
}

/**
 * Node's parser keeps the last value of an option given twice, silently. Every option that takes one
 * value (all but the repeatable --region and --kinds) is refused when repeated, naming the values given.
 */
function refuseRepeats(tokens: readonly Token[]): void {
  const given = new Map<string, string[]>();
  for (const token of tokens) {
    if (token.kind !== 'option' || token.value === undefined) continue;
    const option = OPTIONS[token.name as OptionName] as { readonly type: string; readonly multiple?: boolean } | undefined;
    if (option === undefined || option.multiple === true) continue;
    given.set(token.name, [...(given.get(token.name) ?? []), token.value]);
  }
  for (const [name, values] of given) {
    if (values.length < 2) continue;
    const times = values.length === 2 ? 'twice' : `${values.length} times`;
    throw new UsageError(`--${name} was given ${times} (${andList(values.map((value) => JSON.stringify(value)))}): it takes one value, so give it once`);
  }
}

/** Values of a repeatable option, each possibly comma-separated, trimmed, without empties. */
function listOf(values: readonly string[] | undefined): string[] {
  return (values ?? []).flatMap((value) => value.split(',')).map((value) => value.trim()).filter((value) => value !== '');
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

export function parseSince(value: string, now: Date): Date {
  const text = value.trim();
  const date = DATE.test(text) ? new Date(`${text}T00:00:00Z`) : DATE_TIME.test(text) ? new Date(text) : undefined;
  if (date === undefined || Number.isNaN(date.getTime()) || (DATE.test(text) && date.toISOString().slice(0, 10) !== text)) {
    throw new UsageError(`--since: expected a date as YYYY-MM-DD or an ISO 8601 time such as 2026-01-31T12:00:00Z (given: ${JSON.stringify(value)})`);
  }
  if (date.getTime() > now.getTime()) throw new UsageError(`--since: ${text} is in the future`);
  return date;
}

function parseConcurrency(value: string | undefined): number {
  if (value === undefined) return DEFAULT_CONCURRENCY;
  const number = /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isInteger(number) || number < 1 || number > MAX_CONCURRENCY) {
    throw new UsageError(`--concurrency: expected a whole number from 1 to ${MAX_CONCURRENCY} (given: ${JSON.stringify(value)})`);
  }
  return number;
}

/** Parses `argv` (without node and the script): the command, then its options. */
export function parseCommandLine(argv: readonly string[], now: Date = new Date()): Parsed {
  const { values, positionals, tokens } = nodeParse(argv);
  const [command, ...extra] = positionals as (string | undefined)[];
  const known = (COMMANDS as readonly (string | undefined)[]).includes(command) ? (command as CommandName) : undefined;
  if (values.help === true) return known !== undefined ? { command: 'help', topic: known } : { command: 'help' };
  const expected = `expected one of ${COMMANDS.map((name) => `"${name}"`).join(', ')}`;
  if (command === undefined) throw new UsageError(`missing command: ${expected}`);
  if (known === undefined) throw new UsageError(`unknown command ${JSON.stringify(command)}: ${expected}`);
  try {
    if (extra.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`);
    refuseRepeats(tokens);
    const given = (Object.keys(values) as OptionName[]).filter((name) => name !== 'help' && values[name] !== undefined);
    const foreign = given.find((name) => !COMMAND_OPTIONS[known].includes(name));
    if (foreign !== undefined) {
      throw new UsageError(`--${foreign} is not an option of ${known} (its options: ${COMMAND_OPTIONS[known].map((name) => `--${name}`).join(', ')})`);
    }
    switch (known) {
      case 'audit':
        return { command: 'audit', options: auditOptions(values, now) };
      case 'history':
        return { command: 'history', options: historyOptions(values, now) };
      case 'redrive':
        return { command: 'redrive', options: redriveOptions(values) };
      case 'guardrails':
        return { command: 'guardrails', options: guardrailsOptions(values) };
    }
  } catch (error) {
    // Every mistake after the command is named is that command's: main shows its usage.
    if (error instanceof UsageError && error.topic === undefined) throw new UsageError(error.message, known);
    throw error;
  }
}

type Values = ReturnType<typeof nodeParse>['values'];

function profileOf(values: Values): string | undefined {
  const profile = values.profile?.trim();
  if (profile === '') throw new UsageError('--profile needs a value');
  return profile;
}

function checkRegion(region: string): void {
  if (!REGION.test(region)) throw new UsageError(`--region: ${JSON.stringify(region)} is not a region name such as us-east-1`);
}

/** The one region of a command that works in one region (history, redrive). */
function singleRegion(values: Values, command: CommandName): string | undefined {
  const regions = unique(listOf(values.region));
  if (values.region !== undefined && regions.length === 0) throw new UsageError('--region needs a value');
  if (regions.length > 1) throw new UsageError(`--region: ${command} works in one region at a time (given: ${regions.join(', ')})`);
  for (const region of regions) checkRegion(region);
  return regions[0];
}

function stackOf(values: Values): string {
  if (values.stack === undefined) return DEFAULT_STACK;
  const stack = values.stack.trim();
  if (stack === '') throw new UsageError('--stack needs a stack name');
  if (!STACK.test(stack)) {
    throw new UsageError(`--stack: ${JSON.stringify(values.stack)} is not a CloudFormation stack name (a letter, then letters, digits and hyphens, at most 128) or stack ARN`);
  }
  return stack;
}

/** --format, with --json as its alias for json. */
function formatOf(values: Values): AuditFormat {
  if (values.format === undefined) return values.json === true ? 'json' : 'table';
  const format = values.format.trim();
  if (format === '') throw new UsageError(`--format needs a value: one of ${AUDIT_FORMATS.join(', ')}`);
  if (!(AUDIT_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format: expected one of ${AUDIT_FORMATS.join(', ')} (given: ${JSON.stringify(values.format)})`);
  }
  if (values.json === true && format !== 'json') throw new UsageError(`--json is short for --format json, which contradicts --format ${format}: give one`);
  return format as AuditFormat;
}

function auditOptions(values: Values, now: Date): AuditOptions {
  const regions = unique(listOf(values.region));
  if (values.region !== undefined && regions.length === 0) throw new UsageError('--region needs a value');
  for (const region of regions) checkRegion(region);

  const kindNames = unique(listOf(values.kinds));
  if (values.kinds !== undefined && kindNames.length === 0) throw new UsageError(`--kinds needs a value: one or more of ${RESOURCE_KINDS.join(', ')}`);
  for (const kind of kindNames) {
    if (!(RESOURCE_KINDS as readonly string[]).includes(kind)) {
      throw new UsageError(`--kinds: unknown kind ${JSON.stringify(kind)}; expected one or more of ${RESOURCE_KINDS.join(', ')}`);
    }
  }
  // Always in catalog order, so output does not depend on how the flag was written.
  const kinds = kindNames.length === 0 ? [...RESOURCE_KINDS] : RESOURCE_KINDS.filter((kind) => kindNames.includes(kind));

  const profile = profileOf(values);
  const policyFile = values.policy;
  if (policyFile?.trim() === '') throw new UsageError('--policy needs a file name');
  const members = membersOf(values);
  const switchParameter = values['switch-parameter']?.trim();
  if (switchParameter === '') throw new UsageError('--switch-parameter needs a parameter name');
  // Across accounts the switch is the hub's, one parameter in --hub-region whatever the regions audited.
  if (switchParameter !== undefined && regions.length > 1 && members === undefined) {
    throw new UsageError('--switch-parameter works with one --region at a time (the switch is a parameter in each region)');
  }
  if (values.yes === true && values.remediate !== true) throw new UsageError('--yes only makes sense with --remediate');
  const format = formatOf(values);

  return {
    regions,
    ...(profile !== undefined ? { profile } : {}),
    kinds,
    ...(values.since !== undefined ? { since: parseSince(values.since, now) } : {}),
    ...(policyFile !== undefined ? { policyFile } : {}),
    ...(switchParameter !== undefined ? { switchParameter } : {}),
    concurrency: parseConcurrency(values.concurrency),
    format,
    remediate: values.remediate === true,
    yes: values.yes === true,
    ...ledgerOf(values, regions, members !== undefined),
    ...(members !== undefined ? { members } : {}),
  };
}

/** --role-name with --accounts or --organization (and --hub-region): the audit across accounts; undefined without them. */
function membersOf(values: Values): MemberOptions | undefined {
  const roleName = values['role-name']?.trim();
  if (roleName === '') throw new UsageError('--role-name needs a role name');
  const accounts = unique(listOf(values.accounts));
  const hubRegion = values['hub-region']?.trim();
  if (roleName === undefined) {
    const stray = values.accounts !== undefined ? '--accounts' : values.organization === true ? '--organization' : hubRegion !== undefined ? '--hub-region' : undefined;
    if (stray !== undefined) throw new UsageError(`${stray} needs --role-name: the role the audit assumes in each account (the guard's member role, SageMakerGuard-member by default)`);
    return undefined;
  }
  if (!IAM_ROLE_NAME.test(roleName)) {
    throw new UsageError(`--role-name: ${JSON.stringify(values['role-name'])} is not an IAM role name (1 to 64 letters, digits and +=,.@_-, without a path)`);
  }
  if (values.accounts !== undefined && accounts.length === 0) throw new UsageError('--accounts needs a value: one or more 12-digit account ids, comma-separated');
  const invalid = accounts.find((account) => !ACCOUNT_ID.test(account));
  if (invalid !== undefined) throw new UsageError(`--accounts: ${JSON.stringify(invalid)} is not an account id (12 digits, such as 123456789012)`);
  if (accounts.length > 0 && values.organization === true) throw new UsageError('--accounts and --organization both say which accounts to audit: give one');
  if (accounts.length === 0 && values.organization !== true) {
    throw new UsageError('--role-name needs the accounts to enter: --accounts ID,... or --organization (every active account of the organization)');
  }
  if (hubRegion === '') throw new UsageError('--hub-region needs a value');
  if (hubRegion !== undefined && !REGION.test(hubRegion)) throw new UsageError(`--hub-region: ${JSON.stringify(hubRegion)} is not a region name such as us-east-1`);
  return { roleName, accounts: accounts.length > 0 ? accounts : 'organization', ...(hubRegion !== undefined ? { hubRegion } : {}) };
}

/** --table, or --stack (whose LedgerTableName output names it): where the guard's ledger is. */
function ledgerOf(values: Values, regions: readonly string[], hub: boolean): { table?: string; stack: string } {
  if (values.table === undefined) return { stack: stackOf(values) };
  // Across accounts the ledger is the hub's: one table for every account and region.
  if (regions.length > 1 && !hub) {
    throw new UsageError('--table names one region\'s ledger (each region\'s guard has its own); with several --region, use --stack, whose output names the ledger in each region');
  }
  const table = values.table.trim();
  if (table === '') throw new UsageError('--table needs a table name');
  if (!TABLE.test(table)) {
    throw new UsageError(`--table: ${JSON.stringify(values.table)} is not a DynamoDB table name (3-255 letters, digits, "_", "-" or ".") or table ARN`);
  }
  if (values.stack !== undefined) throw new UsageError('--table and --stack both say where the ledger is: give one (--stack only serves to find the table)');
  return { table, stack: DEFAULT_STACK };
}

/** The UTC midnight `days` days before `now`'s day. */
function daysBefore(now: Date, days: number): Date {
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return new Date(midnight - days * DAY_MS);
}

function historyOptions(values: Values, now: Date): HistoryOptions {
  const region = singleRegion(values, 'history');
  const profile = profileOf(values);
  let since = daysBefore(now, DEFAULT_HISTORY_DAYS);
  if (values.since !== undefined) {
    since = parseSince(values.since, now);
    const earliest = daysBefore(now, LEDGER_RETENTION_DAYS);
    if (since.getTime() < earliest.getTime()) {
      throw new UsageError(
        `--since: the ledger keeps records for ${LEDGER_RETENTION_DAYS} days, so ${values.since.trim()} is too far back (the earliest day is ${earliest.toISOString().slice(0, 10)})`,
      );
    }
  }
  let table: string | undefined;
  if (values.table !== undefined) {
    table = values.table.trim();
    if (table === '') throw new UsageError('--table needs a table name');
    if (!TABLE.test(table)) {
      throw new UsageError(`--table: ${JSON.stringify(values.table)} is not a DynamoDB table name (3-255 letters, digits, "_", "-" or ".") or table ARN`);
    }
    if (values.stack !== undefined) throw new UsageError('--table and --stack both say where the ledger is: give one (--stack only serves to find the table)');
  }
  return {
    ...(region !== undefined ? { region } : {}),
    ...(profile !== undefined ? { profile } : {}),
    since,
    json: values.json === true,
    ...(table !== undefined ? { table } : {}),
    stack: stackOf(values),
  };
}

/** An SSM parameter name, as the construct's switchParameterName takes it. */
const PARAMETER = /^\/?[A-Za-z0-9_.\-/]{1,1011}$/;

/** The stack's name: its resources' physical names start with it (an ARN names the stack, not that prefix). */
function guardStackName(values: Values): string {
  const stack = stackOf(values);
  if (stack.startsWith('arn:')) throw new UsageError('--stack: give the stack name, not its ARN: the guard\'s resource names start with the name');
  return stack;
}

function guardrailsOptions(values: Values): GuardrailsOptions {
  const policyFile = values.policy;
  if (policyFile?.trim() === '') throw new UsageError('--policy needs a file name');
  const format = values.format ?? 'scp';
  if (!(GUARDRAIL_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format: ${JSON.stringify(format)} is not a guardrail format (expected one of: ${GUARDRAIL_FORMATS.join(', ')})`);
  }
  const out = values.out;
  if (out?.trim() === '') throw new UsageError('--out needs a directory');
  const switchParameter = values['switch-parameter'] ?? DEFAULT_SWITCH;
  if (!PARAMETER.test(switchParameter)) throw new UsageError(`--switch-parameter: ${JSON.stringify(switchParameter)} is not an SSM parameter name`);
  return {
    ...(policyFile !== undefined ? { policyFile } : {}),
    format: format as GuardrailsFormat,
    ...(out !== undefined ? { out } : {}),
    stack: guardStackName(values),
    switchParameter,
    json: values.json === true,
  };
}

/** The region a queue URL names, when its host is an AWS SQS endpoint. */
export function queueUrlRegion(url: string): string | undefined {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return undefined;
  }
  for (const pattern of QUEUE_HOST_REGION) {
    const region = pattern.exec(host)?.[1];
    if (region !== undefined) return region;
  }
  return undefined;
}

function parseQueueUrl(value: string): string {
  const text = value.trim();
  if (text === '') throw new UsageError('--queue-url needs a queue URL');
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:') || !QUEUE_PATH.test(url.pathname) || url.search !== '' || url.hash !== '') {
    throw new UsageError(`--queue-url: expected a queue URL such as https://sqs.us-east-1.amazonaws.com/123456789012/queue-name (given: ${JSON.stringify(value)})`);
  }
  return text;
}

function redriveOptions(values: Values): RedriveOptions {
  let region = singleRegion(values, 'redrive');
  const profile = profileOf(values);
  let queueUrl: string | undefined;
  if (values['queue-url'] !== undefined) {
    queueUrl = parseQueueUrl(values['queue-url']);
    if (values.stack !== undefined) throw new UsageError('--queue-url and --stack both say where the queue is: give one (--stack only serves to find the queue)');
    const urlRegion = queueUrlRegion(queueUrl);
    if (region !== undefined && urlRegion !== undefined && region !== urlRegion) {
      throw new UsageError(`--region ${region} does not match the queue URL, which is in ${urlRegion}`);
    }
    region ??= urlRegion;
  }
  if (values['dry-run'] === true && values.yes === true) throw new UsageError('--dry-run changes nothing, so --yes (replay without asking) contradicts it: give one');
  return {
    ...(region !== undefined ? { region } : {}),
    ...(profile !== undefined ? { profile } : {}),
    ...(queueUrl !== undefined ? { queueUrl } : {}),
    stack: stackOf(values),
    dryRun: values['dry-run'] === true,
    yes: values.yes === true,
  };
}
