/**
 * Builds AWS "scenes" in the emulator with the SDK v3 clients: a VPC with a private and a public subnet, a
 * closed security group, a KMS key, an encrypted SNS topic with an SQS queue subscribed (so notices can be
 * read back), and helpers to read what arrived.
 */
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import {
  AuthorizeSecurityGroupIngressCommand,
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  CreateInternetGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeRouteTablesCommand,
  EC2Client,
  ModifySubnetAttributeCommand,
  RevokeSecurityGroupEgressCommand,
} from '@aws-sdk/client-ec2';
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { ENFORCEMENT_KEY, type EnforcementRecord } from '../../lambda/ledger/records';
import { LEDGER } from '../../lambda/ledger/schema';
import { ListTagsCommand, SageMakerClient, type Tag } from '@aws-sdk/client-sagemaker';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import type { Emulator } from './emulator';

export interface Clients {
  readonly ssm: SSMClient;
  readonly sageMaker: SageMakerClient;
  readonly ec2: EC2Client;
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
  readonly events: EventBridgeClient;
  readonly dynamoDb: DynamoDBClient;
}

/** Clients wired explicitly to the emulator (they never read the test process's AWS settings). */
export function clientsFor(emulator: Emulator): Clients {
  const config = {
    endpoint: emulator.endpoint,
    region: emulator.region,
    credentials: { accessKeyId: emulator.env.AWS_ACCESS_KEY_ID, secretAccessKey: emulator.env.AWS_SECRET_ACCESS_KEY },
    maxAttempts: 1,
  };
  return {
    ssm: new SSMClient(config),
    sageMaker: new SageMakerClient(config),
    ec2: new EC2Client(config),
    sns: new SNSClient(config),
    sqs: new SQSClient(config),
    events: new EventBridgeClient(config),
    dynamoDb: new DynamoDBClient(config),
  };
}

export function destroyClients(clients: Clients): void {
  for (const client of Object.values(clients) as { destroy(): void }[]) client.destroy();
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`the emulator returned no ${what}`);
  return value;
}

/**
 * Creates a customer managed KMS key. No KMS client is among the project's dependencies, so this speaks the
 * KMS JSON protocol directly; moto does not check signatures, only reads the service from the credential scope.
 */
export async function createKmsKey(emulator: Emulator, description = 'sagemaker-guard test key'): Promise<string> {
  const response = await fetch(emulator.endpoint, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.1',
      'X-Amz-Target': 'TrentService.CreateKey',
      Authorization: `AWS4-HMAC-SHA256 Credential=${emulator.env.AWS_ACCESS_KEY_ID}/20240101/${emulator.region}/kms/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify({ Description: description }),
  });
  const body = (await response.json()) as { KeyMetadata?: { Arn?: string } };
  if (response.status !== 200 || body.KeyMetadata?.Arn === undefined) throw new Error(`kms:CreateKey failed: HTTP ${response.status} ${JSON.stringify(body)}`);
  return body.KeyMetadata.Arn;
}

export interface Network {
  readonly vpcId: string;
  /** MapPublicIpOnLaunch false; its own route table, with only the local route. */
  readonly privateSubnetId: string;
  /** MapPublicIpOnLaunch true; its own route table, with 0.0.0.0/0 to an internet gateway. */
  readonly publicSubnetId: string;
  /**
   * MapPublicIpOnLaunch false and no route table of its own, so the VPC's main route table applies; that
   * main table has 0.0.0.0/0 to the internet gateway. Private at first sight, public in effect.
   */
  readonly mainTableSubnetId: string;
  readonly internetGatewayId: string;
  /** No ingress rules and no egress rules. */
  readonly closedSecurityGroupId: string;
  /** As created: egress to 0.0.0.0/0 (the AWS default), plus ingress tcp/22 from 0.0.0.0/0. */
  readonly openSecurityGroupId: string;
}

export async function createNetwork(ec2: EC2Client): Promise<Network> {
  const vpcId = required((await ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }))).Vpc?.VpcId, 'VpcId');
  const subnet = async (cidr: string): Promise<string> =>
    required((await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr, AvailabilityZone: 'us-east-1a' }))).Subnet?.SubnetId, 'SubnetId');
  const privateSubnetId = await subnet('10.20.1.0/24');
  const publicSubnetId = await subnet('10.20.2.0/24');
  const mainTableSubnetId = await subnet('10.20.3.0/24');
  await ec2.send(new ModifySubnetAttributeCommand({ SubnetId: privateSubnetId, MapPublicIpOnLaunch: { Value: false } }));
  await ec2.send(new ModifySubnetAttributeCommand({ SubnetId: publicSubnetId, MapPublicIpOnLaunch: { Value: true } }));

  const table = async (subnetId: string): Promise<string> => {
    const routeTableId = required((await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable?.RouteTableId, 'RouteTableId');
    await ec2.send(new AssociateRouteTableCommand({ RouteTableId: routeTableId, SubnetId: subnetId }));
    return routeTableId;
  };
  await table(privateSubnetId);
  const publicTableId = await table(publicSubnetId);
  const internetGatewayId = required((await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway?.InternetGatewayId, 'InternetGatewayId');
  await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: internetGatewayId, VpcId: vpcId }));
  await ec2.send(new CreateRouteCommand({ RouteTableId: publicTableId, DestinationCidrBlock: '0.0.0.0/0', GatewayId: internetGatewayId }));
  const main = await ec2.send(
    new DescribeRouteTablesCommand({
      Filters: [
        { Name: 'vpc-id', Values: [vpcId] },
        { Name: 'association.main', Values: ['true'] },
      ],
    }),
  );
  const mainTableId = required(main.RouteTables?.[0]?.RouteTableId, 'main RouteTableId');
  await ec2.send(new CreateRouteCommand({ RouteTableId: mainTableId, DestinationCidrBlock: '0.0.0.0/0', GatewayId: internetGatewayId }));

  const group = async (name: string): Promise<string> =>
    required((await ec2.send(new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: name, Description: name }))).GroupId, 'GroupId');
  const closedSecurityGroupId = await group('guard-closed');
  await ec2.send(
    new RevokeSecurityGroupEgressCommand({ GroupId: closedSecurityGroupId, IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }),
  );
  const openSecurityGroupId = await group('guard-open');
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: openSecurityGroupId,
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    }),
  );
  return { vpcId, privateSubnetId, publicSubnetId, mainTableSubnetId, internetGatewayId, closedSecurityGroupId, openSecurityGroupId };
}

export async function createQueue(sqs: SQSClient, name: string): Promise<{ url: string; arn: string }> {
  const url = required((await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl, 'QueueUrl');
  const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  return { url, arn: required(attributes.Attributes?.QueueArn, 'QueueArn') };
}

export interface NoticeChannel {
  readonly topicArn: string;
  readonly queueUrl: string;
  readonly kmsKeyArn: string;
}

/** An SNS topic encrypted with the key, with an SQS queue subscribed (not raw, so Subject and attributes travel in the envelope). */
export async function createNoticeChannel(clients: Clients, kmsKeyArn: string): Promise<NoticeChannel> {
  const topicArn = required(
    (await clients.sns.send(new CreateTopicCommand({ Name: 'sagemaker-guard-notices', Attributes: { KmsMasterKeyId: kmsKeyArn } }))).TopicArn,
    'TopicArn',
  );
  const queue = await createQueue(clients.sqs, 'sagemaker-guard-notices-inbox');
  await clients.sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queue.arn, ReturnSubscriptionArn: true }));
  return { topicArn, queueUrl: queue.url, kmsKeyArn };
}

/** Sets the account-wide enforcement switch, as an operator would (`policy` or `report`). */
export async function setEnforcementSwitch(ssm: SSMClient, name: string, value: 'policy' | 'report'): Promise<void> {
  await ssm.send(new PutParameterCommand({ Name: name, Value: value, Type: 'String', Overwrite: true }));
}

/** Receives everything in the queue now (moto delivers SNS and EventBridge messages synchronously). */
export async function drainQueue(sqs: SQSClient, queueUrl: string): Promise<Message[]> {
  const messages: Message[] = [];
  for (;;) {
    const batch = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageAttributeNames: ['All'], VisibilityTimeout: 300 }),
    );
    const received = batch.Messages ?? [];
    if (received.length === 0) return messages;
    messages.push(...received);
  }
}

/** An SNS notification as an SQS subscriber sees it (non-raw delivery). */
export interface SnsEnvelope {
  readonly Type: string;
  readonly TopicArn: string;
  readonly Subject?: string;
  readonly Message: string;
  readonly MessageAttributes?: Record<string, { readonly Type: string; readonly Value: string }>;
}

export async function receiveNotices(sqs: SQSClient, queueUrl: string): Promise<SnsEnvelope[]> {
  return (await drainQueue(sqs, queueUrl)).map((message) => JSON.parse(message.Body ?? '{}') as SnsEnvelope);
}

/** The string value of each message attribute of a notice. */
export function attributesOf(envelope: SnsEnvelope): Record<string, string> {
  return Object.fromEntries(Object.entries(envelope.MessageAttributes ?? {}).map(([key, value]) => [key, value.Value]));
}

export async function listTags(sageMaker: SageMakerClient, arn: string): Promise<Tag[]> {
  return (await sageMaker.send(new ListTagsCommand({ ResourceArn: arn }))).Tags ?? [];
}

/** The ledger table, with the keys and indexes the stack gives it (lambda/ledger/schema.ts). */
/**
 * Creates the ledger table as the stack defines it, and records when enforcement began as the deploy's
 * EnforcementStart trigger does (`enforcementSince`, default now: before the scene creates its resources,
 * which are then new, not existing estate; `null` records nothing).
 */
export async function createLedgerTable(dynamoDb: DynamoDBClient, tableName = 'sagemaker-guard-ledger', enforcementSince: Date | null = new Date()): Promise<string> {
  const index = (spec: { readonly name: string; readonly partitionKey: string; readonly sortKey: string }) => ({
    IndexName: spec.name,
    KeySchema: [
      { AttributeName: spec.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: spec.sortKey, KeyType: 'RANGE' as const },
    ],
    Projection: { ProjectionType: 'ALL' as const },
  });
  await dynamoDb.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [LEDGER.partitionKey, LEDGER.sortKey, LEDGER.pendingIndex.partitionKey, LEDGER.historyIndex.partitionKey, 'at'].map((name) => ({
        AttributeName: name,
        AttributeType: 'S' as const,
      })),
      KeySchema: [
        { AttributeName: LEDGER.partitionKey, KeyType: 'HASH' },
        { AttributeName: LEDGER.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [index(LEDGER.pendingIndex), index(LEDGER.historyIndex)],
    }),
  );
  if (enforcementSince !== null) {
    const record: EnforcementRecord = { ...ENFORCEMENT_KEY, type: 'enforcement-began', since: enforcementSince.toISOString(), by: 'deploy' };
    await dynamoDb.send(new PutItemCommand({ TableName: tableName, Item: Object.fromEntries(Object.entries(record).map(([key, value]: [string, string]) => [key, { S: value }])) }));
  }
  return tableName;
}
