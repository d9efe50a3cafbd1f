// Every test runs as if inside a Lambda in us-east-1, with no real credentials: nothing may reach AWS.
process.env.AWS_REGION = 'us-east-1';
process.env.AWS_ACCESS_KEY_ID = 'test';
process.env.AWS_SECRET_ACCESS_KEY = 'test';
process.env.TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:sagemaker-guard-notices';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_METRICS_NAMESPACE = 'SageMakerGuard';
process.env.LEDGER_TABLE = 'sagemaker-guard-ledger';
