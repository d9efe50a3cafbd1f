/**
 * The audit's reach into other accounts (--role-name): which accounts (given, or the organization's active ones,
 * listed with AWS Organizations), and clients for each account and region through its member role, assumed with
 * the caller's credentials (lambda/aws/accounts.ts, as the hub's responders do). The caller's own account is
 * audited with its own credentials: the StackSet puts no member role in the hub's account.
 */
import { OrganizationsClient, paginateListAccounts } from '@aws-sdk/client-organizations';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { MemberAccounts, type CredentialsProvider, type Target } from '../lambda/aws/accounts';
import { RETRY, type AccountClients } from '../lambda/aws/clients';
import { errorName } from '../lambda/aws/errors';
import { isActive } from '../lambda/aws/organization';
import type { MemberOptions } from './args';

/** What the audit needs to work in other accounts (injected, so tests need no STS). */
export interface MemberReach {
  /** The accounts to audit, in order: --accounts as given, or the organization's active accounts by id. */
  accounts(): Promise<readonly string[]>;
  /** Clients for one account and region; throws MemberAccessError when the account cannot be entered. */
  clientsFor(target: Target): Promise<AccountClients>;
  /** The role ARN the audit assumes in `account` (undefined for the caller's own account). */
  roleArnOf(account: string): string | undefined;
  destroy(): void;
}

/** Listing the organization's accounts failed: nothing can be audited, exit 2. */
export class AccountListError extends Error {
  override readonly name = 'AccountListError';
}

export { isActive };

export interface ReachClients {
  readonly sts: STSClient;
  readonly organizations: OrganizationsClient;
  readonly assume?: (roleArn: string, region: string, sessionName: string) => CredentialsProvider;
}

/** The real reach, from the caller's credentials; `region` is where STS and Organizations are called. */
export function memberReach(options: MemberOptions, region: string, given?: ReachClients): MemberReach {
  // Made on first use: without a region the audit stops (saying so) before it needs them, and an SDK client
  // without a region throws when it is made.
  let made: ReachClients | undefined = given;
  const clients = (): ReachClients => (made ??= defaultClients(region));
  let accounts: MemberAccounts | undefined;
  let home: string | undefined;
  let partition = 'aws';
  const members = async (): Promise<MemberAccounts> => {
    if (accounts !== undefined) return accounts;
    const identity = await clients().sts.send(new GetCallerIdentityCommand({}));
    home = identity.Account ?? '';
    partition = identity.Arn?.split(':')[1] ?? 'aws';
    // STS in `region`; MemberAccounts leaves the caller's own account in `region` to the caller (clientsFor below).
    accounts = new MemberAccounts({ homeAccount: home, homeRegion: region, memberRoleName: options.roleName, partition, sessionName: 'sagemaker-guard-audit', ...(given?.assume !== undefined ? { assume: given.assume } : {}) });
    return accounts;
  };
  const created: AccountClients[] = [];
  return {
    async accounts() {
      // Who the caller is, first: credentials that do not work fail here once, not as every account's AssumeRole.
      try {
        await members();
      } catch (error) {
        throw new AccountListError(`the caller's identity could not be read (sts:GetCallerIdentity: ${errorName(error)}: ${(error as Error).message}); check the credentials (--profile) and run again`);
      }
      if (options.accounts !== 'organization') return options.accounts;
      const ids: string[] = [];
      try {
        for await (const page of paginateListAccounts({ client: clients().organizations }, {})) {
          for (const account of page.Accounts ?? []) if (account.Id !== undefined && isActive(account)) ids.push(account.Id);
        }
      } catch (error) {
        throw new AccountListError(
          `--organization: the organization's accounts could not be listed (${errorName(error)}: ${(error as Error).message}); ` +
            'run it from the management account or a delegated administrator, with organizations:ListAccounts, or give --accounts',
        );
      }
      return ids.sort();
    },
    async clientsFor(target) {
      const reach = await members();
      // Undefined: the caller's own account in `region`, with its own credentials.
      const clients = (await reach.clientsFor(target)) ?? { sageMaker: new SageMakerClient({ ...RETRY, region }), ec2: new EC2Client({ ...RETRY, region }) };
      created.push(clients);
      return clients;
    },
    roleArnOf(account) {
      return account === home ? undefined : accounts?.roleArnOf(account);
    },
    destroy() {
      for (const { sageMaker, ec2 } of created) {
        sageMaker.destroy();
        ec2.destroy();
      }
      made?.sts.destroy();
      made?.organizations.destroy();
    },
  };
}

function defaultClients(region: string): ReachClients {
  return { sts: new STSClient({ ...RETRY, region }), organizations: new OrganizationsClient({ ...RETRY, region }) };
}
