import { makeHandler, runtimeFromEnv } from './make-handler';
import { trainingJobAccess } from './resources';

/** Entry point of the training-job function (EventBridge rule target). */
export const handler = makeHandler('training-job', trainingJobAccess, runtimeFromEnv(process.env));
