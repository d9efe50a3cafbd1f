import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { MemberAccessError, type CredentialsProvider } from '../../lambda/aws/accounts';
import { AccountListError, isActive, memberReach } from '../../cli/members';

const HUB = '111122223333';
const MEMBER = '444455556666';
const stsMock = mockClient(STSClient);
const organizationsMock = mockClient(OrganizationsClient);

/** The regions STS was asked in: the hub's (an empty one fails with "Region is missing", as the integration test found). */
const stsRegions: string[] = [];

function reach(accounts: readonly string[] | 'organization', assume: (roleArn: string) => CredentialsProvider) {
  const sts = new STSClient({ region: 'us-east-1' });
  const organizations = new OrganizationsClient({ region: 'us-east-1' });
  return memberReach({ roleName: 'SageMakerGuard-member', accounts }, 'us-east-1', {
    sts,
    organizations,
    assume: (roleArn, region) => {
      stsRegions.push(region);
      return assume(roleArn);
    },
  });
}

const credentials = (): CredentialsProvider => () => Promise.resolve({ accessKeyId: 'AKIDMEMBER', secretAccessKey: 'secret', sessionToken: 'token' });

beforeEach(() => {
  stsRegions.length = 0;
  stsMock.reset();
  organizationsMock.reset();
  stsMock.on(GetCallerIdentityCommand).resolves({ Account: HUB, Arn: `arn:aws-us-gov:iam::${HUB}:user/auditor` });
});

describe('the audit\'s reach into other accounts', () => {
  test('a member account is entered through its member role, in the caller\'s partition; the caller\'s own account with its own credentials', async () => {
    const assumed: string[] = [];
    const members = reach([MEMBER, HUB], (roleArn) => {
      assumed.push(roleArn);
      return credentials();
    });
    const member = await members.clientsFor({ account: MEMBER, region: 'eu-west-1' });
    expect(await member.sageMaker.config.region()).toBe('eu-west-1');
    expect((await member.sageMaker.config.credentials()).accessKeyId).toBe('AKIDMEMBER');
    // The caller's own account, in the STS region and in another: its own credentials, no role.
    expect(await (await members.clientsFor({ account: HUB, region: 'us-east-1' })).sageMaker.config.region()).toBe('us-east-1');
    expect(await (await members.clientsFor({ account: HUB, region: 'eu-west-1' })).sageMaker.config.region()).toBe('eu-west-1');
    expect(stsRegions).toEqual(['us-east-1']);
    expect(assumed).toEqual([`arn:aws-us-gov:iam::${MEMBER}:role/SageMakerGuard-member`]);
    expect(members.roleArnOf(MEMBER)).toBe(`arn:aws-us-gov:iam::${MEMBER}:role/SageMakerGuard-member`);
    expect(members.roleArnOf(HUB)).toBeUndefined();
    expect(await members.accounts()).toEqual([MEMBER, HUB]);
    members.destroy();
  });

  test('a role that cannot be assumed is a MemberAccessError naming the account, the region and the role', async () => {
    const members = reach([MEMBER], () => () => Promise.reject(Object.assign(new Error(`User: arn:aws:iam::${HUB}:user/auditor is not authorized to perform: sts:AssumeRole`), { name: 'AccessDenied' })));
    const failure = members.clientsFor({ account: MEMBER, region: 'us-east-1' });
    await expect(failure).rejects.toThrow(MemberAccessError);
    await expect(failure).rejects.toThrow(`cannot assume arn:aws-us-gov:iam::${MEMBER}:role/SageMakerGuard-member to reach account ${MEMBER} in us-east-1 (AccessDenied: User:`);
    members.destroy();
  });

  test('--organization lists every page of the organization\'s accounts and keeps the active ones, by id', async () => {
    organizationsMock
      .on(ListAccountsCommand)
      .resolvesOnce({ Accounts: [{ Id: '999900001111', State: 'ACTIVE' }, { Id: '222200001111', State: 'SUSPENDED' }], NextToken: 'page-2' })
      .resolvesOnce({ Accounts: [{ Id: MEMBER, Status: 'ACTIVE' }, { Id: '333300001111', State: 'PENDING_CLOSURE', Status: 'ACTIVE' }, { Id: HUB, State: 'ACTIVE' }] });
    const members = reach('organization', credentials);
    expect(await members.accounts()).toEqual([HUB, MEMBER, '999900001111']);
    // The paginator reuses one input object, so only the count and the last token can be told.
    expect(organizationsMock.commandCalls(ListAccountsCommand)).toHaveLength(2);
    expect(organizationsMock.commandCalls(ListAccountsCommand).at(-1)?.args[0].input.NextToken).toBe('page-2');
    members.destroy();
  });

  test('an organization that cannot be listed is an error that says where to run it and what to give instead', async () => {
    organizationsMock.on(ListAccountsCommand).rejects(Object.assign(new Error('You don\'t have permissions to access this resource.'), { name: 'AccessDeniedException' }));
    const members = reach('organization', credentials);
    const failure = members.accounts();
    await expect(failure).rejects.toThrow(AccountListError);
    await expect(failure).rejects.toThrow(/could not be listed \(AccessDeniedException: You don't have permissions.*management account or a delegated administrator.*or give --accounts/);
    members.destroy();
  });

  test('credentials that do not work fail once, before any account, naming GetCallerIdentity', async () => {
    stsMock.on(GetCallerIdentityCommand).rejects(Object.assign(new Error('The security token included in the request is expired'), { name: 'ExpiredToken' }));
    const members = reach([MEMBER], credentials);
    await expect(members.accounts()).rejects.toThrow(/the caller's identity could not be read \(sts:GetCallerIdentity: ExpiredToken: The security token included in the request is expired\)/);
    members.destroy();
  });

  test.each([
    [{ State: 'ACTIVE' }, true],
    [{ State: 'SUSPENDED', Status: 'ACTIVE' }, false],
    [{ Status: 'ACTIVE' }, true],
    [{ Status: 'SUSPENDED' }, false],
    [{}, false],
  ] as const)('account %j is active: %s', (account, active) => {
    expect(isActive(account)).toBe(active);
  });
});
