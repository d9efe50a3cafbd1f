import { DescribeTrainingJobCommand, ListTagsCommand, StopTrainingJobCommand, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import { PublishCommand } from '@aws-sdk/client-sns';
import { ForeignAccountError, MemberAccessError, MemberAccounts, memberAccountsFromEnv, type CredentialsProvider } from '../../lambda/aws/accounts';
import { sageMaker, withClients } from '../../lambda/aws/clients';
import { trainingJob } from '../fixtures/resources';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { event, handlerFor, named, resetMocks, sageMakerMock, snsMock, ssmMock } from './harness';

/**
 * An organization deployment: the hub's responder gets an event of a member account, assumes that account's role,
 * and acts there with its credentials. The SDK is mocked (aws-sdk-client-mock stubs every client's send), so which
 * credentials a call went out with is read from the client it was sent by.
 */
const HOME = '123456789012';
const MEMBER = '222233334444';
const ROLE = 'sagemaker-guard-member';
const NAME = 'member-job';
const ARN = `arn:aws:sagemaker:us-east-1:${MEMBER}:training-job/${NAME}`;

/** The assume function a test gives: records each role it assumes, and answers with credentials named after the account. */
function assumer(fail?: Error) {
  const assumed: { roleArn: string; region: string; sessionName: string }[] = [];
  const assume = (roleArn: string, region: string, sessionName: string): CredentialsProvider => {
    assumed.push({ roleArn, region, sessionName });
    return () => (fail !== undefined ? Promise.reject(fail) : Promise.resolve({ accessKeyId: `AKID${roleArn.split(':')[4] ?? ''}`, secretAccessKey: 'secret', expiration: new Date(Date.now() + 3_600_000) }));
  };
  return { assume, assumed };
}

/** `null`: a single-account guard, no member role. */
const accountsWith = (assume: ReturnType<typeof assumer>['assume'], memberRoleName: string | null = ROLE) =>
  new MemberAccounts({ homeAccount: HOME, homeRegion: 'us-east-1', ...(memberRoleName !== null ? { memberRoleName } : {}), assume });

/** The member's event: the sample, with the member account and its job. */
function memberEvent(account = MEMBER) {
  const sample = event('variants/training-job.in-progress.json') as unknown as { detail: Record<string, unknown> };
  return { ...sample, account, detail: { ...sample.detail, TrainingJobName: NAME, TrainingJobArn: ARN } } as unknown as ReturnType<typeof event>;
}

async function accessKeyOf(client: SageMakerClient): Promise<string> {
  const credentials = await client.config.credentials();
  return credentials.accessKeyId;
}

beforeEach(resetMocks);

describe('MemberAccounts', () => {
  test('the function\'s own account and region: no clients of its own, nothing assumed', async () => {
    const { assume, assumed } = assumer();
    await expect(accountsWith(assume).clientsFor({ account: HOME, region: 'us-east-1' })).resolves.toBeUndefined();
    expect(assumed).toEqual([]);
  });

  test('its own account in another region: clients of that region, with its own credentials', async () => {
    const { assume, assumed } = assumer();
    const clients = await accountsWith(assume).clientsFor({ account: HOME, region: 'eu-west-1' });
    await expect(clients?.sageMaker.config.region()).resolves.toBe('eu-west-1');
    expect(assumed).toEqual([]);
  });

  test('a member account: its role assumed once, the credentials shared by its SageMaker and EC2 clients and cached', async () => {
    const { assume, assumed } = assumer();
    const accounts = accountsWith(assume);
    const first = await accounts.clientsFor({ account: MEMBER, region: 'eu-west-1' });
    const again = await accounts.clientsFor({ account: MEMBER, region: 'eu-west-1' });
    expect(again).toBe(first);
    // STS is called in the hub's own region, always enabled for it (a member's region may be opt-in).
    expect(assumed).toEqual([{ roleArn: `arn:aws:iam::${MEMBER}:role/${ROLE}`, region: 'us-east-1', sessionName: 'sagemaker-guard' }]);
    await expect(accessKeyOf(first!.sageMaker)).resolves.toBe(`AKID${MEMBER}`);
    await expect(first!.ec2.config.credentials()).resolves.toMatchObject({ accessKeyId: `AKID${MEMBER}` });
    await expect(first!.sageMaker.config.region()).resolves.toBe('eu-west-1');
  });

  test('a role that cannot be assumed: a MemberAccessError naming the account, role and cause; not cached', async () => {
    const { assume, assumed } = assumer(named('AccessDenied', 'User: arn:aws:sts::123456789012:assumed-role/hub/x is not authorized to perform: sts:AssumeRole'));
    const accounts = accountsWith(assume);
    const attempt = accounts.clientsFor({ account: MEMBER, region: 'us-east-1' });
    await expect(attempt).rejects.toThrow(MemberAccessError);
    await expect(attempt).rejects.toThrow(`cannot assume arn:aws:iam::${MEMBER}:role/${ROLE} to reach account ${MEMBER} in us-east-1 (AccessDenied: User:`);
    await expect(accounts.clientsFor({ account: MEMBER, region: 'us-east-1' })).rejects.toThrow(MemberAccessError);
    expect(assumed).toHaveLength(2);
  });

  test('a single-account guard refuses another account\'s event instead of looking in its own', async () => {
    const { assume } = assumer();
    await expect(accountsWith(assume, null).clientsFor({ account: MEMBER, region: 'us-east-1' })).rejects.toThrow(ForeignAccountError);
    await expect(accountsWith(assume, null).clientsFor({ account: MEMBER, region: 'us-east-1' })).rejects.toThrow(`the event is about account ${MEMBER}, but this guard runs in ${HOME}`);
  });

  test('from the environment: the member role of an organization deployment; none for a single-account guard', () => {
    const home = { account: HOME, region: 'cn-north-1', partition: 'aws-cn' };
    expect(memberAccountsFromEnv({ GUARD_MEMBER_ROLE_NAME: 'sagemaker-guard-member' }, home)?.roleArnOf(MEMBER)).toBe(`arn:aws-cn:iam::${MEMBER}:role/sagemaker-guard-member`);
    expect(memberAccountsFromEnv({ GUARD_MEMBER_ROLE_NAME: '' }, home)).toBeUndefined();
    expect(memberAccountsFromEnv({}, home)).toBeUndefined();
  });

  test.each([
    ['<hostingAccountId>', 'us-east-1'],
    ['22223333444', 'us-east-1'],
    [MEMBER, 'us-east-1.evil.example'],
  ])('an event naming account %j in %j is refused before any role is assumed', async (account, region) => {
    const { assume, assumed } = assumer();
    await expect(accountsWith(assume).clientsFor({ account, region })).rejects.toThrow('expected a 12-digit account id and a region name');
    expect(assumed).toEqual([]);
  });

  test('credentials that can no longer be had (the role removed since): a MemberAccessError at the next event, and the clients dropped', async () => {
    let refuse = false;
    const assume = (): CredentialsProvider => () =>
      refuse ? Promise.reject(named('AccessDenied', 'not authorized')) : Promise.resolve({ accessKeyId: 'AKIDMEMBER', secretAccessKey: 's', expiration: new Date(Date.now() + 1_000) });
    const accounts = accountsWith(assume);
    const first = await accounts.clientsFor({ account: MEMBER, region: 'us-east-1' });
    refuse = true;
    // Expiring within the SDK's 5-minute window, the credentials are fetched again, and refused.
    await expect(accounts.clientsFor({ account: MEMBER, region: 'us-east-1' })).rejects.toThrow(MemberAccessError);
    refuse = false;
    const again = await accounts.clientsFor({ account: MEMBER, region: 'us-east-1' });
    expect(again).not.toBe(first);
  });

  test('a malformed role name fails at cold start, naming the variable', () => {
    expect(() => memberAccountsFromEnv({ GUARD_MEMBER_ROLE_NAME: 'role/with/path' }, { account: HOME, region: 'us-east-1', partition: 'aws' })).toThrow(
      'Environment variable GUARD_MEMBER_ROLE_NAME must be an IAM role name (1 to 64 of letters, digits and +=,.@_-; given: "role/with/path")',
    );
  });

  test('withClients scopes the clients to one call chain: concurrent work on two accounts does not mix', async () => {
    const { assume } = assumer();
    const accounts = accountsWith(assume);
    const member = (await accounts.clientsFor({ account: MEMBER, region: 'us-east-1' }))!;
    const other = (await accounts.clientsFor({ account: '333344445555', region: 'us-east-1' }))!;
    const keys = await Promise.all([
      withClients(member, async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return accessKeyOf(sageMaker());
      }),
      withClients(other, async () => accessKeyOf(sageMaker())),
    ]);
    expect(keys).toEqual([`AKID${MEMBER}`, 'AKID333344445555']);
    expect(sageMaker()).not.toBe(member.sageMaker);
  });
});

describe('the responder in an organization deployment', () => {
  const describeMemberJob = () => {
    sageMakerMock.on(DescribeTrainingJobCommand, { TrainingJobName: NAME }).resolves(trainingJob({ TrainingJobName: NAME, TrainingJobArn: ARN, EnableNetworkIsolation: false }));
    sageMakerMock.on(ListTagsCommand).resolves({ Tags: [] });
  };

  test('a member account\'s job: described, tagged and stopped with the member role\'s credentials; the notice names the account', async () => {
    describeMemberJob();
    const { assume, assumed } = assumer();
    const result = await handlerFor('training-job', {}, { accounts: accountsWith(assume) })(memberEvent());
    expect(result).toMatchObject({ decision: 'remediate', actionResult: { type: 'done' }, notified: true });
    expect(assumed.map((entry) => entry.roleArn)).toEqual([`arn:aws:iam::${MEMBER}:role/${ROLE}`]);
    const calls = sageMakerMock.calls();
    expect(calls.map((call) => (call.args[0] as { constructor: { name: string } }).constructor.name)).toContain('StopTrainingJobCommand');
    for (const call of calls) await expect(accessKeyOf(call.thisValue as SageMakerClient)).resolves.toBe(`AKID${MEMBER}`);
    expect(sageMakerMock).toHaveReceivedCommandWith(StopTrainingJobCommand, { TrainingJobName: NAME });
    const notice = snsMock.commandCalls(PublishCommand).map((call) => call.args[0].input).find((input) => input.Subject?.includes(NAME));
    expect(notice?.Message).toContain(`Account:  ${MEMBER}`);
    expect(notice?.MessageAttributes?.account.StringValue).toBe(MEMBER);
  });

  test('a member account whose role is missing: an operator notice, the invocation fails (retried, then dead-lettered), nothing described', async () => {
    describeMemberJob();
    const { assume } = assumer(named('AccessDenied', 'not authorized to perform: sts:AssumeRole'));
    const handler = handlerFor('training-job', {}, { accounts: accountsWith(assume) });
    await expect(handler(memberEvent())).rejects.toThrow(MemberAccessError);
    expect(sageMakerMock.calls()).toHaveLength(0);
    const notices = snsMock.commandCalls(PublishCommand).map((call) => call.args[0].input);
    expect(notices).toHaveLength(1);
    expect(notices[0]?.Subject).toBe(`[sagemaker-guard] Cannot reach account ${MEMBER} us-east-1: nothing there is checked`);
    expect(notices[0]?.Message).toContain(`could not assume arn:aws:iam::${MEMBER}:role/${ROLE} to check training job ${NAME}: AccessDenied: not authorized`);
    expect(notices[0]?.MessageAttributes?.action?.StringValue).toBe('member-unreachable');
    // The same hour again: the event fails again, the operators are not told twice.
    await expect(handler(memberEvent())).rejects.toThrow(MemberAccessError);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(1);
  });

  test('the notice of a member account failing does not hide the failure when the topic is down too', async () => {
    describeMemberJob();
    snsMock.on(PublishCommand).rejects(named('KMSAccessDeniedException', 'the topic key is disabled'));
    const { assume } = assumer(named('AccessDenied', 'not authorized'));
    await expect(handlerFor('training-job', {}, { accounts: accountsWith(assume) })(memberEvent())).rejects.toThrow(MemberAccessError);
  });

  test('a single-account guard given another account\'s event fails it, never looks for the name in its own account', async () => {
    describeMemberJob();
    const { assume } = assumer();
    await expect(handlerFor('training-job', {}, { accounts: accountsWith(assume, null) })(memberEvent())).rejects.toThrow(ForeignAccountError);
    expect(sageMakerMock.calls()).toHaveLength(0);
  });

  test('a switch the hub cannot read: the notice names the hub\'s account and region, where the switch lives, not the member\'s', async () => {
    describeMemberJob();
    ssmMock.on(GetParameterCommand).rejects(Object.assign(new Error('Parameter not found.'), { name: 'ParameterNotFound' }));
    const { assume } = assumer();
    await handlerFor('training-job', {}, { accounts: accountsWith(assume) })(memberEvent());
    const alert = snsMock.commandCalls(PublishCommand).map((call) => call.args[0].input).find((input) => input.MessageAttributes?.action.StringValue === 'switch-fallback');
    expect(alert?.Subject).toBe(`[sagemaker-guard] Enforcement switch unreadable in ${HOME} us-east-1: enforcing the policy`);
    expect(alert?.MessageAttributes?.account.StringValue).toBe(HOME);
  });

  test('the function\'s own account: its own clients, nothing assumed', async () => {
    describeMemberJob();
    const { assume, assumed } = assumer();
    await handlerFor('training-job', {}, { accounts: accountsWith(assume) })(memberEvent(HOME));
    expect(assumed).toEqual([]);
    for (const call of sageMakerMock.calls()) expect(call.thisValue).toBe(sageMaker());
  });
});
