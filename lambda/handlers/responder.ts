import { kindFromEnv, makeHandler, runtimeFromEnv } from './make-handler';

/** Entry point of every kind's responder (an EventBridge rule target); GUARD_KIND says which kind. */
export const handler = makeHandler(kindFromEnv(process.env), runtimeFromEnv(process.env));
