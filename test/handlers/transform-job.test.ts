import { AddTagsCommand, DescribeModelCommand, DescribeTransformJobCommand, ListTagsCommand, StopTransformJobCommand } from '@aws-sdk/client-sagemaker';
import { PublishCommand } from '@aws-sdk/client-sns';
import { parseEvent } from '../../lambda/core/event';
import { TAG } from '../../lambda/core/tags';
import type { Model } from '../../lambda/kinds/model/controls';
import type { TransformJobDescription } from '../../lambda/kinds/transform-job/controls';
import { logger } from '../../lambda/powertools';
import { loadEvent } from '../fixtures/events';
import { model } from '../fixtures/resources';
import { MODEL_SECURITY_GROUP, MODEL_SUBNET, TRANSFORM_MODEL_NAME, transformJobDescription } from '../fixtures/transform-job';
import { event, handlerFor, named, publishedNotice, remediationRecords, resetMocks, sageMakerCalls, sageMakerMock, snsMock, validation } from './harness';

/** The name in the published sample (and its InProgress variant). */
const NAME = '4b52bd8f-e034-4345-818d-884bdd7c9724';
const ARN = `arn:aws:sagemaker:us-east-1:123456789012:transform-job/${NAME}`;
const inProgress = event('variants/transform-job.in-progress.json');
const MODEL_GONE = validation(`Could not find model "${TRANSFORM_MODEL_NAME}".`);

const job = (overrides: Partial<TransformJobDescription> = {}) => transformJobDescription({ TransformJobName: NAME, TransformJobArn: ARN, ...overrides });
const compliantModel = (overrides: Partial<Model> = {}) => model({ ModelName: TRANSFORM_MODEL_NAME, VpcConfig: { Subnets: [MODEL_SUBNET], SecurityGroupIds: [MODEL_SECURITY_GROUP] }, ...overrides });
/** A model running its containers without network isolation: the job fails transform-job.model-network-isolation. */
const openModel = () => compliantModel({ EnableNetworkIsolation: false });

/** DescribeTransformJob gives the job; DescribeModel the model, or "not found" when it is `null`. */
function describeAs(found: TransformJobDescription, foundModel: Model | null = compliantModel(), tags: Record<string, string> = {}): void {
  sageMakerMock.on(DescribeTransformJobCommand, { TransformJobName: NAME }).resolves(found);
  if (foundModel === null) sageMakerMock.on(DescribeModelCommand).rejects(MODEL_GONE);
  else sageMakerMock.on(DescribeModelCommand, { ModelName: TRANSFORM_MODEL_NAME }).resolves(foundModel);
  sageMakerMock.on(ListTagsCommand).resolves({ Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) });
}

beforeEach(resetMocks);

describe('transform job events', () => {
  test('the published sample parses (its status is a placeholder, so it is not actionable); the InProgress variant too', () => {
    expect(parseEvent(loadEvent('transform-job-state-change.json'), 'transform-job')).toMatchObject({ kind: 'transform-job', name: NAME, reportedStatus: 'another status... GO' });
    expect(parseEvent(loadEvent('variants/transform-job.in-progress.json'), 'transform-job')).toMatchObject({ kind: 'transform-job', name: NAME, reportedStatus: 'InProgress' });
  });

  test('the sample with its placeholder status: Describe decides (InProgress and compliant here)', async () => {
    describeAs(job());
    await expect(handlerFor('transform-job')(event('transform-job-state-change.json'))).resolves.toEqual({ decision: 'compliant', notified: false });
  });
});

describe('transform job responder', () => {
  test('compliant InProgress job: the job and its model described, nothing else', async () => {
    describeAs(job());
    await expect(handlerFor('transform-job')(inProgress)).resolves.toEqual({ decision: 'compliant', notified: false });
    expect(sageMakerCalls()).toEqual(['DescribeTransformJobCommand', 'DescribeModelCommand', 'ListTagsCommand']);
    expect(sageMakerMock).toHaveReceivedCommandWith(DescribeModelCommand, { ModelName: TRANSFORM_MODEL_NAME });
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });

  test('its model has no network isolation, enforce: tag, stop, record, one notice', async () => {
    describeAs(job(), openModel(), { owner: 'team-a' });
    const result = await handlerFor('transform-job')(inProgress);
    expect(result).toEqual({ decision: 'remediate', actionResult: { type: 'done' }, notified: true });
    expect(sageMakerCalls()).toEqual(['DescribeTransformJobCommand', 'DescribeModelCommand', 'ListTagsCommand', 'AddTagsCommand', 'StopTransformJobCommand']);
    expect(sageMakerMock).toHaveReceivedCommandWith(StopTransformJobCommand, { TransformJobName: NAME });
    expect(sageMakerMock).toHaveReceivedCommandWith(AddTagsCommand, {
      ResourceArn: ARN,
      Tags: [
        { Key: TAG.violations, Value: 'transform-job.model-network-isolation' },
        { Key: TAG.action, Value: 'stop' },
        { Key: TAG.eventId, Value: '11111111-0000-4000-8000-000000000011' },
      ],
    });
    expect(remediationRecords()[0]).toMatchObject({ action: 'stop', actAttempts: 1, result: { type: 'done' }, notice: 'sent', controls: ['transform-job.model-network-isolation'], owner: 'team-a' });
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    const notice = publishedNotice();
    expect(notice.subject).toBe(`[sagemaker-guard] Stopped transform job ${NAME}: 1 control failed`);
    expect(notice.attributes).toEqual({ kind: 'transform-job', action: 'stopped', severity: 'high', account: '123456789012', region: 'us-east-1', owner: 'team-a' });
    expect(notice.message).toContain(`Found: model ${TRANSFORM_MODEL_NAME}: EnableNetworkIsolation is false for a primary container`);
    expect(notice.message).toContain('(transform-job.model-network-isolation)');
    expect(notice.message).toContain('#/transform-jobs/');
  });

  test('its model no longer exists: the model controls fail (nothing shows the job is safe) and the job is stopped', async () => {
    describeAs(job(), null);
    const result = await handlerFor('transform-job')(inProgress);
    expect(result).toEqual({ decision: 'remediate', actionResult: { type: 'done' }, notified: true });
    // The allow-list control the policy does not use skips (it does not claim a failure it cannot know).
    expect(remediationRecords()[0]).toMatchObject({ controls: ['transform-job.model-network-isolation', 'transform-job.model-vpc'] });
    const notice = publishedNotice();
    expect(notice.subject).toBe(`[sagemaker-guard] Stopped transform job ${NAME}: 2 controls failed`);
    expect(notice.message).toContain(`model ${TRANSFORM_MODEL_NAME}: no longer exists (DescribeModel: not found)`);
  });

  test('report mode: "would stop", never tag or stop', async () => {
    describeAs(job(), openModel());
    await expect(handlerFor('transform-job', { mode: 'report' })(inProgress)).resolves.toEqual({ decision: 'report', notified: true });
    expect(sageMakerMock).not.toHaveReceivedCommand(StopTransformJobCommand);
    expect(sageMakerMock).not.toHaveReceivedCommand(AddTagsCommand);
    expect(publishedNotice().attributes.action).toBe('would-stop');
    expect(publishedNotice().subject).toBe(`[sagemaker-guard] Would stop transform job ${NAME}: 1 control failed`);
  });

  test('the control set to report by the policy: a notice, no stop', async () => {
    describeAs(job({ TransformOutput: { S3OutputPath: 's3://b/out' } }));
    await expect(handlerFor('transform-job', { controls: { 'transform-job.output-kms-key': 'report' } })(inProgress)).resolves.toEqual({ decision: 'report', notified: true });
    expect(sageMakerMock).not.toHaveReceivedCommand(StopTransformJobCommand);
  });

  test.each(['Stopping', 'Stopped', 'Completed', 'Failed', 'SomethingNew'])('status %s: not actionable, no tags, no stop, no notice', async (status) => {
    describeAs(job({ TransformJobStatus: status as never }), openModel());
    await expect(handlerFor('transform-job')(inProgress)).resolves.toEqual({ decision: 'not-actionable', notified: false });
    expect(sageMakerMock).not.toHaveReceivedCommand(StopTransformJobCommand);
    expect(sageMakerMock).not.toHaveReceivedCommand(AddTagsCommand);
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });

  test('finished between Describe and Stop (wrong state): no stop possible, one honest notice', async () => {
    describeAs(job(), openModel());
    sageMakerMock.on(StopTransformJobCommand).rejects(validation('The request was rejected because the transform job is in status Completed.'));
    await expect(handlerFor('transform-job')(inProgress)).resolves.toEqual({ decision: 'remediate', actionResult: { type: 'wrong-state', status: 'Completed' }, notified: true });
    expect(publishedNotice().attributes.action).toBe('none');
    expect(publishedNotice().subject).toContain('Could not stop transform job');
    expect(remediationRecords()[0]).toMatchObject({ result: { type: 'wrong-state', status: 'Completed' }, notice: 'sent' });
  });

  test('a Stop denied by IAM: "Denied", naming the error and sagemaker:StopTransformJob, never "Stopped"', async () => {
    describeAs(job(), openModel());
    sageMakerMock.on(StopTransformJobCommand).rejects(named('AccessDeniedException', 'User is not authorized to perform: sagemaker:StopTransformJob with an explicit deny in a service control policy'));
    const result = await handlerFor('transform-job')(inProgress);
    expect(result).toMatchObject({ decision: 'remediate', actionResult: { type: 'denied', errorName: 'AccessDeniedException', permission: 'sagemaker:StopTransformJob' }, notified: true });
    const notice = publishedNotice();
    expect(notice.subject.startsWith(`[sagemaker-guard] Denied: could not stop transform job ${NAME}`)).toBe(true);
    expect(notice.message).toContain(`needs sagemaker:StopTransformJob on ${ARN}`);
  });

  test('deleted between Describe and Stop (ResourceNotFound, as the API reference documents): "gone", no error', async () => {
    describeAs(job(), openModel());
    sageMakerMock.on(StopTransformJobCommand).rejects(named('ResourceNotFound', 'Resource being access is not found.'));
    await expect(handlerFor('transform-job')(inProgress)).resolves.toMatchObject({ decision: 'remediate', actionResult: { type: 'gone' }, notified: true });
  });

  test('a job that no longer exists ("Could not find requested job") is not an error, and its model is not read', async () => {
    sageMakerMock.on(DescribeTransformJobCommand).rejects(validation(`Could not find requested job with name ${NAME}`));
    await expect(handlerFor('transform-job')(inProgress)).resolves.toEqual({ decision: 'gone', notified: false });
    expect(sageMakerCalls()).toEqual(['DescribeTransformJobCommand']);
  });

  const throttle = (): Error => named('ThrottlingException', 'Rate exceeded');
  test.each<[string, () => void]>([
    ['DescribeTransformJob', () => sageMakerMock.on(DescribeTransformJobCommand).rejects(throttle())],
    ['DescribeModel', () => sageMakerMock.on(DescribeModelCommand).rejects(throttle())],
  ])('throttling of %s that outlasts the SDK retries fails the invocation so Lambda retries it', async (_api, throttled) => {
    describeAs(job(), openModel());
    throttled();
    await expect(handlerFor('transform-job')(inProgress)).rejects.toThrow('Rate exceeded');
    expect(sageMakerMock).not.toHaveReceivedCommand(StopTransformJobCommand);
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });

  test('a DescribeModel the function may not call fails the invocation: a denied read is no proof the job is safe or unsafe', async () => {
    describeAs(job());
    sageMakerMock.on(DescribeModelCommand).rejects(named('AccessDeniedException', 'not authorized to perform: sagemaker:DescribeModel'));
    await expect(handlerFor('transform-job')(inProgress)).rejects.toThrow('sagemaker:DescribeModel');
    expect(sageMakerMock).not.toHaveReceivedCommand(StopTransformJobCommand);
  });

  test('a duplicate event after the stop does nothing more: the job is Stopping', async () => {
    describeAs(job(), openModel());
    const handler = handlerFor('transform-job');
    await handler(inProgress);
    describeAs(job({ TransformJobStatus: 'Stopping' }), openModel());
    await expect(handler({ ...inProgress, id: 'another-copy' })).resolves.toEqual({ decision: 'not-actionable', notified: false });
    expect(sageMakerMock).toHaveReceivedCommandTimes(StopTransformJobCommand, 1);
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  test('the decision log line explains every control', async () => {
    const infoLog = jest.spyOn(logger, 'info');
    describeAs(job({ TransformResources: { InstanceType: 'ml.g4dn.xlarge', InstanceCount: 1 } }), null);
    await handlerFor('transform-job', { kinds: { 'transform-job': { allowedInstanceTypes: ['ml.g4dn.xlarge'] } } })(inProgress);
    const decision = infoLog.mock.calls.find(([message]) => message === 'Decision')?.[1] as Record<string, unknown>;
    expect(decision).toMatchObject({ decision: 'remediate', resource: { kind: 'transform-job', name: NAME, arn: ARN, status: 'InProgress' } });
    expect(decision.controls).toEqual({
      'transform-job.model-network-isolation': expect.stringMatching(/^fail \[enforce by policy\.mode\]: model ChurnModel-v2: no longer exists/) as unknown,
      'transform-job.model-vpc': expect.stringMatching(/^fail /) as unknown,
      'transform-job.model-allowed-network': 'skip: no allowedSubnets or allowedSecurityGroups in the policy',
      'transform-job.volume-kms-key': expect.stringMatching(/^skip: ml\.g4dn\.xlarge use local instance storage/) as unknown,
      'transform-job.output-kms-key': 'pass',
      'transform-job.instance-type': 'pass',
      'transform-job.required-tags': 'skip: no requiredTags in the policy',
    });
    infoLog.mockRestore();
  });
});
