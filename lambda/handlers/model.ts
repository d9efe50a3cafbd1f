import { makeHandler, runtimeFromEnv } from './make-handler';
import { modelAccess } from './resources';

/** Entry point of the model function (EventBridge rule target). */
export const handler = makeHandler('model', modelAccess, runtimeFromEnv(process.env));
