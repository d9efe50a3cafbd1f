import {
  AddTagsCommand,
  DeleteEndpointConfigCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  ListEndpointsCommand,
  ListTagsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { EC2Client } from '@aws-sdk/client-ec2';
import { PublishCommand } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { withClients } from '../../lambda/aws/clients';
import { inUseReason } from '../../lambda/kinds/endpoint-config/adapter';
import { clearEndpointScan, endpointsUsing, SCAN_TTL_MS } from '../../lambda/kinds/endpoint-config/in-use';
import { CONFIG_NAME, configDescription, endpointDescription, ENDPOINT_NAME, MODEL_NAME } from '../fixtures/endpoints';
import { model } from '../fixtures/resources';
import { event, handlerFor, named, publishedNotice, remediationRecords, resetMocks, sageMakerCalls, sageMakerMock, snsMock, validation } from './harness';

const created = event('endpoint-config-state-change.constructed.json');
const nameOnly = event('variants/endpoint-config.name-only.json');
const IN_USE_BY_ONE = inUseReason([ENDPOINT_NAME]);
const USING = { Endpoints: [{ EndpointName: ENDPOINT_NAME, EndpointArn: 'arn:aws:sagemaker:us-east-1:123456789012:endpoint/myendpoint', EndpointStatus: 'InService' as const, CreationTime: new Date(), LastModifiedTime: new Date() }] };

function describeAs(config: ReturnType<typeof configDescription>, found: ReturnType<typeof model> | null = model(), tags: Record<string, string> = {}): void {
  sageMakerMock.on(DescribeEndpointConfigCommand, { EndpointConfigName: CONFIG_NAME }).resolves(config);
  if (found === null) sageMakerMock.on(DescribeModelCommand).rejects(validation(`Could not find model "${MODEL_NAME}".`));
  else sageMakerMock.on(DescribeModelCommand, { ModelName: MODEL_NAME }).resolves(found);
  sageMakerMock.on(ListTagsCommand).resolves({ Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) });
  sageMakerMock.on(ListEndpointsCommand).resolves({ Endpoints: [] });
  sageMakerMock.on(DescribeEndpointCommand, { EndpointName: ENDPOINT_NAME }).resolves(endpointDescription());
}

beforeEach(() => {
  resetMocks();
  clearEndpointScan();
});

describe('endpoint config responder', () => {
  test('compliant config: described (models, endpoints), never acted on', async () => {
    describeAs(configDescription());
    await expect(handlerFor('endpoint-config')(created)).resolves.toEqual({ decision: 'compliant', notified: false });
    expect(sageMakerCalls().sort()).toEqual(['DescribeEndpointConfigCommand', 'DescribeModelCommand', 'ListEndpointsCommand', 'ListTagsCommand']);
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });

  test('a non-compliant config no endpoint uses: the endpoints are read again, then it is deleted and told; never tagged', async () => {
    describeAs(configDescription({ KmsKeyId: undefined }), model({ VpcConfig: undefined }), { owner: 'ml-platform' });
    const result = await handlerFor('endpoint-config')(created);
    expect(result).toEqual({ decision: 'remediate', actionResult: { type: 'done' }, notified: true });
    const calls = sageMakerCalls();
    expect(calls.slice(-2)).toEqual(['ListEndpointsCommand', 'DeleteEndpointConfigCommand']);
    expect(sageMakerMock).toHaveReceivedCommandTimes(ListEndpointsCommand, 2);
    expect(sageMakerMock).toHaveReceivedCommandWith(DeleteEndpointConfigCommand, { EndpointConfigName: CONFIG_NAME });
    expect(sageMakerMock).not.toHaveReceivedCommand(AddTagsCommand);
    const notice = publishedNotice();
    expect(notice.subject).toBe('[sagemaker-guard] Deleted endpoint config MyEndpointConfig: 2 controls failed');
    expect(notice.attributes).toMatchObject({ kind: 'endpoint-config', action: 'deleted', owner: 'ml-platform' });
    expect(notice.message).toContain('endpoint-config.kms-key');
    expect(notice.message).toContain(`model ${MODEL_NAME}: VpcConfig is absent`);
    expect(notice.message).toContain('#/endpointConfig/MyEndpointConfig');
    expect(remediationRecords()[0]).toMatchObject({ action: 'delete', result: { type: 'done' }, notice: 'sent' });
  });

  test('a non-compliant config an endpoint uses is never deleted, but it is told (the endpoint kind may be off)', async () => {
    describeAs(configDescription({ KmsKeyId: undefined }));
    sageMakerMock.on(ListEndpointsCommand).resolves(USING);
    await expect(handlerFor('endpoint-config')(created)).resolves.toEqual({ decision: 'remediate', actionResult: { type: 'wrong-state', status: 'InUse', reason: IN_USE_BY_ONE }, notified: true });
    expect(sageMakerMock).not.toHaveReceivedCommand(DeleteEndpointConfigCommand);
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(publishedNotice().message).toContain('Status:   InUse when checked');
    expect(publishedNotice().message).toContain(`Nothing: the guard did not call DeleteEndpointConfig: endpoint ${ENDPOINT_NAME} uses it, and the guard never deletes an endpoint config in use`);
  });

  test('told while in use, then deleted (and told again) once its endpoint has left it: the ledger keeps the two apart', async () => {
    describeAs(configDescription({ KmsKeyId: undefined }));
    sageMakerMock.on(ListEndpointsCommand).resolves(USING);
    const handler = handlerFor('endpoint-config');
    await expect(handler(created)).resolves.toMatchObject({ decision: 'remediate', actionResult: { type: 'wrong-state', status: 'InUse' } });
    // The same event again while in use: a duplicate, no second notice.
    clearEndpointScan();
    await expect(handler(created)).resolves.toMatchObject({ decision: 'duplicate', notified: false });
    // The endpoint is gone: the next event (or sweep) deletes the config.
    clearEndpointScan();
    sageMakerMock.on(ListEndpointsCommand).resolves({ Endpoints: [] });
    await expect(handler(created)).resolves.toEqual({ decision: 'remediate', actionResult: { type: 'done' }, notified: true });
    expect(sageMakerMock).toHaveReceivedCommandTimes(DeleteEndpointConfigCommand, 1);
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 2);
  });

  test('in use by an update in flight (PendingDeploymentSummary) counts as in use', async () => {
    describeAs(configDescription({ KmsKeyId: undefined }));
    sageMakerMock.on(ListEndpointsCommand).resolves(USING);
    sageMakerMock.on(DescribeEndpointCommand).resolves(endpointDescription({ EndpointConfigName: 'Old', EndpointStatus: 'Updating', PendingDeploymentSummary: { EndpointConfigName: CONFIG_NAME } }));
    await expect(handlerFor('endpoint-config')(created)).resolves.toMatchObject({ decision: 'remediate', actionResult: { type: 'wrong-state', status: 'InUse' } });
    expect(sageMakerMock).not.toHaveReceivedCommand(DeleteEndpointConfigCommand);
  });

  test('race: an endpoint took the config after it was described; the re-check finds it and nothing is deleted', async () => {
    describeAs(configDescription({ KmsKeyId: undefined }));
    sageMakerMock.on(ListEndpointsCommand).resolvesOnce({ Endpoints: [] }).resolves(USING);
    const result = await handlerFor('endpoint-config')(created);
    expect(result).toEqual({ decision: 'remediate', actionResult: { type: 'wrong-state', status: 'InUse', reason: IN_USE_BY_ONE }, notified: true });
    expect(sageMakerMock).not.toHaveReceivedCommand(DeleteEndpointConfigCommand);
    const notice = publishedNotice();
    expect(notice.subject).toBe('[sagemaker-guard] Could not delete endpoint config MyEndpointConfig: 1 control failed');
    // Honest about the race: described unused, found in use by the re-check, and no DeleteEndpointConfig call made.
    expect(notice.message).toContain('Status:   Unused when checked');
    expect(notice.message).toContain(`Nothing: the guard did not call DeleteEndpointConfig: endpoint ${ENDPOINT_NAME} uses it`);
    expect(notice.message).not.toContain('when DeleteEndpointConfig was called');
    expect(remediationRecords()[0]).toMatchObject({ result: { type: 'wrong-state', status: 'InUse' } });
  });

  test('race, then unused: the delete the re-check refused is tried again once no endpoint uses it, and told again (not a ledger duplicate)', async () => {
    describeAs(configDescription({ KmsKeyId: undefined }));
    // Unused at the Describe, taken by an endpoint at the re-check: recorded under the Unused episode as InUse.
    sageMakerMock.on(ListEndpointsCommand).resolvesOnce({ Endpoints: [] }).resolves(USING);
    const handler = handlerFor('endpoint-config');
    await expect(handler(created)).resolves.toMatchObject({ actionResult: { type: 'wrong-state', status: 'InUse' }, notified: true });
    // Still taken at the re-check of a second event: recorded again, the owners are not told twice. (A second
    // resolvesOnce would count calls from the first event on: sinon's onCall is absolute.)
    clearEndpointScan();
    let listed = 0;
    sageMakerMock.on(ListEndpointsCommand).callsFake(() => (listed++ === 0 ? { Endpoints: [] } : USING));
    await expect(handler(created)).resolves.toEqual({ decision: 'retry-refused', actionResult: { type: 'wrong-state', status: 'InUse', reason: IN_USE_BY_ONE }, notified: false });
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    // The endpoint left it: deleted and told.
    clearEndpointScan();
    sageMakerMock.on(ListEndpointsCommand).resolves({ Endpoints: [] });
    await expect(handler(created)).resolves.toEqual({ decision: 'retry-refused', actionResult: { type: 'done' }, notified: true });
    expect(sageMakerMock).toHaveReceivedCommandTimes(DeleteEndpointConfigCommand, 1);
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 2);
    expect(publishedNotice(1).subject).toBe('[sagemaker-guard] Deleted endpoint config MyEndpointConfig: 1 control failed');
    expect(remediationRecords()).toEqual([expect.objectContaining({ result: { type: 'done' }, notice: 'sent' })]);
  });

  test('the re-check failing fails the invocation (retried): a config is never deleted on an unknown', async () => {
    describeAs(configDescription({ KmsKeyId: undefined }));
    sageMakerMock.on(ListEndpointsCommand).resolvesOnce({ Endpoints: [] }).rejects(named('ThrottlingException', 'Rate exceeded'));
    await expect(handlerFor('endpoint-config')(created)).rejects.toThrow('Rate exceeded');
    expect(sageMakerMock).not.toHaveReceivedCommand(DeleteEndpointConfigCommand);
  });

  test('a variant model that does not exist fails the model controls', async () => {
    describeAs(configDescription(), null);
    const result = await handlerFor('endpoint-config')(created);
    expect(result).toMatchObject({ decision: 'remediate', actionResult: { type: 'done' } });
    expect(publishedNotice().message).toContain(`model ${MODEL_NAME}: does not exist`);
  });

  test('report mode: "would delete", the config stays', async () => {
    describeAs(configDescription({ KmsKeyId: undefined }));
    await expect(handlerFor('endpoint-config', { mode: 'report' })(created)).resolves.toEqual({ decision: 'report', notified: true });
    expect(sageMakerMock).not.toHaveReceivedCommand(DeleteEndpointConfigCommand);
    expect(publishedNotice().attributes.action).toBe('would-delete');
    expect(publishedNotice().message).toContain('Enforced, they would have deleted the endpoint config.');
  });

  test('report mode while an endpoint uses it: the notice says it would be deleted only once none does', async () => {
    describeAs(configDescription({ KmsKeyId: undefined }));
    sageMakerMock.on(ListEndpointsCommand).resolves(USING);
    await expect(handlerFor('endpoint-config', { mode: 'report' })(created)).resolves.toEqual({ decision: 'report', notified: true });
    expect(publishedNotice().message).toContain('Enforced, they would have deleted the endpoint config, once no endpoint uses it (one does now).');
  });

  test('an event with nothing but the name in detail is handled the same (decisions use Describe only)', async () => {
    describeAs(configDescription({ KmsKeyId: undefined }));
    await expect(handlerFor('endpoint-config')(nameOnly)).resolves.toMatchObject({ decision: 'remediate', actionResult: { type: 'done' } });
  });

  test('gone before it was described: "Could not find endpoint configuration" is normal', async () => {
    sageMakerMock.on(DescribeEndpointConfigCommand).rejects(validation(`Could not find endpoint configuration "arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/myendpointconfig".`));
    await expect(handlerFor('endpoint-config')(created)).resolves.toEqual({ decision: 'gone', notified: false });
    expect(sageMakerCalls()).toEqual(['DescribeEndpointConfigCommand']);
  });

  test('deleted by someone else between Describe and DeleteEndpointConfig: an honest "gone" notice', async () => {
    describeAs(configDescription({ KmsKeyId: undefined }));
    sageMakerMock.on(DeleteEndpointConfigCommand).rejects(validation(`Could not find endpoint configuration "arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/myendpointconfig".`));
    await expect(handlerFor('endpoint-config')(created)).resolves.toEqual({ decision: 'remediate', actionResult: { type: 'gone' }, notified: true });
    expect(publishedNotice().subject).toContain('Gone before the guard acted: endpoint config MyEndpointConfig');
  });

  test('a DeleteEndpointConfig denied by an SCP: "Denied", the permission named', async () => {
    describeAs(configDescription({ KmsKeyId: undefined }));
    sageMakerMock.on(DeleteEndpointConfigCommand).rejects(named('AccessDeniedException', 'not authorized to perform: sagemaker:DeleteEndpointConfig with an explicit deny'));
    await expect(handlerFor('endpoint-config')(created)).resolves.toMatchObject({ decision: 'remediate', actionResult: { type: 'denied', permission: 'sagemaker:DeleteEndpointConfig' }, notified: true });
    expect(publishedNotice().subject).toContain('Denied: could not delete endpoint config MyEndpointConfig');
  });

  test('a throttled DescribeEndpointConfig fails the invocation (retried), nothing else is called', async () => {
    sageMakerMock.on(DescribeEndpointConfigCommand).rejects(named('ThrottlingException', 'Rate exceeded'));
    await expect(handlerFor('endpoint-config')(created)).rejects.toThrow('Rate exceeded');
    expect(sageMakerCalls()).toEqual(['DescribeEndpointConfigCommand']);
  });

  test('a throttled endpoint scan fails the invocation: "unused" is never assumed', async () => {
    describeAs(configDescription({ KmsKeyId: undefined }));
    sageMakerMock.on(ListEndpointsCommand).rejects(named('ThrottlingException', 'Rate exceeded'));
    await expect(handlerFor('endpoint-config')(created)).rejects.toThrow('Rate exceeded');
    expect(sageMakerMock).not.toHaveReceivedCommand(DeleteEndpointConfigCommand);
  });
});

describe('the endpoint scan is memoized for a minute', () => {
  test('one scan answers every config within SCAN_TTL_MS; then it scans again', async () => {
    sageMakerMock.on(ListEndpointsCommand).resolves(USING);
    sageMakerMock.on(DescribeEndpointCommand).resolves(endpointDescription());
    await expect(endpointsUsing(CONFIG_NAME, 1_000)).resolves.toEqual([ENDPOINT_NAME]);
    await expect(endpointsUsing('Other', 1_000 + SCAN_TTL_MS - 1)).resolves.toEqual([]);
    expect(sageMakerMock).toHaveReceivedCommandTimes(ListEndpointsCommand, 1);
    expect(sageMakerMock).toHaveReceivedCommandTimes(DescribeEndpointCommand, 1);
    await endpointsUsing(CONFIG_NAME, 1_000 + SCAN_TTL_MS);
    expect(sageMakerMock).toHaveReceivedCommandTimes(ListEndpointsCommand, 2);
  });

  test('a failed scan is not kept', async () => {
    sageMakerMock.on(ListEndpointsCommand).rejectsOnce(named('ThrottlingException', 'Rate exceeded')).resolves({ Endpoints: [] });
    await expect(endpointsUsing(CONFIG_NAME, 5_000)).rejects.toThrow('Rate exceeded');
    await expect(endpointsUsing(CONFIG_NAME, 5_001)).resolves.toEqual([]);
    expect(sageMakerMock).toHaveReceivedCommandTimes(ListEndpointsCommand, 2);
  });

  test('a DescribeEndpoint failing part-way fails the scan; an endpoint gone meanwhile is skipped; deleting and failed endpoints are not users', async () => {
    sageMakerMock.on(ListEndpointsCommand).resolves({
      Endpoints: [
        { ...USING.Endpoints[0], EndpointName: 'Gone' },
        { ...USING.Endpoints[0], EndpointName: 'Dying', EndpointStatus: 'Deleting' },
        { ...USING.Endpoints[0], EndpointName: 'Broken', EndpointStatus: 'Failed' },
      ],
    });
    sageMakerMock.on(DescribeEndpointCommand, { EndpointName: 'Gone' }).rejects(validation('Could not find endpoint "x".'));
    await expect(endpointsUsing(CONFIG_NAME, 10_000)).resolves.toEqual([]);
    expect(sageMakerMock).toHaveReceivedCommandTimes(DescribeEndpointCommand, 1);
    clearEndpointScan();
    sageMakerMock.on(DescribeEndpointCommand, { EndpointName: 'Gone' }).rejects(named('ThrottlingException', 'Rate exceeded'));
    await expect(endpointsUsing(CONFIG_NAME, 10_000)).rejects.toThrow('Rate exceeded');
  });

  test('two events for two configs within a minute scan the endpoints once (a sweep over N configs is one scan)', async () => {
    describeAs(configDescription());
    const handler = handlerFor('endpoint-config');
    await handler(created);
    await handler({ ...created, id: 'second' });
    expect(sageMakerMock).toHaveReceivedCommandTimes(ListEndpointsCommand, 1);
  });
});

describe('the endpoint scan is kept per account and region (per SageMaker client)', () => {
  test('two accounts in one container: each config is judged by its own account\'s endpoints, each account is listed', async () => {
    // As MemberAccounts hands out: a client per account and region, mocked per instance (the class mock cannot see them).
    const clientsA = { sageMaker: new SageMakerClient({ region: 'us-east-1' }), ec2: new EC2Client({ region: 'us-east-1' }) };
    const clientsB = { sageMaker: new SageMakerClient({ region: 'us-east-1' }), ec2: new EC2Client({ region: 'us-east-1' }) };
    const stubA = mockClient(clientsA.sageMaker);
    const stubB = mockClient(clientsB.sageMaker);
    try {
      stubA.on(ListEndpointsCommand).resolves(USING);
      stubA.on(DescribeEndpointCommand).resolves(endpointDescription());
      stubB.on(ListEndpointsCommand).resolves({ Endpoints: [] });
      // Within the minute, the same config name in account A (in use there), then in account B (unused there).
      await expect(withClients(clientsA, () => endpointsUsing(CONFIG_NAME, 20_000))).resolves.toEqual([ENDPOINT_NAME]);
      await expect(withClients(clientsB, () => endpointsUsing(CONFIG_NAME, 20_001))).resolves.toEqual([]);
      expect(stubB).toHaveReceivedCommandTimes(ListEndpointsCommand, 1);
      // A's scan is still A's, and still kept: no second listing of A.
      await expect(withClients(clientsA, () => endpointsUsing(CONFIG_NAME, 20_002))).resolves.toEqual([ENDPOINT_NAME]);
      expect(stubA).toHaveReceivedCommandTimes(ListEndpointsCommand, 1);
      expect(stubA).toHaveReceivedCommandTimes(DescribeEndpointCommand, 1);
      expect(stubB).not.toHaveReceivedCommand(DescribeEndpointCommand);
      expect(sageMakerMock).not.toHaveReceivedCommand(ListEndpointsCommand);
    } finally {
      stubA.restore();
      stubB.restore();
      for (const client of [clientsA, clientsB]) for (const each of Object.values(client)) each.destroy();
    }
  });
});
