import type { Finding } from '../../lambda/controls/types';
import { decide, isActionable, noticeAfterAction, type Decision, type DecisionInput } from '../../lambda/core/decision';

const finding: Finding = { controlId: 'x.y', title: 't', why: 'w', fix: 'f', severity: 'high', observed: 'o', mode: 'enforce', modeSource: 'policy.mode' };
const reported: Finding = { ...finding, controlId: 'x.z', mode: 'report', modeSource: 'policy.controls' };
const exempt: Finding = { ...finding, controlId: 'x.w', mode: 'exempt', modeSource: 'exemption-tag', modeNote: 'vendor image' };
const base = { findings: [finding], noticeState: undefined } as const;

describe('decide', () => {
  test.each<[string, DecisionInput, Decision]>([
    ['compliant resource', { ...base, kind: 'training-job', status: 'InProgress', findings: [] }, { type: 'compliant' }],
    ['compliant even with a pending tag', { ...base, kind: 'training-job', status: 'Stopping', findings: [], noticeState: 'pending' }, { type: 'compliant' }],
    ['training job InProgress, enforce', { ...base, kind: 'training-job', status: 'InProgress' }, { type: 'remediate', action: 'stop' }],
    ['training job InProgress, only reported findings', { ...base, kind: 'training-job', status: 'InProgress', findings: [reported] }, { type: 'report', action: 'stop' }],
    ['one enforced finding among reported ones acts', { ...base, kind: 'training-job', status: 'InProgress', findings: [reported, finding] }, { type: 'remediate', action: 'stop' }],
    ['only exempt findings: nothing but the log', { ...base, kind: 'training-job', status: 'InProgress', findings: [exempt] }, { type: 'exempt' }],
    ['exempt plus reported: a report', { ...base, kind: 'notebook-instance', status: 'InService', findings: [exempt, reported] }, { type: 'report', action: 'stop' }],
    ['exempt and not actionable: still exempt', { ...base, kind: 'training-job', status: 'Completed', findings: [exempt], noticeState: 'pending' }, { type: 'exempt' }],
    ['training job Stopping (duplicate event)', { ...base, kind: 'training-job', status: 'Stopping', noticeState: 'sent' }, { type: 'not-actionable', status: 'Stopping' }],
    ['training job Stopping, stopped by someone else', { ...base, kind: 'training-job', status: 'Stopping' }, { type: 'not-actionable', status: 'Stopping' }],
    ['training job Stopping, our notice never went out', { ...base, kind: 'training-job', status: 'Stopping', noticeState: 'pending' }, { type: 'resend-notice', action: 'stop', status: 'Stopping' }],
    ['training job Completed', { ...base, kind: 'training-job', status: 'Completed' }, { type: 'not-actionable', status: 'Completed' }],
    ['training job in an unknown status', { ...base, kind: 'training-job', status: 'Hibernating' }, { type: 'not-actionable', status: 'Hibernating' }],
    ['training job with no status', { ...base, kind: 'training-job', status: undefined }, { type: 'not-actionable', status: 'unknown' }],
    ['notebook InService, enforce', { ...base, kind: 'notebook-instance', status: 'InService' }, { type: 'remediate', action: 'stop' }],
    ['notebook Pending waits for its InService event', { ...base, kind: 'notebook-instance', status: 'Pending' }, { type: 'not-actionable', status: 'Pending' }],
    ['notebook Updating', { ...base, kind: 'notebook-instance', status: 'Updating' }, { type: 'not-actionable', status: 'Updating' }],
    ['notebook Stopped with our notice pending', { ...base, kind: 'notebook-instance', status: 'Stopped', noticeState: 'pending' }, { type: 'resend-notice', action: 'stop', status: 'Stopped' }],
    ['notebook restarted InService after an earlier stop', { ...base, kind: 'notebook-instance', status: 'InService', noticeState: 'sent' }, { type: 'remediate', action: 'stop' }],
    ['model that exists, enforce', { ...base, kind: 'model', status: undefined }, { type: 'remediate', action: 'delete' }],
    ['model that exists, reported only', { ...base, kind: 'model', status: undefined, findings: [reported] }, { type: 'report', action: 'delete' }],
  ])('%s', (_title, input, expected) => {
    expect(decide(input)).toEqual(expected);
  });

  test.each([
    ['training-job', 'InProgress', true],
    ['training-job', 'Stopping', false],
    ['notebook-instance', 'InService', true],
    ['notebook-instance', 'Deleted', false],
    ['model', undefined, true],
  ] as const)('isActionable(%s, %s) is %s', (kind, status, expected) => {
    expect(isActionable(kind, status)).toBe(expected);
  });
});

describe('noticeAfterAction: exactly one notice per remediation', () => {
  test.each([
    ['the action was applied', { type: 'done' } as const, true],
    ['the resource was gone (a duplicate deleted it)', { type: 'gone' } as const, false],
    ['already Stopping (a duplicate or a person stopped it)', { type: 'wrong-state', status: 'Stopping' } as const, false],
    ['already Stopped', { type: 'wrong-state', status: 'Stopped' } as const, false],
    ['finished between Describe and Stop', { type: 'wrong-state', status: 'Completed' } as const, true],
    ['failed between Describe and Stop', { type: 'wrong-state', status: 'Failed' } as const, true],
    ['refused in a status the message did not name', { type: 'wrong-state', status: undefined } as const, true],
  ])('%s: %s', (_title, result, expected) => {
    expect(noticeAfterAction(result)).toBe(expected);
  });
});
