import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/** Created once per container, shared by every module (Powertools' recommended pattern). */
export const SERVICE_NAME = 'sagemaker-guard';
export const METRICS_NAMESPACE = 'SageMakerGuard';

export const logger = new Logger({ serviceName: SERVICE_NAME });
export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });

/**
 * One emitter for metrics whose dimensions differ point to point (kind, control, stage): a single-metric
 * instance publishes each point at once and then clears its dimensions, so it is reused rather than
 * created per point (creating one costs a Console and an environment read each time).
 */
export const singleMetrics = metrics.singleMetric();
