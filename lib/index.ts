/**
 * The npm package's public entry (`import { SageMakerGuard } from 'sagemaker-guard'`): the construct, its props, and
 * what a CDK app needs to build those props (the policy schema and its parser). Compiled to dist/lib/index.js with
 * its type declarations by `npm run build:package`; the functions' code ships pre-bundled in dist/functions.
 */
export {
  DEFAULT_SWEEP_SCHEDULE,
  DEFAULT_SWITCH_PARAMETER,
  RESEND_ID,
  RESEND_SCHEDULE,
  RESPONDER_IDS,
  SageMakerGuard,
  SWEEP_ID,
  SWEEP_PLAN_ID,
  SWEEP_SUMMARY_ID,
  SWITCH_WATCH_ID,
  type SageMakerGuardProps,
} from './sagemaker-guard';
export { NO_EMAIL, type NotificationEmails } from './recipients';
export {
  GuardrailsManagedPolicy,
  SageMakerGuardrails,
  SageMakerGuardrailsStack,
  type GuardrailsManagedPolicyProps,
  type GuardrailsProps,
  type SageMakerGuardrailsProps,
} from './sagemaker-guardrails';
export { OrganizationHub, type OrganizationHubProps } from './organization/hub';
export { forwardRoleName, SpokeStack, spokeTemplate, type SpokeStackProps } from './organization/spoke';
export { FORMATS, generateGuardrails, GuardrailsTooLargeError, LIMITS, type GeneratedGuardrails, type GuardrailFormat, type PolicyDocument } from './guardrails';
export {
  InvalidSettingsError,
  MODES,
  parseSettings,
  settingsSchema,
  type Exemption,
  type GuardSettings,
  type GuardSettingsInput,
  type PolicyMode,
} from '../lambda/core/settings';
export { RESOURCE_KINDS, type ResourceKind } from '../lambda/kinds/registry';
export { SWITCH_VALUES, type SwitchValue } from '../lambda/core/modes';
export { FUNCTION_DEFAULTS, FUNCTION_ENTRIES } from './guard-function';
