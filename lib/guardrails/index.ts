/** `sagemaker-guard guardrails`, the in-account managed policy and the SageMakerGuardrails construct all call this. */
import type { GuardSettings } from '../../lambda/core/settings';
import { packGuardrails, type GuardrailFormat, type PackedDocument } from './pack';
import { guardrails, type ControlVerdict, type GuardrailOptions } from './statements';

export { FORMATS, GuardrailsTooLargeError, LIMITS, type GuardrailFormat, type PackedDocument, type PolicyDocument } from './pack';
export { guardrailsPolicyArnPattern, SELF_PROTECTION, type ControlVerdict, type GuardrailOptions, type Statement } from './statements';

export interface GeneratedGuardrails {
  readonly documents: readonly PackedDocument[];
  readonly verdicts: readonly ControlVerdict[];
}

/** The guardrail documents for a validated policy; throws GuardrailsTooLargeError when they cannot fit. */
export function generateGuardrails(settings: GuardSettings, format: GuardrailFormat, options: GuardrailOptions): GeneratedGuardrails {
  const { statements, verdicts } = guardrails(settings, options, format !== 'scp');
  return { documents: packGuardrails(statements, format), verdicts };
}
