import { makeHandler, runtimeFromEnv } from './make-handler';
import { notebookInstanceAccess } from './resources';

/** Entry point of the notebook-instance function (EventBridge rule target). */
export const handler = makeHandler('notebook-instance', notebookInstanceAccess, runtimeFromEnv(process.env));
