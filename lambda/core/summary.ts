import { SEVERITY_ORDER, type Finding, type Severity } from '../controls/types';
import { actionableFindings } from './decision';
import { KINDS, PAST_TENSE, type ResourceKind } from './kinds';
import type { Notice } from './notice';

/** One resource's line in a sweep summary. */
export interface SweepLine {
  readonly kind: ResourceKind;
  readonly name: string;
  readonly status?: string;
  readonly decision: string;
  readonly action: string;
  readonly failed: readonly string[];
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

  add(item: { kind: ResourceKind; name: string; status?: string; decision: string; findings?: readonly Finding[]; actionResult?: { type: string } }): void {
    this.checked += 1;
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
        action: actionText(item.decision, item.kind, item.actionResult?.type),
        failed: failed.map((finding) => finding.controlId),
      });
    }
  }

  /** Whether the run found anything worth a notice: violations, or resources it could not check. */
  get found(): boolean {
    return this.withFindings > 0 || this.failures > 0;
  }
}

function actionText(decision: string, kind: ResourceKind, result: string | undefined): string {
  const past = PAST_TENSE[KINDS[kind].action];
  if (decision === 'remediate') return result === 'done' ? past : `not ${past} (${result ?? 'unknown'})`;
  if (decision === 'report') return `would be ${past} (report mode)`;
  if (decision === 'not-actionable') return 'none (not in a state that can be acted on)';
  return 'none';
}

export interface SweepRun {
  readonly account: string;
  readonly region: string;
  readonly correlationId: string;
  readonly startedAt: Date;
  readonly durationMs: number;
}

/** The one notice a scheduled sweep sends when it found something. Pure. */
export function buildSweepNotice(tally: SweepTally, run: SweepRun): Notice {
  const controls = Object.entries(tally.byControl).sort(([, a], [, b]) => b - a);
  const decisions = Object.entries(tally.byDecision).map(([decision, count]) => `${decision} ${count}`).join(', ');
  const message = [
    `The scheduled sagemaker-guard sweep of account ${run.account} in ${run.region} checked ${tally.checked} resource${tally.checked === 1 ? '' : 's'}: ${tally.withFindings} fail security controls${tally.failures > 0 ? `, ${tally.failures} could not be checked` : ''}.`,
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
    'FIND THE LOG LINES',
    `  Sweep id: ${run.correlationId} (started ${run.startedAt.toISOString()}, took ${(run.durationMs / 1000).toFixed(1)} s)`,
    `  CloudWatch Logs Insights: fields @timestamp, resource.name, decision | filter correlation_id = "${run.correlationId}" and message = "Decision"`,
    '',
    '-- sagemaker-guard',
  ].join('\n');
  const subject = `[sagemaker-guard] Sweep of ${run.account} ${run.region}: ${tally.withFindings} of ${tally.checked} resources fail controls`.slice(0, 100);
  return {
    subject,
    message,
    attributes: { kind: 'sweep', action: 'summary', severity: tally.highest ?? 'low', account: run.account, region: run.region },
  };
}
