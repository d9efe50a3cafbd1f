/**
 * The registry of kinds: every SageMaker resource kind the guard watches, one line each. The pipeline, the
 * construct (rules, functions, IAM), the sweep, the audit command, the README table and the tests iterate it.
 * Adding a kind is one folder (lambda/kinds/<kind>/: index.ts, controls.ts, adapter.ts), one line here, and its tests.
 */
import { evaluateControls, type CheckContext, type Control, type Evaluation, type ModeDecision } from '../controls/types';
import { endpoint } from './endpoint';
import { endpointConfig } from './endpoint-config';
import { hyperParameterTuningJob } from './hyper-parameter-tuning-job';
import { model } from './model';
import { notebookInstance } from './notebook-instance';
import { processingJob } from './processing-job';
import { trainingJob } from './training-job';
import { transformJob } from './transform-job';
import type { KindAdapter, KindSpec } from './types';

export const KIND_LIST = [trainingJob, model, notebookInstance, processingJob, transformJob, hyperParameterTuningJob, endpointConfig, endpoint] as const;

type Spec = (typeof KIND_LIST)[number];
export type ResourceKind = Spec['id'];

/** What each kind's checks read: the Describe* output (plus, for notebooks, the EC2 facts). */
export type ResourceByKind = { [S in Spec as S['id']]: S extends KindSpec<string, infer R> ? R : never };

export const RESOURCE_KINDS: readonly ResourceKind[] = KIND_LIST.map((spec) => spec.id);

export type KindInfo = KindSpec<ResourceKind>;

export const KINDS: Readonly<Record<ResourceKind, KindInfo>> = Object.fromEntries(KIND_LIST.map((spec) => [spec.id, spec])) as Record<ResourceKind, KindInfo>;

export function isResourceKind(value: string): value is ResourceKind {
  return (RESOURCE_KINDS as readonly string[]).includes(value);
}

export function kindByDetailType(detailType: string): ResourceKind | undefined {
  return KIND_LIST.find((spec) => spec.detailType === detailType)?.id;
}

/** The single source of truth: checks, notices, docs and tests all read this. */
export const CATALOG: { readonly [K in ResourceKind]: readonly Control<ResourceByKind[K]>[] } = Object.fromEntries(
  KIND_LIST.map((spec) => [spec.id, spec.controls]),
) as { [K in ResourceKind]: readonly Control<ResourceByKind[K]>[] };

export const ALL_CONTROLS: readonly Control<never>[] = KIND_LIST.flatMap((spec): readonly Control<never>[] => spec.controls);

export const CONTROL_IDS: readonly string[] = ALL_CONTROLS.map((control) => control.id);

/** Runs every control of the kind over the resource, in the mode the policy gives it (`modeOf`). Pure. */
export function evaluate<K extends ResourceKind>(kind: K, resource: ResourceByKind[K], context: CheckContext, modeOf: (controlId: string) => ModeDecision): Evaluation {
  return evaluateControls(CATALOG[kind] as readonly Control<ResourceByKind[K]>[], resource, context, modeOf);
}

/** How the pipeline reaches one kind of resource: describe it, apply its action, list it. */
export type ResourceAccess<K extends ResourceKind> = KindAdapter<ResourceByKind[K]>;

/** The kind's adapter (its AWS calls), loaded on first use. */
export function accessOf<K extends ResourceKind>(kind: K): Promise<ResourceAccess<K>> {
  return KINDS[kind].adapter() as Promise<ResourceAccess<K>>;
}

/** The EventBridge pattern for a kind, in CDK's EventPattern shape: only events worth acting on. */
export interface KindEventPattern {
  readonly source: string[];
  readonly detailType: string[];
  readonly detail?: Record<string, string[]>;
}

export function eventPatternFor(kind: ResourceKind): KindEventPattern {
  const info = KINDS[kind];
  return {
    source: ['aws.sagemaker'],
    detailType: [info.detailType],
    ...(info.statusField !== undefined ? { detail: { [info.statusField]: [...info.actionableStatuses] } } : {}),
  };
}
