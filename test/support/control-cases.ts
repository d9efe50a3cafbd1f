/** Table-driven catalog tests: each case runs one control of a kind over a resource and checks its result. */
import { preventionKeys, type CheckResult, type Prevention } from '../../lambda/controls/types';
import type { GuardSettingsInput } from '../../lambda/core/settings';
import { CATALOG, type ResourceByKind, type ResourceKind } from '../../lambda/kinds/registry';
import { settings } from '../fixtures/resources';

export interface ControlCase<R> {
  readonly control: string;
  readonly name: string;
  readonly resource: R;
  readonly settings?: GuardSettingsInput;
  readonly tags?: Record<string, string>;
  readonly expect: CheckResult['status'];
  /** A fragment the observed value (fail) or reason (skip) must contain. */
  readonly says?: string;
}

export function runControlCases<K extends ResourceKind>(kind: K, cases: readonly ControlCase<ResourceByKind[K]>[]): void {
  test.each(cases.map((c) => [`${c.control}: ${c.name}`, c] as const))('%s', (_title, c) => {
    const control = CATALOG[kind].find((candidate) => candidate.id === c.control);
    if (control === undefined) throw new Error(`no control ${c.control}`);
    const result = control.check(c.resource, { settings: settings(c.settings), tags: c.tags ?? {} });
    expect(result.status).toBe(c.expect);
    if (c.says !== undefined) {
      const text = result.status === 'fail' ? result.observed : result.status === 'skip' ? result.reason : '';
      expect(text).toContain(c.says);
    }
  });
}

/** A control's guardrail condition keys as the README table lists them, or undefined when it is respond-only. */
export function keysOf(control: { readonly prevent?: Prevention }): string | undefined {
  const keys = preventionKeys(control.prevent);
  return keys.length === 0 ? undefined : keys.join(', ');
}
