import type { ResourceKind } from './kinds';
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

export type EffectiveMode = 'enforce' | 'report' | 'exempt' | 'off';

/** Where an effective mode came from, most specific first. */
export type ModeSource = 'policy.controls' | 'policy.kinds' | 'policy.mode' | 'switch' | 'exemption-tag' | 'exemption-prefix';

export interface ModeDecision {
  readonly mode: EffectiveMode;
  readonly source: ModeSource;
  /** For exemptions: the reason given; for the switch: what it overrode. */
  readonly note?: string;
}

export interface ActiveExemption {
  readonly source: 'exemption-tag' | 'exemption-prefix';
  readonly controls: 'all' | readonly string[];
  readonly reason: string;
  readonly expires?: string;
}

export interface IgnoredExemption {
  readonly source: 'exemption-tag' | 'exemption-prefix';
  readonly why: string;
}

export interface Exemptions {
  readonly active: readonly ActiveExemption[];
  readonly ignored: readonly IgnoredExemption[];
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Whether an expiry date (inclusive, to the end of that day UTC) has passed; undefined when it is not a real date. */
function isExpired(expires: string, now: Date): boolean | undefined {
  if (!DATE.test(expires)) return undefined;
  const end = Date.parse(`${expires}T23:59:59.999Z`);
  if (Number.isNaN(end) || new Date(end).toISOString().slice(0, 10) !== expires) return undefined;
  return now.getTime() > end;
}

/** The tag exemption, if the resource carries one: valid only with a reason, and not past its expiry. */
function tagExemption(tags: Readonly<Partial<Record<string, string>>>, knownControls: readonly string[], now: Date): ActiveExemption | IgnoredExemption | undefined {
  const value = tags[EXEMPT_TAG.controls]?.trim();
  if (value === undefined || value === '') return undefined;
  const source = 'exemption-tag';
  const reason = tags[EXEMPT_TAG.reason]?.trim() ?? '';
  if (reason === '') return { source, why: `tag ${EXEMPT_TAG.controls}=${value} has no ${EXEMPT_TAG.reason} tag, so it is ignored` };
  const until = tags[EXEMPT_TAG.until]?.trim();
  if (until !== undefined && until !== '') {
    const expired = isExpired(until, now);
    if (expired === undefined) return { source, why: `tag ${EXEMPT_TAG.until}=${until} is not a date (YYYY-MM-DD), so the exemption is ignored` };
    if (expired) return { source, why: `tag exemption expired on ${until}, so it is ignored` };
  }
  if (value.toLowerCase() === 'all') return { source, controls: 'all', reason, ...(until ? { expires: until } : {}) };
  const ids = value.split(/\s+/);
  const unknown = ids.filter((id) => !knownControls.includes(id));
  if (unknown.length > 0) return { source, why: `tag ${EXEMPT_TAG.controls} names unknown control(s) ${unknown.join(', ')} (use ids from the controls table, separated by spaces), so it is ignored` };
  return { source, controls: ids, reason, ...(until ? { expires: until } : {}) };
}

/** Every exemption that applies to a resource, and every one that was found but does not count (and why). */
export function exemptionsFor(
  name: string,
  tags: Readonly<Record<string, string>>,
  policy: GuardSettings,
  knownControls: readonly string[],
  now: Date,
): Exemptions {
  const active: ActiveExemption[] = [];
  const ignored: IgnoredExemption[] = [];
  const fromTag = tagExemption(tags, knownControls, now);
  if (fromTag !== undefined) ('why' in fromTag ? ignored : active).push(fromTag as never);
  for (const rule of policy.exemptions) {
    if (!name.startsWith(rule.namePrefix)) continue;
    if (rule.expires !== undefined && isExpired(rule.expires, now) === true) {
      ignored.push({ source: 'exemption-prefix', why: `policy exemption for names starting "${rule.namePrefix}" expired on ${rule.expires}, so it is ignored` });
      continue;
    }
    active.push({ source: 'exemption-prefix', controls: rule.controls, reason: rule.reason, ...(rule.expires ? { expires: rule.expires } : {}) });
  }
  return { active, ignored };
}

/** The policy's own mode for a control: the control's entry, else its kind's default, else the global default. */
export function policyMode(controlId: string, kind: ResourceKind, policy: GuardSettings): { mode: PolicyMode; source: ModeSource } {
  const forControl = policy.controls[controlId];
  if (forControl !== undefined) return { mode: forControl, source: 'policy.controls' };
  const forKind = policy.kinds[kind]?.mode;
  if (forKind !== undefined) return { mode: forKind, source: 'policy.kinds' };
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
