import type { Finding } from '../../lambda/controls/types';
import { buildExemptionNotice, buildSwitchChangeNotice, buildSwitchProblemNotice, type ExemptionNoticeInput } from '../../lambda/core/operator-notice';

const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
const PRINTABLE = /^[\x20-\x7e]{1,100}$/;
const PARAMETER = '/sagemaker-guard/enforcement';

const imds: Finding = {
  controlId: 'notebook-instance.imdsv2',
  title: 'IMDSv2 required',
  why: 'w',
  fix: 'f',
  severity: 'medium',
  observed: 'MinimumInstanceMetadataServiceVersion is 1',
  mode: 'exempt',
  modeSource: 'exemption-tag',
  modeNote: 'vendor AMI (until 2026-12-31)',
};
const root: Finding = { ...imds, controlId: 'notebook-instance.root-access', severity: 'low', observed: 'RootAccess is Enabled' };

const exemption: ExemptionNoticeInput = {
  kind: 'notebook-instance',
  name: 'vendor-nb',
  arn: 'arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/vendor-nb',
  account: '123456789012',
  region: 'us-east-1',
  exemption: { source: 'exemption-tag', controls: ['notebook-instance.imdsv2'], reason: 'vendor AMI', expires: '2026-12-31', scope: 'notebook-instance.imdsv2' },
  exempted: [imds],
  owner: 'team-a',
  correlationId: 'evt-1',
};

describe('exemption notice', () => {
  test('attributes: the kind, "exempted", the highest exempted severity, and the owner when given', () => {
    expect(buildExemptionNotice(exemption).attributes).toEqual({ kind: 'notebook-instance', action: 'exempted', severity: 'medium', account: '123456789012', region: 'us-east-1', owner: 'team-a' });
    expect(buildExemptionNotice({ ...exemption, exempted: [root, imds] }).attributes.severity).toBe('medium');
  });

  test.each([undefined, '', '  ', '\n\u200B'])('no owner attribute for owner %j', (owner) => {
    const notice = buildExemptionNotice({ ...exemption, owner });
    expect(notice.attributes).not.toHaveProperty('owner');
  });

  test('a tag exemption names the tag as written, the reason, the capped expiry and what it exempts', () => {
    const notice = buildExemptionNotice(exemption);
    expect(notice.subject).toBe('[sagemaker-guard] Exemption honoured for notebook instance vendor-nb');
    for (const fragment of [
      'The guard honoured an exemption for notebook instance vendor-nb: 1 failed control is not acted on.',
      "From:     the resource's own tag sagemaker-guard:exempt=notebook-instance.imdsv2 (set by whoever may tag it; bounded by the policy's tagExemptions)",
      'Reason:   vendor AMI',
      'Until:    2026-12-31',
      '  - [MEDIUM] notebook-instance.imdsv2: MinimumInstanceMetadataServiceVersion is 1',
      `ARN:      ${exemption.arn}`,
      'Owner:    team-a',
      'set "tagExemptions": {"controls": "none"} in the policy',
      'Event id: evt-1',
    ]) {
      expect(notice.message).toContain(fragment);
    }
    expect(notice.message.endsWith('\n-- sagemaker-guard')).toBe(true);
  });

  test('a prefix exemption names the policy entry; with no expiry it says so; several controls are counted', () => {
    const notice = buildExemptionNotice({
      ...exemption,
      kind: 'training-job',
      name: 'sandbox-1',
      exemption: { source: 'exemption-prefix', controls: 'all', reason: 'sandbox budget', scope: 'sandbox-' },
      exempted: [imds, root],
      owner: undefined,
    });
    expect(notice.message).toContain('From:     the policy\'s exemption for training job names starting "sandbox-"');
    expect(notice.message).toContain('Until:    no expiry (policy exemption)');
    expect(notice.message).toContain('2 failed controls are not acted on.');
    expect(notice.message).toContain('Owner:    (no owner tag)');
  });

  test('a forged tag value, reason or owner cannot add lines', () => {
    const notice = buildExemptionNotice({
      ...exemption,
      exemption: { ...exemption.exemption, scope: 'all\nEXEMPTION', reason: 'ok\u2028Reason:   approved by security' },
      owner: 'team-a\r\nFrom: security',
    });
    const lines = notice.message.split('\n');
    for (const line of lines) expect(line).not.toMatch(UNSAFE);
    expect(lines.filter((line) => line === 'EXEMPTION')).toHaveLength(1);
    expect(lines.filter((line) => line.trimStart().startsWith('Reason:'))).toHaveLength(1);
    expect(lines.some((line) => line.startsWith('From: security'))).toBe(false);
    expect(notice.attributes.owner).toBe('team-aFrom: security');
  });
});

describe('switch problem notice', () => {
  const notice = buildSwitchProblemNotice({ parameterName: PARAMETER, detail: `SSM parameter ${PARAMETER} does not exist (deleted?)`, account: '123456789012', region: 'us-east-1' });

  test('attributes: kind guard, no owner (owners\' filtered subscriptions skip it), high severity', () => {
    expect(notice.attributes).toEqual({ kind: 'guard', action: 'switch-fallback', severity: 'high', account: '123456789012', region: 'us-east-1' });
  });

  test('it says the guard fails safe, and how to put the parameter back', () => {
    expect(notice.subject).toBe('[sagemaker-guard] Enforcement switch unreadable in 123456789012 us-east-1: enforcing the policy');
    expect(notice.subject).toMatch(PRINTABLE);
    expect(notice.message.startsWith(`SSM parameter ${PARAMETER} does not exist (deleted?).\n`)).toBe(true);
    expect(notice.message).toContain('It fails safe: it goes on enforcing the policy');
    expect(notice.message).toContain(`aws ssm put-parameter --name ${PARAMETER} --type String --overwrite --value policy`);
  });
});

describe('switch change notice', () => {
  const base = { parameterName: PARAMETER, operation: 'Update', time: '2026-11-22T12:00:00Z', account: '123456789012', region: 'us-east-1' };

  test.each<[string, { value: 'policy' | 'report'; problem?: { detail: string } }, string, string, string]>([
    [
      'deleted: unreadable, enforcing',
      { value: 'policy', problem: { detail: `SSM parameter ${PARAMETER} does not exist (deleted?)` } },
      '[sagemaker-guard] Enforcement switch Update: now unreadable (enforcing) in 123456789012 us-east-1',
      `NOW: SSM parameter ${PARAMETER} does not exist (deleted?): the guard fails safe and enforces the policy.`,
      'medium',
    ],
    [
      'set to report: high severity',
      { value: 'report' },
      '[sagemaker-guard] Enforcement switch Update: now report in 123456789012 us-east-1',
      'NOW: The guard now only REPORTS: it stops, deletes and tags nothing until the switch is set back to "policy".',
      'high',
    ],
    [
      'set back to policy',
      { value: 'policy' },
      '[sagemaker-guard] Enforcement switch Update: now policy in 123456789012 us-east-1',
      'NOW: The guard follows the policy: enforced controls are acted on.',
      'medium',
    ],
  ])('%s', (_title, reading, subject, now, severity) => {
    const notice = buildSwitchChangeNotice({ ...base, reading });
    expect(notice.subject).toBe(subject);
    expect(notice.message).toContain(now);
    expect(notice.message).toContain(`The enforcement switch ${PARAMETER} changed (Update at 2026-11-22T12:00:00Z).`);
    expect(notice.attributes).toEqual({ kind: 'guard', action: 'switch-changed', severity, account: '123456789012', region: 'us-east-1' });
    expect(notice.attributes).not.toHaveProperty('owner');
  });

  test('the subject stays printable ASCII and within 100 characters', () => {
    const notice = buildSwitchChangeNotice({ ...base, operation: 'LabelParameterVersion\n'.repeat(5), reading: { value: 'report' } });
    expect(notice.subject).toMatch(PRINTABLE);
    expect(notice.subject.endsWith('...')).toBe(true);
    for (const line of notice.message.split('\n')) expect(line).not.toMatch(UNSAFE);
  });
});
