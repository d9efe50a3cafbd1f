import { SEVERITY_ORDER, type Finding, type Severity } from '../controls/types';
import { actionableFindings } from './decision';
import { KINDS, type ResourceKind } from '../kinds/registry';
import { PAST_TENSE } from '../kinds/types';
import type { Notice } from './notice';
import { oneLine, snsSubject } from './text';

/** One resource's line in a sweep summary. */
export interface SweepLine {
  readonly kind: ResourceKind;
  readonly name: string;
  readonly status?: string;
  readonly decision: string;
  readonly action: string;
  readonly failed: readonly string[];
}

/** One honoured exemption in a sweep summary. */
export interface ExemptionLine {
  readonly kind: ResourceKind;
  readonly name: string;
  readonly source: string;
  readonly reason: string;
  readonly expires?: string | undefined;
  readonly controls: readonly string[];
}

/** How many resource lines a summary keeps; the counts cover everything. */
export const MAX_SUMMARY_LINES = 50;

/** A tally as plain data: what a Step Functions sweep task returns, and what its summary merges. */
export interface TallyData {
  readonly checked: number;
  readonly byDecision: Readonly<Record<string, number>>;
  readonly byControl: Readonly<Record<string, number>>;
  readonly lines: readonly SweepLine[];
  readonly withFindings: number;
  readonly failures: number;
  readonly highest?: Severity;
  readonly notified: number;
  readonly exemptionCount: number;
  readonly exemptions: readonly ExemptionLine[];
  readonly existing: number;
  readonly enforcementSince?: string;
}

function addCounts(into: Record<string, number>, from: Readonly<Record<string, number>>): void {
  for (const [key, count] of Object.entries(from)) into[key] = (into[key] ?? 0) + count;
}

/**
 * Counts what a sweep found, one resource at a time, keeping at most MAX_SUMMARY_LINES lines of detail
 * so a sweep of any size runs in bounded memory. Tallies of parts of a sweep (one per account, region and
 * kind) merge into one: the counts add up, the lines stay at most MAX_SUMMARY_LINES.
 */
export class SweepTally {
  static from(data: TallyData): SweepTally {
    const tally = new SweepTally();
    tally.merge(data);
    return tally;
  }

  checked = 0;
  readonly byDecision: Record<string, number> = {};
  readonly byControl: Record<string, number> = {};
  readonly lines: SweepLine[] = [];
  withFindings = 0;
  failures = 0;
  highest: Severity | undefined;
  /** Per-resource notices the run sent (acted on, reported, denied). */
  notified = 0;
  /** Exemptions honoured: every one is counted, the first MAX_SUMMARY_LINES are listed. */
  exemptionCount = 0;
  readonly exemptions: ExemptionLine[] = [];
  /** Resources of the existing estate: enforced controls failed, but they predate enforcement, so they were reported. */
  existing = 0;
  /** When enforcement began, as the ledger says (from the first existing-estate item). */
  enforcementSince: string | undefined;

  add(item: {
    kind: ResourceKind;
    name: string;
    status?: string;
    decision: string;
    findings?: readonly Finding[];
    actionResult?: { type: string };
    notified?: boolean;
    exemptionsHonoured?: readonly { source: string; scope: string; reason: string; expires?: string; controls: readonly string[] }[];
    existing?: { readonly enforcementSince: string };
  }): void {
    this.checked += 1;
    if (item.existing !== undefined) {
      this.existing += 1;
      this.enforcementSince ??= item.existing.enforcementSince;
    }
    if (item.notified === true) this.notified += 1;
    for (const exemption of item.exemptionsHonoured ?? []) {
      this.exemptionCount += 1;
      if (this.exemptions.length < MAX_SUMMARY_LINES) {
        this.exemptions.push({ kind: item.kind, name: item.name, source: exemption.source, reason: exemption.reason, expires: exemption.expires, controls: exemption.controls });
      }
    }
    this.byDecision[item.decision] = (this.byDecision[item.decision] ?? 0) + 1;
    if (item.decision === 'error') this.failures += 1;
    const failed = actionableFindings(item.findings ?? []);
    if (failed.length === 0) return;
    this.withFindings += 1;
    for (const finding of failed) {
      this.byControl[finding.controlId] = (this.byControl[finding.controlId] ?? 0) + 1;
      if (this.highest === undefined || SEVERITY_ORDER.indexOf(finding.severity) < SEVERITY_ORDER.indexOf(this.highest)) this.highest = finding.severity;
    }
    if (this.lines.length < MAX_SUMMARY_LINES) {
      this.lines.push({
        kind: item.kind,
        name: item.name,
        ...(item.status !== undefined ? { status: item.status } : {}),
        decision: item.decision,
        action: item.existing !== undefined ? `not ${PAST_TENSE[KINDS[item.kind].action]}: existing estate, reported (older than enforcement)` : actionText(item.decision, item.kind, item.actionResult?.type),
        failed: failed.map((finding) => finding.controlId),
      });
    }
  }

  /** Adds another tally's counts and, up to MAX_SUMMARY_LINES, its lines. */
  merge(other: TallyData): void {
    this.checked += other.checked;
    addCounts(this.byDecision, other.byDecision);
    addCounts(this.byControl, other.byControl);
    this.lines.push(...other.lines.slice(0, Math.max(0, MAX_SUMMARY_LINES - this.lines.length)));
    this.withFindings += other.withFindings;
    this.failures += other.failures;
    if (other.highest !== undefined && (this.highest === undefined || SEVERITY_ORDER.indexOf(other.highest) < SEVERITY_ORDER.indexOf(this.highest))) this.highest = other.highest;
    this.notified += other.notified;
    this.exemptionCount += other.exemptionCount;
    this.exemptions.push(...other.exemptions.slice(0, Math.max(0, MAX_SUMMARY_LINES - this.exemptions.length)));
    this.existing += other.existing;
    this.enforcementSince ??= other.enforcementSince;
  }

  toData(): TallyData {
    return {
      checked: this.checked,
      byDecision: { ...this.byDecision },
      byControl: { ...this.byControl },
      lines: [...this.lines],
      withFindings: this.withFindings,
      failures: this.failures,
      ...(this.highest !== undefined ? { highest: this.highest } : {}),
      notified: this.notified,
      exemptionCount: this.exemptionCount,
      exemptions: [...this.exemptions],
      existing: this.existing,
      ...(this.enforcementSince !== undefined ? { enforcementSince: this.enforcementSince } : {}),
    };
  }

  /** Whether the run found anything worth a notice: violations, exemptions, or resources it could not check. */
  get found(): boolean {
    return this.withFindings > 0 || this.failures > 0 || this.exemptionCount > 0;
  }
}

function actionText(decision: string, kind: ResourceKind, result: string | undefined): string {
  const past = PAST_TENSE[KINDS[kind].action];
  if (decision === 'remediate' || decision === 'resume' || decision === 'retry-denied' || decision === 'retry-refused') return result === 'done' ? past : `not ${past} (${result ?? 'unknown'})`;
  if (decision === 'duplicate' || decision === 'busy' || decision === 'resend-notice') return 'none (already handled: see the ledger)';
  if (decision === 'report') return `would be ${past} (report mode)`;
  if (decision === 'not-actionable') return 'none (not in a state that can be acted on)';
  if (decision === 'part-of') return 'none (judged with the resource that launched it)';
  return 'none';
}

export interface SweepRun {
  readonly account: string;
  readonly region: string;
  readonly correlationId: string;
  readonly startedAt: Date;
  readonly durationMs: number;
  /** Set when the run stopped before it had checked everything (its time ran out). */
  readonly incomplete?: string;
  /** What the run's drain of the notice outbox did. */
  readonly outbox?: { readonly sent: number; readonly failed: number };
  /** A Step Functions sweep's reach: how many accounts, which regions, in how many parts (shards). */
  readonly scope?: { readonly accounts: number; readonly regions: readonly string[]; readonly shards: number };
  /** Accounts and regions it could not enter: nothing there was checked. */
  readonly unreachable?: readonly { readonly account: string; readonly region: string; readonly roleArn: string; readonly error: string }[];
  /** Parts it could not finish: how many, the first MAX_SUMMARY_LINES of them, and how to run them again. */
  readonly unfinished?: {
    readonly count: number;
    readonly lines: readonly { readonly account: string; readonly region: string; readonly kind: ResourceKind; readonly error: string }[];
    readonly resume?: string;
  };
}

/** Whether a run is worth a notice: what the tally found, or what it could not reach or finish. */
export function sweepIsNoteworthy(tally: SweepTally, run: SweepRun): boolean {
  return tally.found || run.incomplete !== undefined || (run.outbox?.failed ?? 0) > 0 || (run.unreachable?.length ?? 0) > 0 || (run.unfinished?.count ?? 0) > 0;
}

function reachLines(run: SweepRun): string[] {
  const unreachable = run.unreachable ?? [];
  const unfinished = run.unfinished;
  return [
    ...(unreachable.length > 0
      ? [
          '',
          `UNREACHABLE: ${unreachable.length} account and region pair${unreachable.length === 1 ? '' : 's'} could not be entered, so nothing there was checked. The member role is missing there, or does not trust the hub's sweep role: check the StackSet's instance in that account.`,
          ...unreachable.slice(0, MAX_SUMMARY_LINES).map((target) => `  - ${target.account} ${target.region}: ${target.roleArn} (${target.error})`),
          ...(unreachable.length > MAX_SUMMARY_LINES ? [`  ... and ${unreachable.length - MAX_SUMMARY_LINES} more`] : []),
        ]
      : []),
    ...(unfinished !== undefined && unfinished.count > 0
      ? [
          '',
          `NOT FINISHED: ${unfinished.count} part${unfinished.count === 1 ? '' : 's'} (a kind in an account and region) did not finish${unfinished.lines.length < unfinished.count ? ` (first ${unfinished.lines.length} listed)` : ''}:`,
          ...unfinished.lines.map((part) => `  - ${part.account} ${part.region} ${KINDS[part.kind].label}: ${part.error}`),
          ...(unfinished.resume !== undefined ? [`  To run just these again, from where each stopped: ${unfinished.resume}`] : ['  The next run checks them again.']),
        ]
      : []),
  ];
}

/** The one notice a scheduled sweep sends when it found something. Pure. */
export function buildSweepNotice(tally: SweepTally, run: SweepRun): Notice {
  const controls = Object.entries(tally.byControl).sort(([, a], [, b]) => b - a);
  const decisions = Object.entries(tally.byDecision).map(([decision, count]) => `${decision} ${count}`).join(', ');
  // One account in one region reads as before; a wider run names its reach.
  const scope = run.scope !== undefined && (run.scope.accounts > 1 || run.scope.regions.length > 1) ? run.scope : undefined;
  const where = scope !== undefined
    ? `${scope.accounts} account${scope.accounts === 1 ? '' : 's'} in ${scope.regions.join(', ')} (${scope.shards} parts; run from ${run.account} ${run.region})`
    : `account ${run.account} in ${run.region}`;
  const message = [
    `The scheduled sagemaker-guard sweep of ${where} checked ${tally.checked} resource${tally.checked === 1 ? '' : 's'}: ${tally.withFindings} fail security controls${tally.failures > 0 ? `, ${tally.failures} could not be checked` : ''}.`,
    ...(run.incomplete !== undefined ? ['', `INCOMPLETE: ${run.incomplete}. What it did before it stopped is below; the next run checks everything again.`] : []),
    ...reachLines(run),
    '',
    `NOTICES: ${tally.notified} per-resource notice${tally.notified === 1 ? '' : 's'} sent to the owners and operators (one per resource acted on or reported).`,
    ...(run.outbox !== undefined && run.outbox.sent + run.outbox.failed > 0 ? [`OWED NOTICES: ${run.outbox.sent} sent again from the ledger, ${run.outbox.failed} still failing.`] : []),
    ...(tally.existing > 0
      ? [
          '',
          `EXISTING ESTATE: ${tally.existing} resource${tally.existing === 1 ? '' : 's'} fail${tally.existing === 1 ? 's' : ''} enforced controls but predate${tally.existing === 1 ? 's' : ''} enforcement (it began ${tally.enforcementSince ?? 'at the first deploy'}): reported to the owners, not acted on.`,
          '  Fix them, exempt them, or have the guard act on them by setting "sweep": { "actOnExisting": true } in the policy.',
        ]
      : []),
    '',
    'The sweep catches what events missed: resources that predate the deployment, and events SageMaker did not deliver.',
    '',
    `DECISIONS: ${decisions || 'none'}`,
    '',
    'VIOLATIONS BY CONTROL',
    ...(controls.length > 0 ? controls.map(([id, count]) => `  ${id}: ${count}`) : ['  none']),
    '',
    `RESOURCES${tally.withFindings > tally.lines.length ? ` (first ${tally.lines.length} of ${tally.withFindings})` : ''}`,
    ...tally.lines.flatMap((line) => [
      `  - ${KINDS[line.kind].label} ${line.name}${line.status !== undefined ? ` (${line.status})` : ''}: ${line.action}`,
      `    failed: ${line.failed.join(', ')}`,
    ]),
    '',
    `EXEMPTIONS HONOURED: ${tally.exemptionCount}${tally.exemptionCount > tally.exemptions.length ? ` (first ${tally.exemptions.length} listed)` : ''}`,
    ...tally.exemptions.map(
      (line) => `  - ${KINDS[line.kind].label} ${line.name}: ${line.controls.join(', ')} [${line.source === 'exemption-tag' ? 'tag' : 'policy prefix'}, until ${line.expires ?? 'no expiry'}: ${line.reason}]`,
    ),
    '',
    'FIND THE LOG LINES',
    `  Sweep id: ${run.correlationId} (started ${run.startedAt.toISOString()}, took ${(run.durationMs / 1000).toFixed(1)} s)`,
    `  CloudWatch Logs Insights: fields @timestamp, resource.name, decision | filter correlation_id = "${run.correlationId}" and message = "Decision"`,
    '',
    '-- sagemaker-guard',
  ]
    .map(oneLine)
    .join('\n');
  const subjectWhere = scope !== undefined ? `${scope.accounts} account${scope.accounts === 1 ? '' : 's'}, ${scope.regions.length} region${scope.regions.length === 1 ? '' : 's'}` : `${run.account} ${run.region}`;
  const short = (run.unreachable?.length ?? 0) > 0 || (run.unfinished?.count ?? 0) > 0 || run.incomplete !== undefined;
  const subject = snsSubject(`[sagemaker-guard] Sweep of ${subjectWhere}: ${tally.withFindings} of ${tally.checked} resources fail controls${short ? ' (incomplete)' : ''}`);
  return {
    subject,
    message,
    attributes: { kind: 'sweep', action: 'summary', severity: tally.highest ?? 'low', account: run.account, region: run.region },
  };
}
