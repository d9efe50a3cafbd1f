import type { Context, EventBridgeEvent } from 'aws-lambda';
import { memberAccountsFromEnv } from '../aws/accounts';
import { Ledger } from '../aws/ledger';
import { accessOf, isResourceKind, RESOURCE_KINDS, type ResourceAccess, type ResourceKind } from '../kinds/registry';
import { GUARD_KIND_ENV, settingsFromEnv, SWITCH_PARAMETER_ENV, TOPIC_ARN_ENV } from '../core/settings';
import { LEDGER_TABLE_ENV } from '../ledger/schema';
import { logger, metrics } from '../powertools';
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
  const parts = topicArn.split(':');
  const partition = parts.at(1) ?? 'aws';
  const account = parts.at(4);
  const region = env.AWS_REGION ?? 'unknown';
  const accounts = account !== undefined && account !== '' ? memberAccountsFromEnv(env, { account, region, partition }) : undefined;
  return {
    settings: settingsFromEnv(env),
    topicArn,
    region,
    ...(account !== undefined && account !== '' ? { account } : {}),
    ...(accounts !== undefined ? { accounts } : {}),
    ...(switchParameter !== undefined && switchParameter !== '' ? { switchParameter } : {}),
    ledger: new Ledger(table),
    now: () => new Date(),
  };
}

export type GuardHandler = (event: EventBridgeEvent<string, unknown>, context?: Context) => Promise<Result>;

/** The responder's kind, from its environment: a missing or unknown kind fails at cold start, naming it. */
export function kindFromEnv(env: NodeJS.ProcessEnv): ResourceKind {
  const kind = env[GUARD_KIND_ENV];
  if (kind === undefined || !isResourceKind(kind)) {
    throw new Error(`Environment variable ${GUARD_KIND_ENV} must name the kind this responder answers for, one of ${RESOURCE_KINDS.join(', ')} (given: ${JSON.stringify(kind)})`);
  }
  return kind;
}

/** A responder for one kind; its adapter is the registry's unless a caller gives one. */
export function makeHandler<K extends ResourceKind>(kind: K, runtime: Runtime, access: Promise<ResourceAccess<K>> = accessOf(kind)): GuardHandler {
  return async (event, context) => {
    logger.resetKeys();
    if (context !== undefined) logger.addContext(context);
    try {
      // Lambda's retries of an asynchronous invocation keep its request id; a second delivery gets a new one.
      return await respond(kind, event, await access, runtime, context?.awsRequestId);
    } finally {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
}
