import { SEVERITY_ORDER, type Finding, type Severity } from '../controls/types';
import { actionableFindings } from './decision';
import { KINDS, type ResourceKind } from '../kinds/registry';
import { PAST_TENSE as PAST, type Action } from '../kinds/types';
import type { IgnoredExemption } from './modes';
import { TAG } from './tags';
import { oneLine, snsSubject } from './text';

/**
 * What the guard did about the findings, as told in the notice: only what really happened. `acted` is
 * told after the Stop or Delete call succeeded (by this invocation, or by an earlier attempt whose result
 * was never recorded); `denied` names the error and the permission; `gone` is a resource deleted before
 * the guard could act.
 */
export type Outcome =
  | { readonly type: 'acted'; readonly action: Action; readonly byEarlierAttempt?: boolean; readonly status?: string }
  | { readonly type: 'report-only'; readonly action: Action }
  /** An enforced control failed on a resource of the existing estate (older than enforcement): told, not acted on. */
  | { readonly type: 'existing'; readonly action: Action; readonly enforcementSince: string }
  | { readonly type: 'not-possible'; readonly action: Action; readonly status: string | undefined; readonly neverCalled?: boolean; readonly reason?: string }
  | { readonly type: 'denied'; readonly action: Action; readonly errorName: string; readonly permission: string }
  | { readonly type: 'gone'; readonly action: Action };

export interface NoticeInput {
  readonly kind: ResourceKind;
  readonly name: string;
  readonly arn: string;
  readonly account: string;
  readonly region: string;
  readonly eventId: string;
  /** Status when the guard described the resource (undefined for models). */
  readonly status: string | undefined;
  /** Every failed control, exempt ones included (they are listed apart). */
  readonly findings: readonly Finding[];
  readonly outcome: Outcome;
  /** Whether the guard's explanation tags were written on the resource (the notice names them only then). */
  readonly tagged: boolean;
  readonly owner: string | undefined;
  /** Exemptions found on the resource or in the policy that do not count, and why. */
  readonly ignoredExemptions: readonly IgnoredExemption[];
  /** Owner addresses whose subscription filter matches this notice's owner attribute. */
  readonly ownerRecipients: readonly string[];
  /** Facts from reads of other resources, told after what was done (the endpoints still serving a model). */
  readonly notes?: readonly string[];
}

export interface Notice {
  readonly subject: string;
  readonly message: string;
  /** SNS message attributes, for subscription filter policies. Values are never empty. */
  readonly attributes: Readonly<Record<string, string>>;
}


export function highestSeverity(findings: readonly Finding[]): Severity {
  return SEVERITY_ORDER.find((severity) => findings.some((finding) => finding.severity === severity)) ?? 'low';
}

function sortBySeverity(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity));
}

/** The attribute value subscribers filter on: what happened, in one word. */
export function actionAttribute(outcome: Outcome): string {
  switch (outcome.type) {
    case 'acted':
      return PAST[outcome.action];
    case 'report-only':
    case 'existing':
      return `would-${outcome.action}`;
    case 'denied':
      return 'denied';
    case 'not-possible':
    case 'gone':
      return 'none';
  }
}

function headline(input: NoticeInput): string {
  const label = KINDS[input.kind].label;
  const { outcome } = input;
  switch (outcome.type) {
    case 'acted':
      return `${capitalise(PAST[outcome.action])} ${label} ${input.name}`;
    case 'report-only':
      return `Would ${outcome.action} ${label} ${input.name}`;
    case 'existing':
      return `Would ${outcome.action} existing ${label} ${input.name}`;
    case 'not-possible':
      return `Could not ${outcome.action} ${label} ${input.name}`;
    case 'denied':
      return `Denied: could not ${outcome.action} ${label} ${input.name}`;
    case 'gone':
      return `Gone before the guard acted: ${label} ${input.name}`;
  }
}

export function subjectFor(input: NoticeInput): string {
  const count = actionableFindings(input.findings).length;
  const subject = `[sagemaker-guard] ${headline(input)}: ${count} control${count === 1 ? '' : 's'} failed`;
  return snsSubject(subject);
}

function whatWasDone(input: NoticeInput): string {
  const { outcome } = input;
  const { label, api } = KINDS[input.kind];
  const tagged = input.tagged ? ` Its tag ${TAG.violations} lists the failed controls.` : '';
  switch (outcome.type) {
    case 'acted': {
      const how = outcome.byEarlierAttempt === true ? `${api}, called by an earlier attempt of the guard whose result was not recorded` : api;
      const now = outcome.status !== undefined ? ` Status now: ${outcome.status}.` : '';
      return `${capitalise(PAST[outcome.action])} the ${label} (${how}).${now}${tagged}`;
    }
    case 'report-only': {
      const deferred = KINDS[input.kind].deferredWhile;
      const when = deferred !== undefined && input.status === deferred.status ? `, ${deferred.until}` : '';
      return `Nothing: the failed controls are in report mode. Enforced, they would have ${PAST[outcome.action]} the ${label}${when}.`;
    }
    case 'existing': {
      const { episodeBegan: began, actsNext: next } = KINDS[input.kind];
      return (
        `Nothing yet: the controls are enforced, but this ${label} ${began} before the guard began enforcing (${outcome.enforcementSince}), ` +
        `so it is part of the existing estate, which the guard reports and does not ${outcome.action} (the policy's sweep.actOnExisting is off). ` +
        `Fix it: the guard will ${outcome.action} it ${next}, or at its next sweep once the security team turns sweep.actOnExisting on.`
      );
    }
    case 'not-possible':
      if (outcome.reason !== undefined) return `Nothing: the guard did not call ${api}: ${outcome.reason}${tagged}`;
      return outcome.neverCalled === true
        ? `Nothing: the ${label} had already reached status ${outcome.status ?? '(unknown)'} before the guard could call ${api}.${tagged}`
        : `Nothing: the ${label} could not be ${PAST[outcome.action]} because it had already reached status ${outcome.status ?? '(unknown)'} when ${api} was called.${tagged}`;
    case 'denied':
      return (
        `Nothing: ${api} was denied (${outcome.errorName}), so the ${label} is still running as described above. ` +
        `The guard's role needs ${outcome.permission} on ${input.arn}; look for a service control policy, a permissions boundary ` +
        `or a change to the role. The operators' "actions denied" alarm has fired. The sweep tries again.${tagged}`
      );
    case 'gone':
      return `Nothing: the ${label} no longer existed when ${api} was called (someone deleted it first).`;
  }
}

export function consoleUrl(kind: ResourceKind, name: string, region: string, arn: string): string {
  const partition = arn.split(':')[1] ?? 'aws';
  const host =
    partition === 'aws-cn' ? 'console.amazonaws.cn' : partition === 'aws-us-gov' ? 'console.amazonaws-us-gov.com' : 'console.aws.amazon.com';
  return `https://${region}.${host}/sagemaker/home?region=${region}#/${KINDS[kind].consolePath}/${encodeURIComponent(name)}`;
}

function modeLine(finding: Finding): string {
  const source =
    finding.modeSource === 'switch'
      ? 'the account-wide switch is set to report'
      : finding.modeSource === 'kind-default' && finding.modeNote !== undefined
        ? `set by kind-default: ${finding.modeNote}`
        : `set by ${finding.modeSource}`;
  return finding.mode === 'enforce' ? `enforced (${source})` : `report only (${source})`;
}

function findingLines(findings: readonly Finding[]): string[] {
  return sortBySeverity(findings).flatMap((finding, index) => [
    `${index + 1}. [${finding.severity.toUpperCase()}] ${finding.title} (${finding.controlId})`,
    `   Found: ${finding.observed}`,
    `   Mode:  ${modeLine(finding)}`,
    `   Why:   ${finding.why}`,
    `   Fix:   ${finding.fix}`,
    '',
  ]);
}

function exemptionLines(input: NoticeInput): string[] {
  const exempt = input.findings.filter((finding) => finding.mode === 'exempt');
  const lines: string[] = [];
  if (exempt.length > 0) {
    lines.push('EXEMPT (logged, not acted on)');
    for (const finding of exempt) lines.push(`  - ${finding.controlId}: ${finding.observed} [${finding.modeSource}: ${finding.modeNote ?? ''}]`);
    lines.push('');
  }
  if (input.ignoredExemptions.length > 0) {
    lines.push('EXEMPTIONS IGNORED');
    for (const ignored of input.ignoredExemptions) lines.push(`  - ${ignored.why}`);
    lines.push('');
  }
  return lines;
}

function toldLines(input: NoticeInput): string[] {
  const owners = input.ownerRecipients.map((address) => `${address} (owner ${input.owner ?? ''})`);
  return ['WHO WAS TOLD', `  The sagemaker-guard subscribers${owners.length > 0 ? `, and ${owners.join(', ')}` : ''}.`, ''];
}

/** Builds the notice: plain text a person can act on without opening the console. Pure. */
export function buildNotice(input: NoticeInput): Notice {
  const label = KINDS[input.kind].label;
  const failed = actionableFindings(input.findings);
  const message = [
    `${headline(input)}: it fails ${failed.length} SageMaker security control${failed.length === 1 ? '' : 's'}.`,
    '',
    'RESOURCE',
    `  Kind:     ${label}`,
    `  Name:     ${input.name}`,
    `  ARN:      ${input.arn}`,
    `  Account:  ${input.account}`,
    `  Region:   ${input.region}`,
    ...(input.status !== undefined ? [`  Status:   ${input.status} when checked`] : []),
    `  Owner:    ${input.owner ?? '(no owner tag)'}`,
    `  Console:  ${consoleUrl(input.kind, input.name, input.region, input.arn)}`,
    '',
    'WHAT WAS DONE',
    `  ${whatWasDone(input)}`,
    ...(input.notes ?? []).map((note) => `  ${note}`),
    '',
    'FAILED CONTROLS (highest severity first)',
    ...findingLines(failed).map((line) => (line === '' ? '' : `  ${line}`)),
    ...exemptionLines(input),
    ...toldLines(input),
    'FIND THE LOG LINE',
    `  Event id: ${input.eventId}`,
    `  CloudWatch Logs Insights: fields @timestamp, message | filter correlation_id = "${input.eventId}"`,
    '',
    '-- sagemaker-guard',
  ]
    .map(oneLine)
    .join('\n');
  const attributes: Record<string, string> = {
    kind: input.kind,
    action: actionAttribute(input.outcome),
    severity: highestSeverity(failed),
    account: input.account,
    region: input.region,
  };
  const owner = input.owner === undefined ? '' : oneLine(input.owner).trim();
  if (owner !== '') attributes.owner = owner;
  return { subject: subjectFor(input), message, attributes };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The owner addresses the policy routes this owner's notices to (the same match SNS filter policies make). */
export function ownerRecipients(owner: string | undefined, owners: Readonly<Record<string, readonly string[]>>): string[] {
  if (owner === undefined || owner.trim() === '') return [];
  return Object.entries(owners)
    .filter(([, values]) => values.includes(owner))
    .map(([address]) => address);
}
