import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/** Created once per container, shared by every module (Powertools' recommended pattern). */
export const SERVICE_NAME = 'sagemaker-guard';
export const METRICS_NAMESPACE = 'SageMakerGuard';

export const logger = new Logger({ serviceName: SERVICE_NAME });
export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
