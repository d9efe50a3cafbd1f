/**
 * Reads what `npx cdk synth` wrote to cdk.out: the stack template, each responder's bundled code, and the
 * EventBridge rules that target them. The integration tests and `npm run demo` use these so that they run
 * exactly what would be deployed.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { KIND_LIST, RESOURCE_KINDS, type ResourceKind } from '../../lambda/kinds/registry';

export const REPO_ROOT = resolve(__dirname, '..', '..');
/** cdk.out of the repository; SAGEMAKER_GUARD_CDK_OUT may point at another synth output (same layout). */
export const CDK_OUT = process.env.SAGEMAKER_GUARD_CDK_OUT ?? join(REPO_ROOT, 'cdk.out');
export const STACK_NAME = 'SageMakerGuard';

/** Construct ids of the responders in the CDK app, by the resource kind each one handles (the registry's). */
export const RESPONDERS = Object.fromEntries(KIND_LIST.map((spec) => [spec.id, spec.responderId])) as Readonly<Record<ResourceKind, string>>;
export type ResponderKind = ResourceKind;
export const RESPONDER_KINDS: readonly ResponderKind[] = RESOURCE_KINDS;

/** Every function of the app: the responders, the sweep's three tasks, the resend of owed notices and the switch watcher. */
export const FUNCTIONS = { ...RESPONDERS, sweep: 'Sweep', sweepPlan: 'SweepPlan', sweepSummary: 'SweepSummary', resend: 'Resend', switchWatch: 'SwitchWatch', enforcementStart: 'EnforcementStart' } as const;
export type FunctionName = keyof typeof FUNCTIONS;

export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
}
export interface Template {
  readonly Resources: Record<string, TemplateResource>;
}

export interface BundledFunction {
  readonly kind: FunctionName;
  readonly constructId: string;
  readonly logicalId: string;
  /** The construct path, e.g. SageMakerGuard/TrainingJobResponder/Resource. */
  readonly cdkPath: string;
  /** Absolute directory of the function's code asset. */
  readonly assetDir: string;
  /** Absolute path of the JS file the Handler setting names. */
  readonly entryFile: string;
  /** The exported function the Handler setting names. */
  readonly exportName: string;
  /**
   * The function's environment variables that are plain strings in the template, plus references to SSM
   * parameters of the stack resolved to their names (the switch); other tokens are left out.
   */
  readonly literalEnvironment: Readonly<Record<string, string>>;
  /** The function's Timeout: the local runner's getRemainingTimeInMillis counts down from it, as Lambda's does. */
  readonly timeoutSeconds: number;
}

export interface RuleTarget {
  readonly ruleLogicalId: string;
  readonly eventPattern: Record<string, unknown>;
  readonly state: string | undefined;
  /** Logical ids of the Lambda functions among the rule's targets. */
  readonly functionLogicalIds: readonly string[];
}

export class MissingSynthError extends Error {
  override readonly name = 'MissingSynthError';
}

const SYNTH_HINT = 'run `npm run synth` first (it writes cdk.out/, which the integration tests and the demo read)';

export function templatePath(cdkOut: string = CDK_OUT): string {
  return join(cdkOut, `${STACK_NAME}.template.json`);
}

export function readTemplate(cdkOut: string = CDK_OUT): Template {
  const path = templatePath(cdkOut);
  if (!existsSync(path)) throw new MissingSynthError(`${path} does not exist: ${SYNTH_HINT}.`);
  const template = JSON.parse(readFileSync(path, 'utf8')) as Partial<Template>;
  if (template.Resources === undefined) throw new MissingSynthError(`${path} has no Resources: ${SYNTH_HINT}.`);
  return { Resources: template.Resources };
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The Name of the stack's AWS::SSM::Parameter a `{ Ref }` points at, if it has a literal one. */
function ssmParameterName(template: Template, value: unknown): string | undefined {
  const ref = (value as { Ref?: unknown } | null)?.Ref;
  if (typeof ref !== 'string') return undefined;
  const target = (template.Resources as Partial<Record<string, TemplateResource>>)[ref];
  return target?.Type === 'AWS::SSM::Parameter' ? asString(target.Properties?.Name) : undefined;
}

/** Name of the enforcement switch parameter the stack creates. */
export function switchParameterName(template: Template = readTemplate()): string {
  const parameter = Object.values(template.Resources).find((resource) => resource.Type === 'AWS::SSM::Parameter');
  const name = asString(parameter?.Properties?.Name);
  if (name === undefined) throw new MissingSynthError(`no AWS::SSM::Parameter with a Name in the template: ${SYNTH_HINT}.`);
  return name;
}

/** The code of one responder, located through its AWS::Lambda::Function's aws:cdk:path and aws:asset:path metadata. */
export function findBundle(kind: FunctionName, cdkOut: string = CDK_OUT, template: Template = readTemplate(cdkOut)): BundledFunction {
  const constructId = FUNCTIONS[kind];
  const functions = Object.entries(template.Resources).filter(([, resource]) => resource.Type === 'AWS::Lambda::Function');
  const matches = functions.filter(([, resource]) => {
    const cdkPath = asString(resource.Metadata?.['aws:cdk:path']) ?? '';
    return cdkPath.split('/').includes(constructId);
  });
  const paths = functions.map(([id, resource]) => `${id} (${asString(resource.Metadata?.['aws:cdk:path']) ?? 'no aws:cdk:path'})`);
  if (matches.length !== 1) {
    throw new MissingSynthError(
      `expected exactly one AWS::Lambda::Function whose aws:cdk:path contains "${constructId}" in ${templatePath(cdkOut)}, found ${matches.length}. ` +
        `Functions: ${paths.join(', ') || 'none'}. If the CDK app changed, ${SYNTH_HINT}.`,
    );
  }
  const [logicalId, resource] = matches[0];
  const cdkPath = asString(resource.Metadata?.['aws:cdk:path']) ?? '';
  const assetPath = asString(resource.Metadata?.['aws:asset:path']);
  if (assetPath === undefined) {
    throw new MissingSynthError(`${logicalId} (${cdkPath}) has no aws:asset:path metadata: synthesize with asset metadata on (the default of \`npx cdk synth\`).`);
  }
  const assetDir = resolve(cdkOut, assetPath);
  if (!existsSync(assetDir)) throw new MissingSynthError(`asset directory ${assetDir} of ${cdkPath} is missing: ${SYNTH_HINT}.`);
  const handler = asString(resource.Properties?.Handler) ?? 'index.handler';
  const dot = handler.lastIndexOf('.');
  const fileBase = handler.slice(0, dot);
  const exportName = handler.slice(dot + 1);
  const entryFile = ['.js', '.cjs', '.mjs'].map((ext) => join(assetDir, fileBase + ext)).find((file) => existsSync(file));
  if (entryFile === undefined) {
    throw new MissingSynthError(`no ${fileBase}.js/.cjs/.mjs in ${assetDir} for Handler "${handler}" of ${cdkPath}: ${SYNTH_HINT}.`);
  }
  const variables = (resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
  const literalEnvironment = Object.fromEntries(
    Object.entries(variables).flatMap(([key, value]) => {
      const literal = asString(value) ?? ssmParameterName(template, value);
      return literal === undefined ? [] : [[key, literal]];
    }),
  );
  const timeout = resource.Properties?.Timeout;
  const timeoutSeconds = typeof timeout === 'number' ? timeout : 3;
  return { kind, constructId, logicalId, cdkPath, assetDir, entryFile, exportName, literalEnvironment, timeoutSeconds };
}

export function findBundles(cdkOut: string = CDK_OUT): Record<ResponderKind, BundledFunction> {
  const template = readTemplate(cdkOut);
  return Object.fromEntries(RESPONDER_KINDS.map((kind) => [kind, findBundle(kind, cdkOut, template)])) as Record<ResponderKind, BundledFunction>;
}

/** Every AWS::Events::Rule with an EventPattern, and the functions it targets. */
export function findRules(template: Template): RuleTarget[] {
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::Events::Rule' && resource.Properties?.EventPattern !== undefined)
    .map(([ruleLogicalId, resource]) => {
      const targets = (resource.Properties?.Targets as { Arn?: unknown }[] | undefined) ?? [];
      const functionLogicalIds = targets.flatMap((target) => {
        const getAtt = (target.Arn as { 'Fn::GetAtt'?: unknown } | undefined)?.['Fn::GetAtt'];
        const logicalId = Array.isArray(getAtt) ? asString(getAtt[0]) : undefined;
        return logicalId !== undefined && (template.Resources[logicalId] as TemplateResource | undefined)?.Type === 'AWS::Lambda::Function' ? [logicalId] : [];
      });
      return {
        ruleLogicalId,
        eventPattern: resource.Properties?.EventPattern as Record<string, unknown>,
        state: asString(resource.Properties?.State),
        functionLogicalIds,
      };
    });
}

function newestMtime(path: string): number {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) newest = Math.max(newest, newestMtime(join(path, entry.name)));
  return newest;
}

/** What a synthesis reads, relative to the repository root: the functions, the app, its context and the locked dependencies. */
export const SYNTH_INPUTS = ['lambda', 'lib', 'bin', 'cdk.json', 'package-lock.json'] as const;

/**
 * The synth inputs changed after cdk.out was written (so its bundles or rules would be out of date), or
 * `undefined` when there is no synth output at all. An empty list means cdk.out is up to date.
 */
export function changedSinceSynth(cdkOut: string = CDK_OUT): string[] | undefined {
  const path = templatePath(cdkOut);
  if (!existsSync(path)) return undefined;
  const synthesized = statSync(path).mtimeMs;
  return SYNTH_INPUTS.filter((input) => {
    const inputPath = join(REPO_ROOT, input);
    return existsSync(inputPath) && newestMtime(inputPath) > synthesized;
  });
}

/** A warning when lambda/ changed after the last synth (the bundles would then test old code), else undefined. */
export function staleSynthWarning(cdkOut: string = CDK_OUT): string | undefined {
  const path = templatePath(cdkOut);
  if (!existsSync(path)) return undefined;
  const lambdaDir = join(REPO_ROOT, 'lambda');
  if (!existsSync(lambdaDir)) return undefined;
  return newestMtime(lambdaDir) > statSync(path).mtimeMs
    ? `lambda/ has changed since cdk.out was synthesized; these tests run the old bundles. Run \`npm run synth\` again.`
    : undefined;
}
