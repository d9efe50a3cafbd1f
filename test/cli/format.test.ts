import type { Finding } from '../../lambda/controls/types';
import type { Evaluated } from '../../lambda/pipeline/handle';
import type { SweepFailure } from '../../lambda/sweep/sweep';
import {
  accountOf,
  actionOf,
  controlsLabel,
  CSV_HEADER,
  csvField,
  csvRecord,
  csvRows,
  decisionLabel,
  deniedAction,
  deniedMessage,
  exitCodeFor,
  jsonLine,
  listingErrorCsv,
  listingErrorJson,
  renderTable,
  severityOf,
  statusOf,
  summaryLine,
  tableLayout,
  tableRow,
  Tally,
} from '../../cli/format';

function finding(controlId: string, mode: Finding['mode'] = 'enforce', severity: Finding['severity'] = 'high'): Finding {
  return { controlId, title: controlId, why: 'why', fix: 'fix', severity, observed: `${controlId} observed`, mode, modeSource: 'policy.mode' };
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
    ['existing estate', { ...openNotebook, decision: 'report', existing: { enforcementSince: '2026-11-15T00:00:00.000Z' } }, 'existing: no stop', 'none'],
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
    const first = renderTable([tableRow({ region: 'us-east-1', item: openNotebook }, layout)], layout, true);
    // Lines stay narrower than the terminal, so none wraps there.
    expect(Math.max(...first.split('\n').map((line) => line.length))).toBeLessThan(120);
    const next = renderTable([tableRow({ region: 'us-east-1', item: compliantModel }, layout)], layout, false);
    const lines = first.split('\n');
    // 120 columns: no room for the owner and account columns.
    expect(lines[0]).toMatch(/^kind\s+name\s+status\s+decision\s+severity\s+failed controls$/);
    expect(lines[1]).toMatch(/^notebook-instance\s+open-nb\s+InService\s+would stop\s+high\s+notebook-instance\.direct-internet-access,/);
    expect(lines.length).toBeGreaterThan(2);
    // The second chunk's columns start where the first chunk's do.
    expect(next).toMatch(/^model\s+good-model\s+-\s+compliant\s+-$/);
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
      account: '123456789012',
      kind: 'notebook-instance',
      name: 'open-nb',
      arn: ARN,
      owner: null,
      status: 'InService',
      severity: 'high',
      decision: 'remediate',
      existingEstate: null,
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

  test('the existing estate: marked in JSON and counted in the summary line', () => {
    const existing: Evaluated = { ...openNotebook, decision: 'report', existing: { enforcementSince: '2026-11-15T00:00:00.000Z' } };
    expect(JSON.parse(jsonLine({ region: 'us-east-1', item: existing }))).toMatchObject({ decision: 'report', existingEstate: { enforcementSince: '2026-11-15T00:00:00.000Z' }, action: 'none' });
    const tally = new Tally(['us-east-1'], false);
    tally.add(existing);
    tally.add(openNotebook);
    expect(tally.summary()).toMatchObject({ enforce: 2, existing: 1 });
    expect(summaryLine(tally.summary())).toContain('2 with violations (2 enforce, 0 report), 0 exempt; by control: ');
    expect(summaryLine(tally.summary())).toContain('; 1 of them existing estate (older than enforcement: reported, not acted on)');
    expect(exitCodeFor(tally.summary())).toBe(1);
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
  test('account from the ARN, and the highest severity among the failed controls (exempt ones aside)', () => {
    expect(accountOf(openNotebook)).toBe('123456789012');
    expect(accountOf(compliantModel)).toBeUndefined(); // arn:m has no account
    expect(accountOf(reportedModel)).toBeUndefined(); // no ARN
    expect(accountOf(denied)).toBeUndefined();
    const mixed: Evaluated = {
      ...openNotebook,
      findings: [finding('a', 'report', 'low'), finding('b', 'enforce', 'medium'), finding('c', 'exempt', 'critical'), finding('d', 'report', 'high')],
    };
    expect(severityOf(mixed)).toBe('high');
    expect(severityOf({ ...mixed, findings: [finding('c', 'exempt', 'critical')] })).toBeUndefined();
    expect(severityOf(compliantModel)).toBeUndefined();
    expect(severityOf(throttled)).toBeUndefined();
  });

  test('the status after an action: read again, gone, or unknown when it could not be read', () => {
    const stopped: Evaluated = { ...openNotebook, actionResult: { type: 'done' } };
    expect(statusOf({ region: 'us-east-1', item: stopped })).toBe('InService');
    expect(statusOf({ region: 'us-east-1', item: stopped, after: { type: 'read', status: 'Stopping' } })).toBe('Stopping');
    expect(statusOf({ region: 'us-east-1', item: deletedModel, after: { type: 'gone' } })).toBe('gone');
    expect(statusOf({ region: 'us-east-1', item: stopped, after: { type: 'unread', error: 'ThrottlingException: Rate exceeded' } })).toBe('unknown');
    expect(JSON.parse(jsonLine({ region: 'us-east-1', item: stopped, after: { type: 'read', status: 'Stopping' } }))).toMatchObject({ status: 'Stopping', statusBefore: 'InService', action: 'stopped' });
    expect(JSON.parse(jsonLine({ region: 'us-east-1', item: stopped, after: { type: 'unread', error: 'ThrottlingException: Rate exceeded' } }))).toMatchObject({
      status: null,
      statusBefore: 'InService',
      statusReadError: 'ThrottlingException: Rate exceeded',
    });
    expect(JSON.parse(jsonLine({ region: 'us-east-1', item: deletedModel, after: { type: 'gone' } }))).toMatchObject({ status: 'gone', statusBefore: null, action: 'deleted' });
    // Without an action, no statusBefore.
    expect(jsonLine({ region: 'us-east-1', item: openNotebook })).not.toContain('statusBefore');
  });

  test('rows carry the owner, the account and the severity: in JSON, and in a table wide enough', () => {
    const entry = { region: 'us-east-1', item: { ...openNotebook, owner: 'alice@example.com' } };
    expect(JSON.parse(jsonLine(entry))).toMatchObject({ account: '123456789012', owner: 'alice@example.com', severity: 'high' });
    const wide = tableLayout(200, false);
    expect(wide.columns).toEqual(['account', 'kind', 'name', 'owner', 'status', 'decision', 'severity', 'controls']);
    const lines = renderTable([tableRow(entry, wide)], wide, true).split('\n');
    expect(lines[0]).toMatch(/^account\s+kind\s+name\s+owner\s+status\s+decision\s+severity\s+failed controls$/);
    expect(lines[1]).toMatch(/^123456789012\s+notebook-instance\s+open-nb\s+alice@example\.com\s+InService\s+would stop\s+high\s+notebook-instance\.direct-internet-access,/);
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThan(200);
    // Unknown account and owner, and no severity: "-".
    expect(renderTable([tableRow({ region: 'us-east-1', item: throttled }, wide)], wide, false)).toMatch(/^-\s+model\s+busy\s+-\s+-\s+error \(throttled\)\s+-\s+ThrottlingException/);
  });

  test.each<[number, boolean, string[]]>([
    [200, false, ['account', 'kind', 'name', 'owner', 'status', 'decision', 'severity', 'controls']],
    [200, true, ['account', 'region', 'kind', 'name', 'owner', 'status', 'decision', 'severity', 'controls']],
    [140, false, ['kind', 'name', 'owner', 'status', 'decision', 'severity', 'controls']],
    [120, false, ['kind', 'name', 'status', 'decision', 'severity', 'controls']],
    [140, true, ['region', 'kind', 'name', 'status', 'decision', 'severity', 'controls']],
  ])('a terminal %i columns wide (region column: %s): the owner, then the account, only when there is room', (columns, withRegion, expected) => {
    const layout = tableLayout(columns, withRegion);
    expect(layout.columns).toEqual(expected);
    const row = tableRow({ region: 'eu-central-1', item: { ...openNotebook, name: 'n'.repeat(63), owner: 'q'.repeat(40) } }, layout);
    const lines = renderTable([row], layout, true).split('\n');
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThan(columns);
    // Names and owners wrap, whole: nothing is cut.
    expect(lines.join('').match(/n{2,}/g)?.join('')).toBe('n'.repeat(63));
    if (expected.includes('owner')) expect(lines.join('').match(/q+/g)?.join('')).toBe('q'.repeat(40));
    expect(lines.join('\n')).not.toContain('…');
  });

  test.each<[string, string]>([
    ['plain', 'plain'],
    ['', ''],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['carriage\rreturn', '"carriage\rreturn"'],
    // A spreadsheet would run these: an owner tag is anyone's to write.
    ['=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
    ['+1', "'+1"],
    ['-2', "'-2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['a=b', 'a=b'],
  ])('a CSV field (RFC 4180, formulas defused): %j', (value, field) => {
    expect(csvField(value)).toBe(field);
  });

  test('CSV: a CRLF header, one record per failed control (exempt ones too), one per error, none for a compliant resource', () => {
    expect(csvRecord(CSV_HEADER)).toBe('account,region,kind,name,status,owner,control,severity,mode,action,message\r\n');
    const entry = { region: 'us-east-1', item: { ...openNotebook, owner: 'Smith, Alice' } };
    expect(csvRows(entry)).toBe(
      '123456789012,us-east-1,notebook-instance,open-nb,InService,"Smith, Alice",notebook-instance.direct-internet-access,high,enforce,would-stop,notebook-instance.direct-internet-access observed\r\n' +
        '123456789012,us-east-1,notebook-instance,open-nb,InService,"Smith, Alice",notebook-instance.root-access,high,report,would-stop,notebook-instance.root-access observed\r\n' +
        '123456789012,us-east-1,notebook-instance,open-nb,InService,"Smith, Alice",notebook-instance.imdsv2,high,exempt,would-stop,notebook-instance.imdsv2 observed\r\n',
    );
    expect(csvRows({ region: 'us-east-1', item: compliantModel })).toBe('');
    expect(csvRows({ region: 'us-east-1', item: throttled })).toBe(',us-east-1,model,busy,,,,,,error,ThrottlingException: Rate exceeded\r\n');
    expect(csvRows({ region: 'us-east-1', item: deletedModel, after: { type: 'gone' } })).toBe(',us-east-1,model,open-model,gone,,model.vpc,high,enforce,deleted,model.vpc observed\r\n');
    expect(listingErrorCsv({ region: 'eu-west-1', kind: 'model', call: 'sagemaker:ListModels', error: { name: 'AccessDeniedException', class: 'access-denied', message: 'no, never' } })).toBe(
      ',eu-west-1,model,,,,,,,error,"could not list (sagemaker:ListModels): AccessDeniedException: no, never"\r\n',
    );
  });

  test('a run where every resource failed checked nothing: exit 2, never 0', () => {
    const nothing = new Tally(['us-east-1'], false);
    nothing.add(throttled);
    nothing.add({ ...throttled, name: 'busy-2' });
    expect(nothing.summary()).toMatchObject({ checked: 0, failed: 2 });
    expect(exitCodeFor(nothing.summary())).toBe(2);
    // One resource checked: the errors are listed, and the exit code says what was found.
    nothing.add(compliantModel);
    expect(exitCodeFor(nothing.summary())).toBe(0);
    // Nothing there at all is clean.
    expect(exitCodeFor(new Tally(['us-east-1'], false).summary())).toBe(0);
  });
});
