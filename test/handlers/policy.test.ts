import { AddTagsCommand, DescribeTrainingJobCommand, ListTagsCommand, StopTrainingJobCommand } from '@aws-sdk/client-sagemaker';
import { PublishCommand } from '@aws-sdk/client-sns';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { EXEMPT_TAG } from '../../lambda/core/modes';
import type { GuardSettingsInput } from '../../lambda/core/settings';
import { logger, singleMetrics } from '../../lambda/powertools';
import { trainingJob } from '../fixtures/resources';
import { attribute, event, handlerFor, publishedNotice, resetMocks, sageMakerMock, setSwitch, snsMock, ssmMock, SWITCH_PARAMETER } from './harness';

const NAME = '89c96cc8-dded-4739-afcc-6f1dc936701d';
const inProgress = event('variants/training-job.in-progress.json');
/** Fails network isolation (high) and the volume key (medium). */
const job = trainingJob({ TrainingJobName: NAME, EnableNetworkIsolation: false, ResourceConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 5 } });

function withTags(tags: Record<string, string>): void {
  sageMakerMock.on(DescribeTrainingJobCommand).resolves(job);
  sageMakerMock.on(ListTagsCommand).resolves({ Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) });
}

function decisionLine(spy: jest.SpyInstance): Record<string, unknown> {
  const call = spy.mock.calls.find(([message]) => message === 'Decision') as [string, Record<string, unknown>] | undefined;
  if (call === undefined) throw new Error('no Decision log line');
  return call[1];
}

let infoLog: jest.SpyInstance;
beforeEach(() => {
  resetMocks();
  infoLog = jest.spyOn(logger, 'info');
});
afterEach(() => { infoLog.mockRestore(); });

describe('the policy in the responder', () => {
  test.each<[string, GuardSettingsInput, string, Record<string, string>, string, boolean]>([
    ['enforce by default', {}, 'policy', {}, 'remediate', true],
    ['report for the kind: notify, never stop', { kinds: { 'training-job': { mode: 'report' } } }, 'policy', {}, 'report', false],
    ['off for every failing control: compliant', { controls: { 'training-job.network-isolation': 'off', 'training-job.volume-kms-key': 'off' } }, 'policy', {}, 'compliant', false],
    ['one control enforced among reported ones: stop', { mode: 'report', controls: { 'training-job.volume-kms-key': 'enforce' } }, 'policy', {}, 'remediate', true],
    ['the switch turns everything to report', { controls: { 'training-job.network-isolation': 'enforce' } }, 'report', {}, 'report', false],
    ['a self-exemption from all: only the medium control is exempt, the high one still stops it', {}, 'policy', { [EXEMPT_TAG.controls]: 'all', [EXEMPT_TAG.reason]: 'vendor image', [EXEMPT_TAG.until]: '2026-12-31' }, 'remediate', true],
    ['tag exemption from all, where the policy lets tags exempt any control: nothing but the log', { tagExemptions: { controls: 'all' } }, 'policy', { [EXEMPT_TAG.controls]: 'all', [EXEMPT_TAG.reason]: 'vendor image', [EXEMPT_TAG.until]: '2026-12-31' }, 'exempt', false],
    ['tag exemption without an expiry: ignored, stopped', { tagExemptions: { controls: 'all' } }, 'policy', { [EXEMPT_TAG.controls]: 'all', [EXEMPT_TAG.reason]: 'vendor image' }, 'remediate', true],
    ['tag exemptions turned off by the policy', { tagExemptions: { controls: 'none' } }, 'policy', { [EXEMPT_TAG.controls]: 'training-job.volume-kms-key', [EXEMPT_TAG.reason]: 'r', [EXEMPT_TAG.until]: '2026-12-31' }, 'remediate', true],
    ['exempt without a reason: ignored, stopped', {}, 'policy', { [EXEMPT_TAG.controls]: 'all' }, 'remediate', true],
    ['exempt until yesterday: ignored, stopped', {}, 'policy', { [EXEMPT_TAG.controls]: 'all', [EXEMPT_TAG.reason]: 'r', [EXEMPT_TAG.until]: '2026-11-21' }, 'remediate', true],
    ['exempt from one of two failing controls: the other still stops it', {}, 'policy', { [EXEMPT_TAG.controls]: 'training-job.volume-kms-key', [EXEMPT_TAG.reason]: 'r', [EXEMPT_TAG.until]: '2026-12-31' }, 'remediate', true],
    ['exempt by name prefix in the policy, for training jobs', { exemptions: [{ namePrefix: '89c96cc8-', kinds: ['training-job'], controls: 'all', reason: 'imported jobs' }] }, 'policy', {}, 'exempt', false],
    ['a name prefix written for notebooks does not exempt a training job', { exemptions: [{ namePrefix: '89c96cc8-', kinds: ['notebook-instance'], controls: 'all', reason: 'lab notebooks' }] }, 'policy', {}, 'remediate', true],
  ])('%s', async (_title, policy, switchValue, tags, decision, stopped) => {
    setSwitch(switchValue);
    withTags(tags);
    const result = await handlerFor('training-job', policy)(inProgress);
    expect(result.decision).toBe(decision);
    if (stopped) expect(sageMakerMock).toHaveReceivedCommandWith(StopTrainingJobCommand, { TrainingJobName: NAME });
    else {
      expect(sageMakerMock).not.toHaveReceivedCommand(StopTrainingJobCommand);
      expect(sageMakerMock).not.toHaveReceivedCommand(AddTagsCommand);
    }
  });

  test('the switch is read from its SSM parameter once, then cached', async () => {
    withTags({});
    const handler = handlerFor('training-job');
    await handler(inProgress);
    await handler(inProgress);
    expect(ssmMock).toHaveReceivedCommandTimes(GetParameterCommand, 1);
    expect(ssmMock).toHaveReceivedCommandWith(GetParameterCommand, { Name: SWITCH_PARAMETER });
  });

  test.each<[string, () => void, string]>([
    ['holds an invalid value', () => { setSwitch('maybe'); }, 'holds "maybe", not one of policy, report'],
    ['was deleted', () => { ssmMock.on(GetParameterCommand).rejects(Object.assign(new Error('Parameter /sagemaker-guard/enforcement not found.'), { name: 'ParameterNotFound' })); }, 'does not exist (deleted?)'],
    ['cannot be read (denied)', () => { ssmMock.on(GetParameterCommand).rejects(Object.assign(new Error('not authorized to perform: ssm:GetParameter'), { name: 'AccessDeniedException' })); }, 'could not be read (AccessDeniedException'],
  ])('a switch that %s fails safe: the policy is enforced, the alarm metric counts it, the operators are told once an hour', async (_title, breakSwitch, detail) => {
    withTags({});
    breakSwitch();
    const metric = jest.spyOn(singleMetrics, 'addMetric');
    const handler = handlerFor('training-job');
    await expect(handler(inProgress)).resolves.toMatchObject({ decision: 'remediate', actionResult: { type: 'done' }, notified: true });
    expect(sageMakerMock).toHaveReceivedCommandWith(StopTrainingJobCommand, { TrainingJobName: NAME });
    expect(metric).toHaveBeenCalledWith('SwitchFallback', 'Count', 1);
    const alerts = () => snsMock.commandCalls(PublishCommand).map((call) => call.args[0].input).filter((input) => attribute(input, 'action') === 'switch-fallback');
    expect(alerts()).toHaveLength(1);
    expect(alerts()[0].Subject).toContain('Enforcement switch unreadable');
    expect(alerts()[0].Message).toContain(detail);
    expect(attribute(alerts()[0], 'owner')).toBeUndefined();
    await handler({ ...inProgress, id: 'a-second-event' });
    expect(alerts()).toHaveLength(1);
    metric.mockRestore();
  });

  test('a switch set to report is honoured: nothing is stopped', async () => {
    withTags({});
    setSwitch('report');
    await expect(handlerFor('training-job')(inProgress)).resolves.toMatchObject({ decision: 'report' });
    expect(sageMakerMock).not.toHaveReceivedCommand(StopTrainingJobCommand);
  });

  test('a self-exemption of a critical or high control is refused and the notice tells the operators why', async () => {
    withTags({ [EXEMPT_TAG.controls]: 'training-job.network-isolation', [EXEMPT_TAG.reason]: 'trust me', [EXEMPT_TAG.until]: '2026-12-31' });
    await expect(handlerFor('training-job')(inProgress)).resolves.toMatchObject({ decision: 'remediate', actionResult: { type: 'done' } });
    const notice = publishedNotice();
    expect(notice.message).toContain('EXEMPTIONS IGNORED');
    expect(notice.message).toContain('asks to exempt training-job.network-isolation, which is refused: no critical or high control can be exempted by tag');
  });

  test('an honoured exemption reaches the operators once; again only when its controls or expiry change', async () => {
    const tags = { [EXEMPT_TAG.controls]: 'training-job.volume-kms-key', [EXEMPT_TAG.reason]: 'KMS migration', [EXEMPT_TAG.until]: '2026-12-15', owner: 'team-a' };
    withTags(tags);
    const handler = handlerFor('training-job', { controls: { 'training-job.network-isolation': 'off' } });
    await expect(handler(inProgress)).resolves.toMatchObject({ decision: 'exempt' });
    const exemptionNotices = () => snsMock.commandCalls(PublishCommand).map((call) => call.args[0].input).filter((input) => attribute(input, 'action') === 'exempted');
    expect(exemptionNotices()).toHaveLength(1);
    const first = exemptionNotices()[0];
    expect(first.Subject).toBe(`[sagemaker-guard] Exemption honoured for training job ${NAME}`);
    expect(first.Message).toContain('Reason:   KMS migration');
    expect(first.Message).toContain('Until:    2026-12-15');
    expect(attribute(first, 'owner')).toBe('team-a');
    await handler({ ...inProgress, id: 'again' });
    expect(exemptionNotices()).toHaveLength(1);
    withTags({ ...tags, [EXEMPT_TAG.until]: '2027-03-10' });
    await handler({ ...inProgress, id: 'extended' });
    expect(exemptionNotices()).toHaveLength(2);
    // 2027-03-10 is past the 90-day cap from the first sighting (2026-11-22): the notice gives the cap.
    expect(exemptionNotices()[1].Message).toContain('Until:    2027-02-20');
  });

  test('a tag exemption lasts at most tagExemptions.maxDays after the guard first saw it, even if the tag is removed and re-added', async () => {
    const tags = { [EXEMPT_TAG.controls]: 'training-job.volume-kms-key', [EXEMPT_TAG.reason]: 'r', [EXEMPT_TAG.until]: '2027-12-31' };
    const policy = { controls: { 'training-job.network-isolation': 'off' as const }, tagExemptions: { maxDays: 10 } };
    withTags(tags);
    let now = new Date('2026-11-22T12:00:00Z');
    const handler = handlerFor('training-job', policy, { now: () => now });
    await expect(handler(inProgress)).resolves.toMatchObject({ decision: 'exempt' });
    now = new Date('2026-11-30T12:00:00Z');
    withTags({});
    await expect(handler({ ...inProgress, id: 'untagged' })).resolves.toMatchObject({ decision: 'remediate' });
    now = new Date('2026-12-03T12:00:00Z');
    withTags(tags);
    await expect(handler({ ...inProgress, id: 'retagged' })).resolves.toMatchObject({ decision: 'duplicate' });
    const line = (infoLog.mock.calls as [string, unknown][]).filter(([message]) => message === 'Decision').at(-1)?.[1] as { exemptions: { ignored: string[] } };
    expect(line.exemptions.ignored[0]).toContain("first seen on 2026-11-22 ran out after the policy's tagExemptions.maxDays (10 days)");
  });

  test('the decision line says each control\'s mode and where it came from', async () => {
    setSwitch('report');
    withTags({ [EXEMPT_TAG.controls]: 'training-job.volume-kms-key', [EXEMPT_TAG.reason]: 'KMS migration', [EXEMPT_TAG.until]: '2026-12-31', owner: 'team-a' });
    await handlerFor('training-job', { controls: { 'training-job.max-runtime': 'off' }, owners: { 'team-a@example.com': ['team-a'] } })(inProgress);
    const line = decisionLine(infoLog);
    expect(line).toMatchObject({
      decision: 'report',
      switch: 'report',
      failed: ['training-job.network-isolation'],
      exempt: ['training-job.volume-kms-key'],
      exemptions: { active: [{ source: 'exemption-tag', controls: ['training-job.volume-kms-key'], reason: 'KMS migration', expires: '2026-12-31' }], ignored: [] },
      ownerRecipients: ['team-a@example.com'],
      resource: { owner: 'team-a' },
    });
    expect(line.controls).toMatchObject({
      'training-job.network-isolation': 'fail [report by switch: policy says enforce (policy.mode)]: EnableNetworkIsolation is false',
      'training-job.volume-kms-key': 'fail [exempt by exemption-tag: KMS migration (until 2026-12-31)]: ResourceConfig.VolumeKmsKeyId is not set, so an AWS managed key is used',
      'training-job.max-runtime': 'off [off by policy.controls]',
      'training-job.vpc': 'pass',
    });
  });

  test('the notice says who was told, lists the exempt finding apart and explains an ignored exemption', async () => {
    withTags({ [EXEMPT_TAG.controls]: 'training-job.vpc', [EXEMPT_TAG.reason]: 'r', [EXEMPT_TAG.until]: '2026-01-01', owner: 'team-b' });
    await handlerFor('training-job', {
      exemptions: [{ namePrefix: '89c96cc8', kinds: ['training-job'], controls: ['training-job.volume-kms-key'], reason: 'imported' }],
      owners: { 'team-a@example.com': ['team-a'], 'ml-platform@example.com': ['team-b', 'ml-platform'] },
    })(inProgress);
    const notice = publishedNotice();
    expect(notice.attributes.owner).toBe('team-b');
    expect(notice.message).toContain('and ml-platform@example.com (owner team-b).');
    expect(notice.message).toContain('  - training-job.volume-kms-key: ResourceConfig.VolumeKmsKeyId is not set, so an AWS managed key is used [exemption-prefix: imported]');
    expect(notice.message).toContain('  - tag exemption expired on 2026-01-01, so it is ignored');
    expect(notice.subject).toContain('1 control failed');
    // The remediation notice, and the operators' notice of the honoured prefix exemption.
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 2);
  });
});
