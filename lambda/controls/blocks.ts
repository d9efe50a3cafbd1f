/**
 * The building blocks controls are made of, shared by every kind: KMS keys, network isolation and VPC
 * placement, instance types and local storage, run-time bounds, required tags, and controls derived from
 * another kind's (a tuning job's training definitions, the models behind an endpoint). Pure.
 */
import { fail, pass, skip, type CheckContext, type CheckResult, type CheckSettings, type Control, type Prevention } from './types';

// --- KMS keys ---------------------------------------------------------------------------------------------

/** The AWS managed key for SageMaker is not a customer managed key, whichever way it is named. */
export function isAwsManagedSageMakerKey(keyId: string): boolean {
  return /(^|:)alias\/aws\/sagemaker$/.test(keyId);
}

/** The key id inside a key ARN (arn:...:key/ID), or the value itself. */
function bareKeyId(keyId: string): string {
  const match = /:key\/([^/]+)$/.exec(keyId);
  return match?.[1] ?? keyId;
}

/** Whether a key is on the allow-list: same value, or the same key id as a key ARN on the list. */
export function isAllowedKey(keyId: string, allowed: readonly string[]): boolean {
  return allowed.some((entry) => entry === keyId || bareKeyId(entry) === bareKeyId(keyId));
}

/**
 * What is wrong with a KMS key setting, or undefined when it is a customer key (on the allow-list, when
 * there is one). Aliases are compared by name, since resolving them needs KMS calls.
 */
export function describeKmsKey(keyId: string | undefined, field: string, allowed?: readonly string[]): string | undefined {
  if (keyId === undefined || keyId.trim() === '') return `${field} is not set, so an AWS managed key is used`;
  if (isAwsManagedSageMakerKey(keyId)) return `${field} is the AWS managed key ${keyId}`;
  if (allowed !== undefined && !isAllowedKey(keyId, allowed)) return `${field} ${keyId} is not in allowedKmsKeys (${allowed.join(', ')})`;
  return undefined;
}

/** A key setting that must name a customer managed key (on allowedKmsKeys, when the policy has it). */
export function checkKmsKey(keyId: string | undefined, field: string, settings: CheckSettings): CheckResult {
  const problem = describeKmsKey(keyId, field, settings.allowedKmsKeys);
  return problem === undefined ? pass() : fail(problem);
}

/**
 * Instance families with local NVMe instance storage, encrypted by a hardware module: SageMaker rejects a
 * volume KMS key on them (SageMaker Developer Guide, "Instance Store Volumes"). A `d` after the generation
 * (m5d, c6id, g4dn, p4d, p3dn) means instance storage in the EC2 naming scheme.
 */
const INSTANCE_STORE_FAMILIES = new Set(['g5', 'g6', 'g6e', 'p5', 'p5e', 'p5en', 'trn1', 'trn1n', 'trn2']);
export function hasInstanceStorage(instanceType: string): boolean {
  const family = instanceType.split('.')[1] ?? '';
  return INSTANCE_STORE_FAMILIES.has(family) || /^[a-z]+\d+[a-z]*d[a-z]*$/.test(family);
}

/**
 * IAM `StringLike` patterns matching the instance types hasInstanceStorage names: the guardrails use them so as not
 * to deny a missing volume key on them. IAM globs cannot say "a letter", so the `d` families are matched by how they
 * end (m5d, g4dn, p4de); test/unit/guardrails.test.ts holds both to every instance type the SageMaker SDK names.
 */
export function instanceStoragePatterns(): string[] {
  return [...[...INSTANCE_STORE_FAMILIES].map((family) => `ml.${family}.*`), 'ml.*d.*', 'ml.*dn.*', 'ml.*de.*'];
}

/**
 * A storage volume key: a customer key, unless every instance type has local instance storage (which SageMaker
 * encrypts by hardware and for which it refuses a key) and no key is set.
 */
export function checkVolumeKmsKey(keyId: string | undefined, field: string, instanceTypes: readonly string[], settings: CheckSettings): CheckResult {
  const problem = describeKmsKey(keyId, field, settings.allowedKmsKeys);
  if (problem === undefined) return pass();
  // A blank key is no key (as describeKmsKey reads it): on instance storage, SageMaker accepts none.
  const noKey = (keyId ?? '').trim() === '';
  if (noKey && instanceTypes.length > 0 && instanceTypes.every(hasInstanceStorage)) {
    return skip(`${instanceTypes.join(', ')} use local instance storage encrypted by hardware; SageMaker does not accept a ${field.split('.').pop() ?? field} for them`);
  }
  return fail(problem);
}

// --- Network ----------------------------------------------------------------------------------------------

/** `EnableNetworkIsolation` (or a field like it) must be true; absent means false. */
export function checkTrue(value: boolean | undefined, field: string, what = ''): CheckResult {
  return value === true ? pass() : fail(`${field} is ${value === undefined ? 'absent (defaults to false)' : String(value)}${what}`);
}

/** The shape every SageMaker VpcConfig has. */
export interface VpcConfig {
  readonly Subnets?: readonly string[] | undefined;
  readonly SecurityGroupIds?: readonly string[] | undefined;
}

/** A VpcConfig must be present with at least one subnet and one security group. */
export function checkVpcConfig(vpc: VpcConfig | undefined, field = 'VpcConfig', what = ''): CheckResult {
  if (vpc === undefined) return fail(`${field} is absent${what}`);
  if ((vpc.Subnets ?? []).length === 0) return fail(`${field} has no Subnets${what}`);
  if ((vpc.SecurityGroupIds ?? []).length === 0) return fail(`${field} has no SecurityGroupIds${what}`);
  return pass();
}

/** Subnets and security groups of a resource's VPC placement, when it has one. */
export interface Placement {
  readonly subnets: readonly string[];
  readonly securityGroups: readonly string[];
}

/** The placement a Describe* VpcConfig gives. */
export function placementOf(vpc: VpcConfig | undefined): Placement | undefined {
  return vpc === undefined ? undefined : { subnets: vpc.Subnets ?? [], securityGroups: vpc.SecurityGroupIds ?? [] };
}

const NO_NETWORK_LISTS = 'no allowedSubnets or allowedSecurityGroups in the policy';
const noNetworkLists = ({ settings }: CheckContext): string | undefined =>
  settings.allowedSubnets === undefined && settings.allowedSecurityGroups === undefined ? NO_NETWORK_LISTS : undefined;

/** Every subnet and security group must be on the policy's allow-lists (when the policy has them). */
export function checkAllowedNetwork(placement: Placement | undefined, context: CheckContext, vpcControl: string): CheckResult {
  const { allowedSubnets, allowedSecurityGroups } = context.settings;
  if (allowedSubnets === undefined && allowedSecurityGroups === undefined) return skip(NO_NETWORK_LISTS);
  if (placement === undefined) return skip(`no VPC placement (see ${vpcControl})`);
  const problems: string[] = [];
  const badSubnets = allowedSubnets === undefined ? [] : placement.subnets.filter((id) => !allowedSubnets.includes(id));
  if (badSubnets.length > 0) problems.push(`subnet(s) ${badSubnets.join(', ')} not in allowedSubnets`);
  const badGroups = allowedSecurityGroups === undefined ? [] : placement.securityGroups.filter((id) => !allowedSecurityGroups.includes(id));
  if (badGroups.length > 0) problems.push(`security group(s) ${badGroups.join(', ')} not in allowedSecurityGroups`);
  return problems.length === 0 ? pass() : fail(problems.join('; '));
}

/**
 * The guardrail of the inter-container encryption controls. Under `interContainerEncryption: distributed` (the
 * default) a single-instance job may go without, and IAM cannot see the instance count: respond only then.
 */
export const INTER_CONTAINER: Prevention = {
  rule: 'true',
  key: 'sagemaker:InterContainerTrafficEncryption',
  respondOnlyUnder: (settings) =>
    settings.interContainerEncryption === 'distributed'
      ? 'the policy requires it of distributed jobs only (interContainerEncryption: distributed) and IAM cannot see the instance count; interContainerEncryption: always makes it preventable'
      : undefined,
};

/** Distributed work exchanges data between instances: encrypted, unless single-instance and the policy allows. */
export function checkInterContainerEncryption(enabled: boolean | undefined, instanceCount: number, settings: CheckSettings): CheckResult {
  if (settings.interContainerEncryption === 'distributed' && instanceCount <= 1) {
    return skip(`single-instance job (InstanceCount ${instanceCount}); required only for distributed jobs by the interContainerEncryption setting`);
  }
  return enabled === true
    ? pass()
    : fail(`EnableInterContainerTrafficEncryption is ${enabled === undefined ? 'absent (defaults to false)' : String(enabled)} on a ${instanceCount}-instance job`);
}

// --- Instances, run time, tags ----------------------------------------------------------------------------

/** Why an instance-type control does not apply: the policy has no allow-list for the kind. */
function noAllowList(kind: string, context: CheckContext): string | undefined {
  return context.settings.kinds[kind]?.allowedInstanceTypes === undefined ? `no allow-list in the policy (kinds.${kind}.allowedInstanceTypes)` : undefined;
}

/** The instance types must be on the kind's allow-list (`kinds.<kind>.allowedInstanceTypes`), when the policy has one. */
export function checkInstanceTypes(types: readonly string[], kind: string, context: CheckContext): CheckResult {
  const allowed = context.settings.kinds[kind]?.allowedInstanceTypes;
  if (allowed === undefined) return skip(noAllowList(kind, context) ?? '');
  if (types.length === 0) return fail('the resource names no instance type');
  const outside = types.filter((type) => !allowed.includes(type));
  return outside.length === 0 ? pass() : fail(`${outside.join(', ')} not in the allow-list (${allowed.join(', ')})`);
}

export interface InstanceTypeOptions<R> {
  readonly fix: string;
  /** Default: jobs. */
  readonly why?: string;
  readonly title?: string;
  /** The instance types the resource runs on, or may run on. */
  readonly types: (resource: R) => readonly string[];
  /** A verdict before the allow-list is read (an endpoint config's serverless variants run on no instance type). */
  readonly first?: (resource: R, context: CheckContext) => CheckResult | undefined;
  /** The kind's update action can change the instance type (a notebook's): the guardrail covers it too. */
  readonly onUpdate?: boolean;
}

/** The instance-type control, the same for every kind but for where the types are read. */
export function instanceTypeControl<R>(kind: string, options: InstanceTypeOptions<R>): Control<R> {
  return {
    id: `${kind}.instance-type`,
    kind,
    title: options.title ?? 'Instance type allowed',
    why: options.why ?? 'An allow-list keeps jobs on approved, budgeted hardware.',
    severity: 'low',
    fix: options.fix,
    prevent: {
      rule: 'allowed',
      lists: [{ key: 'sagemaker:InstanceTypes', setting: `kinds.${kind}.allowedInstanceTypes`, values: (settings) => settings.kinds[kind]?.allowedInstanceTypes }],
      ...(options.onUpdate === true ? { onUpdate: true } : {}),
    },
    notApplicable: (context) => noAllowList(kind, context),
    check: (resource, context) => options.first?.(resource, context) ?? checkInstanceTypes(options.types(resource), kind, context),
  };
}

const NO_BOUND = 'no bound configured (setting maxRuntimeSeconds)';

/** A run-time bound, at most the policy's maxRuntimeSeconds. */
export function checkMaxRuntime(actual: number | undefined, field: string, settings: CheckSettings): CheckResult {
  const bound = settings.maxRuntimeSeconds;
  if (bound === undefined) return skip(NO_BOUND);
  if (actual === undefined) return fail(`${field} is absent; the bound is ${bound}`);
  return actual <= bound ? pass() : fail(`${field} is ${actual}, above the bound of ${bound}`);
}

/** The run-time control of a job: StoppingCondition.MaxRuntimeInSeconds at most the policy's bound. */
export function maxRuntimeControl<R extends { readonly StoppingCondition?: { readonly MaxRuntimeInSeconds?: number | undefined } | undefined }>(kind: string, fix: string): Control<R> {
  return {
    id: `${kind}.max-runtime`,
    kind,
    title: 'Run time bounded',
    why: 'An unbounded job keeps billing and keeps its data and credentials in use long after it should have ended.',
    severity: 'low',
    fix,
    prevent: { rule: 'max-runtime', key: 'sagemaker:MaxRuntimeInSeconds' },
    notApplicable: ({ settings }) => (settings.maxRuntimeSeconds === undefined ? NO_BOUND : undefined),
    check: (job, { settings }) => checkMaxRuntime(job.StoppingCondition?.MaxRuntimeInSeconds, 'StoppingCondition.MaxRuntimeInSeconds', settings),
  };
}

const NO_REQUIRED_TAGS = 'no requiredTags in the policy';

/** The required-tags control, the same for every kind: tags come from ListTags, not Describe. */
export function requiredTagsControl<R>(kind: string, fix: string): Control<R> {
  return {
    id: `${kind}.required-tags`,
    kind,
    title: 'Required tags present',
    why: 'Tags name the owner, cost centre and data class that access reviews and incident response rely on.',
    severity: 'low',
    fix,
    prevent: { rule: 'request-tags' },
    notApplicable: ({ settings }) => (settings.requiredTags === undefined ? NO_REQUIRED_TAGS : undefined),
    check: (_resource, { settings, tags }) => {
      const required = settings.requiredTags;
      if (required === undefined) return skip(NO_REQUIRED_TAGS);
      const present: Readonly<Partial<Record<string, string>>> = tags;
      const problems = Object.entries(required).flatMap(([key, allowed]) => {
        const value = present[key];
        if (value === undefined || value.trim() === '') return [`tag ${key} is missing`];
        if (allowed.length > 0 && !allowed.includes(value)) return [`tag ${key}=${value} is not one of ${allowed.join(', ')}`];
        return [];
      });
      return problems.length === 0 ? pass() : fail(problems.join('; '));
    },
  };
}

/** The allowed-network control, the same for every kind but for where the placement is read. */
/** The guardrail of the allowed-network controls: every subnet and security group in the request on the policy's lists. */
export const ALLOWED_NETWORK: Prevention = {
  rule: 'allowed',
  lists: [
    { key: 'sagemaker:VpcSubnets', setting: 'allowedSubnets', values: (settings) => settings.allowedSubnets },
    { key: 'sagemaker:VpcSecurityGroupIds', setting: 'allowedSecurityGroups', values: (settings) => settings.allowedSecurityGroups },
  ],
};

/** The guardrail of the VPC controls: a request without subnets places the resource outside any VPC. */
export const IN_VPC: Prevention = { rule: 'present', key: 'sagemaker:VpcSubnets' };

export function allowedNetworkControl<R>(kind: string, fix: string, placement: (resource: R) => Placement | undefined): Control<R> {
  return {
    id: `${kind}.allowed-network`,
    kind,
    title: 'Subnets and security groups allowed',
    why: 'Only subnets and security groups that the platform team has reviewed keep data on approved network paths.',
    severity: 'medium',
    fix,
    prevent: ALLOWED_NETWORK,
    notApplicable: noNetworkLists,
    check: (resource, context) => checkAllowedNetwork(placement(resource), context, `${kind}.vpc`),
  };
}

// --- Controls derived from another kind's -----------------------------------------------------------------

/**
 * One part of a resource that carries another kind's settings: a tuning job's training definition, the
 * model behind a transform job or an endpoint variant. `value` is undefined when the part could not be
 * read (a model that no longer exists): that fails the control, since nothing shows the part is safe.
 */
export interface Part<P> {
  readonly label: string;
  readonly value: P | undefined;
  /** Why `value` is missing, for the notice. */
  readonly missing?: string;
}

export interface DerivedOptions {
  /** Prefix of the derived id's second part: '' gives `<kind>.<control>`, 'model-' gives `<kind>.model-<control>`. */
  readonly idPrefix?: string;
  /** The fix text, from the source control's. */
  readonly fix: (source: Control<unknown>) => string;
  /** The title, from the source control's (default: the same). */
  readonly title?: (source: Control<unknown>) => string;
  /**
   * Whether the derived control keeps the source's guardrail: true when the deriving kind's create action carries the
   * same keys (a tuning job's training definitions), false when it does not (a transform job's model: respond only).
   */
  readonly keepsPrevention: boolean;
  /** What to say when the resource has no part to check. */
  readonly noParts: string;
}

/** The second part of a control id: `vpc` of `training-job.vpc`. */
export const suffixOf = (id: string): string => id.slice(id.indexOf('.') + 1);

/**
 * The fix of each derived control from the deriving kind's own table, by the source control's suffix. A source
 * control without an entry is a bug in the catalog, said when the module loads, never a generic text in a notice.
 */
export function fixFrom(kind: string, table: Readonly<Partial<Record<string, string>>>): (source: Control<unknown>) => string {
  return (source) => {
    const fix = table[suffixOf(source.id)];
    if (fix === undefined) throw new Error(`${kind}: no fix text for the control derived from ${source.id} (add "${suffixOf(source.id)}" to its table)`);
    return fix;
  };
}

/**
 * Controls of another kind, run over every part of a resource that carries that kind's settings: one derived
 * control per source control, with a stable id of its own (so the policy can set its mode), failing when any
 * part fails and saying which.
 */
export function derivedControls<R, P>(kind: string, sources: readonly Control<P>[], parts: (resource: R) => readonly Part<P>[], options: DerivedOptions): Control<R>[] {
  return sources.map((source): Control<R> => {
    const suffix = suffixOf(source.id);
    return {
      id: `${kind}.${options.idPrefix ?? ''}${suffix}`,
      kind,
      title: options.title?.(source) ?? source.title,
      why: source.why,
      severity: source.severity,
      fix: options.fix(source),
      ...(options.keepsPrevention && source.prevent !== undefined ? { prevent: source.prevent } : {}),
      ...(source.notApplicable !== undefined ? { notApplicable: (context: CheckContext) => source.notApplicable?.(context) } : {}),
      check: (resource, context) => {
        // Unused by the policy: skipped before the parts are read, so a part that could not be read fails nothing here.
        const unused = source.notApplicable?.(context);
        if (unused !== undefined) return skip(unused);
        const all = parts(resource);
        if (all.length === 0) return skip(options.noParts);
        const failures: string[] = [];
        const skips: string[] = [];
        for (const part of all) {
          if (part.value === undefined) {
            failures.push(`${part.label}: ${part.missing ?? 'could not be read'}`);
            continue;
          }
          const result = source.check(part.value, context);
          if (result.status === 'fail') failures.push(`${part.label}: ${result.observed}`);
          if (result.status === 'skip') skips.push(`${part.label}: ${result.reason}`);
        }
        if (failures.length > 0) return fail(failures.join('; '));
        return skips.length === all.length ? skip(skips.join('; ')) : pass();
      },
    };
  });
}
