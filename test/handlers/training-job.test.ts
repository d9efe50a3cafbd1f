import {
  AddTagsCommand,
  DescribeTrainingJobCommand,
  ListTagsCommand,
  StopTrainingJobCommand,
} from '@aws-sdk/client-sagemaker';
import { PublishCommand } from '@aws-sdk/client-sns';
import { MalformedEventError } from '../../lambda/core/event';
import { TAG } from '../../lambda/core/tags';
import { logger } from '../../lambda/powertools';
import { trainingJob } from '../fixtures/resources';
import { event, handlerFor, named, publishedNotice, resetMocks, sageMakerCalls, sageMakerMock, snsMock, validation } from './harness';

const NAME = '89c96cc8-dded-4739-afcc-6f1dc936701d';
const ARN = `arn:aws:sagemaker:us-east-1:123456789012:training-job/${NAME}`;
const inProgress = event('variants/training-job.in-progress.json');
const nonCompliant = (status: string) => trainingJob({ TrainingJobName: NAME, TrainingJobArn: ARN, TrainingJobStatus: status as never, EnableNetworkIsolation: false });

function describeAs(job: ReturnType<typeof trainingJob>, tags: Record<string, string> = {}): void {
  sageMakerMock.on(DescribeTrainingJobCommand, { TrainingJobName: NAME }).resolves(job);
  sageMakerMock.on(ListTagsCommand).resolves({ Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) });
}

beforeEach(resetMocks);

describe('training job responder', () => {
  test('compliant InProgress job: described only, nothing else', async () => {
    describeAs(trainingJob({ TrainingJobName: NAME, TrainingJobArn: ARN }));
    const result = await handlerFor('training-job')(inProgress);
    expect(result).toEqual({ decision: 'compliant', notified: false });
    expect(sageMakerCalls()).toEqual(['DescribeTrainingJobCommand', 'ListTagsCommand']);
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });

  test('non-compliant InProgress job, enforce: tag, stop, notify, mark notice sent, in that order', async () => {
    describeAs(nonCompliant('InProgress'), { owner: 'team-a' });
    const result = await handlerFor('training-job')(inProgress);
    expect(result).toEqual({ decision: 'remediate', actionResult: { type: 'done' }, notified: true });
    expect(sageMakerCalls()).toEqual(['DescribeTrainingJobCommand', 'ListTagsCommand', 'AddTagsCommand', 'StopTrainingJobCommand', 'AddTagsCommand']);
    expect(sageMakerMock).toHaveReceivedCommandWith(StopTrainingJobCommand, { TrainingJobName: NAME });
    expect(sageMakerMock).toHaveReceivedNthCommandWith(3, AddTagsCommand, {
      ResourceArn: ARN,
      Tags: [
        { Key: TAG.violations, Value: 'training-job.network-isolation' },
        { Key: TAG.action, Value: 'stop' },
        { Key: TAG.notice, Value: 'pending' },
        { Key: TAG.eventId, Value: '11111111-0000-4000-8000-000000000001' },
      ],
    });
    expect(sageMakerMock).toHaveReceivedNthCommandWith(5, AddTagsCommand, { ResourceArn: ARN, Tags: [{ Key: TAG.notice, Value: 'sent' }] });
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    const notice = publishedNotice();
    expect(notice.subject).toBe(`[sagemaker-guard] Stopped training job ${NAME}: 1 control failed`);
    expect(notice.attributes).toEqual({ kind: 'training-job', action: 'stopped', severity: 'high', account: '123456789012', region: 'us-east-1', owner: 'team-a' });
    expect(notice.message).toContain('Found: EnableNetworkIsolation is false');
  });

  test('report mode: notify with "would stop", never tag or stop', async () => {
    describeAs(nonCompliant('InProgress'));
    const result = await handlerFor('training-job', { mode: 'report' })(inProgress);
    expect(result).toEqual({ decision: 'report', notified: true });
    expect(sageMakerCalls()).toEqual(['DescribeTrainingJobCommand', 'ListTagsCommand']);
    expect(publishedNotice().attributes.action).toBe('would-stop');
  });

  test.each([
    ['duplicate event: already Stopping, notice sent', 'Stopping', { [TAG.notice]: 'sent' }],
    ['stopped by a person', 'Stopping', {}],
    ['already Stopped', 'Stopped', { [TAG.notice]: 'sent' }],
    ['Completed before the event was handled', 'Completed', {}],
    ['Failed', 'Failed', {}],
    ['an unknown future status', 'Paused', {}],
  ])('%s: no action, no notice', async (_title, status, tags) => {
    describeAs(nonCompliant(status), tags);
    const result = await handlerFor('training-job')(inProgress);
    expect(result).toEqual({ decision: 'not-actionable', notified: false });
    expect(sageMakerMock).not.toHaveReceivedCommand(StopTrainingJobCommand);
    expect(sageMakerMock).not.toHaveReceivedCommand(AddTagsCommand);
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });

  test('finished between Describe and Stop: no stop possible, one notice saying so', async () => {
    describeAs(nonCompliant('InProgress'));
    sageMakerMock.on(StopTrainingJobCommand).rejects(validation('The request was rejected because the training job is in status Completed.'));
    const result = await handlerFor('training-job')(inProgress);
    expect(result).toEqual({ decision: 'remediate', actionResult: { type: 'wrong-state', status: 'Completed' }, notified: true });
    expect(publishedNotice().attributes.action).toBe('none');
    expect(publishedNotice().message).toContain('already reached status Completed');
  });

  test('concurrent duplicate: Stop refused because another invocation is stopping it, so no second notice', async () => {
    describeAs(nonCompliant('InProgress'));
    sageMakerMock.on(StopTrainingJobCommand).rejects(validation('The request was rejected because the training job is in status Stopping.'));
    const result = await handlerFor('training-job')(inProgress);
    expect(result).toEqual({ decision: 'remediate', actionResult: { type: 'wrong-state', status: 'Stopping' }, notified: false });
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });

  test('a job that no longer exists is not an error', async () => {
    sageMakerMock.on(DescribeTrainingJobCommand).rejects(validation('Requested resource not found.'));
    await expect(handlerFor('training-job')(inProgress)).resolves.toEqual({ decision: 'gone', notified: false });
    expect(sageMakerCalls()).toEqual(['DescribeTrainingJobCommand']);
  });

  test('throttling that outlasts the SDK retries fails the invocation so Lambda retries it', async () => {
    sageMakerMock.on(DescribeTrainingJobCommand).rejects(named('ThrottlingException', 'Rate exceeded'));
    await expect(handlerFor('training-job')(inProgress)).rejects.toThrow('Rate exceeded');
    expect(sageMakerMock).not.toHaveReceivedCommand(StopTrainingJobCommand);
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });

  test('a notice that fails to publish is sent by the retry: notices may repeat, never vanish', async () => {
    describeAs(nonCompliant('InProgress'));
    snsMock.on(PublishCommand).rejectsOnce(named('InternalErrorException', 'SNS is having a bad day')).resolves({ MessageId: 'msg-2' });
    const handler = handlerFor('training-job');

    await expect(handler(inProgress)).rejects.toThrow('SNS is having a bad day');
    expect(sageMakerMock).toHaveReceivedCommandTimes(StopTrainingJobCommand, 1);
    expect(sageMakerMock).toHaveReceivedCommandTimes(AddTagsCommand, 1); // pending only; never marked sent

    // Lambda retries the same event: the job is Stopping now and still carries notice=pending.
    describeAs(nonCompliant('Stopping'), { [TAG.notice]: 'pending' });
    const retry = await handler(inProgress);
    expect(retry).toEqual({ decision: 'resend-notice', notified: true });
    expect(sageMakerMock).toHaveReceivedCommandTimes(StopTrainingJobCommand, 1);
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 2);
    expect(publishedNotice(1).message).toContain('this is that notice. Status now: Stopping.');
    expect(sageMakerMock).toHaveReceivedNthCommandWith(sageMakerMock.calls().length, AddTagsCommand, { ResourceArn: ARN, Tags: [{ Key: TAG.notice, Value: 'sent' }] });
  });

  test('tagging is best effort: a refused AddTags still stops the job, and the notice goes out first', async () => {
    describeAs(nonCompliant('InProgress'));
    sageMakerMock.on(AddTagsCommand).rejects(named('AccessDeniedException', 'not authorized to perform: sagemaker:AddTags'));
    const result = await handlerFor('training-job')(inProgress);
    expect(result).toEqual({ decision: 'remediate', actionResult: { type: 'done' }, notified: true });
    const [published] = snsMock.commandCalls(PublishCommand);
    const [stopped] = sageMakerMock.commandCalls(StopTrainingJobCommand);
    expect(published.calledBefore(stopped as never)).toBe(true);
  });

  test('no pending mark and a failed notice: nothing is stopped, so the retry starts over and the notice cannot vanish', async () => {
    describeAs(nonCompliant('InProgress'));
    sageMakerMock.on(AddTagsCommand).rejects(named('AccessDeniedException', 'not authorized to perform: sagemaker:AddTags'));
    snsMock.on(PublishCommand).rejectsOnce(named('InternalErrorException', 'SNS down')).resolves({ MessageId: 'm' });
    const handler = handlerFor('training-job');
    await expect(handler(inProgress)).rejects.toThrow('SNS down');
    expect(sageMakerMock).not.toHaveReceivedCommand(StopTrainingJobCommand);
    await expect(handler(inProgress)).resolves.toMatchObject({ decision: 'remediate', notified: true });
    expect(sageMakerMock).toHaveReceivedCommandTimes(StopTrainingJobCommand, 1);
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 2);
  });

  test('a Stop refused for lack of permission fails the invocation and sends no false notice', async () => {
    describeAs(nonCompliant('InProgress'));
    sageMakerMock.on(StopTrainingJobCommand).rejects(named('AccessDeniedException', 'not authorized to perform: sagemaker:StopTrainingJob'));
    await expect(handlerFor('training-job')(inProgress)).rejects.toThrow('sagemaker:StopTrainingJob');
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });

  test('a malformed event is rejected before any AWS call, with an error log naming the field', async () => {
    const errorLog = jest.spyOn(logger, 'error');
    const bad = { ...inProgress, detail: { TrainingJobStatus: 'InProgress' } };
    await expect(handlerFor('training-job')(bad)).rejects.toThrow(MalformedEventError);
    expect(sageMakerMock.calls()).toHaveLength(0);
    expect(errorLog).toHaveBeenCalledWith(expect.stringContaining('dead-letter queue'), expect.objectContaining({ problems: [expect.stringContaining('detail.TrainingJobName')] }));
    errorLog.mockRestore();
  });

  test('the decision log line explains every control, the mode and the outcome', async () => {
    const infoLog = jest.spyOn(logger, 'info');
    describeAs(nonCompliant('InProgress'));
    await handlerFor('training-job', { maxRuntimeSeconds: 7200 })(inProgress);
    const decision = infoLog.mock.calls.find(([message]) => message === 'Decision')?.[1] as Record<string, unknown>;
    expect(decision).toMatchObject({
      decision: 'remediate',
      switch: 'policy',
      resource: { kind: 'training-job', name: NAME, arn: ARN, status: 'InProgress' },
      failed: ['training-job.network-isolation'],
      actionResult: { type: 'done' },
      notified: true,
    });
    expect(decision.controls).toMatchObject({
      'training-job.network-isolation': 'fail [enforce by policy.mode]: EnableNetworkIsolation is false',
      'training-job.vpc': 'pass',
      'training-job.max-runtime': 'pass',
      'training-job.instance-type': expect.stringMatching(/^skip: no allow-list/) as unknown,
    });
    infoLog.mockRestore();
  });
});
