/**
 * The command line, parsed and validated without side effects: argv in, options or a UsageError out.
 * Imports nothing that creates AWS clients or loggers (main.ts sets their environment first).
 */
import { parseArgs } from 'node:util';
import { RESOURCE_KINDS, type ResourceKind } from '../lambda/core/kinds';

export const COMMAND = 'sagemaker-guard';
export const DEFAULT_CONCURRENCY = 8;
export const MAX_CONCURRENCY = 32;

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
  readonly json: boolean;
  readonly remediate: boolean;
  readonly yes: boolean;
}

export type Parsed = { readonly command: 'help' } | { readonly command: 'audit'; readonly options: AuditOptions };

/** A mistake in the command line: the message says what and how to fix it; main prints it with the usage text. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const USAGE = `Usage: ${COMMAND} audit [options]

Checks the SageMaker resources that already exist against the guard's controls: running training jobs,
notebook instances (any state; only InService ones can be stopped) and all models. Changes nothing unless
--remediate is given.

Options:
  --region REGION          region to audit; repeat for several (default: AWS_REGION or the profile's region)
  --profile NAME           AWS profile from ~/.aws/config (default: the usual credential chain)
  --kinds LIST             comma-separated: ${RESOURCE_KINDS.join(',')} (default: all)
  --since DATE             training jobs created since DATE (YYYY-MM-DD or ISO 8601), in any status,
                           for a historical report (default: only InProgress jobs)
  --policy FILE            policy JSON, the same document as the "policy" key in cdk.json
                           (default: the built-in defaults)
  --switch-parameter NAME  honour the enforcement switch in this SSM parameter (one region only)
  --concurrency N          Describe calls in flight at once, 1-${MAX_CONCURRENCY} (default ${DEFAULT_CONCURRENCY})
  --json                   one JSON object per line per resource, then a summary object
  --remediate              stop or delete what fails an enforced control, as the responder does (asks first)
  --yes                    with --remediate: do not ask
  -h, --help               this text

Exit codes: 0 no violations, 1 violations found, 2 usage, access or other errors.`;

const OPTIONS = {
  region: { type: 'string', multiple: true },
  profile: { type: 'string' },
  kinds: { type: 'string', multiple: true },
  since: { type: 'string' },
  policy: { type: 'string' },
  'switch-parameter': { type: 'string' },
  concurrency: { type: 'string' },
  json: { type: 'boolean' },
  remediate: { type: 'boolean' },
  yes: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Commercial, GovCloud, China and ISO partitions: us-east-1, us-gov-west-1, cn-north-1, us-isob-east-1. */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function nodeParse(argv: readonly string[]): ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>> {
  try {
    return parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
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
  const { values, positionals } = nodeParse(argv);
  if (values.help === true) return { command: 'help' };
  const [command, ...extra] = positionals as (string | undefined)[];
  if (command === undefined) throw new UsageError('missing command: expected "audit"');
  if (command !== 'audit') throw new UsageError(`unknown command ${JSON.stringify(command)}: expected "audit"`);
  if (extra.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`);

  const regions = unique(listOf(values.region));
  if (values.region !== undefined && regions.length === 0) throw new UsageError('--region needs a value');
  for (const region of regions) {
    if (!REGION.test(region)) throw new UsageError(`--region: ${JSON.stringify(region)} is not a region name such as us-east-1`);
  }

  const kindNames = unique(listOf(values.kinds));
  if (values.kinds !== undefined && kindNames.length === 0) throw new UsageError(`--kinds needs a value: one or more of ${RESOURCE_KINDS.join(', ')}`);
  for (const kind of kindNames) {
    if (!(RESOURCE_KINDS as readonly string[]).includes(kind)) {
      throw new UsageError(`--kinds: unknown kind ${JSON.stringify(kind)}; expected one or more of ${RESOURCE_KINDS.join(', ')}`);
    }
  }
  // Always in catalog order, so output does not depend on how the flag was written.
  const kinds = kindNames.length === 0 ? [...RESOURCE_KINDS] : RESOURCE_KINDS.filter((kind) => kindNames.includes(kind));

  const profile = values.profile?.trim();
  if (profile === '') throw new UsageError('--profile needs a value');
  const policyFile = values.policy;
  if (policyFile?.trim() === '') throw new UsageError('--policy needs a file name');
  const switchParameter = values['switch-parameter']?.trim();
  if (switchParameter === '') throw new UsageError('--switch-parameter needs a parameter name');
  if (switchParameter !== undefined && regions.length > 1) {
    throw new UsageError('--switch-parameter works with one --region at a time (the switch is a parameter in each region)');
  }
  if (values.yes === true && values.remediate !== true) throw new UsageError('--yes only makes sense with --remediate');

  return {
    command: 'audit',
    options: {
      regions,
      ...(profile !== undefined ? { profile } : {}),
      kinds,
      ...(values.since !== undefined ? { since: parseSince(values.since, now) } : {}),
      ...(policyFile !== undefined ? { policyFile } : {}),
      ...(switchParameter !== undefined ? { switchParameter } : {}),
      concurrency: parseConcurrency(values.concurrency),
      json: values.json === true,
      remediate: values.remediate === true,
      yes: values.yes === true,
    },
  };
}
