import type { Context, EventBridgeEvent } from 'aws-lambda';
import { Ledger } from '../aws/ledger';
import type { ResourceKind } from '../core/kinds';
import { settingsFromEnv, SWITCH_PARAMETER_ENV, TOPIC_ARN_ENV } from '../core/settings';
import { LEDGER_TABLE_ENV } from '../ledger/schema';
import { logger, metrics } from '../powertools';
import type { ResourceAccess } from './resources';
import { respond, type Result, type Runtime } from './respond';

/** Reads the function's environment once, at cold start: a missing or invalid value fails loudly there. */
export function runtimeFromEnv(env: NodeJS.ProcessEnv): Runtime {
  const topicArn = env[TOPIC_ARN_ENV];
  if (topicArn === undefined || !topicArn.startsWith('arn:')) {
    throw new Error(`Environment variable ${TOPIC_ARN_ENV} must hold the SNS topic ARN (given: ${JSON.stringify(topicArn)})`);
  }
  const table = env[LEDGER_TABLE_ENV];
  if (table === undefined || table.trim() === '') {
    throw new Error(`Environment variable ${LEDGER_TABLE_ENV} must name the ledger's DynamoDB table (given: ${JSON.stringify(table)})`);
  }
  const switchParameter = env[SWITCH_PARAMETER_ENV];
  // The topic is in the guard's account: its ARN names the account for resources no ARN describes any more.
  const account = topicArn.split(':').at(4);
  return {
    settings: settingsFromEnv(env),
    topicArn,
    region: env.AWS_REGION ?? 'unknown',
    ...(account !== undefined && account !== '' ? { account } : {}),
    ...(switchParameter !== undefined && switchParameter !== '' ? { switchParameter } : {}),
    ledger: new Ledger(table),
    now: () => new Date(),
  };
}

export type GuardHandler = (event: EventBridgeEvent<string, unknown>, context?: Context) => Promise<Result>;

export function makeHandler<K extends ResourceKind>(kind: K, access: ResourceAccess<K>, runtime: Runtime): GuardHandler {
  return async (event, context) => {
    logger.resetKeys();
    if (context !== undefined) logger.addContext(context);
    try {
      // Lambda's retries of an asynchronous invocation keep its request id; a second delivery gets a new one.
      return await respond(kind, event, access, runtime, context?.awsRequestId);
    } finally {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
}
