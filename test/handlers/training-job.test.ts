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
import { singleMetrics } from '../../lambda/powertools';
import {
  event,
  handlerFor,
  ledgerCalls,
  named,
  NOW,
  owedNotices,
  publishedNotice,
  remediationRecords,
  resetMocks,
  sageMakerCalls,
  sageMakerMock,
  snsMock,
  table,
  validation,
} from './harness';

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

  test('non-compliant InProgress job, enforce: claim in the ledger, tag, stop, record, notify, mark sent', async () => {
    describeAs(nonCompliant('InProgress'), { owner: 'team-a' });
    const result = await handlerFor('training-job')(inProgress);
    expect(result).toEqual({ decision: 'remediate', actionResult: { type: 'done' }, notified: true });
    expect(sageMakerCalls()).toEqual(['DescribeTrainingJobCommand', 'ListTagsCommand', 'AddTagsCommand', 'StopTrainingJobCommand']);
    expect(sageMakerMock).toHaveReceivedCommandWith(StopTrainingJobCommand, { TrainingJobName: NAME });
    expect(sageMakerMock).toHaveReceivedCommandWith(AddTagsCommand, {
      ResourceArn: ARN,
      Tags: [
        { Key: TAG.violations, Value: 'training-job.network-isolation' },
        { Key: TAG.action, Value: 'stop' },
        { Key: TAG.eventId, Value: '11111111-0000-4000-8000-000000000001' },
      ],
    });
    // The ledger: when enforcement began (read once per container), claimed before anything was done,
    // then the attempt, the result and the notice.
    expect(ledgerCalls()).toEqual(['GetCommand', 'QueryCommand', 'PutCommand', 'UpdateCommand', 'UpdateCommand', 'UpdateCommand']);
    const [record] = remediationRecords();
    expect(record).toMatchObject({ action: 'stop', actAttempts: 1, result: { type: 'done' }, notice: 'sent', messageId: 'msg-1', controls: ['training-job.network-isolation'], owner: 'team-a' });
    expect(record.noticePending).toBeUndefined();
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    const notice = publishedNotice();
    expect(notice.subject).toBe(`[sagemaker-guard] Stopped training job ${NAME}: 1 control failed`);
    expect(notice.attributes).toEqual({ kind: 'training-job', action: 'stopped', severity: 'high', account: '123456789012', region: 'us-east-1', owner: 'team-a' });
    expect(notice.message).toContain('Found: EnableNetworkIsolation is false');
    expect(notice.message).toContain(`Its tag ${TAG.violations} lists the failed controls.`);
  });

  test('a duplicate event after the stop does nothing: the job is Stopping, no second notice', async () => {
    describeAs(nonCompliant('InProgress'));
    const handler = handlerFor('training-job');
    await handler(inProgress);
    describeAs(nonCompliant('Stopping'));
    await expect(handler({ ...inProgress, id: 'another-copy' })).resolves.toEqual({ decision: 'not-actionable', notified: false });
    expect(sageMakerMock).toHaveReceivedCommandTimes(StopTrainingJobCommand, 1);
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  test('a copy of the event that described the job before the stop finds the remediation done: nothing more', async () => {
    describeAs(nonCompliant('InProgress'));
    const handler = handlerFor('training-job');
    await handler(inProgress);
    await expect(handler({ ...inProgress, id: 'late-copy' })).resolves.toEqual({ decision: 'duplicate', notified: false });
    expect(sageMakerMock).toHaveReceivedCommandTimes(StopTrainingJobCommand, 1);
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  test('tags the owner can write never silence the guard: a forged notice=sent tag changes nothing', async () => {
    describeAs(nonCompliant('InProgress'), { 'sagemaker-guard:notice': 'sent', 'sagemaker-guard:action': 'stop' });
    await expect(handlerFor('training-job')(inProgress)).resolves.toEqual({ decision: 'remediate', actionResult: { type: 'done' }, notified: true });
  });

  test('report mode: notify with "would stop", never tag or stop', async () => {
    describeAs(nonCompliant('InProgress'));
    const result = await handlerFor('training-job', { mode: 'report' })(inProgress);
    expect(result).toEqual({ decision: 'report', notified: true });
    expect(sageMakerCalls()).toEqual(['DescribeTrainingJobCommand', 'ListTagsCommand']);
    expect(publishedNotice().attributes.action).toBe('would-stop');
  });

  test.each([
    ['stopped by a person', 'Stopping'],
    ['already Stopped', 'Stopped'],
    ['Completed before the event was handled', 'Completed'],
    ['Failed', 'Failed'],
    ['an unknown future status', 'Paused'],
  ])('%s: no action, no notice', async (_title, status) => {
    describeAs(nonCompliant(status));
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

  test('stopped by someone else between Describe and Stop: one honest notice, not a claim the guard stopped it', async () => {
    describeAs(nonCompliant('InProgress'));
    sageMakerMock.on(StopTrainingJobCommand).rejects(validation('The request was rejected because the training job is in status Stopping.'));
    const result = await handlerFor('training-job')(inProgress);
    expect(result).toEqual({ decision: 'remediate', actionResult: { type: 'wrong-state', status: 'Stopping' }, notified: true });
    expect(publishedNotice().subject).toContain('Could not stop training job');
    expect(remediationRecords()[0]).toMatchObject({ result: { type: 'wrong-state', status: 'Stopping' }, notice: 'sent' });
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

  test('a notice that fails to publish stays owed in the ledger and the retry sends exactly it, without stopping again', async () => {
    describeAs(nonCompliant('InProgress'));
    snsMock.on(PublishCommand).rejectsOnce(named('InternalErrorException', 'SNS is having a bad day')).resolves({ MessageId: 'msg-2' });
    const handler = handlerFor('training-job');

    await expect(handler(inProgress)).rejects.toThrow('SNS is having a bad day');
    expect(sageMakerMock).toHaveReceivedCommandTimes(StopTrainingJobCommand, 1);
    expect(owedNotices()).toHaveLength(1);
    expect(remediationRecords()[0]).toMatchObject({ result: { type: 'done' }, notice: 'pending', noticePending: 'pending' });

    // Lambda retries the same event (same id): the job is Stopping now, the ledger still owes the notice.
    describeAs(nonCompliant('Stopping'));
    const retry = await handler(inProgress);
    expect(retry).toEqual({ decision: 'resend-notice', notified: true });
    expect(sageMakerMock).toHaveReceivedCommandTimes(StopTrainingJobCommand, 1);
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 2);
    expect(publishedNotice(1).subject).toBe(publishedNotice(0).subject);
    expect(publishedNotice(1).message).toBe(publishedNotice(0).message);
    expect(owedNotices()).toHaveLength(0);
  });

  test('a failed publish releases the record: the next copy of the event sends the owed notice, once, and stops nothing again', async () => {
    describeAs(nonCompliant('InProgress'));
    snsMock.on(PublishCommand).rejectsOnce(named('InternalErrorException', 'SNS down')).resolves({ MessageId: 'm' });
    const handler = handlerFor('training-job');
    await expect(handler(inProgress)).rejects.toThrow('SNS down');
    expect(remediationRecords()[0]).toMatchObject({ leaseUntil: 0, notice: 'pending' });
    await expect(handler({ ...inProgress, id: 'another-copy' })).resolves.toEqual({ decision: 'resend-notice', notified: true });
    await expect(handler({ ...inProgress, id: 'a-third-copy' })).resolves.toEqual({ decision: 'duplicate', notified: false });
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 2);
    expect(sageMakerMock).toHaveReceivedCommandTimes(StopTrainingJobCommand, 1);
  });

  test('a copy of the event that arrives while the first invocation holds the record leaves it to that invocation', async () => {
    describeAs(nonCompliant('InProgress'));
    let copy: unknown;
    const handler = handlerFor('training-job');
    // The copy runs, start to end, while the first invocation is inside StopTrainingJob.
    sageMakerMock.on(StopTrainingJobCommand).callsFake(async () => {
      copy ??= await handler({ ...inProgress, id: 'concurrent-copy' });
      return {};
    });
    await expect(handler(inProgress)).resolves.toMatchObject({ decision: 'remediate', notified: true });
    expect(copy).toEqual({ decision: 'busy', notified: false });
    expect(sageMakerMock).toHaveReceivedCommandTimes(StopTrainingJobCommand, 1);
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  test('tagging is best effort: a refused AddTags still stops the job, and the notice does not name the tag', async () => {
    describeAs(nonCompliant('InProgress'));
    sageMakerMock.on(AddTagsCommand).rejects(named('AccessDeniedException', 'not authorized to perform: sagemaker:AddTags'));
    const result = await handlerFor('training-job')(inProgress);
    expect(result).toEqual({ decision: 'remediate', actionResult: { type: 'done' }, notified: true });
    const [published] = snsMock.commandCalls(PublishCommand);
    const [stopped] = sageMakerMock.commandCalls(StopTrainingJobCommand);
    expect(stopped.calledBefore(published as never)).toBe(true);
    expect(publishedNotice().message).not.toContain(TAG.violations);
  });

  test('nothing claims a stop before it happened: a notice is published only after StopTrainingJob returned', async () => {
    describeAs(nonCompliant('InProgress'));
    sageMakerMock.on(StopTrainingJobCommand).rejects(named('ThrottlingException', 'Rate exceeded'));
    await expect(handlerFor('training-job')(inProgress)).rejects.toThrow('Rate exceeded');
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
    expect(remediationRecords()[0]).toMatchObject({ actAttempts: 1 });
    expect(remediationRecords()[0].result).toBeUndefined();
  });

  test('the retry after a crash between Stop and its record finds the job Stopping: "stopped by an earlier attempt", once', async () => {
    describeAs(nonCompliant('InProgress'));
    let now = NOW;
    const handler = handlerFor('training-job', {}, { now: () => now });
    // The Stop went through, then the ledger write of its result failed (the invocation died).
    table.failOn('UpdateCommand', named('InternalServerError', 'DynamoDB hiccup'), 1);
    await expect(handler(inProgress)).rejects.toThrow('DynamoDB hiccup');
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
    // Lambda retries a minute later at the earliest: the dead invocation's lease has run out by then.
    now = new Date(NOW.getTime() + 61_000);
    describeAs(nonCompliant('Stopping'));
    await expect(handler(inProgress)).resolves.toEqual({ decision: 'resume', actionResult: { type: 'done' }, notified: true });
    expect(sageMakerMock).toHaveReceivedCommandTimes(StopTrainingJobCommand, 1);
    expect(publishedNotice().message).toContain('called by an earlier attempt of the guard');
    expect(remediationRecords()[0]).toMatchObject({ result: { type: 'done', byEarlierAttempt: true, status: 'Stopping' }, notice: 'sent' });
  });

  test('a Stop denied by IAM (SCP, boundary): an honest notice naming the error and permission, the alarm metric, no retry loop', async () => {
    describeAs(nonCompliant('InProgress'));
    const metric = jest.spyOn(singleMetrics, 'addMetric');
    sageMakerMock.on(StopTrainingJobCommand).rejects(named('AccessDeniedException', 'User is not authorized to perform: sagemaker:StopTrainingJob with an explicit deny in a service control policy'));
    const result = await handlerFor('training-job')(inProgress);
    expect(result).toMatchObject({ decision: 'remediate', actionResult: { type: 'denied', errorName: 'AccessDeniedException', permission: 'sagemaker:StopTrainingJob' }, notified: true });
    const notice = publishedNotice();
    expect(notice.subject.startsWith(`[sagemaker-guard] Denied: could not stop training job ${NAME}`)).toBe(true);
    expect(notice.attributes.action).toBe('denied');
    expect(notice.message).toContain('StopTrainingJob was denied (AccessDeniedException)');
    expect(notice.message).toContain(`needs sagemaker:StopTrainingJob on ${ARN}`);
    expect(notice.message).not.toMatch(/^Stopped/m);
    expect(metric).toHaveBeenCalledWith('ActionsDenied', 'Count', 1);
    metric.mockRestore();
  });

  test('denied, then the job finishes: no later "Stopped" notice', async () => {
    describeAs(nonCompliant('InProgress'));
    sageMakerMock.on(StopTrainingJobCommand).rejects(named('AccessDeniedException', 'explicit deny'));
    const handler = handlerFor('training-job');
    await handler(inProgress);
    describeAs(nonCompliant('Completed'));
    await expect(handler({ ...inProgress, id: 'retry-after-finish' })).resolves.toEqual({ decision: 'not-actionable', notified: false });
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(publishedNotice().attributes.action).toBe('denied');
  });

  test('denied, then the denial is lifted: the next attempt stops the job and says so; denied again stays quiet', async () => {
    describeAs(nonCompliant('InProgress'));
    sageMakerMock.on(StopTrainingJobCommand).rejects(named('AccessDeniedException', 'explicit deny'));
    const handler = handlerFor('training-job');
    await handler(inProgress);
    await expect(handler({ ...inProgress, id: 'sweep-1' })).resolves.toMatchObject({ decision: 'retry-denied', notified: false });
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    sageMakerMock.on(StopTrainingJobCommand).resolves({});
    await expect(handler({ ...inProgress, id: 'sweep-2' })).resolves.toMatchObject({ decision: 'retry-denied', actionResult: { type: 'done' }, notified: true });
    expect(publishedNotice(1).attributes.action).toBe('stopped');
    expect(remediationRecords()[0]).toMatchObject({ actAttempts: 3, result: { type: 'done' }, notice: 'sent' });
  });

  test('the ledger unavailable: nothing is done blindly; the invocation fails and is retried', async () => {
    describeAs(nonCompliant('InProgress'));
    table.failOn('QueryCommand', named('ServiceUnavailable', 'DynamoDB is down'));
    await expect(handlerFor('training-job')(inProgress)).rejects.toThrow('DynamoDB is down');
    expect(sageMakerMock).not.toHaveReceivedCommand(StopTrainingJobCommand);
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });

  test('a failed step still logs one Decision line, naming the stage', async () => {
    const infoLog = jest.spyOn(logger, 'info');
    describeAs(nonCompliant('InProgress'));
    snsMock.on(PublishCommand).rejects(named('KMSAccessDeniedException', 'key policy'));
    await expect(handlerFor('training-job')(inProgress)).rejects.toThrow('key policy');
    const decisions = infoLog.mock.calls.filter(([message]) => message === 'Decision');
    expect(decisions).toHaveLength(1);
    expect(decisions[0][1]).toMatchObject({ decision: 'error', failedStage: 'notify', errorName: 'KMSAccessDeniedException', resource: { kind: 'training-job', name: NAME } });
    infoLog.mockRestore();
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
