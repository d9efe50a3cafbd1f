/**
 * One shard's task (lambda/sweep/shard.ts) in a hub: it enters the shard's account through the member role, lists and
 * acts there with that account's credentials, and ends as unreachable (not failed, not clean) when the role cannot be
 * assumed. A single-account guard refuses a shard of another account instead of sweeping it with its own clients.
 */
import { DescribeModelCommand, ListModelsCommand, ListTagsCommand, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import { MemberAccounts, type CredentialsProvider } from '../../lambda/aws/accounts';
import { Ledger } from '../../lambda/aws/ledger';
import { startOf, sweepShard } from '../../lambda/sweep/shard';
import type { Runtime } from '../../lambda/pipeline/handle';
import { model, settings } from '../fixtures/resources';
import { LEDGER_TABLE, named, NOW, resetMocks, sageMakerMock, TOPIC_ARN } from '../handlers/harness';

const HOME = '123456789012';
const MEMBER = '222233334444';
// Report only: what is listed and described, and with which credentials, is what these tests are about.
const options = { handle: { act: false, notify: false }, concurrency: 4, correlationId: 'run-1', maxPages: 5, shouldStop: () => false };

function hub(fail?: Error): Runtime {
  const assume = (roleArn: string): CredentialsProvider => () =>
    fail !== undefined ? Promise.reject(fail) : Promise.resolve({ accessKeyId: `AKID${roleArn.split(':')[4] ?? ''}`, secretAccessKey: 's', expiration: new Date(Date.now() + 3_600_000) });
  return {
    settings: settings(),
    topicArn: TOPIC_ARN,
    region: 'us-east-1',
    account: HOME,
    ledger: new Ledger(LEDGER_TABLE),
    now: () => NOW,
    accounts: new MemberAccounts({ homeAccount: HOME, homeRegion: 'us-east-1', memberRoleName: 'SageMakerGuard-member', assume }),
  };
}

async function accessKeyOf(client: unknown): Promise<string> {
  return (await (client as SageMakerClient).config.credentials()).accessKeyId;
}

beforeEach(() => {
  resetMocks();
  sageMakerMock.on(ListTagsCommand).resolves({ Tags: [] });
});

describe('a shard in a member account', () => {
  test('is listed and described with the member account\'s credentials, in the shard\'s region', async () => {
    sageMakerMock.on(ListModelsCommand).resolves({ Models: [{ ModelName: 'm' } as never] });
    sageMakerMock.on(DescribeModelCommand).resolves(model({ ModelName: 'm', ModelArn: `arn:aws:sagemaker:eu-west-1:${MEMBER}:model/m` }));
    const progress = await sweepShard(startOf({ account: MEMBER, region: 'eu-west-1', kind: 'model' }), options, hub());
    expect(progress).toMatchObject({ done: true, pages: 1, tasks: 1, tally: { checked: 1 } });
    for (const call of [...sageMakerMock.commandCalls(ListModelsCommand), ...sageMakerMock.commandCalls(DescribeModelCommand)]) {
      const client = call.thisValue as SageMakerClient;
      await expect(accessKeyOf(client)).resolves.toBe(`AKID${MEMBER}`);
      await expect(client.config.region()).resolves.toBe('eu-west-1');
    }
  });

  test('whose member role cannot be assumed ends as unreachable, naming the role and the reason; nothing is listed', async () => {
    const progress = await sweepShard(startOf({ account: MEMBER, region: 'us-east-1', kind: 'model' }), options, hub(named('AccessDenied', 'not authorized to perform sts:AssumeRole')));
    expect(progress).toMatchObject({
      done: true,
      tasks: 1,
      tally: { checked: 0 },
      unreachable: { roleArn: `arn:aws:iam::${MEMBER}:role/SageMakerGuard-member`, error: 'AccessDenied: not authorized to perform sts:AssumeRole' },
    });
    expect(sageMakerMock).not.toHaveReceivedCommand(ListModelsCommand);
  });

  test.each([
    ['STS throttled', named('Throttling', 'Rate exceeded')],
    ['the network', named('TimeoutError', 'socket hang up')],
  ])('a passing fault when entering the account (%s) is thrown to be retried, not reported as a missing role', async (_name, fault) => {
    await expect(sweepShard(startOf({ account: MEMBER, region: 'us-east-1', kind: 'model' }), options, hub(fault))).rejects.toThrow(/cannot assume/);
    expect(sageMakerMock).not.toHaveReceivedCommand(ListModelsCommand);
  });

  test('past the run\'s deadline a task lists nothing and hands the cursor back; before it, it stops after the page that crossed it', async () => {
    const start = { ...startOf({ account: MEMBER, region: 'us-east-1', kind: 'model' as const }), cursor: 'c-7' };
    await expect(sweepShard(start, { ...options, deadline: new Date(NOW.getTime() - 1), now: () => NOW }, hub())).resolves.toEqual({ ...start, handBack: true });
    expect(sageMakerMock).not.toHaveReceivedCommand(ListModelsCommand);

    let clock = NOW.getTime();
    sageMakerMock.on(ListModelsCommand).callsFake(() => {
      clock += 60_000;
      return { Models: [{ ModelName: 'm' }], NextToken: 'more' };
    });
    sageMakerMock.on(DescribeModelCommand).resolves(model({ ModelName: 'm' }));
    const crossed = await sweepShard(startOf({ account: MEMBER, region: 'us-east-1', kind: 'model' }), { ...options, deadline: new Date(NOW.getTime() + 30_000), now: () => new Date(clock) }, hub());
    expect(crossed).toMatchObject({ done: false, cursor: 'more', pages: 1, handBack: true });
  });

  test('a listing error is thrown for the state machine (retry, then a failed shard), not swallowed as a clean shard', async () => {
    sageMakerMock.on(ListModelsCommand).rejects(named('ThrottlingException', 'Rate exceeded'));
    await expect(sweepShard(startOf({ account: MEMBER, region: 'us-east-1', kind: 'model' }), options, hub())).rejects.toThrow('Rate exceeded');
  });
});

describe('a single-account guard', () => {
  const single: Runtime = { settings: settings(), topicArn: TOPIC_ARN, region: 'us-east-1', account: HOME, ledger: new Ledger(LEDGER_TABLE), now: () => NOW };

  test.each([
    [{ account: MEMBER, region: 'us-east-1' }, 'the sweep was asked for account 222233334444 in us-east-1, but this guard runs in 123456789012 in us-east-1 without a member role'],
    [{ account: HOME, region: 'eu-west-1' }, 'the sweep was asked for account 123456789012 in eu-west-1, but this guard runs in 123456789012 in us-east-1 without a member role'],
  ])('refuses a shard of %j rather than sweep it with its own clients', async (target, message) => {
    await expect(sweepShard(startOf({ ...target, kind: 'model' }), options, single)).rejects.toThrow(message);
    expect(sageMakerMock).not.toHaveReceivedCommand(ListModelsCommand);
  });
});
