import * as path from 'path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, type CfnFunction, type DestinationOptions, type DestinationConfig, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SETTINGS_ENV, SWITCH_PARAMETER_ENV, TOPIC_ARN_ENV, type GuardSettings } from '../lambda/core/settings';
import { LEDGER_TABLE_ENV } from '../lambda/ledger/schema';

/** Where the handlers live: `lambda/handlers/<entry>.ts` (one per kind, the sweep, the resend and the switch watcher). */
export const HANDLERS_DIR = path.join(__dirname, '..', 'lambda', 'handlers');

/** Powertools reads these; they match SERVICE_NAME / METRICS_NAMESPACE in lambda/powertools.ts. */
export const POWERTOOLS_SERVICE_NAME = 'sagemaker-guard';
export const POWERTOOLS_METRICS_NAMESPACE = 'SageMakerGuard';

/** The defaults every guard function shares, in one place (Powertools sample-app style). */
export const FUNCTION_DEFAULTS = {
  runtime: Runtime.NODEJS_24_X,
  architecture: Architecture.ARM_64,
  memorySize: 256,
  timeout: Duration.seconds(60),
  /** Lambda's own retries of an asynchronous (EventBridge) invocation that failed. */
  retryAttempts: 2,
  maxEventAge: Duration.hours(6),
  bundling: {
    minify: true,
    // Bundle the AWS SDK too, so the deployed code runs the SDK version the tests ran.
    externalModules: [],
    forceDockerBundling: false,
    format: OutputFormat.CJS,
  },
} as const;

export interface GuardFunctionProps {
  /** The handler file, `lambda/handlers/<entry>.ts`: a resource kind, `sweep`, `resend` or `switch-watch`. */
  readonly entry: string;
  /** What the function does, for its description. */
  readonly purpose: string;
  /** Overrides of the shared defaults (the sweep runs longer, with more memory, and is not retried). */
  readonly timeout?: Duration;
  readonly memorySize?: number;
  readonly retryAttempts?: number;
  /** Extra environment variables. */
  readonly environment?: Readonly<Record<string, string>>;
  /** Validated settings, passed to the function as JSON in GUARD_SETTINGS. */
  readonly settings: GuardSettings;
  /** ARN of the topic notices go to (TOPIC_ARN). Permission to publish is granted by the caller. */
  readonly topicArn: string;
  /** Name of the SSM parameter holding the account-wide enforcement switch (ENFORCEMENT_SWITCH_PARAMETER). */
  readonly switchParameterName: string;
  /** Name of the remediation ledger table (LEDGER_TABLE). Permission to use it is granted by the caller. */
  readonly ledgerTableName: string;
  /** Where Lambda sends invocations that still fail after `retryAttempts`. */
  readonly deadLetterQueue: Queue;
  readonly logRetention: RetentionDays;
}

/**
 * One responder: a bundled NodejsFunction with its own log group and its own role. The role starts with
 * nothing but write access to that log group (no AWS managed policy); the caller adds the SageMaker,
 * EC2, SSM, DynamoDB and SNS permissions the function needs with `role.addToPrincipalPolicy` / grants.
 */
export class GuardFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: GuardFunctionProps) {
    super(scope, id);
    const { entry } = props;

    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `sagemaker-guard ${entry} function`,
    });
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'WriteOwnLogGroup',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        // The log group ARN as CloudFormation returns it ends in ":*", which covers its log streams.
        resources: [this.logGroup.logGroupArn],
      }),
    );

    this.function = new NodejsFunction(this, 'Function', {
      ...FUNCTION_DEFAULTS,
      bundling: { ...FUNCTION_DEFAULTS.bundling, externalModules: [...FUNCTION_DEFAULTS.bundling.externalModules] },
      entry: path.join(HANDLERS_DIR, `${entry}.ts`),
      handler: 'handler',
      description: `sagemaker-guard: ${props.purpose}`,
      ...(props.timeout !== undefined ? { timeout: props.timeout } : {}),
      ...(props.memorySize !== undefined ? { memorySize: props.memorySize } : {}),
      ...(props.retryAttempts !== undefined ? { retryAttempts: props.retryAttempts } : {}),
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        [TOPIC_ARN_ENV]: props.topicArn,
        [SETTINGS_ENV]: JSON.stringify(props.settings),
        [SWITCH_PARAMETER_ENV]: props.switchParameterName,
        [LEDGER_TABLE_ENV]: props.ledgerTableName,
        POWERTOOLS_SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        ...props.environment,
      },
      onFailure: new ExactSqsDestination(props.deadLetterQueue),
    });
    // CDK makes the function depend on its role construct, so the role's policy exists before the first
    // invocation; the DependsOn on the role itself duplicates the Fn::GetAtt, which cfn-lint reports as W3005.
    (this.function.node.defaultChild as CfnFunction).addMetadata('cfn-lint', { config: { ignore_checks: ['W3005'] } });
  }
}

/**
 * An SqsDestination that grants only what sending to a KMS-encrypted queue needs: sqs:SendMessage, and
 * kms:GenerateDataKey + kms:Decrypt on the queue's key. The stock SqsDestination calls grantSendMessages,
 * which also grants sqs:GetQueueAttributes, sqs:GetQueueUrl, kms:Encrypt and the wildcard actions
 * kms:ReEncrypt* and kms:GenerateDataKey*; the guard's roles carry no wildcard actions.
 */
export class ExactSqsDestination extends SqsDestination {
  constructor(private readonly target: Queue) {
    super(target);
  }

  override bind(_scope: Construct, fn: IFunction, _options?: DestinationOptions): DestinationConfig {
    this.target.grants.actions(fn, ['sqs:SendMessage'], { keyActions: ['kms:GenerateDataKey', 'kms:Decrypt'] });
    return { destination: this.target.queueArn };
  }
}
