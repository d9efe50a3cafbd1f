import { existsSync } from 'fs';
import * as path from 'path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Architecture,
  Code,
  Function as LambdaFunction,
  Runtime,
  type CfnFunction,
  type DestinationOptions,
  type DestinationConfig,
  type FunctionOptions,
  type IFunction,
} from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SETTINGS_ENV, SWITCH_PARAMETER_ENV, TOPIC_ARN_ENV, type GuardSettings } from '../lambda/core/settings';
import { LEDGER_TABLE_ENV } from '../lambda/ledger/schema';

/** Where the handlers live: `lambda/handlers/<entry>.ts` (every kind's responder, the sweep, the resend, the switch watcher, the enforcement start). */
export const HANDLERS_DIR = path.join(__dirname, '..', 'lambda', 'handlers');

/** Every handler a GuardFunction runs: the entries of `lambda/handlers/<entry>.ts` that the npm package pre-bundles. */
export const FUNCTION_ENTRIES: readonly string[] = ['responder', 'sweep', 'resend', 'switch-watch', 'enforcement-start'];

/**
 * The pre-bundled function code of the npm package, `<entry>/index.js` per entry (written by `npm run build:package`,
 * scripts/build-package.ts, with the esbuild options of FUNCTION_DEFAULTS.bundling). Resolved from this file's own
 * directory: the package's compiled dist/lib/guard-function.js finds dist/functions; in this repository
 * (lib/guard-function.ts) `functions/` does not exist, so the handlers are bundled from source by NodejsFunction.
 */
export const PREBUNDLED_DIR = path.join(__dirname, '..', 'functions');

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
  /** The export of the entry the function runs (one bundle can serve several functions). @default 'handler' */
  readonly handler?: string;
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
 * The directory of the pre-bundled code of `entry` (it holds index.js), or undefined when there is no pre-bundled
 * code at all (this repository: bundle from source). A package whose bundle of `entry` is missing is broken: throws.
 */
export function prebundledCodeDir(entry: string, prebundledDir: string = PREBUNDLED_DIR): string | undefined {
  if (!existsSync(prebundledDir)) return undefined;
  const dir = path.join(prebundledDir, entry);
  if (!existsSync(path.join(dir, 'index.js'))) {
    throw new Error(
      `sagemaker-guard: ${path.join(dir, 'index.js')} is missing: the package's pre-bundled code of the "${entry}" function was not built ` +
        '(run `npm run build:package` before `npm pack`; `npm pack` runs it as prepack)',
    );
  }
  return dir;
}

/**
 * One responder: a Lambda function with its own log group and its own role. The role starts with
 * nothing but write access to that log group (no AWS managed policy); the caller adds the SageMaker,
 * EC2, SSM, DynamoDB and SNS permissions the function needs with `role.addToPrincipalPolicy` / grants.
 * In this repository the code is `lambda/handlers/<entry>.ts` bundled at synth by NodejsFunction (local esbuild);
 * in the npm package it is the pre-bundled `dist/functions/<entry>/index.js` (PREBUNDLED_DIR), so a consumer's synth
 * needs neither esbuild nor TypeScript sources. Both are built with the same esbuild options and deploy alike.
 */
export class GuardFunction extends Construct {
  /** A NodejsFunction in this repository, a plain lambda.Function with the pre-bundled code in the npm package. */
  readonly function: LambdaFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: GuardFunctionProps) {
    super(scope, id);
    const { entry } = props;
    if (!FUNCTION_ENTRIES.includes(entry)) {
      throw new Error(
        `GuardFunction: unknown entry "${entry}"; add it to FUNCTION_ENTRIES in lib/guard-function.ts so that the npm package pre-bundles it`,
      );
    }

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

    const { bundling, ...functionDefaults } = FUNCTION_DEFAULTS;
    const options: FunctionOptions & { readonly runtime: Runtime } = {
      ...functionDefaults,
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
    };
    const prebundled = prebundledCodeDir(entry);
    this.function =
      prebundled !== undefined
        ? new LambdaFunction(this, 'Function', { ...options, code: Code.fromAsset(prebundled), handler: `index.${props.handler ?? 'handler'}` })
        : new NodejsFunction(this, 'Function', {
            ...options,
            bundling: { ...bundling, externalModules: [...bundling.externalModules] },
            entry: path.join(HANDLERS_DIR, `${entry}.ts`),
            handler: props.handler ?? 'handler',
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
