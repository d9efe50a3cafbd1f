import { EC2Client } from '@aws-sdk/client-ec2';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SNSClient } from '@aws-sdk/client-sns';

/**
 * One client per service, created once per container. The SDK's standard retry strategy retries
 * throttling (ThrottlingException, "Rate exceeded") and transient errors with exponential backoff and
 * jitter; five attempts keep a throttled invocation well inside the function timeout.
 */
export const RETRY = { maxAttempts: 5, retryMode: 'standard' } as const;

export const sageMaker = new SageMakerClient(RETRY);
export const ec2 = new EC2Client(RETRY);
export const sns = new SNSClient(RETRY);
