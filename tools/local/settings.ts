/**
 * The policy for local runs against moto, which cannot represent what some controls check (a model's
 * network isolation, a notebook's IMDS setting, a processing job's cluster: see test/integration/MOTO-NOTES.md).
 */
import type { GuardSettingsInput } from '../../lambda/core/settings';

/** Controls that fail every resource in moto, whatever it was created with. */
export const OFF_IN_THE_EMULATOR = [
  'model.network-isolation',
  'notebook-instance.imdsv2',
  // moto's DescribeProcessingJob drops ProcessingResources, so the volume key is never shown.
  'processing-job.volume-kms-key',
  // The model's network isolation again, as seen through an endpoint config and an endpoint.
  'endpoint-config.model-network-isolation',
  'endpoint.model-network-isolation',
] as const;

/** A policy with the emulator's blind spots turned off, plus anything else the caller sets. */
export function emulatorPolicy(extra: GuardSettingsInput = {}): GuardSettingsInput {
  return {
    ...extra,
    controls: { ...Object.fromEntries(OFF_IN_THE_EMULATOR.map((id) => [id, 'off'])), ...extra.controls },
  };
}
