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
  readonly expires: string | undefined;
  readonly controls: readonly string[];
}

/** How many resource lines a summary keeps; the counts cover everything. */
export const MAX_SUMMARY_LINES = 50;

/**
 * Counts what a sweep found, one resource at a time, keeping at most MAX_SUMMARY_LINES lines of detail
 * so a sweep of any size runs in bounded memory.
 */
export class SweepTally {
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
}

/** The one notice a scheduled sweep sends when it found something. Pure. */
export function buildSweepNotice(tally: SweepTally, run: SweepRun): Notice {
  const controls = Object.entries(tally.byControl).sort(([, a], [, b]) => b - a);
  const decisions = Object.entries(tally.byDecision).map(([decision, count]) => `${decision} ${count}`).join(', ');
  const message = [
    `The scheduled sagemaker-guard sweep of account ${run.account} in ${run.region} checked ${tally.checked} resource${tally.checked === 1 ? '' : 's'}: ${tally.withFindings} fail security controls${tally.failures > 0 ? `, ${tally.failures} could not be checked` : ''}.`,
    ...(run.incomplete !== undefined ? ['', `INCOMPLETE: ${run.incomplete}. What it did before it stopped is below; the next run checks everything again.`] : []),
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
  const subject = snsSubject(`[sagemaker-guard] Sweep of ${run.account} ${run.region}: ${tally.withFindings} of ${tally.checked} resources fail controls${run.incomplete !== undefined ? ' (incomplete)' : ''}`);
  return {
    subject,
    message,
    attributes: { kind: 'sweep', action: 'summary', severity: tally.highest ?? 'low', account: run.account, region: run.region },
  };
}
