import type { Finding } from '../../lambda/controls/types';
import type { Evaluated } from '../../lambda/handlers/respond';
import type { SweepFailure } from '../../lambda/sweep/sweep';
import {
  actionOf,
  controlsLabel,
  decisionLabel,
  deniedAction,
  deniedMessage,
  exitCodeFor,
  jsonLine,
  listingErrorJson,
  renderTable,
  summaryLine,
  tableLayout,
  tableRow,
  Tally,
} from '../../cli/format';

function finding(controlId: string, mode: Finding['mode'] = 'enforce'): Finding {
  return { controlId, title: controlId, why: 'why', fix: 'fix', severity: 'high', observed: `${controlId} observed`, mode, modeSource: 'policy.mode' };
}

const ARN = 'arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/nb';
const openNotebook: Evaluated = {
  kind: 'notebook-instance',
  name: 'open-nb',
  arn: ARN,
  status: 'InService',
  decision: 'remediate',
  notified: false,
  findings: [finding('notebook-instance.direct-internet-access'), finding('notebook-instance.root-access', 'report'), finding('notebook-instance.imdsv2', 'exempt')],
};
const stoppedNotebook: Evaluated = { ...openNotebook, name: 'stopped-nb', status: 'Stopped', decision: 'not-actionable' };
const compliantModel: Evaluated = { kind: 'model', name: 'good-model', arn: 'arn:m', decision: 'compliant', notified: false, findings: [] };
const reportedModel: Evaluated = { kind: 'model', name: 'tagless', decision: 'report', notified: false, findings: [finding('model.required-tags', 'report')] };
const exemptJob: Evaluated = { kind: 'training-job', name: 'vendor-job', status: 'InProgress', decision: 'exempt', notified: false, findings: [finding('training-job.vpc', 'exempt')] };
const deletedModel: Evaluated = { kind: 'model', name: 'open-model', decision: 'remediate', actionResult: { type: 'done' }, notified: false, findings: [finding('model.vpc')] };
const gone: Evaluated = { kind: 'model', name: 'vanished', decision: 'gone', notified: false, findings: [] };
const denied: SweepFailure = {
  kind: 'model',
  name: 'secret-model',
  decision: 'error',
  error: { name: 'AccessDeniedException', class: 'access-denied', message: 'User: arn:aws:iam::123456789012:user/auditor is not authorized to perform: sagemaker:DescribeModel on resource: arn:m' },
};
const throttled: SweepFailure = { kind: 'model', name: 'busy', decision: 'error', error: { name: 'ThrottlingException', class: 'throttled', message: 'Rate exceeded' } };

describe('audit output', () => {
  test.each<[string, Evaluated | SweepFailure, string, string]>([
    ['would stop', openNotebook, 'would stop', 'would-stop'],
    ['stopped', { ...openNotebook, actionResult: { type: 'done' } }, 'stopped', 'stopped'],
    ['already stopping', { ...openNotebook, actionResult: { type: 'wrong-state', status: 'Stopping' } }, 'not stopped (Stopping)', 'not-applied'],
    ['gone before the stop', { ...openNotebook, actionResult: { type: 'gone' } }, 'gone before stop', 'not-applied'],
    ['deleted', deletedModel, 'deleted', 'deleted'],
    ['would delete', { ...deletedModel, actionResult: undefined }, 'would delete', 'would-delete'],
    ['not actionable', stoppedNotebook, 'no action (Stopped)', 'none'],
    ['report only', reportedModel, 'report only', 'none'],
    ['compliant', compliantModel, 'compliant', 'none'],
    ['exempt', exemptJob, 'exempt', 'none'],
    ['an error', throttled, 'error (throttled)', ''],
  ])('decision of %s', (_name, item, label, action) => {
    expect(decisionLabel(item)).toBe(label);
    if (item.decision !== 'error') expect(actionOf(item)).toBe(action);
  });

  test('failed controls: enforced plain, others marked; errors show name and message', () => {
    expect(controlsLabel(openNotebook)).toBe('notebook-instance.direct-internet-access, notebook-instance.root-access (report), notebook-instance.imdsv2 (exempt)');
    expect(controlsLabel(compliantModel)).toBe('');
    expect(controlsLabel(throttled)).toBe('ThrottlingException: Rate exceeded');
  });

  test('the table: fixed columns, header once, long values wrapped, no borders or colours', () => {
    const layout = tableLayout(120, false);
    expect(layout.colWidths.reduce((sum, width) => sum + width, 0)).toBeLessThanOrEqual(120);
    const first = renderTable([tableRow({ region: 'us-east-1', item: openNotebook }, layout)], layout, true);
    const next = renderTable([tableRow({ region: 'us-east-1', item: compliantModel }, layout)], layout, false);
    const lines = first.split('\n');
    expect(lines[0]).toMatch(/^kind\s+name\s+status\s+decision\s+failed controls$/);
    expect(lines[1]).toMatch(/^notebook-instance\s+open-nb\s+InService\s+would stop\s+notebook-instance\.direct-internet-access,/);
    expect(lines.length).toBeGreaterThan(2);
    // The second chunk's columns start where the first chunk's do.
    expect(next).toMatch(/^model\s+good-model\s+-\s+compliant$/);
    expect(next.indexOf('good-model')).toBe(lines[1].indexOf('open-nb'));
    expect(first + next).not.toMatch(/[│─…]/);
    expect(first + next).not.toContain(String.fromCharCode(27));
    // A long name wraps inside its column rather than being cut.
    const long = renderTable([tableRow({ region: 'us-east-1', item: { ...compliantModel, name: 'x'.repeat(60) } }, layout)], layout, false);
    expect(long.split('\n').length).toBeGreaterThan(1);
    expect(long.match(/x+/g)?.join('')).toBe('x'.repeat(60));
  });

  test('a region column when several regions are audited', () => {
    const layout = tableLayout(140, true);
    expect(renderTable([tableRow({ region: 'eu-west-1', item: compliantModel }, layout)], layout, true).split('\n')[1]).toMatch(/^eu-west-1\s+model\s+good-model/);
  });

  test('NDJSON: one object per resource, failures typed "error", with the denied action', () => {
    expect(JSON.parse(jsonLine({ region: 'us-east-1', item: openNotebook }))).toEqual({
      type: 'resource',
      region: 'us-east-1',
      kind: 'notebook-instance',
      name: 'open-nb',
      arn: ARN,
      status: 'InService',
      decision: 'remediate',
      action: 'would-stop',
      actionResult: null,
      failed: [
        { control: 'notebook-instance.direct-internet-access', severity: 'high', mode: 'enforce', observed: 'notebook-instance.direct-internet-access observed' },
        { control: 'notebook-instance.root-access', severity: 'high', mode: 'report', observed: 'notebook-instance.root-access observed' },
      ],
      exempt: ['notebook-instance.imdsv2'],
    });
    expect(JSON.parse(jsonLine({ region: 'us-east-1', item: denied }))).toEqual({
      type: 'error',
      region: 'us-east-1',
      kind: 'model',
      name: 'secret-model',
      error: denied.error,
      deniedAction: 'sagemaker:DescribeModel',
    });
    expect(jsonLine({ region: 'us-east-1', item: throttled })).not.toContain('deniedAction');
    expect(JSON.parse(listingErrorJson({ region: 'eu-west-1', kind: 'model', call: 'sagemaker:ListModels', error: { name: 'AccessDeniedException', class: 'access-denied', message: 'no' } }))).toMatchObject({
      type: 'error',
      call: 'sagemaker:ListModels',
    });
  });

  test('denied messages name the call', () => {
    expect(deniedAction(denied.error.message)).toBe('sagemaker:DescribeModel');
    expect(deniedAction('You are not authorized to perform this operation.')).toBeUndefined();
    expect(deniedMessage('sagemaker:ListModels', { name: 'AccessDeniedException', message: 'nope' }, 'in us-east-1')).toBe(
      'sagemaker:ListModels was denied (AccessDeniedException) in us-east-1: nope',
    );
    expect(deniedMessage(undefined, { name: 'UnauthorizedOperation', message: 'You are not authorized to perform this operation.' }, 'for x')).toBe(
      'a call was denied (UnauthorizedOperation) for x: You are not authorized to perform this operation.',
    );
  });

  test('the tally and the summary line', () => {
    const tally = new Tally(['us-east-1'], false);
    for (const item of [openNotebook, stoppedNotebook, compliantModel, reportedModel, exemptJob, gone, throttled]) tally.add(item);
    const summary = tally.summary();
    expect(summary).toMatchObject({ checked: 5, compliant: 1, withViolations: 3, enforce: 2, report: 1, exempt: 1, gone: 1, failed: 1, accessDenied: 0 });
    expect(Object.keys(summary.byControl)).toEqual(['notebook-instance.direct-internet-access', 'notebook-instance.root-access', 'model.required-tags']);
    expect(summaryLine(summary)).toBe(
      '5 resources checked in 1 region: 3 with violations (2 enforce, 1 report), 1 exempt; ' +
        'by control: notebook-instance.direct-internet-access=2, notebook-instance.root-access=2, model.required-tags=1; ' +
        '1 gone before they could be described (skipped); 1 could not be checked',
    );
    expect(exitCodeFor(summary)).toBe(1);
  });

  test('remediation counts, and exit codes', () => {
    const tally = new Tally(['us-east-1', 'eu-west-1'], true);
    tally.add(deletedModel);
    tally.add({ ...openNotebook, actionResult: { type: 'done' } });
    expect(summaryLine(tally.summary())).toContain('2 resources checked in 2 regions: 2 with violations (2 enforce, 0 report), 0 exempt');
    expect(summaryLine(tally.summary())).toContain('; remediated: 1 stopped, 1 deleted');

    const clean = new Tally(['us-east-1'], false);
    clean.add(compliantModel);
    clean.add(exemptJob);
    expect(summaryLine(clean.summary())).toBe('2 resources checked in 1 region: 0 with violations (0 enforce, 0 report), 1 exempt; by control: none');
    expect(exitCodeFor(clean.summary())).toBe(0);
    clean.add(throttled);
    expect(exitCodeFor(clean.summary())).toBe(0);
    clean.add(denied);
    expect(exitCodeFor(clean.summary())).toBe(2);
    const listing = new Tally(['us-east-1'], false);
    listing.addListingError();
    expect(exitCodeFor(listing.summary())).toBe(2);
  });
});
