process.env.GUARD_KIND = 'model';
import { DescribeModelCommand, ListTagsCommand } from '@aws-sdk/client-sagemaker';
import { RETRY, ec2, sageMaker, sns } from '../../lambda/aws/clients';
import { kindFromEnv, runtimeFromEnv } from '../../lambda/handlers/make-handler';
import { model } from '../fixtures/resources';
import { event, resetMocks, sageMakerMock } from './harness';

beforeEach(resetMocks);

describe('entry points and runtime', () => {
  test.each(['responder', 'resend', 'switch-watch', 'enforcement-start'])('lambda/handlers/%s exports a handler wired from the environment', async (kind) => {
    const module = (await import(`../../lambda/handlers/${kind}`)) as { handler: unknown };
    expect(typeof module.handler).toBe('function');
  });

  test('lambda/handlers/sweep exports the three tasks of the state machine; a missing bucket fails on first use, naming the variable', async () => {
    const module = await import('../../lambda/handlers/sweep');
    for (const task of [module.plan, module.page, module.summarize]) expect(typeof task).toBe('function');
    expect(() => module.sweepDepsFromEnv({})).toThrow("Environment variable SWEEP_BUCKET must name the sweep's S3 bucket (given: undefined)");
    expect(module.sweepDepsFromEnv({ SWEEP_BUCKET: 'b', SWEEP_REGIONS: 'us-east-1, eu-west-1', SWEEP_TARGET_OUS: 'ou-ab12-cdef3456' })).toEqual({ bucket: 'b', regions: ['us-east-1', 'eu-west-1'], targetOus: ['ou-ab12-cdef3456'] });
    expect(module.sweepDepsFromEnv({ SWEEP_BUCKET: 'b', SWEEP_REGIONS: '' })).toEqual({ bucket: 'b' });
  });

  test('the responder entry point, set to the model kind, runs end to end on mocked clients', async () => {
    const { handler } = await import('../../lambda/handlers/responder');
    sageMakerMock.on(DescribeModelCommand).resolves(model());
    sageMakerMock.on(ListTagsCommand).resolves({ Tags: [] });
    await expect(handler(event('variants/model.created.json'))).resolves.toMatchObject({ decision: 'compliant' });
  });

  test('a responder without a kind, or with one the registry does not hold, fails at cold start, naming the variable', () => {
    expect(() => kindFromEnv({})).toThrow('Environment variable GUARD_KIND must name the kind this responder answers for, one of training-job, model, notebook-instance');
    expect(() => kindFromEnv({ GUARD_KIND: 'studio-domain' })).toThrow('(given: "studio-domain")');
    expect(kindFromEnv({ GUARD_KIND: 'notebook-instance' })).toBe('notebook-instance');
  });

  test('a missing topic ARN or bad settings fail at cold start, naming the variable', () => {
    expect(() => runtimeFromEnv({})).toThrow('Environment variable TOPIC_ARN must hold the SNS topic ARN (given: undefined)');
    expect(() => runtimeFromEnv({ TOPIC_ARN: 'arn:aws:sns:us-east-1:1:t' })).toThrow("Environment variable LEDGER_TABLE must name the ledger's DynamoDB table (given: undefined)");
    const table = { LEDGER_TABLE: 'ledger' };
    expect(() => runtimeFromEnv({ ...table, TOPIC_ARN: 'arn:aws:sns:us-east-1:1:t', GUARD_SETTINGS: '{"mode":"loud"}' })).toThrow('mode: Invalid option');
    const runtime = runtimeFromEnv({ ...table, TOPIC_ARN: 'arn:aws:sns:us-east-1:111122223333:t', AWS_REGION: 'eu-west-1', ENFORCEMENT_SWITCH_PARAMETER: '/sagemaker-guard/enforcement' });
    expect(runtime).toMatchObject({ topicArn: 'arn:aws:sns:us-east-1:111122223333:t', region: 'eu-west-1', account: '111122223333', switchParameter: '/sagemaker-guard/enforcement' });
    expect(runtime.ledger?.tableName).toBe('ledger');
    expect(runtime.now().getTime()).toBeCloseTo(Date.now(), -3);
    expect(runtimeFromEnv({ ...table, TOPIC_ARN: 'arn:aws:sns:us-east-1:1:t' })).not.toHaveProperty('switchParameter');
    // An organization deployment names the member role; the partition comes from the topic's ARN.
    expect(runtimeFromEnv({ ...table, TOPIC_ARN: 'arn:aws-cn:sns:cn-north-1:111122223333:t', GUARD_MEMBER_ROLE_NAME: 'guard-member' }).accounts?.roleArnOf('222233334444')).toBe(
      'arn:aws-cn:iam::222233334444:role/guard-member',
    );
    expect(runtimeFromEnv({ ...table, TOPIC_ARN: 'arn:aws:sns:us-east-1:111122223333:t' }).accounts?.roleArnOf('222233334444')).toBeUndefined();
  });

  test('every client retries throttling with the standard strategy, five attempts', async () => {
    expect(RETRY).toEqual({ maxAttempts: 5, retryMode: 'standard' });
    for (const client of [sageMaker(), ec2(), sns]) {
      await expect(client.config.maxAttempts()).resolves.toBe(5);
      const strategy = (await client.config.retryStrategy()) as { mode?: string };
      expect(strategy.mode).toBe('standard');
    }
  });
});
