import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ControlOutcome } from '../controls/catalog';
import type { ResourceKind } from '../core/kinds';
import { metrics } from '../powertools';

/** EMF metrics, one per fact, each with the dimensions an operator filters on. */
export function countMetric(name: string, dimensions: Readonly<Record<string, string>>): void {
  const metric = metrics.singleMetric();
  for (const [key, value] of Object.entries(dimensions)) metric.addDimension(key, value);
  metric.addMetric(name, MetricUnit.Count, 1);
}

export function countViolations(kind: ResourceKind, controlIds: readonly string[]): void {
  for (const control of controlIds) countMetric('Violations', { Kind: kind, Control: control });
}

/** The per-control part of the decision log line: pass / fail (observed) / skip (why) / off (why). */
export function explainOutcomes(outcomes: readonly ControlOutcome[]): Record<string, string> {
  return Object.fromEntries(
    outcomes.map(({ controlId, result }) => {
      switch (result.status) {
        case 'pass':
          return [controlId, 'pass'];
        case 'fail':
          return [controlId, `fail: ${result.observed}`];
        case 'skip':
          return [controlId, `skip: ${result.reason}`];
        case 'off':
          return [controlId, `off: ${result.reason}`];
      }
    }),
  );
}
