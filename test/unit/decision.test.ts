import type { Finding } from '../../lambda/controls/types';
import { actionableFindings, decide, isActionable, isLagging, type Decision, type DecisionInput } from '../../lambda/core/decision';
import type { ResourceKind } from '../../lambda/kinds/registry';

const finding: Finding = { controlId: 'x.y', title: 't', why: 'w', fix: 'f', severity: 'high', observed: 'o', mode: 'enforce', modeSource: 'policy.mode' };
const reported: Finding = { ...finding, controlId: 'x.z', mode: 'report', modeSource: 'policy.controls' };
const exempt: Finding = { ...finding, controlId: 'x.w', mode: 'exempt', modeSource: 'exemption-tag', modeNote: 'vendor image' };
const base = { findings: [finding] } as const;

describe('decide', () => {
  test.each<[string, DecisionInput, Decision]>([
    // Nothing to act on, whatever the status.
    ['training job Stopping (duplicate event)', { ...base, kind: 'training-job', status: 'Stopping' }, { type: 'not-actionable', status: 'Stopping' }],
    ['training job Completed', { ...base, kind: 'training-job', status: 'Completed' }, { type: 'not-actionable', status: 'Completed' }],
    ['training job in an unknown status', { ...base, kind: 'training-job', status: 'Hibernating' }, { type: 'not-actionable', status: 'Hibernating' }],
    ['training job with no status', { ...base, kind: 'training-job', status: undefined }, { type: 'not-actionable', status: 'unknown' }],
    ['notebook Pending waits for its InService event', { ...base, kind: 'notebook-instance', status: 'Pending' }, { type: 'not-actionable', status: 'Pending' }],
    ['notebook Updating', { ...base, kind: 'notebook-instance', status: 'Updating' }, { type: 'not-actionable', status: 'Updating' }],
    ['notebook Stopped (the ledger, not decide, knows whether a notice is owed)', { ...base, kind: 'notebook-instance', status: 'Stopped' }, { type: 'not-actionable', status: 'Stopped' }],
    ['reported only, not actionable: nothing either', { ...base, kind: 'training-job', status: 'Stopping', findings: [reported] }, { type: 'not-actionable', status: 'Stopping' }],
    ['compliant resource', { ...base, kind: 'training-job', status: 'InProgress', findings: [] }, { type: 'compliant' }],
    ['compliant and not actionable: still compliant', { ...base, kind: 'training-job', status: 'Stopping', findings: [] }, { type: 'compliant' }],
    ['only exempt findings: nothing but the log', { ...base, kind: 'training-job', status: 'InProgress', findings: [exempt] }, { type: 'exempt' }],
    ['exempt and not actionable: still exempt', { ...base, kind: 'training-job', status: 'Completed', findings: [exempt] }, { type: 'exempt' }],
    // Something to do.
    ['training job InProgress, enforce', { ...base, kind: 'training-job', status: 'InProgress' }, { type: 'remediate', action: 'stop' }],
    ['training job InProgress, only reported findings', { ...base, kind: 'training-job', status: 'InProgress', findings: [reported] }, { type: 'report', action: 'stop' }],
    ['one enforced finding among reported ones acts', { ...base, kind: 'training-job', status: 'InProgress', findings: [reported, finding] }, { type: 'remediate', action: 'stop' }],
    ['exempt plus enforced: the enforced one acts', { ...base, kind: 'training-job', status: 'InProgress', findings: [exempt, finding] }, { type: 'remediate', action: 'stop' }],
    ['exempt plus reported: a report', { ...base, kind: 'notebook-instance', status: 'InService', findings: [exempt, reported] }, { type: 'report', action: 'stop' }],
    ['notebook InService, enforce', { ...base, kind: 'notebook-instance', status: 'InService' }, { type: 'remediate', action: 'stop' }],
    ['notebook restarted InService after an earlier stop', { ...base, kind: 'notebook-instance', status: 'InService' }, { type: 'remediate', action: 'stop' }],
    ['model that exists, enforce', { ...base, kind: 'model', status: undefined }, { type: 'remediate', action: 'delete' }],
    ['model that exists, reported only', { ...base, kind: 'model', status: undefined, findings: [reported] }, { type: 'report', action: 'delete' }],
  ])('%s', (_title, input, expected) => {
    expect(decide(input)).toEqual(expected);
  });

  test('decide knows nothing of notices: there is no resend decision any more', () => {
    const types = (['training-job', 'notebook-instance', 'model'] as const).flatMap((kind) =>
      [undefined, 'InProgress', 'InService', 'Stopping', 'Stopped', 'Completed', 'Pending'].map((status) => decide({ kind, status, findings: [finding] }).type),
    );
    expect(new Set(types)).toEqual(new Set(['remediate', 'not-actionable']));
  });
});

describe('isActionable', () => {
  test.each([
    ['training-job', 'Stopping', false],
    ['training-job', 'Completed', false],
    ['training-job', undefined, false],
    ['notebook-instance', 'Deleted', false],
    ['notebook-instance', 'Pending', false],
    ['notebook-instance', undefined, false],
    ['training-job', 'InProgress', true],
    ['notebook-instance', 'InService', true],
    ['model', undefined, true],
  ] as const)('isActionable(%s, %s) is %s', (kind, status, expected) => {
    expect(isActionable(kind, status)).toBe(expected);
  });
});

describe('isLagging: Describe* behind the event is retried, never dropped', () => {
  test.each<[ResourceKind, string | undefined, string | undefined, boolean]>([
    // Not lagging: nothing to compare, or the described status is not one that comes before.
    ['notebook-instance', undefined, 'Pending', false],
    ['notebook-instance', 'InService', undefined, false],
    ['notebook-instance', undefined, undefined, false],
    ['notebook-instance', 'InService', 'InService', false],
    ['notebook-instance', 'InService', 'Stopping', false],
    ['notebook-instance', 'InService', 'Stopped', false],
    ['notebook-instance', 'Stopping', 'Pending', false],
    ['notebook-instance', 'Pending', 'Pending', false],
    ['training-job', 'InProgress', 'InProgress', false],
    ['training-job', 'InProgress', 'Pending', false],
    ['training-job', 'Completed', 'InProgress', false],
    ['model', undefined, undefined, false],
    // Lagging: the event says InService, Describe still says Pending.
    ['notebook-instance', 'InService', 'Pending', true],
  ])('%s: event %s, described %s: %s', (kind, reported, described, expected) => {
    expect(isLagging(kind, reported, described)).toBe(expected);
  });
});

describe('actionableFindings', () => {
  test('drops exempt findings, keeps enforced and reported ones in order', () => {
    expect(actionableFindings([exempt, reported, finding, exempt])).toEqual([reported, finding]);
    expect(actionableFindings([exempt])).toEqual([]);
    expect(actionableFindings([])).toEqual([]);
  });
});
