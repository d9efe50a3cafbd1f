import { DescribeRouteTablesCommand, DescribeSecurityGroupsCommand, DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  ListEndpointConfigsCommand,
  ListEndpointsCommand,
  ListHyperParameterTuningJobsCommand,
  ListModelsCommand,
  ListNotebookInstancesCommand,
  ListProcessingJobsCommand,
  ListTrainingJobsCommand,
  ListTransformJobsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EventBridgeEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type { NotebookNetwork } from '../../lambda/kinds/notebook-instance/controls';
import type { ResourceKind } from '../../lambda/kinds/registry';
import type { GuardSettingsInput } from '../../lambda/core/settings';
import { clearSwitchCache } from '../../lambda/aws/switch';
import { Ledger } from '../../lambda/aws/ledger';
import { FakeTable } from '../support/fake-dynamodb';
import { ENFORCEMENT_KEY } from '../../lambda/ledger/records';
import { makeHandler } from '../../lambda/handlers/make-handler';
import type { Runtime } from '../../lambda/pipeline/handle';
import { loadEvent } from '../fixtures/events';
import { settings } from '../fixtures/resources';

export const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:sagemaker-guard-notices';
export const sageMakerMock = mockClient(SageMakerClient);
export const ec2Mock = mockClient(EC2Client);
export const snsMock = mockClient(SNSClient);
export const ssmMock = mockClient(SSMClient);
export const ddbMock = mockClient(DynamoDBDocumentClient);
export const LEDGER_TABLE = 'sagemaker-guard-ledger';
/** The ledger's table, in memory: reset before each test, shared by every handler a test makes. */
export let table = new FakeTable();
export const SWITCH_PARAMETER = '/sagemaker-guard/enforcement';
export const NOW = new Date('2026-11-22T12:00:00Z');
/** When the deploy recorded that enforcement began, unless a test says otherwise: before every fixture was created. */
export const ENFORCEMENT_SINCE = '2020-01-01T00:00:00.000Z';

/** Records in the ledger when enforcement began (what the stack's deploy does); `undefined` leaves no record. */
export function setEnforcementSince(since: string | undefined): void {
  const key = JSON.stringify([ENFORCEMENT_KEY.pk, ENFORCEMENT_KEY.sk]);
  if (since === undefined) table.items.delete(key);
  else table.items.set(key, { ...ENFORCEMENT_KEY, type: 'enforcement-began', since, by: 'deploy' });
}

export function resetMocks(): void {
  sageMakerMock.reset();
  ec2Mock.reset();
  snsMock.reset();
  ssmMock.reset();
  ddbMock.reset();
  table = new FakeTable();
  table.attach(ddbMock);
  setEnforcementSince(ENFORCEMENT_SINCE);
  clearSwitchCache();
  snsMock.on(PublishCommand).resolves({ MessageId: 'msg-1' });
  // Accounts with none of a kind: every listing is empty unless a test says otherwise (the sweep lists every kind).
  for (const command of [ListTrainingJobsCommand, ListModelsCommand, ListNotebookInstancesCommand, ListProcessingJobsCommand, ListTransformJobsCommand, ListHyperParameterTuningJobsCommand, ListEndpointConfigsCommand]) {
    sageMakerMock.on(command as typeof ListModelsCommand).resolves({});
  }
  // No endpoint serves anything (the model's notice says so; an endpoint config is unused).
  sageMakerMock.on(ListEndpointsCommand).resolves({ Endpoints: [] });
  setSwitch('policy');
}

/** What the operator's switch parameter holds. */
export function setSwitch(value: string): void {
  ssmMock.on(GetParameterCommand, { Name: SWITCH_PARAMETER }).resolves({ Parameter: { Name: SWITCH_PARAMETER, Value: value, Type: 'String' } });
}

export function handlerFor(kind: ResourceKind, input: GuardSettingsInput = {}, overrides: Partial<Runtime> = {}) {
  return makeHandler(kind, {
    settings: settings(input),
    topicArn: TOPIC_ARN,
    region: 'us-east-1',
    switchParameter: SWITCH_PARAMETER,
    account: '123456789012',
    ledger: new Ledger(LEDGER_TABLE),
    now: () => NOW,
    sleep: () => Promise.resolve(),
    ...overrides,
  });
}

/** Names of the ledger requests made, in order. */
export function ledgerCalls(): string[] {
  return [...table.calls];
}

/** The ledger's remediation records (not notices, sightings), oldest first. */
export function remediationRecords(): Record<string, unknown>[] {
  return table.all().filter((item) => item.type === 'remediation');
}

/** Every record whose notice is still owed. */
export function owedNotices(): Record<string, unknown>[] {
  return table.all().filter((item) => item.notice === 'pending');
}

export function event(file: string): EventBridgeEvent<string, unknown> {
  return loadEvent(file) as unknown as EventBridgeEvent<string, unknown>;
}

/** A ValidationException shaped like the SDK's, with SageMaker's real message. */
export function validation(message: string): Error {
  return Object.assign(new Error(message), { name: 'ValidationException', $fault: 'client' });
}

export function named(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

/** Names of the SageMaker commands sent, in order: the order is part of the contract. */
export function sageMakerCalls(): string[] {
  return sageMakerMock.calls().map((call) => (call.args[0] as { constructor: { name: string } }).constructor.name);
}

export function publishedNotice(index = 0): { subject: string; message: string; attributes: Record<string, string> } {
  const calls = snsMock.commandCalls(PublishCommand);
  if (index >= calls.length) throw new Error(`no notice #${index} was published (${calls.length} were)`);
  const input = calls[index].args[0].input;
  const attributes = Object.fromEntries(Object.entries(input.MessageAttributes ?? {}).map(([key, value]) => [key, value.StringValue ?? '']));
  return { subject: input.Subject ?? '', message: input.Message ?? '', attributes };
}

/** Makes EC2 answer with the given network (the route table found by association, or as the main table). */
export function mockNetwork(network: NotebookNetwork, routeTableIsMain = false): void {
  ec2Mock.on(DescribeSubnetsCommand).resolves({ Subnets: network.subnet ? [network.subnet] : [] });
  ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [...network.securityGroups] });
  const tables = network.routeTable ? [network.routeTable] : [];
  ec2Mock
    .on(DescribeRouteTablesCommand, { Filters: [{ Name: 'association.subnet-id', Values: [network.subnet?.SubnetId ?? ''] }] })
    .resolves({ RouteTables: routeTableIsMain ? [] : tables });
  ec2Mock.on(DescribeRouteTablesCommand, { Filters: [{ Name: 'vpc-id', Values: [network.subnet?.VpcId ?? ''] }, { Name: 'association.main', Values: ['true'] }] }).resolves({
    RouteTables: routeTableIsMain ? tables : [],
  });
}

/** A message attribute of a published notice's input (absent attributes are undefined). */
export function attribute(input: { readonly MessageAttributes?: Record<string, { readonly StringValue?: string }> }, key: string): string | undefined {
  return (input.MessageAttributes as Partial<Record<string, { readonly StringValue?: string }>> | undefined)?.[key]?.StringValue;
}
