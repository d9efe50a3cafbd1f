import { App, Validations, type AppProps, type Environment } from 'aws-cdk-lib';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { AwsSolutionsChecks } from 'cdk-nag';
import { InvalidSettingsError } from '../lambda/core/settings';
import { loadConfig } from './config';
import { DEFAULT_SWITCH_PARAMETER } from './sagemaker-guard';
import { SageMakerGuardStack } from './sagemaker-guard-stack';
import { SageMakerGuardrailsStack } from './sagemaker-guardrails';

export const STACK_NAME = 'SageMakerGuard';
/** The stack of service control policies, for the management account (context `guardrails.serviceControlPolicies`). */
export const GUARDRAILS_STACK_NAME = 'SageMakerGuardrails';

export interface BuildAppOptions {
  /**
   * Context for the app, as cdk.json's `context` would give it (feature flags and guard settings).
   * Context the CDK CLI passes (cdk.json, -c) takes precedence over these values.
   */
  readonly context?: Record<string, unknown>;
  /** Where to write the cloud assembly. @default - CDK_OUTDIR (set by the CLI) or a temporary directory */
  readonly outdir?: string;
  /** @default - CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION when set, else environment-agnostic */
  readonly env?: Environment;
  /** Run cdk-nag's AwsSolutions checks during synthesis. @default true */
  readonly nag?: boolean;
  /**
   * The context block of the project's cdk.json, to tell a key given with -c from cdk.json's default.
   * @default - read from cdk.json in the current directory (where the CDK CLI runs the app), if any
   */
  readonly projectContext?: Record<string, unknown>;
  /** Passed to App. */
  readonly appProps?: Omit<AppProps, 'context' | 'outdir'>;
}

export interface GuardApp {
  readonly app: App;
  readonly stack: SageMakerGuardStack;
  readonly guardrailsStack?: SageMakerGuardrailsStack;
}

export function defaultEnv(env: NodeJS.ProcessEnv = process.env): Environment {
  return {
    ...(env.CDK_DEFAULT_ACCOUNT ? { account: env.CDK_DEFAULT_ACCOUNT } : {}),
    ...(env.CDK_DEFAULT_REGION ? { region: env.CDK_DEFAULT_REGION } : {}),
  };
}

/** The `context` block of DIR/cdk.json; empty when there is no such file or it has no context. */
export function projectContextOf(dir: string): Record<string, unknown> {
  const file = path.join(dir, 'cdk.json');
  if (!existsSync(file)) return {};
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { context?: Record<string, unknown> };
  return parsed.context ?? {};
}

/** Object-valued keys, which -c cannot set one field at a time. */
const OBJECT_KEYS = ['policy', 'guardrails', 'organization'] as const;

/**
 * `-c guardrails.managedPolicy=true` sets a context key named "guardrails.managedPolicy", which nothing reads: refused,
 * with the form that works, so a guardrail the user asked for is never silently left out.
 */
export function refuseDottedKeys(keys: readonly string[]): void {
  const dotted = keys.filter((key) => OBJECT_KEYS.some((object) => key.startsWith(`${object}.`)));
  if (dotted.length === 0) return;
  throw new InvalidSettingsError(
    `Invalid sagemaker-guard settings in CDK context: ${dotted.map((key) => `"${key}"`).join(', ')} is not read; ` +
      `give the whole object as JSON, e.g. -c guardrails='{"managedPolicy":true}' or -c policy='{"mode":"report"}'`,
  );
}

/**
 * Builds the app: configuration from context (throws InvalidSettingsError when it is invalid),
 * the SageMakerGuard stack (with the guardrails policy when `guardrails.managedPolicy` asks), the
 * SageMakerGuardrails stack of SCPs when `guardrails.serviceControlPolicies` is true, and cdk-nag's
 * AwsSolutions checks as a policy validation plugin.
 * @throws GuardrailsTooLargeError when the guardrails asked for cannot fit (it names the controls to leave out).
 */
export function buildApp(options: BuildAppOptions = {}): GuardApp {
  const app = new App({
    ...options.appProps,
    ...(options.context !== undefined ? { context: options.context } : {}),
    ...(options.outdir !== undefined ? { outdir: options.outdir } : {}),
  });
  const project = options.projectContext ?? projectContextOf(process.cwd());
  refuseDottedKeys(Object.keys(app.node.getAllContext() as Record<string, unknown>));
  const config = loadConfig((key) => app.node.tryGetContext(key), undefined, (key) => project[key]);
  const env = options.env ?? defaultEnv();
  const stack = new SageMakerGuardStack(app, STACK_NAME, { config, env });
  const guardrailsStack = config.guardrails.serviceControlPolicies
    ? new SageMakerGuardrailsStack(app, GUARDRAILS_STACK_NAME, {
        env,
        settings: config.settings,
        targetIds: config.guardrails.targetIds,
        guardStackName: STACK_NAME,
        switchParameterName: DEFAULT_SWITCH_PARAMETER,
      })
    : undefined;
  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, ...(guardrailsStack !== undefined ? { guardrailsStack } : {}) };
}
