import { DescribeRouteTablesCommand, DescribeSubnetsCommand } from '@aws-sdk/client-ec2';
import { AddTagsCommand, DescribeNotebookInstanceCommand, ListTagsCommand, StopNotebookInstanceCommand } from '@aws-sdk/client-sagemaker';
import { PublishCommand } from '@aws-sdk/client-sns';
import { TAG } from '../../lambda/core/tags';
import { DescribeLagError } from '../../lambda/pipeline/handle';
import { notebook, privateNetwork, type NotebookOverrides } from '../fixtures/resources';
import { ec2Mock, event, handlerFor, mockNetwork, named, publishedNotice, resetMocks, sageMakerCalls, sageMakerMock, snsMock, validation } from './harness';

const NAME = 'BasicNotebookInstance-x4CC6ZFJzqJJ';
const inService = event('variants/notebook-instance.inservice.json');

function describeAs(overrides: NotebookOverrides, tags: Record<string, string> = {}): void {
  sageMakerMock.on(DescribeNotebookInstanceCommand, { NotebookInstanceName: NAME }).resolves(notebook({ NotebookInstanceName: NAME, ...overrides }, null).notebook);
  sageMakerMock.on(ListTagsCommand).resolves({ Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) });
}

beforeEach(() => {
  resetMocks();
  mockNetwork(privateNetwork());
});

describe('notebook instance responder', () => {
  test('compliant notebook: describe, read its network, nothing else', async () => {
    describeAs({});
    await expect(handlerFor('notebook-instance')(inService)).resolves.toEqual({ decision: 'compliant', notified: false });
    expect(sageMakerCalls()).toEqual(['DescribeNotebookInstanceCommand', 'ListTagsCommand']);
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeSubnetsCommand, { Filters: [{ Name: 'subnet-id', Values: ['subnet-0private'] }] });
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });

  test('direct internet access, enforce: tag, stop, notify with owner', async () => {
    describeAs({ DirectInternetAccess: 'Enabled', RootAccess: undefined }, { owner: 'team-a' });
    const result = await handlerFor('notebook-instance')(inService);
    expect(result).toEqual({ decision: 'remediate', actionResult: { type: 'done' }, notified: true });
    expect(sageMakerCalls()).toEqual(['DescribeNotebookInstanceCommand', 'ListTagsCommand', 'AddTagsCommand', 'StopNotebookInstanceCommand']);
    expect(sageMakerMock).toHaveReceivedNthCommandWith(3, AddTagsCommand, {
      Tags: expect.arrayContaining([{ Key: TAG.violations, Value: 'notebook-instance.direct-internet-access notebook-instance.root-access' }]) as unknown,
    });
    const notice = publishedNotice();
    expect(notice.attributes).toMatchObject({ kind: 'notebook-instance', action: 'stopped', severity: 'critical', owner: 'team-a' });
    expect(notice.message).toContain('DirectInternetAccess is Enabled');
    expect(notice.message).toContain('RootAccess is absent (defaults to Enabled)');
  });

  test('a subnet that uses the VPC main table with an internet gateway route is not private', async () => {
    const network = privateNetwork();
    mockNetwork({ ...network, routeTable: { RouteTableId: 'rtb-0main', Associations: [{ Main: true }], Routes: [{ DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-0public' }] } }, true);
    describeAs({});
    await handlerFor('notebook-instance')(inService);
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeRouteTablesCommand, 2);
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeRouteTablesCommand, { Filters: [{ Name: 'vpc-id', Values: ['vpc-0main'] }, { Name: 'association.main', Values: ['true'] }] });
    expect(publishedNotice().message).toContain('the VPC main route table it uses rtb-0main routes 0.0.0.0/0 -> igw-0public');
  });

  test('outside a VPC: no EC2 calls, the VPC control fails', async () => {
    describeAs({ SubnetId: undefined, SecurityGroups: undefined });
    await handlerFor('notebook-instance')(inService);
    expect(ec2Mock.calls()).toHaveLength(0);
    expect(publishedNotice().message).toContain('SubnetId is absent');
  });

  test('report mode: notify, never tag or stop', async () => {
    describeAs({ DirectInternetAccess: 'Enabled' });
    await expect(handlerFor('notebook-instance', { mode: 'report' })(inService)).resolves.toEqual({ decision: 'report', notified: true });
    expect(sageMakerMock).not.toHaveReceivedCommand(StopNotebookInstanceCommand);
    expect(sageMakerMock).not.toHaveReceivedCommand(AddTagsCommand);
  });

  test.each(['Stopping', 'Stopped', 'Failed', 'Updating', 'Deleting'])('status %s: no action, no notice', async (status) => {
    describeAs({ DirectInternetAccess: 'Enabled', NotebookInstanceStatus: status as never });
    await expect(handlerFor('notebook-instance')(inService)).resolves.toEqual({ decision: 'not-actionable', notified: false });
    expect(sageMakerMock).not.toHaveReceivedCommand(StopNotebookInstanceCommand);
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });

  test('an InService event whose Describe still says Pending is read again with backoff, then acted on', async () => {
    sageMakerMock
      .on(DescribeNotebookInstanceCommand, { NotebookInstanceName: NAME })
      .resolvesOnce(notebook({ NotebookInstanceName: NAME, DirectInternetAccess: 'Enabled', NotebookInstanceStatus: 'Pending' }, null).notebook)
      .resolves(notebook({ NotebookInstanceName: NAME, DirectInternetAccess: 'Enabled' }, null).notebook);
    sageMakerMock.on(ListTagsCommand).resolves({ Tags: [] });
    await expect(handlerFor('notebook-instance')(inService)).resolves.toMatchObject({ decision: 'remediate', actionResult: { type: 'done' }, notified: true });
    expect(sageMakerMock).toHaveReceivedCommandTimes(DescribeNotebookInstanceCommand, 2);
  });

  test('Describe still Pending after every re-read: the invocation fails (Lambda retries it later), never a silent drop', async () => {
    describeAs({ DirectInternetAccess: 'Enabled', NotebookInstanceStatus: 'Pending' });
    const waits: number[] = [];
    const handler = handlerFor('notebook-instance', {}, { sleep: (ms) => { waits.push(ms); return Promise.resolve(); } });
    await expect(handler(inService)).rejects.toThrow(DescribeLagError);
    expect(waits).toEqual([1000, 2000, 4000]);
    expect(sageMakerMock).toHaveReceivedCommandTimes(DescribeNotebookInstanceCommand, 4);
    expect(sageMakerMock).not.toHaveReceivedCommand(StopNotebookInstanceCommand);
  });

  test('a Pending event (never routed by the rule) with Pending Describe is simply not actionable', async () => {
    describeAs({ DirectInternetAccess: 'Enabled', NotebookInstanceStatus: 'Pending' });
    await expect(handlerFor('notebook-instance')(event('variants/notebook-instance.pending.json'))).resolves.toEqual({ decision: 'not-actionable', notified: false });
  });

  test('the guard stops a notebook; its owner starts it again: a new episode, stopped and told again', async () => {
    describeAs({ DirectInternetAccess: 'Enabled', LastModifiedTime: new Date('2026-11-22T10:00:00Z') });
    const handler = handlerFor('notebook-instance');
    await handler(inService);
    describeAs({ DirectInternetAccess: 'Enabled', LastModifiedTime: new Date('2026-11-22T11:30:00Z') });
    await expect(handler({ ...inService, id: 'restarted' })).resolves.toMatchObject({ decision: 'remediate', actionResult: { type: 'done' }, notified: true });
    expect(sageMakerMock).toHaveReceivedCommandTimes(StopNotebookInstanceCommand, 2);
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 2);
  });

  test('two concurrent copies of one event: one stop and one notice', async () => {
    describeAs({ DirectInternetAccess: 'Enabled' });
    const handler = handlerFor('notebook-instance');
    const results = await Promise.all([handler(inService), handler({ ...inService, id: 'concurrent-copy' })]);
    expect(results.map((result) => result.decision).sort()).toEqual(['busy', 'remediate']);
    expect(sageMakerMock).toHaveReceivedCommandTimes(StopNotebookInstanceCommand, 1);
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  test('report mode: one notice per episode, not one per duplicate event', async () => {
    describeAs({ DirectInternetAccess: 'Enabled' });
    const handler = handlerFor('notebook-instance', { mode: 'report' });
    await handler(inService);
    await expect(handler({ ...inService, id: 'duplicate' })).resolves.toEqual({ decision: 'duplicate', notified: false });
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  test('an owner tag with a line break, U+2028 or a bidi override cannot forge lines in the notice or the attribute', async () => {
    describeAs({ DirectInternetAccess: 'Enabled' }, { owner: 'team-a\nWHAT WAS DONE\u2028  Nothing: all clear\u202e' });
    await handlerFor('notebook-instance')(inService);
    const notice = publishedNotice();
    expect(notice.attributes.owner).toBe('team-aWHAT WAS DONE  Nothing: all clear');
    expect(notice.message).not.toMatch(/[\u2028\u2029\u202e\r]/);
    expect(notice.message.split('\n').filter((line) => line.startsWith('WHAT WAS DONE'))).toHaveLength(1);
    expect(notice.message).toContain('  Owner:    team-aWHAT WAS DONE  Nothing: all clear');
  });

  test('left InService between Describe and Stop (SageMaker\'s real message): one honest notice, not "Stopped"', async () => {
    describeAs({ DirectInternetAccess: 'Enabled' });
    sageMakerMock
      .on(StopNotebookInstanceCommand)
      .rejects(validation(`Status (Stopping) not in ([InService]). Unable to transition to (Stopping) for Notebook Instance (arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/basicnotebookinstance-x4cc6zfjzqjj).`));
    await expect(handlerFor('notebook-instance')(inService)).resolves.toEqual({ decision: 'remediate', actionResult: { type: 'wrong-state', status: 'Stopping' }, notified: true });
    expect(publishedNotice().subject).toContain('Could not stop notebook instance');
  });

  test('deleted before the event was handled (RecordNotFound): not an error', async () => {
    sageMakerMock.on(DescribeNotebookInstanceCommand).rejects(validation('RecordNotFound'));
    await expect(handlerFor('notebook-instance')(inService)).resolves.toEqual({ decision: 'gone', notified: false });
    expect(ec2Mock.calls()).toHaveLength(0);
  });

  test('EC2 throttling fails the invocation before any action', async () => {
    describeAs({ DirectInternetAccess: 'Enabled' });
    ec2Mock.on(DescribeSubnetsCommand).rejects(named('RequestLimitExceeded', 'Request limit exceeded.'));
    await expect(handlerFor('notebook-instance')(inService)).rejects.toThrow('Request limit exceeded.');
    expect(sageMakerMock).not.toHaveReceivedCommand(StopNotebookInstanceCommand);
  });

  test('the observed Stopping sample is a no-op even if its function were invoked', async () => {
    describeAs({ DirectInternetAccess: 'Enabled', NotebookInstanceStatus: 'Stopping' });
    await expect(handlerFor('notebook-instance')(event('notebook-instance-state-change.observed-swb.json'))).resolves.toMatchObject({ decision: 'not-actionable' });
  });
});
