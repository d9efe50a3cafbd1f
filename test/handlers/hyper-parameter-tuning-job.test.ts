import {
  AddTagsCommand,
  DescribeHyperParameterTuningJobCommand,
  DescribeTrainingJobCommand,
  ListTagsCommand,
  StopHyperParameterTuningJobCommand,
  StopTrainingJobCommand,
} from '@aws-sdk/client-sagemaker';
import { PublishCommand } from '@aws-sdk/client-sns';
import { parseEvent } from '../../lambda/core/event';
import { TAG } from '../../lambda/core/tags';
import type { HyperParameterTuningJob } from '../../lambda/kinds/hyper-parameter-tuning-job/controls';
import { logger } from '../../lambda/powertools';
import { loadEvent } from '../fixtures/events';
import { trainingJob } from '../fixtures/resources';
import { definition, tuningJob } from '../fixtures/tuning-job';
import { event, handlerFor, named, publishedNotice, remediationRecords, resetMocks, sageMakerCalls, sageMakerMock, snsMock, validation } from './harness';

/** The name in the published sample (and its InProgress variant). */
const NAME = '016bffd3-6d71-4d3a-9710-0a332b2759fc';
const ARN = `arn:aws:sagemaker:us-east-1:123456789012:hyper-parameter-tuning-job/${NAME}`;
const inProgress = event('variants/hyper-parameter-tuning-job.in-progress.json');
const trainingEvent = event('variants/training-job.in-progress.json');
/** The training job name of the training variant: here, one the tuning job launched. */
const CHILD = '89c96cc8-dded-4739-afcc-6f1dc936701d';

const job = (overrides: Partial<HyperParameterTuningJob> = {}) => tuningJob({ HyperParameterTuningJobName: NAME, HyperParameterTuningJobArn: ARN, ...overrides });
/** Training jobs it launches may reach the internet: fails hyper-parameter-tuning-job.network-isolation. */
const open = (status = 'InProgress') => job({ TrainingJobDefinition: definition({ EnableNetworkIsolation: false }), HyperParameterTuningJobStatus: status as never });
/** The (equally open) training job the tuning job launched, as DescribeTrainingJob shows it. */
const child = () =>
  trainingJob({ TrainingJobName: CHILD, TrainingJobArn: `arn:aws:sagemaker:us-east-1:123456789012:training-job/${CHILD}`, EnableNetworkIsolation: false, TuningJobArn: ARN });

function describeAs(found: HyperParameterTuningJob, tags: Record<string, string> = {}): void {
  sageMakerMock.on(DescribeHyperParameterTuningJobCommand, { HyperParameterTuningJobName: NAME }).resolves(found);
  sageMakerMock.on(ListTagsCommand).resolves({ Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) });
}

beforeEach(resetMocks);

describe('tuning job events', () => {
  test('the published sample parses (its status is the placeholder "status"); the InProgress variant too', () => {
    expect(parseEvent(loadEvent('hyperparameter-tuning-job-state-change.json'), 'hyper-parameter-tuning-job')).toMatchObject({ kind: 'hyper-parameter-tuning-job', name: NAME, reportedStatus: 'status' });
    expect(parseEvent(loadEvent('variants/hyper-parameter-tuning-job.in-progress.json'), 'hyper-parameter-tuning-job')).toMatchObject({ name: NAME, reportedStatus: 'InProgress' });
  });

  test('the sample with its placeholder status: Describe decides', async () => {
    describeAs(job());
    await expect(handlerFor('hyper-parameter-tuning-job')(event('hyperparameter-tuning-job-state-change.json'))).resolves.toEqual({ decision: 'compliant', notified: false });
  });
});

describe('a tuning job and the training jobs it launched: one stop, one notice', () => {
  test('each child training job event is part of its tuning job: no StopTrainingJob, no tags, no notice', async () => {
    sageMakerMock.on(DescribeTrainingJobCommand).resolves(child());
    const training = handlerFor('training-job');
    await expect(training(trainingEvent)).resolves.toEqual({ decision: 'part-of', notified: false });
    await expect(training({ ...trainingEvent, id: 'another-child-event' })).resolves.toEqual({ decision: 'part-of', notified: false });
    expect(sageMakerCalls()).toEqual(['DescribeTrainingJobCommand', 'DescribeTrainingJobCommand']);
    expect(sageMakerMock).not.toHaveReceivedCommand(StopTrainingJobCommand);
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
    expect(remediationRecords()).toEqual([]);
  });

  test('the tuning job event, after its children’s: exactly one StopHyperParameterTuningJob and one notice', async () => {
    sageMakerMock.on(DescribeTrainingJobCommand).resolves(child());
    await handlerFor('training-job')(trainingEvent);
    describeAs(open());
    const tuning = handlerFor('hyper-parameter-tuning-job');
    await expect(tuning(inProgress)).resolves.toEqual({ decision: 'remediate', actionResult: { type: 'done' }, notified: true });
    // EventBridge delivers at least once, and the children keep sending events.
    await expect(tuning({ ...inProgress, id: 'late-copy' })).resolves.toEqual({ decision: 'duplicate', notified: false });
    await expect(handlerFor('training-job')({ ...trainingEvent, id: 'child-after-stop' })).resolves.toMatchObject({ decision: 'part-of' });
    expect(sageMakerMock).toHaveReceivedCommandTimes(StopHyperParameterTuningJobCommand, 1);
    expect(sageMakerMock).toHaveReceivedCommandWith(StopHyperParameterTuningJobCommand, { HyperParameterTuningJobName: NAME });
    expect(sageMakerMock).not.toHaveReceivedCommand(StopTrainingJobCommand);
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
  });
});

describe('tuning job responder', () => {
  test('compliant InProgress tuning job: described only', async () => {
    describeAs(job());
    await expect(handlerFor('hyper-parameter-tuning-job')(inProgress)).resolves.toEqual({ decision: 'compliant', notified: false });
    expect(sageMakerCalls()).toEqual(['DescribeHyperParameterTuningJobCommand', 'ListTagsCommand']);
  });

  test('a definition without network isolation, enforce: tag, stop (its training jobs with it), record, one notice', async () => {
    describeAs(open(), { owner: 'team-a' });
    const result = await handlerFor('hyper-parameter-tuning-job')(inProgress);
    expect(result).toEqual({ decision: 'remediate', actionResult: { type: 'done' }, notified: true });
    expect(sageMakerCalls()).toEqual(['DescribeHyperParameterTuningJobCommand', 'ListTagsCommand', 'AddTagsCommand', 'StopHyperParameterTuningJobCommand']);
    expect(sageMakerMock).toHaveReceivedCommandWith(AddTagsCommand, {
      ResourceArn: ARN,
      Tags: [
        { Key: TAG.violations, Value: 'hyper-parameter-tuning-job.network-isolation' },
        { Key: TAG.action, Value: 'stop' },
        { Key: TAG.eventId, Value: '11111111-0000-4000-8000-000000000012' },
      ],
    });
    expect(remediationRecords()[0]).toMatchObject({ action: 'stop', result: { type: 'done' }, notice: 'sent', controls: ['hyper-parameter-tuning-job.network-isolation'], owner: 'team-a' });
    const notice = publishedNotice();
    // The subject is cut to SNS's 100 characters: the long sample name does not fit with the count.
    expect(notice.subject.startsWith(`[sagemaker-guard] Stopped hyper-parameter tuning job ${NAME}`)).toBe(true);
    expect(notice.subject.length).toBeLessThanOrEqual(100);
    expect(notice.attributes).toEqual({ kind: 'hyper-parameter-tuning-job', action: 'stopped', severity: 'high', account: '123456789012', region: 'us-east-1', owner: 'team-a' });
    expect(notice.message).toContain('Found: TrainingJobDefinition: EnableNetworkIsolation is false');
    expect(notice.message).toContain('#/hyper-tuning-jobs/');
  });

  test('two definitions, the second one open: named by its DefinitionName', async () => {
    describeAs(job({ TrainingJobDefinition: undefined, TrainingJobDefinitions: [definition({ DefinitionName: 'xgb' }), definition({ DefinitionName: 'linear', VpcConfig: undefined })] }));
    await expect(handlerFor('hyper-parameter-tuning-job')(inProgress)).resolves.toMatchObject({ decision: 'remediate', notified: true });
    expect(publishedNotice().message).toContain('Found: linear: VpcConfig is absent');
  });

  test('report mode: "would stop", never tag or stop', async () => {
    describeAs(open());
    await expect(handlerFor('hyper-parameter-tuning-job', { mode: 'report' })(inProgress)).resolves.toEqual({ decision: 'report', notified: true });
    expect(sageMakerMock).not.toHaveReceivedCommand(StopHyperParameterTuningJobCommand);
    expect(sageMakerMock).not.toHaveReceivedCommand(AddTagsCommand);
    expect(publishedNotice().attributes.action).toBe('would-stop');
  });

  test.each(['Stopping', 'Stopped', 'Completed', 'Failed', 'Deleting', 'SomethingNew'])('status %s: not actionable, no tags, no stop, no notice', async (status) => {
    describeAs(open(status));
    await expect(handlerFor('hyper-parameter-tuning-job')(inProgress)).resolves.toEqual({ decision: 'not-actionable', notified: false });
    expect(sageMakerMock).not.toHaveReceivedCommand(StopHyperParameterTuningJobCommand);
    expect(sageMakerMock).not.toHaveReceivedCommand(AddTagsCommand);
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });

  test('finished between Describe and Stop (wrong state): one honest notice', async () => {
    describeAs(open());
    sageMakerMock.on(StopHyperParameterTuningJobCommand).rejects(validation('The request was rejected because the hyperparameter tuning job is in status Completed.'));
    await expect(handlerFor('hyper-parameter-tuning-job')(inProgress)).resolves.toEqual({ decision: 'remediate', actionResult: { type: 'wrong-state', status: 'Completed' }, notified: true });
    expect(publishedNotice().attributes.action).toBe('none');
    expect(publishedNotice().subject).toContain('Could not stop hyper-parameter tuning job');
  });

  test('a Stop denied by IAM: "Denied", naming sagemaker:StopHyperParameterTuningJob', async () => {
    describeAs(open());
    sageMakerMock.on(StopHyperParameterTuningJobCommand).rejects(named('AccessDeniedException', 'explicit deny in a service control policy'));
    const result = await handlerFor('hyper-parameter-tuning-job')(inProgress);
    expect(result).toMatchObject({ decision: 'remediate', actionResult: { type: 'denied', permission: 'sagemaker:StopHyperParameterTuningJob' }, notified: true });
    expect(publishedNotice().attributes.action).toBe('denied');
    expect(publishedNotice().message).toContain(`needs sagemaker:StopHyperParameterTuningJob on ${ARN}`);
  });

  test.each([
    ['ResourceNotFound (the API reference; moto says "Could not find hyper parameter tuning job")', named('ResourceNotFound', `Could not find hyper parameter tuning job '${NAME}'.`)],
    ['a ValidationException "Could not find"', validation(`Could not find requested job with name ${NAME}`)],
  ])('a tuning job that no longer exists, %s: gone, not an error', async (_title, error) => {
    sageMakerMock.on(DescribeHyperParameterTuningJobCommand).rejects(error);
    await expect(handlerFor('hyper-parameter-tuning-job')(inProgress)).resolves.toEqual({ decision: 'gone', notified: false });
    expect(sageMakerCalls()).toEqual(['DescribeHyperParameterTuningJobCommand']);
  });

  test('deleted between Describe and Stop: "gone", no error', async () => {
    describeAs(open());
    sageMakerMock.on(StopHyperParameterTuningJobCommand).rejects(named('ResourceNotFound', 'Resource being access is not found.'));
    await expect(handlerFor('hyper-parameter-tuning-job')(inProgress)).resolves.toMatchObject({ decision: 'remediate', actionResult: { type: 'gone' } });
  });

  test('throttling that outlasts the SDK retries fails the invocation so Lambda retries it', async () => {
    sageMakerMock.on(DescribeHyperParameterTuningJobCommand).rejects(named('ThrottlingException', 'Rate exceeded'));
    await expect(handlerFor('hyper-parameter-tuning-job')(inProgress)).rejects.toThrow('Rate exceeded');
    expect(sageMakerMock).not.toHaveReceivedCommand(StopHyperParameterTuningJobCommand);
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });

  test('the instance-type control reads the training-job allow-list: every InstanceConfigs type is checked', async () => {
    const infoLog = jest.spyOn(logger, 'info');
    describeAs(
      job({
        TrainingJobDefinition: definition({
          ResourceConfig: undefined,
          HyperParameterTuningResourceConfig: {
            VolumeKmsKeyId: definition().ResourceConfig?.VolumeKmsKeyId,
            InstanceConfigs: [
              { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 30 },
              { InstanceType: 'ml.p3.8xlarge', InstanceCount: 1, VolumeSizeInGB: 30 },
            ],
          },
        }),
      }),
    );
    await handlerFor('hyper-parameter-tuning-job', { kinds: { 'training-job': { allowedInstanceTypes: ['ml.m5.xlarge'] } } })(inProgress);
    const decision = infoLog.mock.calls.find(([message]) => message === 'Decision')?.[1] as Record<string, unknown>;
    expect(decision).toMatchObject({ decision: 'remediate', failed: ['hyper-parameter-tuning-job.instance-type'] });
    expect((decision.controls as Record<string, string>)['hyper-parameter-tuning-job.instance-type']).toBe(
      'fail [enforce by policy.mode]: TrainingJobDefinition (HyperParameterTuningResourceConfig): ml.p3.8xlarge not in the allow-list (ml.m5.xlarge)',
    );
    expect((decision.controls as Record<string, string>)['hyper-parameter-tuning-job.inter-container-encryption']).toMatch(/^skip: .*single-instance job \(InstanceCount 1\)/);
    infoLog.mockRestore();
  });
});
