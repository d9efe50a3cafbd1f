import type { ModeDecision, ModeSource, Severity } from '../controls/types';
import { CATALOG, isResourceKind, KINDS, RESOURCE_KINDS, type ResourceKind } from '../kinds/registry';
import type { GuardSettings, PolicyMode } from './settings';

/** Tags a resource owner sets to exempt it: `sagemaker-guard:exempt` = `all` or control ids separated by spaces. */
export const EXEMPT_TAG = {
  controls: 'sagemaker-guard:exempt',
  reason: 'sagemaker-guard:exempt-reason',
  until: 'sagemaker-guard:exempt-until',
} as const;

/** The operator's account-wide switch (an SSM parameter): `policy` follows the policy, `report` never acts. */
export const SWITCH_VALUES = ['policy', 'report'] as const;
export type SwitchValue = (typeof SWITCH_VALUES)[number];

export type { EffectiveMode, ModeDecision, ModeSource } from '../controls/types';

export interface ActiveExemption {
  readonly source: 'exemption-tag' | 'exemption-prefix';
  /** The controls it exempts (for a tag: only those the policy lets a tag exempt). */
  readonly controls: 'all' | readonly string[];
  readonly reason: string;
  /** The last day (UTC) it holds; for a tag, capped at `tagExemptions.maxDays` after the guard first saw it. */
  readonly expires?: string;
  /** For a prefix exemption: the prefix; for a tag: the tag value as written. */
  readonly scope: string;
}

export interface IgnoredExemption {
  readonly source: 'exemption-tag' | 'exemption-prefix';
  readonly why: string;
}

export interface Exemptions {
  readonly active: readonly ActiveExemption[];
  readonly ignored: readonly IgnoredExemption[];
}

/** What the exemption rules need of a control: its id and how severe it is. */
export interface ExemptibleControl {
  readonly id: string;
  readonly severity: Severity;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 24 * 3600 * 1000;

/** The end (inclusive, UTC) of a YYYY-MM-DD day; undefined when it is not a real date. */
function endOfDay(date: string): number | undefined {
  if (!DATE.test(date)) return undefined;
  const end = Date.parse(`${date}T23:59:59.999Z`);
  if (Number.isNaN(end) || new Date(end).toISOString().slice(0, 10) !== date) return undefined;
  return end;
}

/** Whether an expiry date (inclusive, to the end of that day UTC) has passed; undefined when it is not a real date. */
function isExpired(expires: string, now: Date): boolean | undefined {
  const end = endOfDay(expires);
  return end === undefined ? undefined : now.getTime() > end;
}

/** The controls of the kind a tag may exempt under the policy: by default none of critical or high severity. */
export function tagExemptibleControls(controls: readonly ExemptibleControl[], policy: GuardSettings): string[] {
  const allowed = policy.tagExemptions.controls;
  if (allowed === 'all') return controls.map((control) => control.id);
  if (allowed === 'none') return [];
  if (allowed === undefined) return controls.filter((control) => control.severity !== 'critical' && control.severity !== 'high').map((control) => control.id);
  return controls.filter((control) => allowed.includes(control.id)).map((control) => control.id);
}

/**
 * The tag exemption, if the resource carries one. The security team's policy bounds it: it needs a
 * reason and an expiry, it holds only for the controls `tagExemptions.controls` allows (by default no
 * critical or high one), and for at most `tagExemptions.maxDays` from when the guard first saw it
 * (`firstSeen`, from the ledger: removing and re-adding the tag does not restart the clock).
 */
function tagExemption(
  tags: Readonly<Partial<Record<string, string>>>,
  controls: readonly ExemptibleControl[],
  policy: GuardSettings,
  now: Date,
  firstSeen: Date,
): (ActiveExemption | IgnoredExemption)[] {
  const value = tags[EXEMPT_TAG.controls]?.trim();
  if (value === undefined || value === '') return [];
  const source = 'exemption-tag';
  const ignore = (why: string): IgnoredExemption[] => [{ source, why }];
  const reason = tags[EXEMPT_TAG.reason]?.trim() ?? '';
  if (reason === '') return ignore(`tag ${EXEMPT_TAG.controls}=${value} has no ${EXEMPT_TAG.reason} tag, so it is ignored`);
  const until = tags[EXEMPT_TAG.until]?.trim() ?? '';
  if (until === '') return ignore(`tag ${EXEMPT_TAG.controls}=${value} has no ${EXEMPT_TAG.until} tag (YYYY-MM-DD): a tag exemption needs an expiry, so it is ignored`);
  const untilEnd = endOfDay(until);
  if (untilEnd === undefined) return ignore(`tag ${EXEMPT_TAG.until}=${until} is not a date (YYYY-MM-DD), so the exemption is ignored`);
  if (now.getTime() > untilEnd) return ignore(`tag exemption expired on ${until}, so it is ignored`);
  const { maxDays } = policy.tagExemptions;
  // The cap holds to the end of its day (UTC), as an exempt-until date does, so the date told is the truth.
  const capDay = new Date(firstSeen.getTime() + maxDays * DAY_MS).toISOString().slice(0, 10);
  const capEnd = Date.parse(`${capDay}T23:59:59.999Z`);
  if (now.getTime() > capEnd) {
    return ignore(`tag exemption first seen on ${firstSeen.toISOString().slice(0, 10)} ran out after the policy's tagExemptions.maxDays (${maxDays} days), so it is ignored`);
  }
  const expires = capEnd < untilEnd ? new Date(capEnd).toISOString().slice(0, 10) : until;

  const ids = controls.map((control) => control.id);
  const requested = value.toLowerCase() === 'all' ? ids : value.split(/\s+/);
  const unknown = requested.filter((id) => !ids.includes(id));
  if (unknown.length > 0) return ignore(`tag ${EXEMPT_TAG.controls} names unknown control(s) ${unknown.join(', ')} (use ids from the controls table, separated by spaces), so it is ignored`);
  const exemptible = tagExemptibleControls(controls, policy);
  const granted = requested.filter((id) => exemptible.includes(id));
  const refused = requested.filter((id) => !exemptible.includes(id));
  const result: (ActiveExemption | IgnoredExemption)[] = [];
  if (refused.length > 0) {
    const rule = policy.tagExemptions.controls === undefined ? 'no critical or high control can be exempted by tag' : 'the policy\'s tagExemptions.controls does not list them';
    result.push({ source, why: `tag ${EXEMPT_TAG.controls} asks to exempt ${refused.join(', ')}, which is refused: ${rule}; they are enforced as the policy says` });
  }
  if (granted.length > 0) result.push({ source, controls: granted, reason, expires, scope: value });
  return result;
}

/** Every exemption that applies to a resource, and every one that was found but does not count (and why). */
export function exemptionsFor(
  kind: ResourceKind,
  name: string,
  tags: Readonly<Record<string, string>>,
  policy: GuardSettings,
  controls: readonly ExemptibleControl[],
  now: Date,
  tagFirstSeen: Date = now,
): Exemptions {
  const active: ActiveExemption[] = [];
  const ignored: IgnoredExemption[] = [];
  for (const found of tagExemption(tags, controls, policy, now, tagFirstSeen)) ('why' in found ? ignored : active).push(found as never);
  for (const rule of policy.exemptions) {
    if (!rule.kinds.includes(kind) || !name.startsWith(rule.namePrefix)) continue;
    if (rule.expires !== undefined && isExpired(rule.expires, now) === true) {
      ignored.push({ source: 'exemption-prefix', why: `policy exemption for names starting "${rule.namePrefix}" expired on ${rule.expires}, so it is ignored` });
      continue;
    }
    active.push({ source: 'exemption-prefix', controls: rule.controls, reason: rule.reason, scope: rule.namePrefix, ...(rule.expires ? { expires: rule.expires } : {}) });
  }
  return { active, ignored };
}

/** Whether the resource carries a tag exemption at all (then the ledger's first sighting is needed). */
export function hasTagExemption(tags: Readonly<Partial<Record<string, string>>>): boolean {
  return (tags[EXEMPT_TAG.controls]?.trim() ?? '') !== '';
}

const MILDNESS: readonly PolicyMode[] = ['off', 'report', 'enforce'];

/**
 * The policy's own mode for a control: the control's entry, else its kind's, else the global default; a kind
 * with a default of its own (endpoints: report) caps the global default at it, so `mode: enforce` alone never
 * deletes a serving endpoint, and `kinds.endpoint.mode: enforce` does.
 */
export function policyMode(controlId: string, kind: ResourceKind, policy: GuardSettings): { mode: PolicyMode; source: ModeSource; note?: string } {
  const forControl = policy.controls[controlId];
  if (forControl !== undefined) return { mode: forControl, source: 'policy.controls' };
  const forKind = policy.kinds[kind]?.mode;
  if (forKind !== undefined) return { mode: forKind, source: 'policy.kinds' };
  const cap = KINDS[kind].defaultMode;
  if (cap !== undefined && MILDNESS.indexOf(cap) < MILDNESS.indexOf(policy.mode)) {
    return { mode: cap, source: 'kind-default', note: `${KINDS[kind].label}s default to ${cap}; kinds.${kind}.mode: ${policy.mode} changes it` };
  }
  return { mode: policy.mode, source: 'policy.mode' };
}

/**
 * The effective mode of one control for one resource. Precedence: a control the policy turns off is not
 * checked; a valid exemption makes a finding exempt (logged and counted, never acted on); the switch set
 * to `report` turns enforcement into reporting; otherwise the policy decides.
 */
export function resolveMode(controlId: string, kind: ResourceKind, policy: GuardSettings, exemptions: Exemptions, switchValue: SwitchValue): ModeDecision {
  const fromPolicy = policyMode(controlId, kind, policy);
  if (fromPolicy.mode === 'off') return { mode: 'off', source: fromPolicy.source };
  const exemption = exemptions.active.find((candidate) => candidate.controls === 'all' || candidate.controls.includes(controlId));
  if (exemption !== undefined) {
    const until = exemption.expires !== undefined ? ` (until ${exemption.expires})` : '';
    return { mode: 'exempt', source: exemption.source, note: `${exemption.reason}${until}` };
  }
  if (switchValue === 'report' && fromPolicy.mode === 'enforce') return { mode: 'report', source: 'switch', note: `policy says enforce (${fromPolicy.source})` };
  return fromPolicy;
}

/**
 * Whether the policy enforces anything at all: some control of some kind resolves to `enforce` (its own
 * entry, else its kind's mode, else the global mode). A global `enforce` whose every kind or control is
 * overridden to report or off enforces nothing.
 */
export function enforcesAnything(policy: GuardSettings): boolean {
  return RESOURCE_KINDS.some((kind) => CATALOG[kind].some((control) => policyMode(control.id, kind, policy).mode === 'enforce'));
}

/**
 * Whether a parent kind judges a child at least as strictly as the child's own kind would: every control of the
 * child that the policy does not turn off has a same-named control of the parent (training-job.vpc and
 * hyper-parameter-tuning-job.vpc) whose policy mode is at least the child's. Only then is the child left to its
 * parent (one action and one notice for a tuning job); otherwise wrapping a job in a one-trial tuning job whose kind
 * is off or in report would let it run.
 */
export function parentCovers(childKind: ResourceKind, parentKind: string, policy: GuardSettings): boolean {
  if (!isResourceKind(parentKind)) return false;
  const parentIds = new Set(CATALOG[parentKind].map((control) => control.id));
  return CATALOG[childKind].every((control) => {
    const childMode = policyMode(control.id, childKind, policy).mode;
    if (childMode === 'off') return true;
    const parentId = `${parentKind}.${control.id.slice(control.id.indexOf('.') + 1)}`;
    return parentIds.has(parentId) && MILDNESS.indexOf(policyMode(parentId, parentKind, policy).mode) >= MILDNESS.indexOf(childMode);
  });
}
