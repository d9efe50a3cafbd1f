/**
 * Reaching the SageMaker resources of other accounts of an organization: the hub's functions (and the audit
 * command) assume each member account's role, and act there with its credentials. One set of clients per account
 * and region, cached for the container's life; the SDK keeps the assumed credentials until five minutes before
 * they expire and then assumes the role again, so a warm function calls STS about once an hour per account.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { errorName } from './errors';
import { RETRY, type AccountClients } from './clients';
import { MEMBER_ROLE_ENV } from '../core/settings';

/** What assuming a role gives: a provider the SDK calls (and memoizes) for credentials. */
export type CredentialsProvider = ReturnType<typeof fromTemporaryCredentials>;

export { MEMBER_ROLE_ENV };

/** IAM role names: 1 to 64 of letters, digits and + = , . @ _ - (the path is not part of it here). */
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

/** The member accounts' reach from the function's environment; a malformed role name fails at cold start. */
export function memberAccountsFromEnv(env: NodeJS.ProcessEnv, home: { account: string; region: string; partition: string }): MemberAccounts {
  const roleName = env[MEMBER_ROLE_ENV];
  if (roleName !== undefined && roleName !== '' && !ROLE_NAME.test(roleName)) {
    throw new Error(`Environment variable ${MEMBER_ROLE_ENV} must be an IAM role name (1 to 64 of letters, digits and +=,.@_-; given: ${JSON.stringify(roleName)})`);
  }
  return new MemberAccounts({
    homeAccount: home.account,
    homeRegion: home.region,
    partition: home.partition,
    ...(roleName !== undefined && roleName !== '' ? { memberRoleName: roleName } : {}),
  });
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
  ) {
    super(
      `cannot assume ${roleArn} to reach account ${target.account} in ${target.region} (${causeName}: ${causeMessage}); ` +
        'the member role is missing, or does not trust this function\'s role: check the guard\'s stack instance in that account',
    );
  }
}

/** Where a single-account guard meets an event of another account: nothing to assume, so nothing is done there. */
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

const defaultAssume = (roleArn: string, region: string, sessionName: string): CredentialsProvider =>
  fromTemporaryCredentials({ params: { RoleArn: roleArn, RoleSessionName: sessionName, DurationSeconds: 3600 }, clientConfig: { region, ...RETRY } });

export class MemberAccounts {
  private readonly cache = new Map<string, Promise<AccountClients>>();

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
    const key = `${target.account}/${target.region}`;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const created = this.create(target);
    this.cache.set(key, created);
    created.catch(() => this.cache.delete(key));
    return created;
  }

  private async create(target: Target): Promise<AccountClients> {
    const config = { ...RETRY, region: target.region };
    if (target.account === this.options.homeAccount) return { sageMaker: new SageMakerClient(config), ec2: new EC2Client(config) };
    const roleArn = this.roleArnOf(target.account);
    if (roleArn === undefined) throw new ForeignAccountError(target, this.options.homeAccount);
    const assume = this.options.assume ?? defaultAssume;
    const sageMaker = new SageMakerClient({ ...config, credentials: assume(roleArn, target.region, this.options.sessionName ?? 'sagemaker-guard') });
    try {
      // The client's memoized provider: what this call assumes, its later calls reuse.
      await sageMaker.config.credentials();
    } catch (error) {
      sageMaker.destroy();
      throw new MemberAccessError(target, roleArn, errorName(error), error instanceof Error ? error.message : String(error));
    }
    return { sageMaker, ec2: new EC2Client({ ...config, credentials: sageMaker.config.credentials }) };
  }
}
