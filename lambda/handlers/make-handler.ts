import type { Context, EventBridgeEvent } from 'aws-lambda';
import type { ResourceKind } from '../core/kinds';
import { settingsFromEnv, SWITCH_PARAMETER_ENV, TOPIC_ARN_ENV } from '../core/settings';
import { logger, metrics } from '../powertools';
import type { ResourceAccess } from './resources';
import { respond, type Result, type Runtime } from './respond';

/** Reads the function's environment once, at cold start: a missing or invalid value fails loudly there. */
export function runtimeFromEnv(env: NodeJS.ProcessEnv): Runtime {
  const topicArn = env[TOPIC_ARN_ENV];
  if (topicArn === undefined || !topicArn.startsWith('arn:')) {
    throw new Error(`Environment variable ${TOPIC_ARN_ENV} must hold the SNS topic ARN (given: ${JSON.stringify(topicArn)})`);
  }
  const switchParameter = env[SWITCH_PARAMETER_ENV];
  return {
    settings: settingsFromEnv(env),
    topicArn,
    region: env.AWS_REGION ?? 'unknown',
    ...(switchParameter !== undefined && switchParameter !== '' ? { switchParameter } : {}),
    now: () => new Date(),
  };
}

export type GuardHandler = (event: EventBridgeEvent<string, unknown>, context?: Context) => Promise<Result>;

export function makeHandler<K extends ResourceKind>(kind: K, access: ResourceAccess<K>, runtime: Runtime): GuardHandler {
  return async (event, context) => {
    logger.resetKeys();
    if (context !== undefined) logger.addContext(context);
    try {
      return await respond(kind, event, access, runtime);
    } finally {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
}
