import { z } from 'zod';
import { CONTROL_IDS } from '../controls/catalog';
import { describeIssues } from './validation';

/**
 * Deploy-time settings. The same schema validates `cdk.json` context at synth time and the
 * GUARD_SETTINGS environment variable at cold start, so both fail with the same message.
 */
const instanceTypes = z
  .array(z.string().regex(/^ml\.[a-z0-9]+\.[a-z0-9]+$/, 'expected a SageMaker instance type such as "ml.m5.xlarge"'))
  .min(1, 'expected at least one instance type; leave the key out to turn the control off');

export const settingsSchema = z
  .object({
    mode: z.enum(['enforce', 'report']).default('enforce'),
    interContainerEncryption: z.enum(['distributed', 'always']).default('distributed'),
    maxRuntimeSeconds: z.number().int().positive().max(28 * 24 * 3600).optional(),
    allowedTrainingInstanceTypes: instanceTypes.optional(),
    allowNotebookOpenEgress: z.boolean().default(false),
    ownerTagKey: z.string().min(1).max(128).default('owner'),
    disabledControls: z
      .array(z.enum(CONTROL_IDS as unknown as [string, ...string[]]))
      .default([]),
  })
  .strict();

export type GuardSettings = z.output<typeof settingsSchema>;
export type GuardSettingsInput = z.input<typeof settingsSchema>;

export class InvalidSettingsError extends Error {
  override readonly name = 'InvalidSettingsError';
}

/** Validates settings, turning every schema issue into "where: what was given, what is expected". */
export function parseSettings(input: unknown, source: string): GuardSettings {
  const result = settingsSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = describeIssues(result.error, input);
  throw new InvalidSettingsError(`Invalid sagemaker-guard settings in ${source}:\n  - ${problems.join('\n  - ')}`);
}


/** Environment variables the CDK construct sets on every function. */
export const SETTINGS_ENV = 'GUARD_SETTINGS';
export const TOPIC_ARN_ENV = 'TOPIC_ARN';

/** Reads and validates the settings the CDK construct put in the function's environment. */
export function settingsFromEnv(env: NodeJS.ProcessEnv): GuardSettings {
  const raw = env[SETTINGS_ENV];
  if (raw === undefined || raw === '') return parseSettings({}, `environment variable ${SETTINGS_ENV} (absent)`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new InvalidSettingsError(`Environment variable ${SETTINGS_ENV} is not JSON: ${(error as Error).message}`);
  }
  return parseSettings(parsed, `environment variable ${SETTINGS_ENV}`);
}
