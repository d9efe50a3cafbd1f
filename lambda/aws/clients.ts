import { EC2Client } from '@aws-sdk/client-ec2';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SNSClient } from '@aws-sdk/client-sns';

/**
 * One client per service, created once per container. The responders use the SDK's standard retry
 * strategy (throttling and transient errors, exponential backoff with jitter, five attempts: well inside
 * the function timeout). The sweep and the audit command set the SDK's own AWS_RETRY_MODE=adaptive, which
 * also rate-limits the client when it is throttled, so a large sweep slows down instead of failing.
 */
export const RETRY =
  process.env.AWS_RETRY_MODE === 'adaptive' ? ({ maxAttempts: 10, retryMode: 'adaptive' } as const) : ({ maxAttempts: 5, retryMode: 'standard' } as const);

// `let` so that useRegion can swap them: importers see the new clients (ES module live bindings).
export let sageMaker = new SageMakerClient(RETRY);
export let ec2 = new EC2Client(RETRY);
export let sns = new SNSClient(RETRY);

/**
 * Replaces the clients with new ones for `region` (the audit command, one region after another). The
 * Lambdas never call it: their clients keep the function's region. Returns the new clients.
 */
export function useRegion(region: string): { readonly sageMaker: SageMakerClient; readonly ec2: EC2Client; readonly sns: SNSClient } {
  for (const client of [sageMaker, ec2, sns]) client.destroy();
  sageMaker = new SageMakerClient({ ...RETRY, region });
  ec2 = new EC2Client({ ...RETRY, region });
  sns = new SNSClient({ ...RETRY, region });
  return { sageMaker, ec2, sns };
}
