/**
 * Reaching the SageMaker resources of other accounts of an organization: the hub's responders assume each member
 * account's role, and act there with its credentials. One set of clients per account
 * and region, cached for the container's life; the SDK keeps the assumed credentials until five minutes before
 * they expire and then assumes the role again, so a warm function calls STS about once an hour per account.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { classifyError, errorName } from './errors';

/** STS errors that say the role cannot be had from here, beyond a denial (a disabled region, a token STS rejects). */
const LASTING_REFUSALS = new Set(['RegionDisabledException', 'InvalidClientTokenId', 'NoSuchEntity', 'NoSuchEntityException']);
import { RETRY, type AccountClients } from './clients';
import { ACCOUNT_ID, IAM_ROLE_NAME, REGION_NAME } from '../core/aws-names';
import { MEMBER_ROLE_ENV } from '../core/settings';

/** What assuming a role gives: a provider the SDK calls (and memoizes) for credentials. */
export type CredentialsProvider = ReturnType<typeof fromTemporaryCredentials>;


/**
 * The member accounts' reach from the function's environment: undefined for a single-account guard (no member role:
 * its rules are on its own account's bus, so every event is its own, and the Describe* ARN names the account of
 * record). A malformed role name fails at cold start.
 */
export function memberAccountsFromEnv(env: NodeJS.ProcessEnv, home: { account: string; region: string; partition: string }): MemberAccounts | undefined {
  const roleName = env[MEMBER_ROLE_ENV];
  if (roleName === undefined || roleName === '') return undefined;
  if (!IAM_ROLE_NAME.test(roleName)) {
    throw new Error(`Environment variable ${MEMBER_ROLE_ENV} must be an IAM role name (1 to 64 of letters, digits and +=,.@_-; given: ${JSON.stringify(roleName)})`);
  }
  return new MemberAccounts({ homeAccount: home.account, homeRegion: home.region, partition: home.partition, memberRoleName: roleName });
}


export interface Target {
  readonly account: string;
  readonly region: string;
}

/** The member role could not be assumed: missing, not trusting this function's role, or STS unreachable. */
export class MemberAccessError extends Error {
  override readonly name = 'MemberAccessError';
  constructor(
    readonly target: Target,
    readonly roleArn: string,
    readonly causeName: string,
    readonly causeMessage: string,
    /**
     * Whether STS refused (the role is missing, does not trust this function's role, or the region is disabled), as
     * opposed to a passing fault (throttling, the network): the sweep reports the first as unreachable, retries the second.
     */
    readonly refused = true,
  ) {
    super(
      `cannot assume ${roleArn} to reach account ${target.account} in ${target.region} (${causeName}: ${causeMessage}); ` +
        'the member role is missing, or does not trust this function\'s role: check the guard\'s stack instance in that account',
    );
  }
}

/** MemberAccounts without a member role, given another account: nothing to assume, so nothing is done there. */
export class ForeignAccountError extends Error {
  override readonly name = 'ForeignAccountError';
  constructor(readonly target: Target, readonly homeAccount: string) {
    super(`the event is about account ${target.account}, but this guard runs in ${homeAccount} and has no member role to assume (deploy it with the organization context to guard other accounts)`);
  }
}

export interface MemberAccountsOptions {
  /** The function's own account: its resources are reached with its own credentials. */
  readonly homeAccount: string;
  readonly homeRegion: string;
  /** The role each member account holds for the guard; undefined for a single-account guard. */
  readonly memberRoleName?: string;
  /** @default 'aws' */
  readonly partition?: string;
  /** Names the sessions in the member accounts' CloudTrail. @default 'sagemaker-guard' */
  readonly sessionName?: string;
  /** @default the SDK's fromTemporaryCredentials (STS AssumeRole with the function's own credentials) */
  readonly assume?: (roleArn: string, region: string, sessionName: string) => CredentialsProvider;
}

/** `region`: where STS is called, the hub's own (always enabled for it, unlike a member's opt-in regions). */
const defaultAssume = (roleArn: string, region: string, sessionName: string): CredentialsProvider =>
  fromTemporaryCredentials({ params: { RoleArn: roleArn, RoleSessionName: sessionName, DurationSeconds: 3600 }, clientConfig: { region, ...RETRY } });

export class MemberAccounts {
  private readonly cache = new Map<string, AccountClients>();

  constructor(private readonly options: MemberAccountsOptions) {}

  /** The role ARN assumed in `account`, or undefined when there is none to assume. */
  roleArnOf(account: string): string | undefined {
    if (this.options.memberRoleName === undefined) return undefined;
    return `arn:${this.options.partition ?? 'aws'}:iam::${account}:role/${this.options.memberRoleName}`;
  }

  /**
   * Clients for `target`, or undefined for the function's own account and region (its own clients serve it).
   * The member role is assumed now, so a missing or denied role is a MemberAccessError here, not a puzzling
   * AccessDenied from the first Describe; a failure is not cached, the next event tries again.
   * @throws MemberAccessError, ForeignAccountError
   */
  async clientsFor(target: Target): Promise<AccountClients | undefined> {
    const { homeAccount, homeRegion } = this.options;
    if (target.account === homeAccount && target.region === homeRegion) return undefined;
    // They become part of a role ARN and a client's endpoint: nothing but an account id and a region name.
    if (!ACCOUNT_ID.test(target.account) || !REGION_NAME.test(target.region)) {
      throw new Error(`the event names account ${JSON.stringify(target.account)} in region ${JSON.stringify(target.region)}: expected a 12-digit account id and a region name`);
    }
    const key = `${target.account}/${target.region}`;
    const clients = this.cache.get(key) ?? this.create(target);
    this.cache.set(key, clients);
    try {
      // The SDK memoizes the credentials and assumes the role again near their expiry: a role removed or no longer
      // trusting the hub fails here, at the start of the run, as the first assumption would.
      if (target.account !== homeAccount) await this.verified(target, clients);
      return clients;
    } catch (error) {
      this.cache.delete(key);
      throw error;
    }
  }

  private async verified(target: Target, clients: AccountClients): Promise<void> {
    try {
      await clients.sageMaker.config.credentials();
    } catch (error) {
      clients.sageMaker.destroy();
      clients.ec2.destroy();
      const name = errorName(error);
      const refused = classifyError(error).type === 'access-denied' || LASTING_REFUSALS.has(name);
      throw new MemberAccessError(target, this.roleArnOf(target.account) ?? '', name, error instanceof Error ? error.message : String(error), refused);
    }
  }

  private create(target: Target): AccountClients {
    const config = { ...RETRY, region: target.region };
    if (target.account === this.options.homeAccount) return { sageMaker: new SageMakerClient(config), ec2: new EC2Client(config) };
    const roleArn = this.roleArnOf(target.account);
    if (roleArn === undefined) throw new ForeignAccountError(target, this.options.homeAccount);
    const assume = this.options.assume ?? defaultAssume;
    // The client memoizes the provider: what the first call assumes (in clientsFor), later calls reuse until expiry.
    const sageMaker = new SageMakerClient({ ...config, credentials: assume(roleArn, this.options.homeRegion, this.options.sessionName ?? 'sagemaker-guard') });
    return { sageMaker, ec2: new EC2Client({ ...config, credentials: sageMaker.config.credentials }) };
  }
}
