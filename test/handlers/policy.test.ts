import { AddTagsCommand, DescribeTrainingJobCommand, ListTagsCommand, StopTrainingJobCommand } from '@aws-sdk/client-sagemaker';
import { PublishCommand } from '@aws-sdk/client-sns';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { EXEMPT_TAG } from '../../lambda/core/modes';
import type { GuardSettingsInput } from '../../lambda/core/settings';
import { logger } from '../../lambda/powertools';
import { trainingJob } from '../fixtures/resources';
import { event, handlerFor, publishedNotice, resetMocks, sageMakerMock, setSwitch, snsMock, ssmMock, SWITCH_PARAMETER } from './harness';

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
    ['exempt from all, with a reason: nothing but the log', {}, 'policy', { [EXEMPT_TAG.controls]: 'all', [EXEMPT_TAG.reason]: 'vendor image' }, 'exempt', false],
    ['exempt without a reason: ignored, stopped', {}, 'policy', { [EXEMPT_TAG.controls]: 'all' }, 'remediate', true],
    ['exempt until yesterday: ignored, stopped', {}, 'policy', { [EXEMPT_TAG.controls]: 'all', [EXEMPT_TAG.reason]: 'r', [EXEMPT_TAG.until]: '2026-11-21' }, 'remediate', true],
    ['exempt from one of two failing controls: the other still stops it', {}, 'policy', { [EXEMPT_TAG.controls]: 'training-job.volume-kms-key', [EXEMPT_TAG.reason]: 'r' }, 'remediate', true],
    ['exempt by name prefix in the policy', { exemptions: [{ namePrefix: '89c96cc8-', controls: 'all', reason: 'imported jobs' }] }, 'policy', {}, 'exempt', false],
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

  test('an unreadable or invalid switch fails the invocation rather than guess', async () => {
    withTags({});
    setSwitch('maybe');
    await expect(handlerFor('training-job')(inProgress)).rejects.toThrow('SSM parameter /sagemaker-guard/enforcement must be one of policy, report (given: "maybe")');
    expect(sageMakerMock).not.toHaveReceivedCommand(StopTrainingJobCommand);
  });

  test('a switch that cannot be read (denied, throttled) fails the invocation before any action, so Lambda retries it', async () => {
    withTags({});
    ssmMock.on(GetParameterCommand).rejects(Object.assign(new Error('not authorized to perform: ssm:GetParameter'), { name: 'AccessDeniedException' }));
    await expect(handlerFor('training-job')(inProgress)).rejects.toThrow('ssm:GetParameter');
    expect(sageMakerMock).not.toHaveReceivedCommand(StopTrainingJobCommand);
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });

  test('the decision line says each control\'s mode and where it came from', async () => {
    setSwitch('report');
    withTags({ [EXEMPT_TAG.controls]: 'training-job.volume-kms-key', [EXEMPT_TAG.reason]: 'KMS migration', owner: 'team-a' });
    await handlerFor('training-job', { controls: { 'training-job.max-runtime': 'off' }, owners: { 'team-a@example.com': ['team-a'] } })(inProgress);
    const line = decisionLine(infoLog);
    expect(line).toMatchObject({
      decision: 'report',
      switch: 'report',
      failed: ['training-job.network-isolation'],
      exempt: ['training-job.volume-kms-key'],
      exemptions: { active: [{ source: 'exemption-tag', controls: ['training-job.volume-kms-key'], reason: 'KMS migration' }], ignored: [] },
      ownerRecipients: ['team-a@example.com'],
      resource: { owner: 'team-a' },
    });
    expect(line.controls).toMatchObject({
      'training-job.network-isolation': 'fail [report by switch: policy says enforce (policy.mode)]: EnableNetworkIsolation is false',
      'training-job.volume-kms-key': 'fail [exempt by exemption-tag: KMS migration]: ResourceConfig.VolumeKmsKeyId is not set, so an AWS managed key is used',
      'training-job.max-runtime': 'off [off by policy.controls]',
      'training-job.vpc': 'pass',
    });
  });

  test('the notice says who was told, lists the exempt finding apart and explains an ignored exemption', async () => {
    withTags({ [EXEMPT_TAG.controls]: 'training-job.vpc', [EXEMPT_TAG.reason]: 'r', [EXEMPT_TAG.until]: '2026-01-01', owner: 'team-b' });
    await handlerFor('training-job', {
      exemptions: [{ namePrefix: '89c96cc8', controls: ['training-job.volume-kms-key'], reason: 'imported' }],
      owners: { 'team-a@example.com': ['team-a'], 'ml-platform@example.com': ['team-b', 'ml-platform'] },
    })(inProgress);
    const notice = publishedNotice();
    expect(notice.attributes.owner).toBe('team-b');
    expect(notice.message).toContain('and ml-platform@example.com (owner team-b).');
    expect(notice.message).toContain('  - training-job.volume-kms-key: ResourceConfig.VolumeKmsKeyId is not set, so an AWS managed key is used [exemption-prefix: imported]');
    expect(notice.message).toContain('  - tag exemption expired on 2026-01-01, so it is ignored');
    expect(notice.subject).toContain('1 control failed');
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
  });
});
