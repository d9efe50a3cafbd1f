import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ControlOutcome, Finding } from '../controls/types';
import type { ResourceKind } from '../kinds/registry';
import { singleMetrics } from '../powertools';

/** EMF metrics, one per fact, each with the dimensions an operator filters on. */
export function countMetric(name: string, dimensions: Readonly<Record<string, string>>): void {
  singleMetrics.addDimensions({ ...dimensions });
  singleMetrics.addMetric(name, MetricUnit.Count, 1);
}

/** Violations (enforced or reported) and exemptions, by kind and control. */
export function countFindings(kind: ResourceKind, findings: readonly Finding[]): void {
  for (const finding of findings) {
    countMetric(finding.mode === 'exempt' ? 'Exemptions' : 'Violations', { Kind: kind, Control: finding.controlId });
  }
}

/**
 * The per-control part of the decision log line: `pass`, `fail`, `skip` or `off`, with the effective mode
 * and where it came from (policy, switch, exemption), and what was found or why it was skipped.
 */
export function explainOutcomes(outcomes: readonly ControlOutcome[]): Record<string, string> {
  return Object.fromEntries(
    outcomes.map(({ controlId, result, mode }) => {
      const how = `${mode.mode} by ${mode.source}${mode.note !== undefined ? `: ${mode.note}` : ''}`;
      switch (result.status) {
        case 'pass':
          return [controlId, 'pass'];
        case 'fail':
          return [controlId, `fail [${how}]: ${result.observed}`];
        case 'skip':
          return [controlId, `skip: ${result.reason}`];
        case 'off':
          return [controlId, `off [${how}]`];
      }
    }),
  );
}

/**
 * Metrics the stack alarms on. Each is emitted with no dimension but Powertools' `service`, so one alarm
 * covers every kind (the log line says which resource).
 */
export const ALARM_METRICS = {
  /** A Stop or Delete was refused by IAM (an SCP, a permissions boundary, a changed role). */
  actionsDenied: 'ActionsDenied',
  /** The enforcement switch was missing, unreadable or invalid, so the policy applied. */
  switchFallback: 'SwitchFallback',
  /** A notice could not be published (it stays in the ledger's outbox and is re-sent). */
  noticeFailures: 'NoticeFailures',
  /** A member account's role could not be assumed (organization deployments): nothing there is checked. */
  memberUnreachable: 'MemberAccountUnreachable',
} as const;

export function countAlarmMetric(name: (typeof ALARM_METRICS)[keyof typeof ALARM_METRICS]): void {
  singleMetrics.addMetric(name, MetricUnit.Count, 1);
}
