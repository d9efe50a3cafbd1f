/**
 * Review: "Deploy rules (lib/config.ts and the construct alike)". The app's config validates every
 * address and reads ["none"] as "no email on purpose"; the construct (lib/sagemaker-guard.ts, used by
 * the npm package's consumers) only checks the array's length. A blank entry — what
 * `(process.env.GUARD_EMAILS ?? '').trim().split(',')`-style code yields — or ["none"] passes the
 * "nobody to tell" rule of an enforcing guard and synthesizes an email subscription to "  " or "none";
 * the mistake surfaces only when SNS rejects the endpoint during the deploy.
 */
import { App, Stack } from 'aws-cdk-lib';
import { SageMakerGuard } from '../../lib/sagemaker-guard';

const inStack = (notificationEmails: readonly string[]) => () => {
  const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Consumer');
  return new SageMakerGuard(stack, 'Guard', { notificationEmails });
};

describe('review: the construct checks notificationEmails as lib/config.ts does', () => {
  test.each([[['  ']], [['none']], [['secops@example.com', 'not-an-address']]])('%j is refused at synth', (emails) => {
    expect(inStack(emails)).toThrow(/notificationEmails/);
  });
});
