import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Environment } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp, type GuardApp } from '../../lib/app';

export const ROOT = path.join(__dirname, '..', '..');

/** The context block of cdk.json: feature flags and the documented setting defaults, as the CLI would pass them. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  return cdkJson.context ?? {};
}

export interface SynthOptions {
  /** Run esbuild (slow: about a second per function). Off, assets are hashed but not built. */
  readonly bundle?: boolean;
  readonly outdir?: string;
  /** The stack's environment. @default {} - environment-agnostic, as `cdk synth` without credentials */
  readonly env?: Environment;
}

export interface Synthesized extends GuardApp {
  readonly template: Template;
}

/**
 * Builds the app as `cdk synth` would (cdk.json context, then `overrides` as if given with -c),
 * environment-agnostic unless `options.env` says otherwise, with cdk-nag's AwsSolutions checks on.
 */
export function synthGuard(overrides: Record<string, unknown> = {}, options: SynthOptions = {}): Synthesized {
  const guardApp = buildGuard(overrides, options);
  return { ...guardApp, template: Template.fromStack(guardApp.stack) };
}

/** The app as `synthGuard` builds it, not yet synthesized (call `app.synth()` for the cloud assembly). */
export function buildGuard(overrides: Record<string, unknown> = {}, options: SynthOptions = {}): GuardApp {
  const context: Record<string, unknown> = {
    ...cdkJsonContext(),
    // cdk.json ships with nobody to tell, which an enforcing deploy refuses: these tests say "on purpose".
    notificationEmails: 'none',
    ...overrides,
    // The CLI sets these: aws:cdk:path on every resource, aws:asset:path on each function (where its bundle is).
    'aws:cdk:enable-path-metadata': true,
    'aws:cdk:enable-asset-metadata': true,
    ...(options.bundle === true ? {} : { 'aws:cdk:bundling-stacks': [] }),
  };
  return buildApp({ context, env: options.env ?? {}, projectContext: cdkJsonContext(), ...(options.outdir !== undefined ? { outdir: options.outdir } : {}) });
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** `{ logicalId: resource }` of one type. */
export function resourcesOf(template: Template, type: string): Record<string, CfnResource> {
  return template.findResources(type) as Record<string, CfnResource>;
}

/** Logical ids of CDK's own trigger provider (aws-cdk-lib/triggers), which runs the EnforcementStart function at deploy time. */
export const TRIGGER_PROVIDER_PREFIX = 'AWSCDKTriggerCustomResourceProvider';

/** `{ logicalId: resource }` of one type, without CDK's trigger provider: the guard's own functions and roles. */
export function guardResourcesOf(template: Template, type: string): Record<string, CfnResource> {
  return Object.fromEntries(Object.entries(resourcesOf(template, type)).filter(([logicalId]) => !logicalId.startsWith(TRIGGER_PROVIDER_PREFIX)));
}

/** The resource with that logical id; throws when there is none. */
export function resourceById(template: Template, type: string, logicalId: string): CfnResource {
  const resource = resourcesOf(template, type)[logicalId] as CfnResource | undefined;
  if (resource === undefined) throw new Error(`no ${type} with logical id ${logicalId}`);
  return resource;
}

/** The only resource of a type; throws unless there is exactly one. */
export function onlyResource(template: Template, type: string): CfnResource {
  const all = Object.values(resourcesOf(template, type));
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0];
}

export interface CfnResource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

export interface Statement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource?: unknown;
  readonly Principal?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

export function actionsOf(statement: Statement): string[] {
  return typeof statement.Action === 'string' ? [statement.Action] : statement.Action;
}

/** The one logical id whose aws:cdk:path ends with `pathSuffix`. */
export function logicalIdByPath(template: Template, type: string, pathSuffix: string): string {
  const matches = Object.entries(resourcesOf(template, type)).filter(([, resource]) => {
    const cdkPath = resource.Metadata?.['aws:cdk:path'];
    return typeof cdkPath === 'string' && cdkPath.endsWith(pathSuffix);
  });
  if (matches.length !== 1) throw new Error(`expected one ${type} at */${pathSuffix}, found ${matches.length}`);
  return matches[0][0];
}
