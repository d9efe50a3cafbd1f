import type { ResourceKind } from '../core/kinds';
import type { ModeDecision } from '../core/modes';
import { modelControls, type Model } from './model';
import { notebookInstanceControls, type NotebookInstance } from './notebook-instance';
import { trainingJobControls, type TrainingJob } from './training-job';
import type { CheckContext, CheckResult, Control, Finding } from './types';

/** What each kind's checks read: the Describe* output (plus, for notebooks, the EC2 facts). */
export interface ResourceByKind {
  'training-job': TrainingJob;
  model: Model;
  'notebook-instance': NotebookInstance;
}

/** The single source of truth: checks, notices, docs and tests all read this. */
export const CATALOG: { readonly [K in ResourceKind]: readonly Control<ResourceByKind[K]>[] } = {
  'training-job': trainingJobControls,
  model: modelControls,
  'notebook-instance': notebookInstanceControls,
};

export const ALL_CONTROLS: readonly Control<never>[] = [
  ...CATALOG['training-job'],
  ...CATALOG.model,
  ...CATALOG['notebook-instance'],
];

export const CONTROL_IDS: readonly string[] = ALL_CONTROLS.map((control) => control.id);

export interface ControlOutcome {
  readonly controlId: string;
  readonly result: CheckResult | { readonly status: 'off' };
  readonly mode: ModeDecision;
}

export interface Evaluation {
  readonly outcomes: readonly ControlOutcome[];
  /** Failed controls that are not off: enforced, reported or exempt. */
  readonly findings: readonly Finding[];
}

/**
 * Runs every control of the kind over the resource, in the mode the policy gives it (`modeOf`).
 * A control that is off is not run. Pure: same input, same output.
 */
export function evaluate<K extends ResourceKind>(
  kind: K,
  resource: ResourceByKind[K],
  context: CheckContext,
  modeOf: (controlId: string) => ModeDecision,
): Evaluation {
  const outcomes: ControlOutcome[] = [];
  const findings: Finding[] = [];
  for (const control of CATALOG[kind] as readonly Control<ResourceByKind[K]>[]) {
    const mode = modeOf(control.id);
    if (mode.mode === 'off') {
      outcomes.push({ controlId: control.id, result: { status: 'off' }, mode });
      continue;
    }
    const result = control.check(resource, context);
    outcomes.push({ controlId: control.id, result, mode });
    if (result.status === 'fail') {
      findings.push({
        controlId: control.id,
        title: control.title,
        why: control.why,
        fix: control.fix,
        severity: control.severity,
        observed: result.observed,
        mode: mode.mode,
        modeSource: mode.source,
        ...(mode.note !== undefined ? { modeNote: mode.note } : {}),
      });
    }
  }
  return { outcomes, findings };
}
