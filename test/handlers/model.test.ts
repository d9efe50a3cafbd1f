import { AddTagsCommand, DeleteModelCommand, DescribeModelCommand, ListTagsCommand } from '@aws-sdk/client-sagemaker';
import { PublishCommand } from '@aws-sdk/client-sns';
import { model } from '../fixtures/resources';
import { event, handlerFor, named, publishedNotice, resetMocks, sageMakerCalls, sageMakerMock, snsMock, validation } from './harness';

const NAME = 'ChurnModel-v2';
const created = event('variants/model.created.json');

function describeAs(found: ReturnType<typeof model>, tags: Record<string, string> = {}): void {
  sageMakerMock.on(DescribeModelCommand, { ModelName: NAME }).resolves(found);
  sageMakerMock.on(ListTagsCommand).resolves({ Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) });
}

beforeEach(resetMocks);

describe('model responder', () => {
  test('compliant model: described only', async () => {
    describeAs(model());
    await expect(handlerFor('model')(created)).resolves.toEqual({ decision: 'compliant', notified: false });
    expect(sageMakerCalls()).toEqual(['DescribeModelCommand', 'ListTagsCommand']);
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });

  test('compliant inference pipeline (Containers, no PrimaryContainer)', async () => {
    describeAs(model({ PrimaryContainer: undefined, Containers: [{ Image: 'a' }, { Image: 'b' }] }));
    await expect(handlerFor('model')(created)).resolves.toMatchObject({ decision: 'compliant' });
  });

  test('non-compliant model, enforce: the notice goes out first, then the delete; never tagged', async () => {
    describeAs(model({ VpcConfig: undefined, EnableNetworkIsolation: false }), { owner: 'ml-platform' });
    const result = await handlerFor('model')(created);
    expect(result).toEqual({ decision: 'remediate', actionResult: { type: 'done' }, notified: true });
    expect(sageMakerCalls()).toEqual(['DescribeModelCommand', 'ListTagsCommand', 'DeleteModelCommand']);
    expect(sageMakerMock).toHaveReceivedCommandWith(DeleteModelCommand, { ModelName: NAME });
    expect(sageMakerMock).not.toHaveReceivedCommand(AddTagsCommand);
    const notice = publishedNotice();
    expect(notice.subject).toBe('[sagemaker-guard] Deleted model ChurnModel-v2: 2 controls failed');
    expect(notice.attributes).toMatchObject({ kind: 'model', action: 'deleted', severity: 'high', owner: 'ml-platform' });
    // The notice precedes the delete: nothing would be left to carry a "notice pending" tag.
    const [published] = snsMock.commandCalls(PublishCommand);
    const [deleted] = sageMakerMock.commandCalls(DeleteModelCommand);
    expect(published.calledBefore(deleted as never)).toBe(true);
  });

  test('report mode: "would delete", the model stays', async () => {
    describeAs(model({ VpcConfig: undefined }));
    await expect(handlerFor('model', { mode: 'report' })(created)).resolves.toEqual({ decision: 'report', notified: true });
    expect(sageMakerMock).not.toHaveReceivedCommand(DeleteModelCommand);
    expect(publishedNotice().attributes.action).toBe('would-delete');
  });

  test('the delete event of a model: "Could not find model" is normal, not an error', async () => {
    sageMakerMock.on(DescribeModelCommand).rejects(validation(`Could not find model "arn:aws:sagemaker:us-east-1:123456789012:model/churnmodel-v2".`));
    await expect(handlerFor('model')(created)).resolves.toEqual({ decision: 'gone', notified: false });
    expect(sageMakerCalls()).toEqual(['DescribeModelCommand']);
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });

  test('a failed notice fails the invocation before anything is deleted, so the retry can tell', async () => {
    describeAs(model({ VpcConfig: undefined }));
    snsMock.on(PublishCommand).rejects(named('KMSDisabledException', 'key disabled'));
    await expect(handlerFor('model')(created)).rejects.toThrow('key disabled');
    expect(sageMakerMock).not.toHaveReceivedCommand(DeleteModelCommand);
  });

  test('deleted meanwhile by a duplicate event: no error', async () => {
    describeAs(model({ VpcConfig: undefined }));
    sageMakerMock.on(DeleteModelCommand).rejects(validation('Could not find model "ChurnModel-v2".'));
    await expect(handlerFor('model')(created)).resolves.toEqual({ decision: 'remediate', actionResult: { type: 'gone' }, notified: true });
  });

  test('a delete that keeps failing fails the invocation (retried, then dead-lettered)', async () => {
    describeAs(model({ VpcConfig: undefined }));
    sageMakerMock.on(DeleteModelCommand).rejects(named('ThrottlingException', 'Rate exceeded'));
    await expect(handlerFor('model')(created)).rejects.toThrow('Rate exceeded');
  });

  test('a model failing only a control the policy turns off is compliant', async () => {
    describeAs(model({ EnableNetworkIsolation: false }));
    await expect(handlerFor('model', { controls: { 'model.network-isolation': 'off' } })(created)).resolves.toMatchObject({ decision: 'compliant' });
  });
});
