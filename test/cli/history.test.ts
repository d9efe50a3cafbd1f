import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { HistoryOptions } from '../../cli/args';
import { daysBetween, historyJson, historyLayout, historyRow, historySummaryLine, HistoryTally, resultLabel, resultType, timeLabel } from '../../cli/history/format';
import { history } from '../../cli/history/history';
import type { RemediationRecord } from '../../lambda/ledger/records';

const NOW = new Date('2026-11-22T12:00:00Z');
const TABLE = 'SageMakerGuard-Ledger-1ABC';
const documentMock = mockClient(DynamoDBDocumentClient);
const cloudFormationMock = mockClient(CloudFormationClient);
const OPTIONS: HistoryOptions = { since: new Date('2026-11-15T00:00:00Z'), json: false, stack: 'SageMakerGuard' };
const DENIED_QUERY =
  'User: arn:aws:iam::123456789012:user/auditor is not authorized to perform: dynamodb:Query on resource: arn:aws:dynamodb:us-east-1:123456789012:table/SageMakerGuard-Ledger-1ABC/index/by-day because no identity-based policy allows the dynamodb:Query action';

function named(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

function record(name: string, at: string, overrides: Partial<RemediationRecord> = {}): RemediationRecord {
  return {
    pk: `resource#123456789012#us-east-1#notebook-instance#${name.toLowerCase()}`,
    sk: `episode#${at}#stop`,
    type: 'remediation',
    at,
    day: at.slice(0, 10),
    expiresAt: 1_900_000_000,
    holder: 'event-1',
    leaseUntil: 0,
    ref: { account: '123456789012', region: 'us-east-1', kind: 'notebook-instance', name },
    arn: `arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/${name.toLowerCase()}`,
    episode: at,
    action: 'stop',
    controls: ['notebook-instance.direct-internet-access', 'notebook-instance.root-access'],
    owner: 'alice@example.com',
    actAttempts: 1,
    result: { type: 'done', status: 'Stopping' },
    resultAt: at,
    correlationId: 'event-1',
    notice: 'sent',
    storedNotice: { subject: 'Stopped', message: 'long text', attributes: {} },
    messageId: 'msg-1',
    sentAt: at,
    ...overrides,
  };
}

const STOPPED = record('Open-Notebook', '2026-11-16T08:00:00.123Z');
const DENIED = record('Locked-Down', '2026-11-20T09:30:00.000Z', {
  result: { type: 'denied', errorName: 'AccessDeniedException', permission: 'sagemaker:StopNotebookInstance', message: 'not authorized' },
  notice: 'pending',
});
const DOUBTFUL = record('Half-Done', '2026-11-20T10:00:00.000Z', { result: undefined, resultAt: undefined, notice: undefined, messageId: undefined, sentAt: undefined });
const DELETED = record('open-model', '2026-11-22T11:00:00.000Z', {
  ref: { account: '210987654321', region: 'eu-west-1', kind: 'model', name: 'open-model' },
  action: 'delete',
  controls: ['model.vpc'],
  result: { type: 'done' },
  notice: 'none',
});

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function run(options: Partial<HistoryOptions> = {}, dynamoDb = new DynamoDBClient({})): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await history(
    { ...OPTIONS, ...options },
    { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) }, now: () => NOW },
    { dynamoDb, cloudFormation: new CloudFormationClient({}) },
  );
  return { code, stdout, stderr };
}

function stackWithOutputs(outputs: Record<string, string>): void {
  cloudFormationMock.on(DescribeStacksCommand, { StackName: 'SageMakerGuard' }).resolves({
    Stacks: [
      {
        StackName: 'SageMakerGuard',
        StackStatus: 'UPDATE_COMPLETE',
        CreationTime: NOW,
        Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
      },
    ],
  });
}

interface QueryInput {
  readonly IndexName?: string;
  readonly ExpressionAttributeNames?: Record<string, string>;
  readonly ExpressionAttributeValues?: Record<string, unknown>;
  readonly ExclusiveStartKey?: Record<string, unknown>;
}

/** The day a Query of the by-day index asks for: its one key value (whatever the placeholder is called). */
function dayOfQuery(input: QueryInput): string {
  return String(Object.values(input.ExpressionAttributeValues ?? {})[0]);
}

/**
 * The by-day index, one partition per day: a day's records (one page), its pages (a page per array, joined
 * by LastEvaluatedKey), or the error its Query fails with.
 */
function ledgerDays(days: Record<string, RemediationRecord[] | RemediationRecord[][] | Error>): void {
  documentMock.on(QueryCommand).callsFake((input: QueryInput) => {
    const day = days[dayOfQuery(input)] ?? [];
    if (day instanceof Error) return Promise.reject(day);
    const pages = day.length > 0 && Array.isArray(day[0]) ? (day as RemediationRecord[][]) : [day as RemediationRecord[]];
    const index = input.ExclusiveStartKey === undefined ? 0 : Number(input.ExclusiveStartKey.page);
    const next = index + 1 < pages.length ? { LastEvaluatedKey: { page: index + 1 } } : {};
    return Promise.resolve({ Items: pages[index], ...next });
  });
}

function queriedDays(): string[] {
  return documentMock.commandCalls(QueryCommand).map((call) => dayOfQuery(call.args[0].input as QueryInput));
}

function ndjson(text: string): Record<string, unknown>[] {
  return text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

beforeEach(() => {
  documentMock.reset();
  cloudFormationMock.reset();
  stackWithOutputs({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:t', DeadLetterQueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/dlq', LedgerTableName: TABLE });
  ledgerDays({});
});

describe('sagemaker-guard history', () => {
  test('a denied Query exits 2, naming dynamodb:Query, the table and its index; what was read before stays printed', async () => {
    ledgerDays({ '2026-11-16': [STOPPED], '2026-11-17': named('AccessDeniedException', DENIED_QUERY) });

    const { code, stdout, stderr } = await run();

    expect(code).toBe(2);
    expect(queriedDays()).toEqual(['2026-11-15', '2026-11-16', '2026-11-17']);
    expect(stdout).toMatch(/^2026-11-16T08:00:00Z\s+notebook-instance\s+Open-Notebook/m);
    expect(stdout).toContain('1 record from 2026-11-15 to 2026-11-22 (8 days) in SageMakerGuard-Ledger-1ABC: 1 stop; results: 1 done; notices: 1 sent (incomplete: see the error)\n');
    expect(stderr).toBe(
      `dynamodb:Query was denied (AccessDeniedException) on table ${TABLE} (index by-day) in us-east-1: ${DENIED_QUERY}. history needs dynamodb:Query on the table and its by-day index.\n`,
    );
  });

  test('a denial without the usual message still names dynamodb:Query', async () => {
    documentMock.on(QueryCommand).rejects(named('AccessDeniedException', 'Access denied'));
    const { code, stderr } = await run({ json: true });
    expect(code).toBe(2);
    expect(stderr).toBe(`dynamodb:Query was denied (AccessDeniedException) on table ${TABLE} (index by-day) in us-east-1: Access denied. history needs dynamodb:Query on the table and its by-day index.\n`);
  });

  test('a missing table, or one without the index, says so', async () => {
    documentMock.on(QueryCommand).rejects(named('ResourceNotFoundException', 'Requested resource not found'));
    let result = await run({ table: 'no-such-table' });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'table no-such-table was not found in us-east-1: pass --region (and --profile) for where the guard is deployed, or --table / --stack (ResourceNotFoundException: Requested resource not found)\n',
    );
    expect(cloudFormationMock).not.toHaveReceivedCommand(DescribeStacksCommand);

    documentMock.on(QueryCommand).rejects(named('ValidationException', 'The table does not have the specified index: by-day'));
    result = await run({ table: 'other-table' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("table other-table in us-east-1 has no by-day index: it is not the guard's ledger, or was deployed by an older version");
  });

  test('a missing stack exits 2 and says how to point at it', async () => {
    cloudFormationMock.on(DescribeStacksCommand).rejects(named('ValidationError', 'Stack with id Guard does not exist'));
    const { code, stdout, stderr } = await run({ stack: 'Guard' });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe('stack Guard was not found in us-east-1: pass --region (and --profile) for the account and region it is deployed in, --stack with its name, or --table NAME\n');
    expect(documentMock).not.toHaveReceivedCommand(QueryCommand);
  });

  test('a stack without the LedgerTableName output (deployed before the ledger) exits 2, listing its outputs', async () => {
    stackWithOutputs({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:t', DeadLetterQueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/dlq' });
    const { code, stderr } = await run();
    expect(code).toBe(2);
    expect(stderr).toBe(
      'stack SageMakerGuard (UPDATE_COMPLETE) has no output LedgerTableName (its outputs: TopicArn, DeadLetterQueueUrl): deploy the current version of the guard, or pass --table NAME\n',
    );
  });

  test('a denied DescribeStacks names the permission and the way around it', async () => {
    const message = 'User: arn:aws:iam::123456789012:user/a is not authorized to perform: cloudformation:DescribeStacks on resource: arn:aws:cloudformation:us-east-1:123456789012:stack/SageMakerGuard/*';
    cloudFormationMock.on(DescribeStacksCommand).rejects(named('AccessDenied', message));
    const { code, stderr } = await run();
    expect(code).toBe(2);
    expect(stderr).toBe(`cloudformation:DescribeStacks was denied (AccessDenied) reading stack SageMakerGuard in us-east-1: ${message}. Grant it, or pass --table NAME\n`);
  });

  test('no region anywhere: exit 2 before any call', async () => {
    const { code, stderr } = await run({}, new DynamoDBClient({ region: (): Promise<string> => Promise.reject(new Error('Region is missing')) }));
    expect(code).toBe(2);
    expect(stderr).toBe('No AWS region: pass --region, set AWS_REGION, or give the profile a region in ~/.aws/config.\n');
    expect(cloudFormationMock).not.toHaveReceivedCommand(DescribeStacksCommand);
  });

  test('finds the table from the stack, reads every day from --since to today through the by-day index, page by page, and prints a table', async () => {
    ledgerDays({ '2026-11-16': [STOPPED], '2026-11-20': [[DENIED], [DOUBTFUL]], '2026-11-22': [DELETED] });

    const { code, stdout, stderr } = await run();

    expect(code).toBe(0);
    expect(cloudFormationMock).toHaveReceivedCommandWith(DescribeStacksCommand, { StackName: 'SageMakerGuard' });
    expect(queriedDays()).toEqual(['2026-11-15', '2026-11-16', '2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20', '2026-11-20', '2026-11-21', '2026-11-22']);
    for (const call of documentMock.commandCalls(QueryCommand)) {
      const input = call.args[0].input;
      expect({ table: input.TableName, index: input.IndexName, keys: Object.values(input.ExpressionAttributeNames ?? {}) }).toEqual({ table: TABLE, index: 'by-day', keys: ['day'] });
    }
    // The second page of 2026-11-20 starts where the first ended.
    expect(documentMock).toHaveReceivedNthCommandWith(7, QueryCommand, { ExclusiveStartKey: { page: 1 } });

    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/^time\s+kind\s+name\s+account\s+region\s+controls\s+action\s+result\s+notice$/);
    expect(stdout).toMatch(/^2026-11-16T08:00:00Z\s+notebook-instance\s+Open-Notebook\s+123456789012\s+us-east-1\s+notebook-instance\.direct-internet-access\s+stop\s+done\s+sent$/m);
    expect(stdout).toMatch(/^\s+notebook-instance\.root-access$/m);
    expect(stdout).toMatch(/^2026-11-20T09:30:00Z\s+notebook-instance\s+Locked-Down\s+.*\s+stop\s+denied\s+pending$/m);
    expect(stdout).toMatch(/^\s+notebook-instance\.root-access\s+\(AccessDeniedException,$/m);
    expect(stdout).toMatch(/^\s+sagemaker:StopNotebookInstance\)$/m);
    expect(stdout).toMatch(/^2026-11-20T10:00:00Z\s+notebook-instance\s+Half-Done\s+.*\s+stop\s+in doubt\s+-$/m);
    expect(stdout).toMatch(/^2026-11-22T11:00:00Z\s+model\s+open-model\s+210987654321\s+eu-west-1\s+model\.vpc\s+delete\s+done\s+none$/m);
    // Oldest first: the order of the days, then of the index within a day.
    expect(['Open-Notebook', 'Locked-Down', 'Half-Done', 'open-model'].map((name) => stdout.indexOf(name))).toEqual(
      [...['Open-Notebook', 'Locked-Down', 'Half-Done', 'open-model'].map((name) => stdout.indexOf(name))].sort((a, b) => a - b),
    );
    expect(stdout).toContain(
      '\n\n4 records from 2026-11-15 to 2026-11-22 (8 days) in SageMakerGuard-Ledger-1ABC: 3 stop, 1 delete; ' +
        'results: 2 done, 1 denied, 1 in doubt; notices: 1 sent, 1 pending, 1 not recorded, 1 none\n',
    );
    expect(stdout).not.toContain('…');
    expect(stderr).toBe(
      "1 record is in doubt: the stop or delete was called (or about to be) and its result was never recorded; the guard resumes such a record the next time it handles the resource.\n",
    );
  });

  test('--since a time: the first day is read whole, and what came before the time is left out', async () => {
    const early = record('Early', '2026-11-20T07:59:59.999Z');
    const late = record('Late', '2026-11-20T08:00:00.000Z');
    ledgerDays({ '2026-11-20': [early, late] });
    const { code, stdout } = await run({ since: new Date('2026-11-20T08:00:00Z'), json: true });
    expect(code).toBe(0);
    expect(queriedDays()).toEqual(['2026-11-20', '2026-11-21', '2026-11-22']);
    const objects = ndjson(stdout);
    expect(objects.map((object) => object.name ?? object.type)).toEqual(['Late', 'summary']);
    expect(objects[1]).toMatchObject({ since: '2026-11-20T08:00:00.000Z', fromDay: '2026-11-20', toDay: '2026-11-22', days: 3, records: 1 });
  });

  test('--json: one object per record, then a summary; no lease, no notice text', async () => {
    ledgerDays({ '2026-11-20': [DENIED, DOUBTFUL], '2026-11-22': [DELETED] });
    const { code, stdout } = await run({ json: true, table: TABLE });
    expect(code).toBe(0);
    expect(cloudFormationMock).not.toHaveReceivedCommand(DescribeStacksCommand);
    const objects = ndjson(stdout);
    expect(objects).toHaveLength(4);
    expect(objects[0]).toEqual({
      type: 'remediation',
      at: '2026-11-20T09:30:00.000Z',
      kind: 'notebook-instance',
      name: 'Locked-Down',
      account: '123456789012',
      region: 'us-east-1',
      arn: 'arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/locked-down',
      owner: 'alice@example.com',
      controls: ['notebook-instance.direct-internet-access', 'notebook-instance.root-access'],
      action: 'stop',
      result: { type: 'denied', errorName: 'AccessDeniedException', permission: 'sagemaker:StopNotebookInstance', message: 'not authorized' },
      resultType: 'denied',
      resultAt: '2026-11-20T09:30:00.000Z',
      actAttempts: 1,
      notice: 'pending',
      sentAt: '2026-11-20T09:30:00.000Z',
      messageId: 'msg-1',
      episode: '2026-11-20T09:30:00.000Z',
      correlationId: 'event-1',
    });
    expect(objects[1]).toMatchObject({ name: 'Half-Done', result: null, resultType: 'in doubt', notice: null });
    expect(objects[3]).toEqual({
      type: 'summary',
      table: TABLE,
      since: '2026-11-15T00:00:00.000Z',
      fromDay: '2026-11-15',
      toDay: '2026-11-22',
      days: 8,
      records: 3,
      actions: { stop: 2, delete: 1 },
      results: { denied: 1, 'in doubt': 1, done: 1 },
      notices: { pending: 1, 'not recorded': 1, none: 1 },
      complete: true,
    });
  });

  test('nothing recorded: a line that says so, exit 0', async () => {
    const { code, stdout, stderr } = await run({ table: TABLE });
    expect({ code, stdout, stderr }).toEqual({ code: 0, stdout: `No records from 2026-11-15 to 2026-11-22 (8 days) in ${TABLE}.\n`, stderr: '' });
  });

  test('only remediation records are shown (another record type in the index is skipped)', async () => {
    ledgerDays({ '2026-11-22': [{ ...DELETED, type: 'notice' } as unknown as RemediationRecord, DELETED] });
    const { stdout } = await run({ json: true, table: TABLE });
    expect(ndjson(stdout).map((object) => object.type)).toEqual(['remediation', 'summary']);
  });
});

describe('history formatting', () => {
  test.each<[string, RemediationRecord, string, string]>([
    ['done', STOPPED, 'done', 'done'],
    ['done by an earlier attempt', record('a', '2026-11-20T00:00:00Z', { result: { type: 'done', byEarlierAttempt: true } }), 'done (by an earlier attempt)', 'done'],
    ['wrong state', record('a', '2026-11-20T00:00:00Z', { result: { type: 'wrong-state', status: 'Pending' } }), 'wrong-state (Pending)', 'wrong-state'],
    ['wrong state, status unknown', record('a', '2026-11-20T00:00:00Z', { result: { type: 'wrong-state' } }), 'wrong-state', 'wrong-state'],
    ['gone', record('a', '2026-11-20T00:00:00Z', { result: { type: 'gone' } }), 'gone', 'gone'],
    ['denied', DENIED, 'denied (AccessDeniedException, sagemaker:StopNotebookInstance)', 'denied'],
    ['reported', record('a', '2026-11-20T00:00:00Z', { action: 'report', result: { type: 'reported' } }), 'reported', 'reported'],
    ['an action without a result: in doubt', DOUBTFUL, 'in doubt', 'in doubt'],
    ['a report without a result: never in doubt', record('a', '2026-11-20T00:00:00Z', { action: 'report', result: undefined }), 'no result', 'no result'],
  ])('result of %s', (_name, value, label, type) => {
    expect(resultLabel(value)).toBe(label);
    expect(resultType(value)).toBe(type);
  });

  test('times to the second', () => {
    expect(timeLabel('2026-11-20T09:30:00.123Z')).toBe('2026-11-20T09:30:00Z');
    expect(timeLabel('2026-11-20T09:30:00Z')).toBe('2026-11-20T09:30:00Z');
    expect(timeLabel('yesterday')).toBe('yesterday');
  });

  test('a row: one control per line, the result split where it wraps, "-" for no controls or no notice yet', () => {
    expect(historyRow(DENIED)).toEqual([
      '2026-11-20T09:30:00Z',
      'notebook-instance',
      'Locked-Down',
      '123456789012',
      'us-east-1',
      'notebook-instance.direct-internet-access\nnotebook-instance.root-access',
      'stop',
      'denied\n(AccessDeniedException,\nsagemaker:StopNotebookInstance)',
      'pending',
    ]);
    expect(historyRow({ ...DOUBTFUL, controls: [] }).slice(5)).toEqual(['-', 'stop', 'in doubt', '-']);
  });

  test('the layout: fixed columns, the name gets what is left within bounds', () => {
    expect(historyLayout(200).colWidths).toEqual([22, 19, 35, 14, 16, 42, 8, 34, 9]);
    expect(historyLayout(220).colWidths[2]).toBe(55);
    expect(historyLayout(400).colWidths[2]).toBe(65);
    expect(historyLayout(80).colWidths[2]).toBe(18);
  });

  test('json drops the lease and the stored notice', () => {
    const object = JSON.parse(historyJson(STOPPED)) as Record<string, unknown>;
    for (const key of ['holder', 'leaseUntil', 'storedNotice', 'pk', 'sk', 'expiresAt', 'noticePending']) expect(object).not.toHaveProperty(key);
  });

  test('the summary line', () => {
    const tally = new HistoryTally();
    const days = daysBetween(new Date('2026-11-22T00:00:00Z'), NOW);
    expect(historySummaryLine(tally.summary({ table: 't', since: new Date('2026-11-22T00:00:00Z'), days }))).toBe('No records from 2026-11-22 to 2026-11-22 (1 day) in t.');
    for (const value of [STOPPED, DENIED, DELETED]) tally.add(value);
    expect(historySummaryLine(tally.summary({ table: 't', since: new Date('2026-11-22T00:00:00Z'), days }))).toBe(
      '3 records from 2026-11-22 to 2026-11-22 (1 day) in t: 2 stop, 1 delete; results: 2 done, 1 denied; notices: 1 sent, 1 pending, 1 none',
    );
  });

  test('days: across a month and a year, and a time on the last day', () => {
    expect(daysBetween(new Date('2026-12-30T18:00:00Z'), new Date('2027-01-02T00:00:01Z'))).toEqual(['2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02']);
    expect(daysBetween(new Date('2026-11-22T11:00:00Z'), NOW)).toEqual(['2026-11-22']);
    expect(daysBetween(new Date('2024-02-28T00:00:00Z'), new Date('2024-03-01T00:00:00Z'))).toEqual(['2024-02-28', '2024-02-29', '2024-03-01']);
  });
});
