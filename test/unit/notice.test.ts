import type { Finding } from '../../lambda/controls/types';
import { buildNotice, consoleUrl, highestSeverity, ownerRecipients, subjectFor, type NoticeInput, type Outcome } from '../../lambda/core/notice';

const findings: Finding[] = [
  {
    controlId: 'notebook-instance.root-access',
    title: 'Root access disabled',
    why: 'Root lets users change the instance.',
    fix: 'Update RootAccess=Disabled.',
    severity: 'medium',
    observed: 'RootAccess is Enabled',
    mode: 'report',
    modeSource: 'policy.controls',
  },
  {
    controlId: 'notebook-instance.direct-internet-access',
    title: 'Direct internet access disabled',
    why: 'It has its own route to the internet.',
    fix: 'Re-create with DirectInternetAccess=Disabled.',
    severity: 'critical',
    observed: 'DirectInternetAccess is Enabled',
    mode: 'enforce',
    modeSource: 'policy.kinds',
  },
];

const input: NoticeInput = {
  kind: 'notebook-instance',
  name: 'Research-Notebook',
  arn: 'arn:aws:sagemaker:eu-west-1:123456789012:notebook-instance/research-notebook',
  account: '123456789012',
  region: 'eu-west-1',
  eventId: 'c52a2573-8588-a7f6-1bfb-42542a01fcb2',
  status: 'InService',
  findings,
  outcome: { type: 'acted', action: 'stop' },
  owner: 'team-a',
  ignoredExemptions: [],
  ownerRecipients: ['team-a@example.com'],
};

describe('buildNotice', () => {
  const notice = buildNotice(input);

  test('the body holds everything needed to act without the console', () => {
    for (const fragment of [
      'Stopped notebook instance Research-Notebook: it fails 2 SageMaker security controls.',
      'Name:     Research-Notebook',
      `ARN:      ${input.arn}`,
      'Account:  123456789012',
      'Region:   eu-west-1',
      'Status:   InService when checked',
      'Owner:    team-a',
      'https://eu-west-1.console.aws.amazon.com/sagemaker/home?region=eu-west-1#/notebook-instances/Research-Notebook',
      'Stopped the notebook instance (StopNotebookInstance). Its tag sagemaker-guard:violations lists the failed controls.',
      'Found: DirectInternetAccess is Enabled',
      'Why:   It has its own route to the internet.',
      'Fix:   Re-create with DirectInternetAccess=Disabled.',
      'Mode:  enforced (set by policy.kinds)',
      'Mode:  report only (set by policy.controls)',
      'WHO WAS TOLD',
      'The sagemaker-guard subscribers of account 123456789012, and team-a@example.com (owner team-a).',
      'Event id: c52a2573-8588-a7f6-1bfb-42542a01fcb2',
      'filter correlation_id = "c52a2573-8588-a7f6-1bfb-42542a01fcb2"',
    ]) {
      expect(notice.message).toContain(fragment);
    }
  });

  test('exempt findings are listed apart and do not count; ignored exemptions are explained', () => {
    const exempt: Finding = { ...findings[0], controlId: 'notebook-instance.imdsv2', observed: 'MinimumInstanceMetadataServiceVersion is 1', mode: 'exempt', modeSource: 'exemption-tag', modeNote: 'vendor AMI (until 2026-12-31)' };
    const notice = buildNotice({
      ...input,
      findings: [...findings, exempt],
      ignoredExemptions: [{ source: 'exemption-prefix', why: 'policy exemption for names starting "sandbox-" expired on 2026-01-01, so it is ignored' }],
    });
    expect(notice.message).toContain('it fails 2 SageMaker security controls');
    expect(notice.message).toContain('EXEMPT (logged, not acted on)\n  - notebook-instance.imdsv2: MinimumInstanceMetadataServiceVersion is 1 [exemption-tag: vendor AMI (until 2026-12-31)]');
    expect(notice.message).toContain('EXEMPTIONS IGNORED\n  - policy exemption for names starting "sandbox-" expired on 2026-01-01, so it is ignored');
    expect(notice.subject).toContain('2 controls failed');
  });

  test('a switched finding says the switch made it report-only', () => {
    const switched = buildNotice({ ...input, findings: [{ ...findings[1], mode: 'report', modeSource: 'switch' }], outcome: { type: 'report-only', action: 'stop' } });
    expect(switched.message).toContain('Mode:  report only (the account-wide switch is set to report)');
  });

  test('no owner recipients: only the subscribers are named', () => {
    expect(buildNotice({ ...input, ownerRecipients: [] }).message).toContain('The sagemaker-guard subscribers of account 123456789012.\n');
  });

  test('findings are listed highest severity first', () => {
    expect(notice.message.indexOf('[CRITICAL]')).toBeLessThan(notice.message.indexOf('[MEDIUM]'));
  });

  test('attributes for subscription filters', () => {
    expect(notice.attributes).toEqual({ kind: 'notebook-instance', action: 'stopped', severity: 'critical', account: '123456789012', region: 'eu-west-1', owner: 'team-a' });
  });

  test('no owner attribute without an owner tag (SNS refuses empty values)', () => {
    expect(buildNotice({ ...input, owner: undefined }).attributes).not.toHaveProperty('owner');
    expect(buildNotice({ ...input, owner: '  ' }).attributes).not.toHaveProperty('owner');
    expect(buildNotice({ ...input, owner: undefined }).message).toContain('Owner:    (no owner tag)');
  });

  test('a model has no status line, and its notice says it goes out before the delete', () => {
    const model = buildNotice({ ...input, kind: 'model', name: 'ChurnModel-v2', status: undefined, outcome: { type: 'acted', action: 'delete' } });
    expect(model.message).not.toContain('Status:');
    expect(model.message).toContain('Deleted the model (DeleteModel).');
    expect(model.message).not.toContain('sagemaker-guard:violations');
    expect(model.attributes.action).toBe('deleted');
  });
});

describe('what was done, per outcome', () => {
  test.each<[Outcome, string, string, string]>([
    [{ type: 'acted', action: 'stop' }, 'stopped', '[sagemaker-guard] Stopped notebook instance Research-Notebook: 2 controls failed', 'Stopped the notebook instance'],
    [{ type: 'report-only', action: 'stop' }, 'would-stop', '[sagemaker-guard] Would stop notebook instance Research-Notebook: 2 controls failed', 'Nothing: the failed controls are in report mode.'],
    [{ type: 'acted-earlier', action: 'stop', status: 'Stopping' }, 'stopped', '[sagemaker-guard] Stopped notebook instance Research-Notebook: 2 controls failed', 'but its notice did not go out; this is that notice. Status now: Stopping.'],
    [{ type: 'not-possible', action: 'stop', status: 'Failed' }, 'none', '[sagemaker-guard] Could not stop notebook instance Research-Notebook: 2 controls failed', 'already reached status Failed'],
  ])('%j', (outcome, action, subject, body) => {
    const notice = buildNotice({ ...input, outcome });
    expect(notice.attributes.action).toBe(action);
    expect(notice.subject).toBe(subject);
    expect(notice.message).toContain(body);
  });
});

describe('subject', () => {
  test('never longer than SNS allows, printable ASCII only', () => {
    const long = subjectFor({ ...input, kind: 'training-job', name: 'a'.repeat(63), findings: [findings[0]] });
    expect(long.length).toBeLessThanOrEqual(100);
    expect(long.endsWith('...')).toBe(true);
    expect(long).toMatch(/^[\x20-\x7e]+$/);
    expect(subjectFor({ ...input, findings: [findings[0]] })).toContain('1 control failed');
  });
});

describe('helpers', () => {
  test.each([
    ['team-a', ['a@example.com', 'both@example.com']],
    ['team-b', ['both@example.com']],
    ['team-c', []],
    [undefined, []],
    ['', []],
  ] as const)('owner %s is routed to %j', (owner, expected) => {
    expect(ownerRecipients(owner, { 'a@example.com': ['team-a'], 'both@example.com': ['team-a', 'team-b'] })).toEqual(expected);
  });

  test.each([
    ['arn:aws:sagemaker:us-east-1:1:training-job/x', 'https://us-east-1.console.aws.amazon.com/'],
    ['arn:aws-cn:sagemaker:cn-north-1:1:training-job/x', 'https://cn-north-1.console.amazonaws.cn/'],
    ['arn:aws-us-gov:sagemaker:us-gov-west-1:1:training-job/x', 'https://us-gov-west-1.console.amazonaws-us-gov.com/'],
  ])('console host for %s', (arn, prefix) => {
    expect(consoleUrl('training-job', 'x', arn.split(':')[3] ?? '', arn).startsWith(prefix)).toBe(true);
  });

  test('highest severity', () => {
    expect(highestSeverity(findings)).toBe('critical');
    expect(highestSeverity([findings[0]])).toBe('medium');
  });
});
