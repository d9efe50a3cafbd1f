/**
 * Notices for the operators about the guard itself: an exemption it honoured, a switch it could not read,
 * a change of the switch. Pure. They carry no `owner` attribute (so owners' filtered subscriptions skip
 * them), except the exemption notice, which the resource's owner may see too.
 */
import type { Finding } from '../controls/types';
import { KINDS, type ResourceKind } from '../kinds/registry';
import type { ActiveExemption, SwitchValue } from './modes';
import { highestSeverity, type Notice } from './notice';
import { oneLine, snsSubject } from './text';
import type { RemediationRecord } from '../ledger/records';

const SIGNATURE = '-- sagemaker-guard';

function subject(text: string): string {
  return snsSubject(`[sagemaker-guard] ${text}`);
}

function body(lines: readonly string[]): string {
  return [...lines, '', SIGNATURE].map(oneLine).join('\n');
}

export interface ExemptionNoticeInput {
  readonly kind: ResourceKind;
  readonly name: string;
  readonly arn: string;
  readonly account: string;
  readonly region: string;
  readonly exemption: ActiveExemption;
  /** The failed controls this exemption keeps the guard from acting on. */
  readonly exempted: readonly Finding[];
  readonly owner: string | undefined;
  readonly correlationId: string;
}

/** Sent the first time the guard honours an exemption, and again when its controls or expiry change. */
export function buildExemptionNotice(input: ExemptionNoticeInput): Notice {
  const { label } = KINDS[input.kind];
  const { exemption } = input;
  const how =
    exemption.source === 'exemption-tag'
      ? `the resource's own tag sagemaker-guard:exempt=${exemption.scope} (set by whoever may tag it; bounded by the policy's tagExemptions)`
      : `the policy's exemption for ${label} names starting "${exemption.scope}"`;
  const message = body([
    `The guard honoured an exemption for ${label} ${input.name}: ${input.exempted.length} failed control${input.exempted.length === 1 ? ' is' : 's are'} not acted on.`,
    '',
    'EXEMPTION',
    `  From:     ${how}`,
    `  Reason:   ${exemption.reason}`,
    `  Until:    ${exemption.expires ?? 'no expiry (policy exemption)'}`,
    '',
    'CONTROLS IT EXEMPTS THAT FAIL NOW',
    ...input.exempted.map((finding) => `  - [${finding.severity.toUpperCase()}] ${finding.controlId}: ${finding.observed}`),
    '',
    'RESOURCE',
    `  ARN:      ${input.arn}`,
    `  Account:  ${input.account}`,
    `  Region:   ${input.region}`,
    `  Owner:    ${input.owner ?? '(no owner tag)'}`,
    '',
    'You are told once per exemption; again only if its controls or expiry change. To end it, remove the tag',
    '(or the policy entry); to forbid tag exemptions, set "tagExemptions": {"controls": "none"} in the policy.',
    `  Event id: ${input.correlationId}`,
  ]);
  const attributes: Record<string, string> = {
    kind: input.kind,
    action: 'exempted',
    severity: highestSeverity(input.exempted),
    account: input.account,
    region: input.region,
  };
  const owner = input.owner === undefined ? '' : oneLine(input.owner).trim();
  if (owner !== '') attributes.owner = owner;
  return { subject: subject(`Exemption honoured for ${label} ${input.name}`), message, attributes };
}

export interface SwitchProblemInput {
  readonly parameterName: string;
  readonly detail: string;
  readonly account: string;
  readonly region: string;
}

/** The switch could not be read: the guard keeps enforcing the policy, and says so. */
export function buildSwitchProblemNotice(input: SwitchProblemInput): Notice {
  return {
    subject: subject(`Enforcement switch unreadable in ${input.account} ${input.region}: enforcing the policy`),
    message: body([
      `${input.detail}.`,
      '',
      'WHAT THE GUARD DOES',
      '  It fails safe: it goes on enforcing the policy, as if the switch said "policy". It does not stop working.',
      '',
      'WHAT TO DO',
      `  Put the parameter back: aws ssm put-parameter --name ${input.parameterName} --type String --overwrite --value policy`,
      '  (or "report" to stop all enforcement). Then find out who deleted or changed it: CloudTrail, event source ssm.amazonaws.com.',
      '  You are told at most once an hour while the problem lasts; the SwitchFallback alarm stays in ALARM meanwhile.',
    ]),
    attributes: { kind: 'guard', action: 'switch-fallback', severity: 'high', account: input.account, region: input.region },
  };
}

export interface MemberAccessInput {
  readonly account: string;
  readonly region: string;
  readonly roleArn: string;
  /** What STS said. */
  readonly detail: string;
  /** What the guard could not look at: "training job train-1", or "the sweep of the account". */
  readonly about: string;
}

/** A member account the guard cannot enter: it cannot see or act there until the role is back. */
export function buildMemberAccessNotice(input: MemberAccessInput): Notice {
  return {
    subject: subject(`Cannot reach account ${input.account} ${input.region}: nothing there is checked`),
    message: body([
      `The guard could not assume ${input.roleArn} to check ${input.about}: ${input.detail}.`,
      '',
      'WHAT THE GUARD DOES',
      '  Nothing in that account: it does not guess. The event is retried, then kept in the dead-letter queue;',
      '  replay it with `npx sagemaker-guard redrive` once the role is back.',
      '',
      'WHAT TO DO',
      `  Check the guard's stack instance in ${input.account} ${input.region} (the StackSet's instances, in the hub's CloudFormation console):`,
      "  the member role must exist and trust the hub's function roles. Then find out who changed it: CloudTrail, event source iam.amazonaws.com.",
      '  You are told at most once an hour per account and region while the problem lasts.',
    ]),
    attributes: { kind: 'guard', action: 'member-unreachable', severity: 'high', account: input.account, region: input.region },
  };
}

export interface SwitchChangeInput {
  readonly parameterName: string;
  /** Parameter Store's operation: Create, Update, Delete, LabelParameterVersion. */
  readonly operation: string;
  readonly time: string;
  readonly reading: { readonly value: SwitchValue; readonly problem?: { readonly detail: string } };
  readonly account: string;
  readonly region: string;
}

/** Every change of the switch reaches the operators, with what it now means. */
export function buildSwitchChangeNotice(input: SwitchChangeInput): Notice {
  const { reading } = input;
  const meaning =
    reading.problem !== undefined
      ? `${reading.problem.detail}: the guard fails safe and enforces the policy.`
      : reading.value === 'report'
        ? 'The guard now only REPORTS: it stops, deletes and tags nothing until the switch is set back to "policy".'
        : 'The guard follows the policy: enforced controls are acted on.';
  return {
    subject: subject(`Enforcement switch ${input.operation}: now ${reading.problem !== undefined ? 'unreadable (enforcing)' : reading.value} in ${input.account} ${input.region}`),
    message: body([
      `The enforcement switch ${input.parameterName} changed (${input.operation} at ${input.time}).`,
      '',
      `NOW: ${meaning}`,
      '',
      'It takes effect within 30 seconds. Who changed it: CloudTrail, event source ssm.amazonaws.com, for this parameter.',
    ]),
    attributes: {
      kind: 'guard',
      action: 'switch-changed',
      severity: reading.value === 'report' ? 'high' : 'medium',
      account: input.account,
      region: input.region,
    },
  };
}

/**
 * A remediation whose outcome was never recorded: the invocation that claimed it, and its retries, died
 * after (perhaps) calling the action. Told once, so that even a model deleted that way is not deleted in
 * silence; the record stays in doubt, and the next event or sweep that finds the resource finishes it.
 */
export function buildInDoubtNotice(record: RemediationRecord): Notice {
  const { kind, name, account, region } = record.ref;
  const { label, api } = KINDS[kind];
  const attempts = record.actAttempts;
  const owner = record.owner === undefined ? '' : oneLine(record.owner).trim();
  return {
    subject: subject(`Outcome unknown: ${record.action} ${label} ${name}`),
    message: body([
      `The guard decided to ${record.action} ${label} ${name} at ${record.at}, but never recorded what came of it:`,
      `the invocation (event ${record.correlationId}) and its retries failed. ${api} was called ${attempts} time${attempts === 1 ? '' : 's'}.`,
      '',
      'RESOURCE',
      `  ARN:      ${record.arn}`,
      `  Account:  ${account}`,
      `  Region:   ${region}`,
      `  Owner:    ${record.owner ?? '(no owner tag)'}`,
      `  Failed:   ${record.controls.join(', ')}`,
      '',
      'WHAT TO DO',
      `  Look at the ${label}: ${attempts > 0 ? `it may have been ${record.action === 'stop' ? 'stopped' : 'deleted'} by the guard` : 'the guard never got to act on it'}.`,
      '  The dead-letter queue holds the event (npx sagemaker-guard redrive replays it); the next sweep or event',
      '  that finds the resource finishes the remediation and sends its notice.',
    ]),
    attributes: {
      kind,
      action: 'unknown',
      severity: 'high',
      account,
      region,
      ...(owner !== '' ? { owner } : {}),
    },
  };
}
