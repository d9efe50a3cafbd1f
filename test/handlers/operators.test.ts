/** The guard's own functions: the resend function (the ledger's outbox) and the switch watcher. */
import { PublishCommand } from '@aws-sdk/client-sns';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { Ledger } from '../../lambda/aws/ledger';
import { makeResendHandler } from '../../lambda/handlers/resend';
import { MalformedSwitchEventError, makeSwitchWatchHandler } from '../../lambda/handlers/switch-watch';
import { noticeRecord } from '../../lambda/pipeline/deliver';
import { settings } from '../fixtures/resources';
import { LEDGER_TABLE, named, NOW, publishedNotice, resetMocks, setSwitch, snsMock, ssmMock, SWITCH_PARAMETER, table, TOPIC_ARN } from './harness';

const runtime = { settings: settings(), topicArn: TOPIC_ARN, region: 'us-east-1', account: '123456789012', switchParameter: SWITCH_PARAMETER, ledger: new Ledger(LEDGER_TABLE), now: () => NOW };
const later = { ...runtime, now: () => new Date(NOW.getTime() + 10 * 60_000) };

beforeEach(resetMocks);

/** A notice owed in the ledger, as a failed publish leaves it (held by a responder whose lease has run out). */
function owe(sk: string, subject: string): void {
  const record = noticeRecord({ pk: 'resource#x', sk }, 'test', { subject, message: `${subject} body`, attributes: { kind: 'model', action: 'deleted' } }, 'responder-1', NOW);
  table.items.set(JSON.stringify(['resource#x', sk]), { ...record, leaseUntil: NOW.getTime() + 60_000 });
}

describe('resend function: the outbox', () => {
  test('sends every owed notice once, exactly as stored, and empties the outbox', async () => {
    owe('a', 'first');
    owe('b', 'second');
    const handler = makeResendHandler(later);
    await expect(handler({}, { awsRequestId: 'r1' })).resolves.toEqual({ sent: 2, failed: 0, busy: 0 });
    expect(snsMock.commandCalls(PublishCommand).map((call) => call.args[0].input.Subject)).toEqual(['first', 'second']);
    expect(publishedNotice(0).message).toBe('first body');
    await expect(handler({}, { awsRequestId: 'r2' })).resolves.toEqual({ sent: 0, failed: 0, busy: 0 });
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 2);
  });

  test('an outage: the notice stays owed, is counted as failed, and goes out once SNS is back', async () => {
    owe('a', 'first');
    snsMock.on(PublishCommand).rejects(named('InternalErrorException', 'SNS down'));
    const handler = makeResendHandler(later);
    await expect(handler({}, { awsRequestId: 'r1' })).resolves.toEqual({ sent: 0, failed: 1, busy: 0 });
    snsMock.on(PublishCommand).resolves({ MessageId: 'back' });
    // The failed run released the record, so the next run sends it.
    await expect(handler({}, { awsRequestId: 'r2' })).resolves.toEqual({ sent: 1, failed: 0, busy: 0 });
    await expect(handler({}, { awsRequestId: 'r3' })).resolves.toEqual({ sent: 0, failed: 0, busy: 0 });
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 2);
    expect(table.all().filter((item) => item.notice === 'pending')).toHaveLength(0);
  });

  test('a notice held by a live responder is left to it', async () => {
    owe('a', 'first');
    await expect(makeResendHandler(runtime)({}, { awsRequestId: 'r1' })).resolves.toEqual({ sent: 0, failed: 0, busy: 1 });
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });

  test('stops before the function times out', async () => {
    owe('a', 'first');
    await expect(makeResendHandler(later)({}, { awsRequestId: 'r1', getRemainingTimeInMillis: () => 5_000 })).resolves.toEqual({ sent: 0, failed: 0, busy: 0 });
  });
});

describe('switch watcher', () => {
  const change = (operation: string, id = 'evt-1') => ({
    id,
    source: 'aws.ssm',
    'detail-type': 'Parameter Store Change',
    account: '123456789012',
    region: 'us-east-1',
    time: '2026-11-22T12:00:00Z',
    detail: { name: SWITCH_PARAMETER, operation, type: 'String' },
  });

  test.each<[string, string, () => void, RegExp, string]>([
    ['set to report', 'Update', () => { setSwitch('report'); }, /now only REPORTS/, 'high'],
    ['set back to policy', 'Update', () => { setSwitch('policy'); }, /follows the policy/, 'medium'],
    ['deleted', 'Delete', () => ssmMock.on(GetParameterCommand).rejects(named('ParameterNotFound', 'not found')), /does not exist \(deleted\?\): the guard fails safe and enforces the policy/, 'medium'],
    ['given a bad value', 'Update', () => { setSwitch('off'); }, /holds "off", not one of policy, report: the guard fails safe/, 'medium'],
  ])('the switch %s: the operators are told the new value and what it means', async (_title, operation, arrange, meaning, severity) => {
    arrange();
    await expect(makeSwitchWatchHandler(runtime)(change(operation))).resolves.toBe('sent');
    const notice = publishedNotice();
    expect(notice.subject).toContain(`Enforcement switch ${operation}`);
    expect(notice.message).toMatch(meaning);
    expect(notice.attributes).toEqual({ kind: 'guard', action: 'switch-changed', severity, account: '123456789012', region: 'us-east-1' });
  });

  test('reads the value just written, not a cached one', async () => {
    setSwitch('policy');
    const handler = makeSwitchWatchHandler(runtime);
    await handler(change('Update', 'e1'));
    setSwitch('report');
    await handler(change('Update', 'e2'));
    expect(publishedNotice(1).message).toMatch(/now only REPORTS/);
  });

  test('a retried change event sends no second notice', async () => {
    setSwitch('report');
    const handler = makeSwitchWatchHandler(runtime);
    await handler(change('Update'));
    await expect(handler(change('Update'))).resolves.toBe('already-sent');
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  test('a malformed event is an error naming the field (it is dead-lettered)', async () => {
    await expect(makeSwitchWatchHandler(runtime)({ ...change('Update'), detail: { operation: 'Update' } })).rejects.toThrow(MalformedSwitchEventError);
    await expect(makeSwitchWatchHandler(runtime)({ ...change('Update'), detail: { operation: 'Update' } })).rejects.toThrow('detail.name');
  });
});
