import { AddTagsCommand, DeleteEndpointCommand, DescribeEndpointCommand, DescribeEndpointConfigCommand, DescribeModelCommand, ListTagsCommand } from '@aws-sdk/client-sagemaker';
import { PublishCommand } from '@aws-sdk/client-sns';
import type { GuardSettingsInput } from '../../lambda/core/settings';
import { CONFIG_NAME, configDescription, endpointDescription, ENDPOINT_NAME, MODEL_NAME } from '../fixtures/endpoints';
import { model } from '../fixtures/resources';
import { event, handlerFor, named, publishedNotice, remediationRecords, resetMocks, sageMakerCalls, sageMakerMock, setEnforcementSince, snsMock, validation } from './harness';

const inService = event('endpoint-state-change.json');
const ENFORCE: GuardSettingsInput = { kinds: { endpoint: { mode: 'enforce' } } };
const CONFIG_GONE = validation(`Could not find endpoint configuration "arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/myendpointconfig".`);

function describeAs(
  endpoint: ReturnType<typeof endpointDescription> = endpointDescription(),
  config: ReturnType<typeof configDescription> | null = configDescription(),
  found: ReturnType<typeof model> | null = model(),
  tags: Record<string, string> = {},
): void {
  sageMakerMock.on(DescribeEndpointCommand, { EndpointName: ENDPOINT_NAME }).resolves(endpoint);
  if (config === null) sageMakerMock.on(DescribeEndpointConfigCommand).rejects(CONFIG_GONE);
  else sageMakerMock.on(DescribeEndpointConfigCommand, { EndpointConfigName: CONFIG_NAME }).resolves(config);
  if (found === null) sageMakerMock.on(DescribeModelCommand).rejects(validation(`Could not find model "${MODEL_NAME}".`));
  else sageMakerMock.on(DescribeModelCommand, { ModelName: MODEL_NAME }).resolves(found);
  sageMakerMock.on(ListTagsCommand).resolves({ Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) });
}

beforeEach(resetMocks);

describe('endpoint responder', () => {
  test('compliant endpoint: the endpoint, its config and its model are described, nothing else', async () => {
    describeAs();
    await expect(handlerFor('endpoint')(inService)).resolves.toEqual({ decision: 'compliant', notified: false });
    expect(sageMakerCalls()).toEqual(['DescribeEndpointCommand', 'DescribeEndpointConfigCommand', 'DescribeModelCommand', 'ListTagsCommand']);
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });

  test('non-compliant under the default policy (mode: enforce): "Would delete", the endpoint keeps serving', async () => {
    describeAs(endpointDescription(), configDescription({ KmsKeyId: undefined }), model({ EnableNetworkIsolation: false }), { owner: 'ml-platform' });
    await expect(handlerFor('endpoint')(inService)).resolves.toEqual({ decision: 'report', notified: true });
    expect(sageMakerMock).not.toHaveReceivedCommand(DeleteEndpointCommand);
    const notice = publishedNotice();
    expect(notice.subject).toContain('endpoint MyEndpoint');
    expect(notice.attributes).toMatchObject({ kind: 'endpoint', action: 'would-delete', owner: 'ml-platform' });
    expect(notice.message).toContain('report only (set by kind-default: endpoints default to report; kinds.endpoint.mode: enforce changes it)');
    expect(notice.message).toContain(`endpoint config ${CONFIG_NAME}: KmsKeyId is not set`);
    expect(notice.message).toContain(`endpoint config ${CONFIG_NAME}: model ${MODEL_NAME}: EnableNetworkIsolation is false`);
    expect(notice.message).toContain('#/endpoints/MyEndpoint');
    expect(remediationRecords()[0]).toMatchObject({ action: 'report' });
  });

  test('kinds.endpoint.mode: enforce deletes it, then tells; never tagged', async () => {
    describeAs(endpointDescription(), configDescription({ KmsKeyId: undefined }));
    await expect(handlerFor('endpoint', ENFORCE)(inService)).resolves.toEqual({ decision: 'remediate', actionResult: { type: 'done' }, notified: true });
    expect(sageMakerMock).toHaveReceivedCommandWith(DeleteEndpointCommand, { EndpointName: ENDPOINT_NAME });
    expect(sageMakerMock).not.toHaveReceivedCommand(AddTagsCommand);
    expect(publishedNotice().subject).toBe('[sagemaker-guard] Deleted endpoint MyEndpoint: 1 control failed');
    expect(publishedNotice().attributes.action).toBe('deleted');
  });

  test('the endpoint runs a config that no longer exists: every config control the policy uses fails, saying so', async () => {
    describeAs(endpointDescription(), null);
    const result = await handlerFor('endpoint', ENFORCE)(inService);
    expect(result).toMatchObject({ decision: 'remediate', actionResult: { type: 'done' } });
    expect(sageMakerCalls()).toEqual(['DescribeEndpointCommand', 'DescribeEndpointConfigCommand', 'ListTagsCommand', 'DeleteEndpointCommand']);
    // Every control derived from the config's that the policy uses fails: nothing shows the endpoint is safe. The
    // instance-type and allowed-network controls, unused by this policy (no lists), skip rather than claim a failure.
    expect(publishedNotice().subject).toBe('[sagemaker-guard] Deleted endpoint MyEndpoint: 5 controls failed');
    expect(publishedNotice().message).not.toContain('endpoint.instance-type');
    expect(publishedNotice().message).toContain('runs an endpoint config that cannot be read');
  });

  test('a model of its config that no longer exists fails the model controls', async () => {
    describeAs(endpointDescription(), configDescription(), null);
    await expect(handlerFor('endpoint')(inService)).resolves.toMatchObject({ decision: 'report' });
    expect(publishedNotice().message).toContain(`model ${MODEL_NAME}: does not exist`);
  });

  test('a model re-created after the endpoint began running its config is not trusted: the endpoint runs the old one', async () => {
    describeAs(endpointDescription(), configDescription(), model({ CreationTime: new Date('2026-11-20T00:00:00Z') }));
    await expect(handlerFor('endpoint')(inService)).resolves.toMatchObject({ decision: 'report' });
    expect(publishedNotice().message).toContain('was created again (2026-11-20T00:00:00.000Z) after the endpoint began running its config');
  });

  test('a DeleteEndpoint denied by an SCP: "Denied", the permission named, never "Deleted"', async () => {
    describeAs(endpointDescription(), configDescription({ KmsKeyId: undefined }));
    sageMakerMock.on(DeleteEndpointCommand).rejects(named('AccessDeniedException', 'not authorized to perform: sagemaker:DeleteEndpoint with an explicit deny'));
    await expect(handlerFor('endpoint', ENFORCE)(inService)).resolves.toMatchObject({ decision: 'remediate', actionResult: { type: 'denied', permission: 'sagemaker:DeleteEndpoint' }, notified: true });
    expect(publishedNotice().subject).toContain('Denied: could not delete endpoint MyEndpoint');
  });

  test('a throttled DescribeEndpoint fails the invocation (retried)', async () => {
    sageMakerMock.on(DescribeEndpointCommand).rejects(named('ThrottlingException', 'Rate exceeded'));
    await expect(handlerFor('endpoint')(inService)).rejects.toThrow('Rate exceeded');
    expect(sageMakerCalls()).toEqual(['DescribeEndpointCommand']);
  });

  test('a throttled DescribeEndpointConfig fails the invocation: a config that cannot be read now is not a deleted one', async () => {
    sageMakerMock.on(DescribeEndpointCommand).resolves(endpointDescription());
    sageMakerMock.on(DescribeEndpointConfigCommand).rejects(named('ThrottlingException', 'Rate exceeded'));
    await expect(handlerFor('endpoint', ENFORCE)(inService)).rejects.toThrow('Rate exceeded');
    expect(sageMakerMock).not.toHaveReceivedCommand(DeleteEndpointCommand);
  });

  test('the IN_SERVICE event described as Creating is Describe lagging: read again, then judged', async () => {
    describeAs(endpointDescription(), configDescription({ KmsKeyId: undefined }));
    sageMakerMock.on(DescribeEndpointCommand).resolvesOnce(endpointDescription({ EndpointStatus: 'Creating' })).resolves(endpointDescription());
    await expect(handlerFor('endpoint', ENFORCE)(inService)).resolves.toMatchObject({ decision: 'remediate', actionResult: { type: 'done' } });
    expect(sageMakerMock).toHaveReceivedCommandTimes(DescribeEndpointCommand, 2);
  });

  test('an endpoint that failed or is being deleted is not acted on', async () => {
    describeAs(endpointDescription({ EndpointStatus: 'Failed' }), configDescription({ KmsKeyId: undefined }));
    await expect(handlerFor('endpoint', ENFORCE)(inService)).resolves.toMatchObject({ decision: 'not-actionable', notified: false });
    expect(sageMakerMock).not.toHaveReceivedCommand(DeleteEndpointCommand);
  });

  test('the name-only event and the event in the API case are handled alike', async () => {
    describeAs(endpointDescription(), configDescription({ KmsKeyId: undefined }));
    await expect(handlerFor('endpoint', ENFORCE)(event('variants/endpoint.name-only.json'))).resolves.toMatchObject({ decision: 'remediate' });
    resetMocks();
    describeAs(endpointDescription(), configDescription({ KmsKeyId: undefined }));
    await expect(handlerFor('endpoint', ENFORCE)(event('variants/endpoint.in-service-api-case.json'))).resolves.toMatchObject({ decision: 'remediate' });
  });

  test('gone: "Could not find endpoint" is normal, not an error', async () => {
    sageMakerMock.on(DescribeEndpointCommand).rejects(validation('Could not find endpoint "arn:aws:sagemaker:us-west-2:123456789012:endpoint/myendpoint".'));
    await expect(handlerFor('endpoint')(inService)).resolves.toEqual({ decision: 'gone', notified: false });
  });

  test('the episode: a scaling (LastModifiedTime moves) is the same episode; an update to a new config is a new one', async () => {
    const handler = handlerFor('endpoint');
    describeAs(endpointDescription(), configDescription({ KmsKeyId: undefined }));
    await expect(handler(inService)).resolves.toMatchObject({ decision: 'report', notified: true });
    describeAs(endpointDescription({ LastModifiedTime: new Date('2026-11-10T00:00:00Z') }), configDescription({ KmsKeyId: undefined }));
    await expect(handler({ ...inService, id: 'after-scaling' })).resolves.toMatchObject({ decision: 'duplicate', notified: false });
    const updated = configDescription({ EndpointConfigName: 'MyEndpointConfig-2', KmsKeyId: undefined, CreationTime: new Date('2026-11-15T00:00:00Z') });
    sageMakerMock.on(DescribeEndpointConfigCommand, { EndpointConfigName: 'MyEndpointConfig-2' }).resolves(updated);
    sageMakerMock.on(DescribeEndpointCommand).resolves(endpointDescription({ EndpointConfigName: 'MyEndpointConfig-2', LastModifiedTime: new Date('2026-11-15T00:20:00Z') }));
    await expect(handler({ ...inService, id: 'after-update' })).resolves.toMatchObject({ decision: 'report', notified: true });
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 2);
    expect(remediationRecords().map((record) => record.episode)).toEqual(['2026-11-02T10:00:00.000Z#MyEndpointConfig', '2026-11-15T00:00:00.000Z#MyEndpointConfig-2']);
  });

  test('existing estate: an endpoint running its config since before enforcement is reported, even when enforced and scaled since', async () => {
    setEnforcementSince('2026-11-05T00:00:00.000Z');
    describeAs(endpointDescription({ LastModifiedTime: new Date('2026-11-20T00:00:00Z') }), configDescription({ KmsKeyId: undefined }));
    await expect(handlerFor('endpoint', ENFORCE)(inService)).resolves.toEqual({ decision: 'report', notified: true });
    expect(sageMakerMock).not.toHaveReceivedCommand(DeleteEndpointCommand);
    expect(publishedNotice().message).toContain('began running its current endpoint config before the guard began enforcing');
  });
});
