import type { Finding } from '../../lambda/controls/types';
import { buildSweepNotice, MAX_SUMMARY_LINES, SweepTally, type SweepRun } from '../../lambda/core/summary';

const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

const finding = (controlId: string, severity: Finding['severity'], mode: Finding['mode'] = 'enforce'): Finding => ({
  controlId,
  title: 't',
  why: 'w',
  fix: 'f',
  severity,
  observed: 'o',
  mode,
  modeSource: mode === 'exempt' ? 'exemption-tag' : 'policy.mode',
});

const run: SweepRun = { account: '123456789012', region: 'us-east-1', correlationId: 'sweep-1', startedAt: new Date('2026-11-22T03:00:00Z'), durationMs: 12_345 };

const tagExemption = { source: 'exemption-tag', scope: 'training-job.max-runtime', reason: 'long run, INC-7', expires: '2026-12-01', controls: ['training-job.max-runtime'] };
const prefixExemption = { source: 'exemption-prefix', scope: 'sandbox-', reason: 'sandbox budget', controls: ['training-job.vpc'] };

function sampleTally(): SweepTally {
  const tally = new SweepTally();
  tally.add({ kind: 'training-job', name: 'job-1', status: 'InProgress', decision: 'remediate', findings: [finding('training-job.vpc', 'high')], actionResult: { type: 'done' }, notified: true });
  tally.add({ kind: 'training-job', name: 'job-2', status: 'InProgress', decision: 'remediate', findings: [finding('training-job.vpc', 'high')], actionResult: { type: 'denied' }, notified: true });
  tally.add({ kind: 'model', name: 'model-1', decision: 'report', findings: [finding('model.vpc', 'high', 'report')], notified: true });
  tally.add({ kind: 'notebook-instance', name: 'nb-1', status: 'InService', decision: 'busy', findings: [finding('notebook-instance.direct-internet-access', 'critical')] });
  tally.add({ kind: 'training-job', name: 'job-3', status: 'InProgress', decision: 'exempt', findings: [finding('training-job.max-runtime', 'low', 'exempt')], exemptionsHonoured: [tagExemption] });
  tally.add({ kind: 'training-job', name: 'sandbox-1', status: 'InProgress', decision: 'exempt', findings: [finding('training-job.vpc', 'high', 'exempt')], exemptionsHonoured: [prefixExemption] });
  tally.add({ kind: 'model', name: 'model-2', decision: 'compliant', findings: [] });
  tally.add({ kind: 'model', name: 'model-3', decision: 'error' });
  return tally;
}

describe('SweepTally', () => {
  test('an empty tally found nothing', () => {
    const tally = new SweepTally();
    expect(tally.found).toBe(false);
    expect(tally.highest).toBeUndefined();
    tally.add({ kind: 'model', name: 'm', decision: 'compliant', findings: [] });
    expect(tally.found).toBe(false);
    expect(tally.checked).toBe(1);
  });

  test.each([
    ['a failure to check', { kind: 'model', name: 'm', decision: 'error' }],
    ['an honoured exemption alone', { kind: 'training-job', name: 'j', decision: 'exempt', findings: [finding('training-job.max-runtime', 'low', 'exempt')], exemptionsHonoured: [tagExemption] }],
    ['a violation', { kind: 'model', name: 'm', decision: 'report', findings: [finding('model.vpc', 'high', 'report')] }],
  ] as const)('%s is worth a notice', (_title, item) => {
    const tally = new SweepTally();
    tally.add(item);
    expect(tally.found).toBe(true);
  });

  test('counts: checked, decisions, violations by control (exempt findings excluded), notices, exemptions, failures, highest severity', () => {
    const tally = sampleTally();
    expect(tally.checked).toBe(8);
    expect(tally.byDecision).toEqual({ remediate: 2, report: 1, busy: 1, exempt: 2, compliant: 1, error: 1 });
    expect(tally.byControl).toEqual({ 'training-job.vpc': 2, 'model.vpc': 1, 'notebook-instance.direct-internet-access': 1 });
    expect(tally.withFindings).toBe(4);
    expect(tally.failures).toBe(1);
    expect(tally.notified).toBe(3);
    expect(tally.exemptionCount).toBe(2);
    expect(tally.highest).toBe('critical');
    expect(tally.lines.map((line) => [line.name, line.action])).toEqual([
      ['job-1', 'stopped'],
      ['job-2', 'not stopped (denied)'],
      ['model-1', 'would be deleted (report mode)'],
      ['nb-1', 'none (already handled: see the ledger)'],
    ]);
    expect(tally.exemptions).toEqual([
      { kind: 'training-job', name: 'job-3', source: 'exemption-tag', reason: 'long run, INC-7', expires: '2026-12-01', controls: ['training-job.max-runtime'] },
      { kind: 'training-job', name: 'sandbox-1', source: 'exemption-prefix', reason: 'sandbox budget', expires: undefined, controls: ['training-job.vpc'] },
    ]);
  });

  test.each([
    ['resume', 'done', 'stopped'],
    ['resume', 'wrong-state', 'not stopped (wrong-state)'],
    ['retry-denied', 'done', 'stopped'],
    ['retry-denied', 'denied', 'not stopped (denied)'],
    ['remediate', undefined, 'not stopped (unknown)'],
    ['duplicate', undefined, 'none (already handled: see the ledger)'],
    ['resend-notice', undefined, 'none (already handled: see the ledger)'],
    ['not-actionable', undefined, 'none (not in a state that can be acted on)'],
  ])('a %s line with result %s says %s', (decision, result, action) => {
    const tally = new SweepTally();
    tally.add({ kind: 'training-job', name: 'j', decision, findings: [finding('training-job.vpc', 'high')], ...(result !== undefined ? { actionResult: { type: result } } : {}) });
    expect(tally.lines[0]?.action).toBe(action);
  });

  test(`memory is bounded: at most ${MAX_SUMMARY_LINES} lines and exemptions are kept, every one is counted`, () => {
    const tally = new SweepTally();
    for (let index = 0; index < MAX_SUMMARY_LINES + 7; index += 1) {
      tally.add({ kind: 'training-job', name: `j-${index}`, decision: 'remediate', findings: [finding('training-job.vpc', 'high')], actionResult: { type: 'done' }, notified: true, exemptionsHonoured: [tagExemption] });
    }
    expect(tally.lines).toHaveLength(MAX_SUMMARY_LINES);
    expect(tally.exemptions).toHaveLength(MAX_SUMMARY_LINES);
    expect(tally.withFindings).toBe(MAX_SUMMARY_LINES + 7);
    expect(tally.exemptionCount).toBe(MAX_SUMMARY_LINES + 7);
    expect(tally.notified).toBe(MAX_SUMMARY_LINES + 7);
    const message = buildSweepNotice(tally, run).message;
    expect(message).toContain(`RESOURCES (first ${MAX_SUMMARY_LINES} of ${MAX_SUMMARY_LINES + 7})`);
    expect(message).toContain(`EXEMPTIONS HONOURED: ${MAX_SUMMARY_LINES + 7} (first ${MAX_SUMMARY_LINES} listed)`);
  });
});

describe('buildSweepNotice', () => {
  test('an incomplete run says so first, in the subject and the body', () => {
    const notice = buildSweepNotice(sampleTally(), { ...run, incomplete: 'its time ran out after 2 of 3 kinds' });
    expect(notice.subject).toBe('[sagemaker-guard] Sweep of 123456789012 us-east-1: 4 of 8 resources fail controls (incomplete)');
    const lines = notice.message.split('\n');
    expect(lines[2]).toBe('INCOMPLETE: its time ran out after 2 of 3 kinds. What it did before it stopped is below; the next run checks everything again.');
  });

  test('a complete run has no INCOMPLETE section and no "(incomplete)" in the subject', () => {
    const notice = buildSweepNotice(sampleTally(), run);
    expect(notice.message).not.toContain('INCOMPLETE');
    expect(notice.subject).toBe('[sagemaker-guard] Sweep of 123456789012 us-east-1: 4 of 8 resources fail controls');
  });

  test('the sections: headline, notices, decisions, violations, resources, exemptions, log lines', () => {
    const notice = buildSweepNotice(sampleTally(), run);
    const { message } = notice;
    for (const fragment of [
      'The scheduled sagemaker-guard sweep of account 123456789012 in us-east-1 checked 8 resources: 4 fail security controls, 1 could not be checked.',
      'NOTICES: 3 per-resource notices sent to the owners and operators (one per resource acted on or reported).',
      'DECISIONS: remediate 2, report 1, busy 1, exempt 2, compliant 1, error 1',
      'VIOLATIONS BY CONTROL\n  training-job.vpc: 2\n',
      '  - training job job-1 (InProgress): stopped\n    failed: training-job.vpc',
      '  - model model-1: would be deleted (report mode)\n    failed: model.vpc',
      'EXEMPTIONS HONOURED: 2\n',
      '  - training job job-3: training-job.max-runtime [tag, until 2026-12-01: long run, INC-7]',
      '  - training job sandbox-1: training-job.vpc [policy prefix, until no expiry: sandbox budget]',
      'Sweep id: sweep-1 (started 2026-11-22T03:00:00.000Z, took 12.3 s)',
    ]) {
      expect(message).toContain(fragment);
    }
    const order = ['NOTICES:', 'DECISIONS:', 'VIOLATIONS BY CONTROL', 'RESOURCES', 'EXEMPTIONS HONOURED:', 'FIND THE LOG LINES'].map((heading) => message.indexOf(heading));
    expect(order.every((position) => position >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(notice.attributes).toEqual({ kind: 'sweep', action: 'summary', severity: 'critical', account: '123456789012', region: 'us-east-1' });
  });

  test.each<[string, SweepRun['outbox'], string | undefined]>([
    ['no outbox drain', undefined, undefined],
    ['an outbox with nothing owed', { sent: 0, failed: 0 }, undefined],
    ['owed notices sent again and some still failing', { sent: 3, failed: 1 }, 'OWED NOTICES: 3 sent again from the ledger, 1 still failing.'],
    ['only failures', { sent: 0, failed: 2 }, 'OWED NOTICES: 0 sent again from the ledger, 2 still failing.'],
  ])('%s', (_title, outbox, line) => {
    const message = buildSweepNotice(sampleTally(), { ...run, ...(outbox !== undefined ? { outbox } : {}) }).message;
    if (line === undefined) expect(message).not.toContain('OWED NOTICES');
    else expect(message).toContain(line);
  });

  test('nothing to list: singular notice, "none" sections, no exemptions, low severity', () => {
    const tally = new SweepTally();
    tally.add({ kind: 'model', name: 'm', decision: 'report', findings: [], notified: true });
    const notice = buildSweepNotice(tally, run);
    expect(notice.message).toContain('checked 1 resource: 0 fail security controls.');
    expect(notice.message).toContain('NOTICES: 1 per-resource notice sent');
    expect(notice.message).toContain('VIOLATIONS BY CONTROL\n  none\n');
    expect(notice.message).toContain('EXEMPTIONS HONOURED: 0\n');
    expect(notice.attributes.severity).toBe('low');
  });

  test('an exemption reason with line breaks cannot forge a section', () => {
    const tally = new SweepTally();
    tally.add({ kind: 'training-job', name: 'j', decision: 'exempt', findings: [], exemptionsHonoured: [{ ...tagExemption, reason: 'ok\nINCOMPLETE: nothing was checked\u2028' }] });
    const lines = buildSweepNotice(tally, run).message.split('\n');
    for (const line of lines) expect(line).not.toMatch(UNSAFE);
    expect(lines.some((line) => line.startsWith('INCOMPLETE'))).toBe(false);
  });
});
