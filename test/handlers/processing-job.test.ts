import { AddTagsCommand, DescribeProcessingJobCommand, ListProcessingJobsCommand, ListTagsCommand, StopProcessingJobCommand } from '@aws-sdk/client-sagemaker';
import { PublishCommand } from '@aws-sdk/client-sns';
import { MalformedEventError, parseEvent } from '../../lambda/core/event';
import { TAG } from '../../lambda/core/tags';
import { accessOf } from '../../lambda/kinds/registry';
import type { ListedPage } from '../../lambda/kinds/types';
import { logger, singleMetrics } from '../../lambda/powertools';
import { loadEvent } from '../fixtures/events';
import { cluster, processingJob, withCluster } from '../fixtures/processing-job';
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
  validation,
} from './harness';

const NAME = 'integ-test-analytics-algo-54ee3282-5899-4aa3-afc2-7ce1d02';
const ARN = `arn:aws:sagemaker:us-east-1:123456789012:processing-job/${NAME}`;
const EVENT_ID = '11111111-0000-4000-8000-0000000000a5';
const inProgress = event('variants/processing-job.in-progress.json');
type Job = ReturnType<typeof processingJob>;
const compliant = (status = 'InProgress'): Job => processingJob({ ProcessingJobName: NAME, ProcessingJobArn: ARN, ProcessingJobStatus: status as never });
const nonCompliant = (status = 'InProgress'): Job => ({ ...compliant(status), NetworkConfig: { ...compliant(status).NetworkConfig, EnableNetworkIsolation: false } });

function describeAs(job: Job, tags: Record<string, string> = {}): void {
  sageMakerMock.on(DescribeProcessingJobCommand, { ProcessingJobName: NAME }).resolves(job);
  sageMakerMock.on(ListTagsCommand).resolves({ Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) });
}

beforeEach(resetMocks);

describe('processing job events', () => {
  test('the published sample parses: the name from detail, status Failed', () => {
    const raw = loadEvent('processing-job-state-change.json');
    expect(parseEvent(raw, 'processing-job')).toMatchObject({ eventId: raw.id, kind: 'processing-job', name: NAME, reportedStatus: 'Failed' });
  });

  test('the InProgress variant parses', () => {
    expect(parseEvent(loadEvent('variants/processing-job.in-progress.json'), 'processing-job')).toMatchObject({ eventId: EVENT_ID, kind: 'processing-job', name: NAME, reportedStatus: 'InProgress' });
  });

  test('a processing job event is not accepted by the training-job function, nor the reverse', () => {
    expect(() => parseEvent(loadEvent('variants/processing-job.in-progress.json'), 'training-job')).toThrow(MalformedEventError);
    expect(() => parseEvent(loadEvent('variants/training-job.in-progress.json'), 'processing-job')).toThrow(MalformedEventError);
  });
});

describe('processing job responder', () => {
  test('compliant InProgress job: described only, nothing else', async () => {
    describeAs(compliant());
    await expect(handlerFor('processing-job')(inProgress)).resolves.toEqual({ decision: 'compliant', notified: false });
    expect(sageMakerCalls()).toEqual(['DescribeProcessingJobCommand', 'ListTagsCommand']);
    expect(sageMakerMock).toHaveReceivedCommandWith(DescribeProcessingJobCommand, { ProcessingJobName: NAME });
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });

  test('non-compliant InProgress job, enforce: claim in the ledger, tag, stop, record, notify', async () => {
    describeAs(nonCompliant(), { owner: 'team-a' });
    const result = await handlerFor('processing-job')(inProgress);
    expect(result).toEqual({ decision: 'remediate', actionResult: { type: 'done' }, notified: true });
    expect(sageMakerCalls()).toEqual(['DescribeProcessingJobCommand', 'ListTagsCommand', 'AddTagsCommand', 'StopProcessingJobCommand']);
    expect(sageMakerMock).toHaveReceivedCommandWith(StopProcessingJobCommand, { ProcessingJobName: NAME });
    expect(sageMakerMock).toHaveReceivedCommandWith(AddTagsCommand, {
      ResourceArn: ARN,
      Tags: [
        { Key: TAG.violations, Value: 'processing-job.network-isolation' },
        { Key: TAG.action, Value: 'stop' },
        { Key: TAG.eventId, Value: EVENT_ID },
      ],
    });
    expect(ledgerCalls()).toEqual(['GetCommand', 'QueryCommand', 'PutCommand', 'UpdateCommand', 'UpdateCommand', 'UpdateCommand']);
    expect(remediationRecords()[0]).toMatchObject({ action: 'stop', actAttempts: 1, result: { type: 'done' }, notice: 'sent', controls: ['processing-job.network-isolation'], owner: 'team-a' });
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    const notice = publishedNotice();
    // SNS subjects are at most 100 characters: this long name is cut.
    expect(notice.subject.startsWith(`[sagemaker-guard] Stopped processing job ${NAME.slice(0, 40)}`)).toBe(true);
    expect(notice.attributes).toEqual({ kind: 'processing-job', action: 'stopped', severity: 'high', account: '123456789012', region: 'us-east-1', owner: 'team-a' });
    expect(notice.message).toContain('Found: NetworkConfig.EnableNetworkIsolation is false');
    expect(notice.message).toContain(`#/processing-jobs/${NAME}`);
    expect(notice.message).toContain('Start a new processing job');
  });

  test('what moto cannot show: the volume key and the instance type of ProcessingResources are judged', async () => {
    describeAs(withCluster(cluster({ InstanceType: 'ml.p3.2xlarge', VolumeKmsKeyId: undefined }), { ProcessingJobName: NAME, ProcessingJobArn: ARN }));
    const result = await handlerFor('processing-job', { kinds: { 'processing-job': { allowedInstanceTypes: ['ml.m5.xlarge'] } } })(inProgress);
    expect(result).toEqual({ decision: 'remediate', actionResult: { type: 'done' }, notified: true });
    expect(remediationRecords()[0]).toMatchObject({ controls: ['processing-job.volume-kms-key', 'processing-job.instance-type'] });
    const notice = publishedNotice();
    expect(notice.message).toContain('ProcessingResources.ClusterConfig.VolumeKmsKeyId is not set');
    expect(notice.message).toContain('ml.p3.2xlarge not in the allow-list (ml.m5.xlarge)');
  });

  test('a volume without a key on instance storage is not a finding (SageMaker takes no key there)', async () => {
    describeAs(withCluster(cluster({ InstanceType: 'ml.g4dn.xlarge', VolumeKmsKeyId: undefined }), { ProcessingJobName: NAME, ProcessingJobArn: ARN }));
    await expect(handlerFor('processing-job')(inProgress)).resolves.toEqual({ decision: 'compliant', notified: false });
  });

  test('report mode: notify with "would stop", never tag or stop', async () => {
    describeAs(nonCompliant());
    const result = await handlerFor('processing-job', { mode: 'report' })(inProgress);
    expect(result).toEqual({ decision: 'report', notified: true });
    expect(sageMakerCalls()).toEqual(['DescribeProcessingJobCommand', 'ListTagsCommand']);
    expect(publishedNotice().attributes.action).toBe('would-stop');
  });

  test('a control in report mode on a job whose other controls pass: a notice, no stop', async () => {
    describeAs(processingJob({ ProcessingJobName: NAME, ProcessingJobArn: ARN, StoppingCondition: { MaxRuntimeInSeconds: 86_400 } }));
    const result = await handlerFor('processing-job', { maxRuntimeSeconds: 3600, controls: { 'processing-job.max-runtime': 'report' } })(inProgress);
    expect(result).toEqual({ decision: 'report', notified: true });
    expect(sageMakerMock).not.toHaveReceivedCommand(StopProcessingJobCommand);
    expect(publishedNotice().message).toContain('StoppingCondition.MaxRuntimeInSeconds is 86400, above the bound of 3600');
  });

  test.each([
    ['Completed before the event was handled', 'Completed'],
    ['stopped by a person', 'Stopping'],
    ['already Stopped', 'Stopped'],
    ['Failed', 'Failed'],
    ['an unknown future status', 'Paused'],
  ])('%s: no action, no notice', async (_title, status) => {
    describeAs(nonCompliant(status));
    await expect(handlerFor('processing-job')(inProgress)).resolves.toEqual({ decision: 'not-actionable', notified: false });
    expect(sageMakerMock).not.toHaveReceivedCommand(StopProcessingJobCommand);
    expect(sageMakerMock).not.toHaveReceivedCommand(AddTagsCommand);
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });

  test('the published Failed sample (a late event) is not acted on: the job is Failed', async () => {
    describeAs(nonCompliant('Failed'));
    await expect(handlerFor('processing-job')(event('processing-job-state-change.json'))).resolves.toEqual({ decision: 'not-actionable', notified: false });
    expect(sageMakerMock).not.toHaveReceivedCommand(StopProcessingJobCommand);
  });

  test('a duplicate event after the stop does nothing: the job is Stopping, no second notice', async () => {
    describeAs(nonCompliant());
    const handler = handlerFor('processing-job');
    await handler(inProgress);
    describeAs(nonCompliant('Stopping'));
    await expect(handler({ ...inProgress, id: 'another-copy' })).resolves.toEqual({ decision: 'not-actionable', notified: false });
    expect(sageMakerMock).toHaveReceivedCommandTimes(StopProcessingJobCommand, 1);
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  test('a copy of the event that still describes the job InProgress finds the remediation done: nothing more', async () => {
    describeAs(nonCompliant());
    const handler = handlerFor('processing-job');
    await handler(inProgress);
    await expect(handler({ ...inProgress, id: 'late-copy' })).resolves.toEqual({ decision: 'duplicate', notified: false });
    expect(sageMakerMock).toHaveReceivedCommandTimes(StopProcessingJobCommand, 1);
  });

  test('finished between Describe and Stop: wrong state, one notice saying so', async () => {
    describeAs(nonCompliant());
    sageMakerMock.on(StopProcessingJobCommand).rejects(validation('The request was rejected because the processing job is in status Completed.'));
    const result = await handlerFor('processing-job')(inProgress);
    expect(result).toEqual({ decision: 'remediate', actionResult: { type: 'wrong-state', status: 'Completed' }, notified: true });
    expect(publishedNotice().attributes.action).toBe('none');
    expect(publishedNotice().subject).toContain('Could not stop processing job');
    expect(publishedNotice().message).toContain('already reached status Completed');
    expect(remediationRecords()[0]).toMatchObject({ result: { type: 'wrong-state', status: 'Completed' }, notice: 'sent' });
  });

  test('gone between Describe and Stop: no error', async () => {
    describeAs(nonCompliant());
    sageMakerMock.on(StopProcessingJobCommand).rejects(validation(`Could not find requested job with name: ${NAME}`));
    const result = await handlerFor('processing-job')(inProgress);
    expect(result).toMatchObject({ decision: 'remediate', actionResult: { type: 'gone' } });
  });

  test('a Stop denied by IAM: an honest notice naming the error and permission, the alarm metric', async () => {
    describeAs(nonCompliant());
    const metric = jest.spyOn(singleMetrics, 'addMetric');
    sageMakerMock.on(StopProcessingJobCommand).rejects(named('AccessDeniedException', 'User is not authorized to perform: sagemaker:StopProcessingJob with an explicit deny in a service control policy'));
    const result = await handlerFor('processing-job')(inProgress);
    expect(result).toMatchObject({ decision: 'remediate', actionResult: { type: 'denied', errorName: 'AccessDeniedException', permission: 'sagemaker:StopProcessingJob' }, notified: true });
    const notice = publishedNotice();
    expect(notice.subject.startsWith('[sagemaker-guard] Denied: could not stop processing job integ-test-analytics-algo')).toBe(true);
    expect(notice.attributes.action).toBe('denied');
    expect(notice.message).toContain('StopProcessingJob was denied (AccessDeniedException)');
    expect(notice.message).toContain(`needs sagemaker:StopProcessingJob on ${ARN}`);
    expect(metric).toHaveBeenCalledWith('ActionsDenied', 'Count', 1);
    metric.mockRestore();
  });

  test("moto 5.2.1's StopProcessingJob (not implemented: an HTML 500) fails the invocation, so it is retried; no notice claims a stop", async () => {
    describeAs(nonCompliant());
    sageMakerMock.on(StopProcessingJobCommand).rejects(Object.assign(new Error('Unexpected token \'<\', "<!doctype "... is not valid JSON'), { name: 'SyntaxError', $metadata: { httpStatusCode: 500 } }));
    await expect(handlerFor('processing-job')(inProgress)).rejects.toThrow('is not valid JSON');
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
    expect(remediationRecords()[0]).toMatchObject({ actAttempts: 1 });
    expect(remediationRecords()[0].result).toBeUndefined();
  });

  test('a job that no longer exists is "gone", not an error', async () => {
    sageMakerMock.on(DescribeProcessingJobCommand).rejects(validation(`Could not find requested job with name: ${NAME}`));
    await expect(handlerFor('processing-job')(inProgress)).resolves.toEqual({ decision: 'gone', notified: false });
    expect(sageMakerCalls()).toEqual(['DescribeProcessingJobCommand']);
  });

  test('throttling that outlasts the SDK retries fails the invocation so Lambda retries it', async () => {
    sageMakerMock.on(DescribeProcessingJobCommand).rejects(named('ThrottlingException', 'Rate exceeded'));
    await expect(handlerFor('processing-job')(inProgress)).rejects.toThrow('Rate exceeded');
    expect(sageMakerMock).not.toHaveReceivedCommand(StopProcessingJobCommand);
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });

  test('a notice that fails to publish stays owed; the retry sends it without stopping again', async () => {
    describeAs(nonCompliant());
    snsMock.on(PublishCommand).rejectsOnce(named('InternalErrorException', 'SNS is having a bad day')).resolves({ MessageId: 'msg-2' });
    const handler = handlerFor('processing-job');
    await expect(handler(inProgress)).rejects.toThrow('SNS is having a bad day');
    expect(owedNotices()).toHaveLength(1);
    describeAs(nonCompliant('Stopping'));
    await expect(handler(inProgress)).resolves.toEqual({ decision: 'resend-notice', notified: true });
    expect(sageMakerMock).toHaveReceivedCommandTimes(StopProcessingJobCommand, 1);
    expect(publishedNotice(1).message).toBe(publishedNotice(0).message);
  });

  test('a malformed event is rejected before any AWS call, naming the field', async () => {
    const bad = { ...inProgress, detail: { ProcessingJobStatus: 'InProgress' } };
    await expect(handlerFor('processing-job')(bad)).rejects.toThrow(/detail\.ProcessingJobName/);
    expect(sageMakerMock.calls()).toHaveLength(0);
  });

  test('the decision log line explains every control', async () => {
    const infoLog = jest.spyOn(logger, 'info');
    describeAs(nonCompliant());
    await handlerFor('processing-job', { maxRuntimeSeconds: 7200 })(inProgress);
    const decision = infoLog.mock.calls.find(([message]) => message === 'Decision')?.[1] as Record<string, unknown>;
    expect(decision).toMatchObject({
      decision: 'remediate',
      resource: { kind: 'processing-job', name: NAME, arn: ARN, status: 'InProgress', episode: '2026-11-01T10:00:00.000Z' },
      failed: ['processing-job.network-isolation'],
    });
    expect(decision.controls).toEqual({
      'processing-job.network-isolation': 'fail [enforce by policy.mode]: NetworkConfig.EnableNetworkIsolation is false',
      'processing-job.vpc': 'pass',
      'processing-job.inter-container-encryption': 'pass',
      'processing-job.volume-kms-key': 'pass',
      'processing-job.output-kms-key': 'pass',
      'processing-job.max-runtime': 'pass',
      'processing-job.instance-type': 'skip: no allow-list in the policy (kinds.processing-job.allowedInstanceTypes)',
      'processing-job.allowed-network': 'skip: no allowedSubnets or allowedSecurityGroups in the policy',
      'processing-job.required-tags': 'skip: no requiredTags in the policy',
    });
    infoLog.mockRestore();
  });
});

describe('processing job adapter: listing', () => {
  test('the sweep lists only InProgress jobs, page by page', async () => {
    sageMakerMock
      .on(ListProcessingJobsCommand)
      .resolvesOnce({ ProcessingJobSummaries: [{ ProcessingJobName: 'a', ProcessingJobArn: 'arn-a', CreationTime: NOW, ProcessingJobStatus: 'InProgress' }], NextToken: 't1' })
      .resolvesOnce({ ProcessingJobSummaries: [{ ProcessingJobName: 'b', ProcessingJobArn: 'arn-b', CreationTime: NOW, ProcessingJobStatus: 'InProgress' }] });
    const access = await accessOf('processing-job');
    const pages: ListedPage[] = [];
    for await (const page of access.list({})) pages.push(page);
    // Each page carries the cursor of the next; the last carries none.
    expect(pages).toEqual([{ names: ['a'], nextToken: 't1' }, { names: ['b'] }]);
    // The SDK's paginator reuses one input object (its NextToken is set in place), so the calls share it.
    const inputs = sageMakerMock.commandCalls(ListProcessingJobsCommand).map((call) => call.args[0].input);
    expect(inputs).toHaveLength(2);
    for (const input of inputs) expect(input).toMatchObject({ StatusEquals: 'InProgress', MaxResults: 100 });
    expect(inputs[1].NextToken).toBe('t1');
  });

  test('a listing resumes from a cursor: the first call already sends it', async () => {
    sageMakerMock.on(ListProcessingJobsCommand).resolves({ ProcessingJobSummaries: [{ ProcessingJobName: 'c', ProcessingJobArn: 'arn-c', CreationTime: NOW, ProcessingJobStatus: 'InProgress' }] });
    const access = await accessOf('processing-job');
    const pages: ListedPage[] = [];
    for await (const page of access.list({ startingToken: 't7' })) pages.push(page);
    expect(pages).toEqual([{ names: ['c'] }]);
    expect(sageMakerMock.commandCalls(ListProcessingJobsCommand).map((call) => call.args[0].input.NextToken)).toEqual(['t7']);
  });

  test('a historical report lists every job created since the date, in any status', async () => {
    sageMakerMock.on(ListProcessingJobsCommand).resolves({ ProcessingJobSummaries: [] });
    const since = new Date('2026-10-01T00:00:00Z');
    const access = await accessOf('processing-job');
    for await (const page of access.list({ since })) expect(page).toEqual({ names: [] });
    expect(sageMakerMock).toHaveReceivedCommandWith(ListProcessingJobsCommand, { CreationTimeAfter: since, MaxResults: 100 });
    expect(sageMakerMock.commandCalls(ListProcessingJobsCommand)[0].args[0].input.StatusEquals).toBeUndefined();
  });

  test('describe gives the ARN, the status and the creation time as the episode', async () => {
    describeAs(compliant('Stopping'));
    const access = await accessOf('processing-job');
    await expect(access.describe(NAME)).resolves.toEqual({ resource: compliant('Stopping'), arn: ARN, status: 'Stopping', episode: '2026-11-01T10:00:00.000Z' });
  });
});
