import { AsyncLocalStorage } from 'node:async_hooks';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SNSClient } from '@aws-sdk/client-sns';

/**
 * The SDK clients. The responders use the SDK's standard retry strategy (throttling and transient errors,
 * exponential backoff with jitter, five attempts: well inside the function timeout). The sweep and the audit
 * command set the SDK's own AWS_RETRY_MODE=adaptive, which also rate-limits the client when it is throttled, so
 * a large sweep slows down instead of failing.
 */
export const RETRY =
  process.env.AWS_RETRY_MODE === 'adaptive' ? ({ maxAttempts: 10, retryMode: 'adaptive' } as const) : ({ maxAttempts: 5, retryMode: 'standard' } as const);

/** The clients that read and act on one account and region's SageMaker resources. */
export interface AccountClients {
  readonly sageMaker: SageMakerClient;
  readonly ec2: EC2Client;
}

/** The function's own account and region, with its own credentials; created once per container. */
let home: AccountClients = { sageMaker: new SageMakerClient(RETRY), ec2: new EC2Client(RETRY) };
/** Notices always go to the guard's own topic, from its own account. `let`: useRegion swaps it (live binding). */
export let sns = new SNSClient(RETRY);

/**
 * Which account and region the work in progress is about. AsyncLocalStorage keeps it per asynchronous call
 * chain, so the sweep and the audit can work on several accounts at once without one's calls reaching another.
 */
const target = new AsyncLocalStorage<AccountClients>();

/** The SageMaker client of the account and region the current work is about (withClients), else the function's own. */
export const sageMaker = (): SageMakerClient => (target.getStore() ?? home).sageMaker;
/** The EC2 client, likewise. */
export const ec2 = (): EC2Client => (target.getStore() ?? home).ec2;

/** Runs `work` with `clients` as the ones sageMaker() and ec2() give, for every call it makes (awaited or not). */
export function withClients<T>(clients: AccountClients, work: () => Promise<T>): Promise<T> {
  return target.run(clients, work);
}

/**
 * Replaces the function's own clients with new ones for `region` (the audit command, one region after another).
 * The Lambdas never call it: their clients keep the function's region. Returns the new clients.
 */
export function useRegion(region: string): { readonly sageMaker: SageMakerClient; readonly ec2: EC2Client; readonly sns: SNSClient } {
  for (const client of [home.sageMaker, home.ec2, sns]) client.destroy();
  home = { sageMaker: new SageMakerClient({ ...RETRY, region }), ec2: new EC2Client({ ...RETRY, region }) };
  sns = new SNSClient({ ...RETRY, region });
  return { ...home, sns };
}
