import { AddTagsCommand, DeleteModelCommand, DescribeModelCommand, ListTagsCommand } from '@aws-sdk/client-sagemaker';
import { PublishCommand } from '@aws-sdk/client-sns';
import { model } from '../fixtures/resources';
import { event, handlerFor, named, NOW, publishedNotice, remediationRecords, resetMocks, sageMakerCalls, sageMakerMock, snsMock, table, validation } from './harness';

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

  test('non-compliant model, enforce: claimed, deleted, then the notice tells it was deleted; never tagged', async () => {
    describeAs(model({ VpcConfig: undefined, EnableNetworkIsolation: false }), { owner: 'ml-platform' });
    const result = await handlerFor('model')(created);
    expect(result).toEqual({ decision: 'remediate', actionResult: { type: 'done' }, notified: true });
    // ListEndpoints: the notice names the endpoints still serving the model (here none).
    expect(sageMakerCalls()).toEqual(['DescribeModelCommand', 'ListTagsCommand', 'ListEndpointsCommand', 'DeleteModelCommand']);
    expect(sageMakerMock).toHaveReceivedCommandWith(DeleteModelCommand, { ModelName: NAME });
    expect(sageMakerMock).not.toHaveReceivedCommand(AddTagsCommand);
    const notice = publishedNotice();
    expect(notice.subject).toBe('[sagemaker-guard] Deleted model ChurnModel-v2: 2 controls failed');
    expect(notice.attributes).toMatchObject({ kind: 'model', action: 'deleted', severity: 'high', owner: 'ml-platform' });
    expect(notice.message).not.toContain('sagemaker-guard:violations');
    // With the ledger holding the notice, it no longer has to precede the delete: it tells what happened.
    const [published] = snsMock.commandCalls(PublishCommand);
    const [deleted] = sageMakerMock.commandCalls(DeleteModelCommand);
    expect(deleted.calledBefore(published as never)).toBe(true);
    expect(remediationRecords()[0]).toMatchObject({ action: 'delete', result: { type: 'done' }, notice: 'sent' });
  });

  test('a DeleteModel denied by an SCP: "Denied", the permission named, never "Deleted"', async () => {
    describeAs(model({ VpcConfig: undefined }));
    sageMakerMock.on(DeleteModelCommand).rejects(named('AccessDeniedException', 'User: arn:aws:sts::123456789012:assumed-role/guard is not authorized to perform: sagemaker:DeleteModel with an explicit deny in a service control policy'));
    const result = await handlerFor('model')(created);
    expect(result).toMatchObject({ decision: 'remediate', actionResult: { type: 'denied', permission: 'sagemaker:DeleteModel' }, notified: true });
    const notice = publishedNotice();
    expect(notice.subject).not.toContain('Deleted model');
    expect(notice.subject).toContain('Denied: could not delete model ChurnModel-v2');
    expect(notice.attributes.action).toBe('denied');
    expect(notice.message).toContain('needs sagemaker:DeleteModel');
  });

  test('a denial whose body the SDK cannot parse (HTTP 403, as an emulator or a proxy sends) is still a denial, not a retry loop', async () => {
    describeAs(model({ VpcConfig: undefined }));
    const unparsable = Object.assign(new SyntaxError('Unexpected token \'<\', "<?xml vers"... is not valid JSON'), { $metadata: { httpStatusCode: 403 } });
    sageMakerMock.on(DeleteModelCommand).rejects(unparsable);
    await expect(handlerFor('model')(created)).resolves.toMatchObject({ decision: 'remediate', actionResult: { type: 'denied', errorName: 'HTTP 403 (SyntaxError)' }, notified: true });
    expect(publishedNotice().message).toContain('DeleteModel was denied (HTTP 403 (SyntaxError))');
  });

  test('the notice fails after the delete: owed in the ledger, and the retry (model gone) sends it once', async () => {
    describeAs(model({ VpcConfig: undefined }));
    snsMock.on(PublishCommand).rejectsOnce(named('KMSDisabledException', 'key disabled')).resolves({ MessageId: 'm-2' });
    const handler = handlerFor('model');
    await expect(handler(created)).rejects.toThrow('key disabled');
    expect(sageMakerMock).toHaveReceivedCommandTimes(DeleteModelCommand, 1);
    sageMakerMock.on(DescribeModelCommand).rejects(validation('Could not find model "ChurnModel-v2".'));
    await expect(handler(created)).resolves.toEqual({ decision: 'resend-notice', notified: true });
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 2);
    expect(publishedNotice(1).subject).toBe('[sagemaker-guard] Deleted model ChurnModel-v2: 1 control failed');
    await expect(handler(created)).resolves.toMatchObject({ decision: 'gone', notified: false });
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 2);
  });

  test('the invocation dies between DeleteModel and its record: the retry finds the model gone and tells "deleted" once', async () => {
    describeAs(model({ VpcConfig: undefined }));
    table.failOn('UpdateCommand', named('InternalServerError', 'crash'), 1);
    let now = NOW;
    const handler = handlerFor('model', {}, { now: () => now });
    await expect(handler(created)).rejects.toThrow('crash');
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
    now = new Date(NOW.getTime() + 61_000);
    sageMakerMock.on(DescribeModelCommand).rejects(validation('Could not find model "ChurnModel-v2".'));
    await expect(handler(created)).resolves.toMatchObject({ decision: 'resume', actionResult: { type: 'done' }, notified: true });
    expect(publishedNotice().subject).toBe('[sagemaker-guard] Deleted model ChurnModel-v2: 1 control failed');
    expect(publishedNotice().message).toContain('called by an earlier attempt of the guard');
    expect(sageMakerMock).toHaveReceivedCommandTimes(DeleteModelCommand, 1);
  });

  test('a model re-created under the same name after the guard deleted it is a new remediation', async () => {
    describeAs(model({ VpcConfig: undefined, CreationTime: new Date('2026-11-20T10:00:00Z') }));
    const handler = handlerFor('model');
    await handler(created);
    describeAs(model({ VpcConfig: undefined, CreationTime: new Date('2026-11-21T09:00:00Z') }));
    await expect(handler({ ...created, id: 'created-again' })).resolves.toMatchObject({ decision: 'remediate', actionResult: { type: 'done' }, notified: true });
    expect(sageMakerMock).toHaveReceivedCommandTimes(DeleteModelCommand, 2);
    expect(remediationRecords()).toHaveLength(2);
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

  test('deleted by someone else between Describe and DeleteModel: an honest "gone" notice, no error', async () => {
    describeAs(model({ VpcConfig: undefined }));
    sageMakerMock.on(DeleteModelCommand).rejects(validation('Could not find model "ChurnModel-v2".'));
    await expect(handlerFor('model')(created)).resolves.toEqual({ decision: 'remediate', actionResult: { type: 'gone' }, notified: true });
    expect(publishedNotice().subject).toContain('Gone before the guard acted: model ChurnModel-v2');
    expect(publishedNotice().attributes.action).toBe('none');
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
