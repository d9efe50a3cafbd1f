import type { ResourceKind } from '../core/kinds';
import type { EffectiveMode, ModeSource } from '../core/modes';
import type { GuardSettings } from '../core/settings';

export type Severity = 'critical' | 'high' | 'medium' | 'low';
export const SEVERITY_ORDER: readonly Severity[] = ['critical', 'high', 'medium', 'low'];

/** Outcome of one check. `skip` is for a control that does not apply (its reason says why), never a silent pass. */
export type CheckResult =
  | { readonly status: 'pass' }
  | { readonly status: 'fail'; readonly observed: string }
  | { readonly status: 'skip'; readonly reason: string };

export const pass = (): CheckResult => ({ status: 'pass' });
export const fail = (observed: string): CheckResult => ({ status: 'fail', observed });
export const skip = (reason: string): CheckResult => ({ status: 'skip', reason });

export interface Control<R> {
  /** Stable id, `<kind>.<control>`: used in settings, tags, logs, metrics and notices. */
  readonly id: string;
  readonly kind: ResourceKind;
  readonly title: string;
  /** One line of why the control matters. */
  readonly why: string;
  readonly severity: Severity;
  /** How to bring the resource into line (these settings cannot be updated in place unless said). */
  readonly fix: string;
  /** The IAM condition key that can enforce the same rule preventively, where one exists. */
  readonly iamConditionKey?: string;
  /** Pure check over the Describe* output (and tags): never reads the event. */
  readonly check: (resource: R, context: CheckContext) => CheckResult;
}

/** What a check may read besides the Describe* output: the policy and the resource's tags (ListTags). */
export interface CheckContext {
  readonly settings: GuardSettings;
  readonly tags: Readonly<Record<string, string>>;
}

/** A control whose check failed, with what was observed and how the policy treats it. */
export interface Finding {
  readonly controlId: string;
  readonly title: string;
  readonly why: string;
  readonly fix: string;
  readonly severity: Severity;
  readonly observed: string;
  readonly mode: Exclude<EffectiveMode, 'off'>;
  readonly modeSource: ModeSource;
  readonly modeNote?: string;
}
