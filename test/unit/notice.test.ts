import type { Finding } from '../../lambda/controls/types';
import { actionAttribute, buildNotice, consoleUrl, highestSeverity, ownerRecipients, subjectFor, type NoticeInput, type Outcome } from '../../lambda/core/notice';

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
  tagged: true,
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
      'The sagemaker-guard subscribers, and team-a@example.com (owner team-a).',
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

  test("a kind's own default (endpoints report) says how the policy changes it", () => {
    const note = 'endpoints default to report; kinds.endpoint.mode: enforce changes it';
    const capped = buildNotice({ ...input, findings: [{ ...findings[1], mode: 'report', modeSource: 'kind-default', modeNote: note }], outcome: { type: 'report-only', action: 'stop' } });
    expect(capped.message).toContain(`Mode:  report only (set by kind-default: ${note})`);
  });

  test('no owner recipients: only the subscribers are named', () => {
    expect(buildNotice({ ...input, ownerRecipients: [] }).message).toContain('The sagemaker-guard subscribers.\n');
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
    const model = buildNotice({ ...input, kind: 'model', name: 'ChurnModel-v2', status: undefined, outcome: { type: 'acted', action: 'delete' }, tagged: false });
    expect(model.message).not.toContain('Status:');
    expect(model.message).toContain('Deleted the model (DeleteModel).');
    expect(model.message).not.toContain('sagemaker-guard:violations');
    expect(model.attributes.action).toBe('deleted');
  });
});

const ARN = input.arn;
const TAG_SENTENCE = 'Its tag sagemaker-guard:violations lists the failed controls.';

describe('what was done, per outcome: only what really happened', () => {
  test.each<[string, Outcome, boolean, string, string, string[]]>([
    [
      'denied: names the error, the permission and the ARN',
      { type: 'denied', action: 'stop', errorName: 'AccessDeniedException', permission: 'sagemaker:StopNotebookInstance' },
      true,
      'denied',
      '[sagemaker-guard] Denied: could not stop notebook instance Research-Notebook: 2 controls failed',
      [
        'Denied: could not stop notebook instance Research-Notebook: it fails 2 SageMaker security controls.',
        'Nothing: StopNotebookInstance was denied (AccessDeniedException), so the notebook instance is still running as described above.',
        `The guard's role needs sagemaker:StopNotebookInstance on ${ARN}; look for a service control policy, a permissions boundary or a change to the role.`,
        'The sweep tries again.',
        TAG_SENTENCE,
      ],
    ],
    [
      'gone: deleted before the guard acted',
      { type: 'gone', action: 'stop' },
      false,
      'none',
      // 103 characters: cut to the 100 SNS allows.
      '[sagemaker-guard] Gone before the guard acted: notebook instance Research-Notebook: 2 controls fa...',
      ['Nothing: the notebook instance no longer existed when StopNotebookInstance was called (someone deleted it first).'],
    ],
    [
      'not possible: it had reached a status the action cannot leave',
      { type: 'not-possible', action: 'stop', status: 'Failed' },
      true,
      'none',
      '[sagemaker-guard] Could not stop notebook instance Research-Notebook: 2 controls failed',
      ['Nothing: the notebook instance could not be stopped because it had already reached status Failed when StopNotebookInstance was called.', TAG_SENTENCE],
    ],
    [
      'not possible in an unknown status',
      { type: 'not-possible', action: 'stop', status: undefined },
      false,
      'none',
      '[sagemaker-guard] Could not stop notebook instance Research-Notebook: 2 controls failed',
      ['already reached status (unknown) when StopNotebookInstance was called.'],
    ],
    [
      'report only',
      { type: 'report-only', action: 'stop' },
      false,
      'would-stop',
      '[sagemaker-guard] Would stop notebook instance Research-Notebook: 2 controls failed',
      ['Nothing: the failed controls are in report mode. Enforced, they would have stopped the notebook instance.'],
    ],
    [
      'acted, by this invocation',
      { type: 'acted', action: 'stop' },
      true,
      'stopped',
      '[sagemaker-guard] Stopped notebook instance Research-Notebook: 2 controls failed',
      [`Stopped the notebook instance (StopNotebookInstance). ${TAG_SENTENCE}`],
    ],
    [
      'acted by an earlier attempt whose result was not recorded, with the status now',
      { type: 'acted', action: 'stop', byEarlierAttempt: true, status: 'Stopping' },
      false,
      'stopped',
      '[sagemaker-guard] Stopped notebook instance Research-Notebook: 2 controls failed',
      ['Stopped the notebook instance (StopNotebookInstance, called by an earlier attempt of the guard whose result was not recorded). Status now: Stopping.'],
    ],
  ])('%s', (_title, outcome, tagged, action, subject, fragments) => {
    const notice = buildNotice({ ...input, outcome, tagged });
    expect(notice.attributes.action).toBe(action);
    expect(notice.subject).toBe(subject);
    expect(notice.subject.length).toBeLessThanOrEqual(100);
    for (const fragment of fragments) expect(notice.message).toContain(fragment);
    if (!tagged) expect(notice.message).not.toContain('sagemaker-guard:violations');
  });

  test.each<Outcome>([
    { type: 'acted', action: 'stop' },
    { type: 'denied', action: 'stop', errorName: 'AccessDeniedException', permission: 'sagemaker:StopNotebookInstance' },
    { type: 'not-possible', action: 'stop', status: 'Stopped' },
  ])('untagged (the tags could not be written): %j names no tag', (outcome) => {
    const message = buildNotice({ ...input, outcome, tagged: false }).message;
    expect(message).not.toContain('sagemaker-guard:violations');
    expect(message).not.toContain('Its tag');
    expect(buildNotice({ ...input, outcome, tagged: true }).message).toContain(TAG_SENTENCE);
  });

  test.each<Outcome>([
    { type: 'report-only', action: 'stop' },
    { type: 'gone', action: 'stop' },
  ])('%j never names the tag, even if told it was written (report mode writes none; a gone resource has none)', (outcome) => {
    expect(buildNotice({ ...input, outcome, tagged: true }).message).not.toContain('sagemaker-guard:violations');
  });

  test('a denied delete of a model names DeleteModel, its permission and its ARN', () => {
    const arn = 'arn:aws:sagemaker:eu-west-1:123456789012:model/churnmodel-v2';
    const notice = buildNotice({
      ...input,
      kind: 'model',
      name: 'ChurnModel-v2',
      arn,
      status: undefined,
      tagged: false,
      outcome: { type: 'denied', action: 'delete', errorName: 'AccessDenied', permission: 'sagemaker:DeleteModel' },
    });
    expect(notice.subject).toBe('[sagemaker-guard] Denied: could not delete model ChurnModel-v2: 2 controls failed');
    expect(notice.message).toContain('Nothing: DeleteModel was denied (AccessDenied)');
    expect(notice.message).toContain(`needs sagemaker:DeleteModel on ${arn};`);
    expect(notice.attributes).toMatchObject({ kind: 'model', action: 'denied' });
  });

  test.each<[Outcome, string]>([
    [{ type: 'acted', action: 'stop' }, 'stopped'],
    [{ type: 'acted', action: 'delete' }, 'deleted'],
    [{ type: 'report-only', action: 'delete' }, 'would-delete'],
    [{ type: 'denied', action: 'delete', errorName: 'e', permission: 'p' }, 'denied'],
    [{ type: 'not-possible', action: 'stop', status: 'Stopped' }, 'none'],
    [{ type: 'gone', action: 'delete' }, 'none'],
  ])('action attribute of %j is %s', (outcome, expected) => {
    expect(actionAttribute(outcome)).toBe(expected);
  });
});

/** Every character a tag value may carry that could forge a line or reorder text in a reader. */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

describe('values the guarded users control cannot forge lines in a notice', () => {
  const injected = 'team-a\nWHAT WAS DONE\r\n  Nothing: all is well.\u2028From: security@example.com\u2029\u202Eevil\u200B\tend';

  test('an owner tag with line breaks: no line starts with the injected text, and the owner attribute has no control characters', () => {
    const notice = buildNotice({ ...input, owner: injected });
    const lines = notice.message.split('\n');
    for (const line of lines) {
      expect(line).not.toMatch(UNSAFE);
      expect(line).not.toMatch(/^\s*(From:|Nothing: all is well)/);
    }
    expect(lines.filter((line) => line === 'WHAT WAS DONE')).toHaveLength(1);
    expect(lines).toContain('  Owner:    team-aWHAT WAS DONE  Nothing: all is well.From: security@example.comevilend');
    expect(notice.attributes.owner).toBe('team-aWHAT WAS DONE  Nothing: all is well.From: security@example.comevilend');
    expect(notice.attributes.owner).not.toMatch(UNSAFE);
    expect(notice.subject).toMatch(/^[\x20-\x7e]+$/);
  });

  test('an owner made only of unsafe characters is no owner attribute (SNS refuses empty values)', () => {
    expect(buildNotice({ ...input, owner: '\n\u2028\u200B ' }).attributes).not.toHaveProperty('owner');
  });

  test('the same holds for observed values, exemption reasons and ignored exemptions', () => {
    const exempt: Finding = { ...findings[0], controlId: 'notebook-instance.imdsv2', observed: 'tag data-class is "x\nFAILED CONTROLS"', mode: 'exempt', modeSource: 'exemption-tag', modeNote: 'vendor\u2029Reason: approved' };
    const notice = buildNotice({
      ...input,
      findings: [...findings, exempt],
      ignoredExemptions: [{ source: 'exemption-tag', why: 'tag sagemaker-guard:exempt=all\rEXEMPT (logged, not acted on) has no reason' }],
    });
    const lines = notice.message.split('\n');
    for (const line of lines) expect(line).not.toMatch(UNSAFE);
    expect(lines.filter((line) => line.startsWith('FAILED CONTROLS'))).toHaveLength(1);
    expect(lines.filter((line) => line.startsWith('EXEMPT (logged'))).toHaveLength(1);
    expect(lines.some((line) => line.startsWith('Reason:'))).toBe(false);
    expect(notice.message).toContain('tag data-class is "xFAILED CONTROLS" [exemption-tag: vendorReason: approved]');
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
