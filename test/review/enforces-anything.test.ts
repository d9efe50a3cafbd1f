/**
 * Review: `enforcesAnything` (lambda/core/modes.ts) decides whether the deploy records "enforcement began"
 * (the CDK trigger) and whether an email-less deploy is refused. It looks at the three mode keys one by
 * one, so a policy whose global default is `enforce` but whose every kind (or every control) is
 * overridden to `report`/`off` counts as enforcing although no control is enforced anywhere.
 *
 * Consequence: during such a report-only rollout the trigger records "enforcement began" at that deploy.
 * When the operator later really enforces, the record already exists (it is written once), so every
 * resource created during the report-only weeks is NOT existing estate and is stopped or deleted at once:
 * the protection this change exists for is lost. The same policy is refused without notificationEmails
 * with a message that says "the policy enforces", which is false.
 */
import { enforcesAnything, policyMode } from '../../lambda/core/modes';
import { CATALOG, RESOURCE_KINDS } from '../../lambda/kinds/registry';
import { parseSettings } from '../../lambda/core/settings';
import { loadConfig } from '../../lib/config';
import { synthGuard } from '../infra/synth';

// Every kind the registry holds, each set to report (the notebook off): what a report-only rollout writes.
const ALL_KINDS_REPORT = {
  mode: 'enforce',
  kinds: Object.fromEntries(RESOURCE_KINDS.map((kind) => [kind, { mode: kind === 'notebook-instance' ? 'off' : 'report' }])),
} as const;

function reallyEnforces(input: unknown): boolean {
  const settings = parseSettings(input, 'test');
  return RESOURCE_KINDS.some((kind) => CATALOG[kind].some((control) => policyMode(control.id, kind, settings).mode === 'enforce'));
}

describe('review: enforcesAnything must mean "some control of some kind is enforced"', () => {
  test('global enforce, every kind overridden to report/off: nothing is enforced, so enforcesAnything is false', () => {
    expect(reallyEnforces(ALL_KINDS_REPORT)).toBe(false);
    expect(enforcesAnything(parseSettings(ALL_KINDS_REPORT, 'test'))).toBe(false);
  });

  test('global enforce, every control overridden to report: enforcesAnything is false', () => {
    const controls = Object.fromEntries(RESOURCE_KINDS.flatMap((kind) => CATALOG[kind].map((control) => [control.id, 'report'])));
    const input = { mode: 'enforce', controls };
    expect(reallyEnforces(input)).toBe(false);
    expect(enforcesAnything(parseSettings(input, 'test'))).toBe(false);
  });

  test('such a report-only rollout deploys no "enforcement began" trigger (it would start the estate clock too early)', () => {
    const { template } = synthGuard({ policy: ALL_KINDS_REPORT });
    template.resourceCountIs('Custom::Trigger', 0);
  });

  test('such a report-only rollout is not refused for having nobody to tell (its message says "the policy enforces")', () => {
    expect(() => loadConfig((key) => ({ policy: ALL_KINDS_REPORT, notificationEmails: '' } as Record<string, unknown>)[key])).not.toThrow();
  });
});
