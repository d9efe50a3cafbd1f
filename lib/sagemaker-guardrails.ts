/**
 * The generated guardrails (lib/guardrails) as CloudFormation resources:
 * - `GuardrailsManagedPolicy`: in the guarded account, one customer managed policy (the `boundary` variant by
 *   default) for teams to set as a permissions boundary, or the Deny-only `iam` variant to attach to roles;
 * - `SageMakerGuardrails`: in an organization's management (or delegated administrator) account, the SCP documents
 *   as `AWS::Organizations::Policy` resources, attached to the OU, account or root ids given, to none by default.
 * Both generate at synth time from the same validated policy the guard deploys; what cannot fit fails the synth with
 * the controls to list in `guardrails.respondOnly` (GuardrailsTooLargeError).
 */
import { Annotations, Aws, CfnOutput, Stack, Token, Validations, type StackProps } from 'aws-cdk-lib';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { CfnManagedPolicy } from 'aws-cdk-lib/aws-iam';
import { CfnPolicy } from 'aws-cdk-lib/aws-organizations';
import { Construct } from 'constructs';
import { parseSettings, type GuardSettings } from '../lambda/core/settings';
import { generateGuardrails, LIMITS, type GeneratedGuardrails, type GuardrailFormat, type PackedDocument, type PolicyDocument } from './guardrails';
import { DEFAULT_SWITCH_PARAMETER } from './sagemaker-guard';

export interface GuardrailsProps {
  /**
   * The validated policy the guard enforces (its `enforce` controls, allow-lists, exemptions and `guardrails` keys).
   * @default parseSettings({}) - the policy's documented defaults
   */
  readonly settings?: GuardSettings;
  /**
   * Name of the guard's stack: its roles (`<name>-*`, exempt from the guardrails) and the resources it protects.
   * @default - the stack this construct is in (GuardrailsManagedPolicy); 'SageMakerGuard' (SageMakerGuardrails)
   */
  readonly guardStackName?: string;
  /** @default '/sagemaker-guard/enforcement' */
  readonly switchParameterName?: string;
  /**
   * The ARN partition of the guarded accounts.
   * @default - the partition of the stack's region when it is known at synth time; else AWS::Partition, resolved at deploy
   */
  readonly partition?: string;
  /** When exemptions are judged expired. @default - now (synth time) */
  readonly now?: Date;
}

/**
 * Stands in for AWS::Partition while the documents are generated and packed: as long as the longest partition's name
 * (aws-us-gov), so the size each document is held to is the largest it can be once the token is resolved.
 */
const PARTITION_STAND_IN = 'aws-p-tokn';

/** The partition the documents name: the prop, else the one of the stack's region (region-info knows it), else undefined. */
function knownPartition(scope: Construct, given: string | undefined): string | undefined {
  if (given !== undefined) return literal(given, 'partition');
  const { region } = Stack.of(scope);
  return Token.isUnresolved(region) ? undefined : RegionInfo.get(region).partition;
}

/** The documents with AWS::Partition where the stand-in is; `json` keeps the stand-in (its length is the bound). */
function withPartitionToken(generated: GeneratedGuardrails): GeneratedGuardrails {
  const documents = generated.documents.map((document) => ({
    ...document,
    policy: JSON.parse(document.json.replaceAll(`arn:${PARTITION_STAND_IN}:`, `arn:${Aws.PARTITION}:`)) as PolicyDocument,
  }));
  return { ...generated, documents };
}

/** A name that is part of IAM patterns and of the size count must be a literal string. */
function literal(value: string, what: string): string {
  if (Token.isUnresolved(value)) throw new Error(`${what} must be a literal string (given a token): it is part of the guardrails' ARN patterns and of their size`);
  return value;
}

/** The generator's options from the props; one place, so both constructs agree. */
function generate(scope: Construct, props: GuardrailsProps, format: GuardrailFormat, guardStackName: string): GeneratedGuardrails {
  const settings = props.settings ?? parseSettings({}, `${scope.node.path} props (defaults)`);
  const partition = knownPartition(scope, props.partition);
  const packed = generateGuardrails(settings, format, {
    stackName: literal(guardStackName, 'guardStackName'),
    switchParameterName: literal(props.switchParameterName ?? DEFAULT_SWITCH_PARAMETER, 'switchParameterName'),
    now: props.now ?? new Date(),
    partition: partition ?? PARTITION_STAND_IN,
  });
  const generated = partition === undefined ? withPartitionToken(packed) : packed;
  for (const verdict of generated.verdicts) {
    if (verdict.status === 'prevented') for (const note of verdict.notes) Annotations.of(scope).addInfo(`${verdict.control}: ${note}`);
  }
  // An exemption that ends stays in the deployed documents until the next deploy: warn where a deploy is watched.
  const today = (props.now ?? new Date()).toISOString().slice(0, 10);
  for (const exemption of settings.exemptions.filter((rule) => rule.expires !== undefined && rule.expires >= today)) {
    Annotations.of(scope).addWarningV2(
      `sagemaker-guard:guardrails:exemption:${exemption.namePrefix}`,
      `the exemption for names starting "${exemption.namePrefix}" ends on ${exemption.expires ?? ''}, but the guardrails keep excusing it until they are deployed again: deploy after that day`,
    );
  }
  return generated;
}

const controlsOf = (document: PackedDocument): string => document.controls.join(', ');

export interface GuardrailsManagedPolicyProps extends GuardrailsProps {
  /**
   * `boundary` (one `Allow *` and the Deny statements: set it as a permissions boundary) or `iam` (Deny only: attach
   * it to roles). Never attach the boundary variant as an identity policy: its Allow would grant everything.
   * @default 'boundary'
   */
  readonly format?: 'boundary' | 'iam';
}

/**
 * The guardrails as one customer managed policy in this account. Its name is `<guard stack>-Guardrails-<region>`
 * (IAM names are global to the account, so a guard in each region has its own), which the guardrails' self-protection
 * covers: only the guard's roles and the approvers may change or delete it.
 */
export class GuardrailsManagedPolicy extends Construct {
  readonly policy: CfnManagedPolicy;
  /** The policy's ARN (a token). */
  readonly policyArn: string;
  readonly generated: GeneratedGuardrails;

  constructor(scope: Construct, id: string, props: GuardrailsManagedPolicyProps = {}) {
    super(scope, id);
    const format = props.format ?? 'boundary';
    const stack = Stack.of(this);
    const guardStackName = props.guardStackName ?? stack.stackName;
    // IAM policy names hold 128 characters: `<stack>-Guardrails-` and the longest region name (about 15).
    if (guardStackName.length > 100) throw new Error(`GuardrailsManagedPolicy: the guard's stack name is ${guardStackName.length} characters; its policy name <stack>-Guardrails-<region> must fit IAM's 128, so keep the stack name to 100`);
    this.generated = generate(this, props, format, guardStackName);
    const document = this.generated.documents.at(0);
    if (document === undefined) throw new Error('unreachable: the guardrails always hold the self-protection statements');
    this.policy = new CfnManagedPolicy(this, 'Resource', {
      managedPolicyName: `${guardStackName}-Guardrails-${stack.region}`,
      description:
        format === 'boundary'
          ? 'sagemaker-guard guardrails: set as a permissions boundary (never attach as an identity policy: it allows *)'
          : 'sagemaker-guard guardrails: Deny only, attach to the roles that use SageMaker',
      policyDocument: document.policy,
    });
    this.policyArn = this.policy.ref;
    if (format === 'boundary') {
      const reason =
        'A permissions boundary grants nothing by itself: its Allow * is the ceiling the Deny statements carve out of, ' +
        'and a bounded role still has only what its own policies allow.';
      for (const finding of ['Action::*', 'Resource::*']) Validations.of(this.policy).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
    }
    const prevented = this.generated.verdicts.filter((verdict) => verdict.status === 'prevented').length;
    new CfnOutput(stack, `${id}Arn`, {
      description:
        `sagemaker-guard guardrails to ${format === 'boundary' ? 'set as a permissions boundary' : 'attach to roles'}: ${prevented} controls prevented, ` +
        `${document.json.length} of ${LIMITS[format].characters} characters (npx sagemaker-guard guardrails --format ${format} lists them)`,
      value: this.policyArn,
    });
  }
}

export interface SageMakerGuardrailsProps extends GuardrailsProps {
  /**
   * Organization root (`r-...`), OU (`ou-...`) or account ids to attach every SCP to. Each target holds at most
   * 5 SCPs, one of them FullAWSAccess: the guardrails are at most 4.
   * @default [] - created, attached to nothing: attach them to a test OU first
   */
  readonly targetIds?: readonly string[];
  /** Names are `<prefix>-1`, `<prefix>-2`, ... (unique in the organization). @default 'sagemaker-guard' */
  readonly namePrefix?: string;
}

/** The guardrails as service control policies, for a stack in the organization's management (or delegated) account. */
export class SageMakerGuardrails extends Construct {
  readonly policies: readonly CfnPolicy[];
  readonly generated: GeneratedGuardrails;

  constructor(scope: Construct, id: string, props: SageMakerGuardrailsProps = {}) {
    super(scope, id);
    const prefix = literal(props.namePrefix ?? 'sagemaker-guard', 'namePrefix');
    // Organizations policy names hold 128 characters; the prefix takes a "-<n>".
    if (prefix.length === 0 || prefix.length > 120) throw new Error(`SageMakerGuardrails: namePrefix must be 1 to 120 characters (given ${prefix.length})`);
    this.generated = generate(this, props, 'scp', props.guardStackName ?? 'SageMakerGuard');
    const targetIds = props.targetIds ?? [];
    this.policies = this.generated.documents.map(
      (document, index) =>
        new CfnPolicy(this, `Scp${index + 1}`, {
          name: `${prefix}-${index + 1}`,
          type: 'SERVICE_CONTROL_POLICY',
          description: `sagemaker-guard guardrails ${index + 1} of ${this.generated.documents.length}: ${controlsOf(document)}`.slice(0, 512),
          // An object (CloudFormation can detect drift on it; a string it cannot). The resource's handler writes it
          // as minified JSON (Translator.convertObjectToString in aws-cloudformation-resource-providers-organizations),
          // the same text `document.json` is, whose length is held to the 5,120-character quota.
          content: document.policy,
          ...(targetIds.length > 0 ? { targetIds: [...targetIds] } : {}),
        }),
    );
  }
}

export interface SageMakerGuardrailsStackProps extends StackProps, SageMakerGuardrailsProps {}

/** The standalone stack of SageMakerGuardrails: `cdk deploy SageMakerGuardrails` in the management account. */
export class SageMakerGuardrailsStack extends Stack {
  readonly guardrails: SageMakerGuardrails;

  constructor(scope: Construct, id: string, props: SageMakerGuardrailsStackProps = {}) {
    super(scope, id, { description: 'sagemaker-guard: the preventive guardrails as service control policies (deploy in the management account)', ...props });
    this.guardrails = new SageMakerGuardrails(this, 'Guardrails', props);
    this.guardrails.policies.forEach((policy, index) => {
      new CfnOutput(this, `Scp${index + 1}Id`, { description: `SCP ${policy.name}`, value: policy.attrId });
    });
  }
}
