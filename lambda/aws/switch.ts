import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { SSMClient } from '@aws-sdk/client-ssm';
import { SWITCH_VALUES, type SwitchValue } from '../core/modes';
import { RETRY } from './clients';

/** How long a read of the switch is reused: flipping it takes effect within this many seconds. */
export const SWITCH_CACHE_SECONDS = 30;

const provider = new SSMProvider({ awsSdkV3Client: new SSMClient(RETRY) });

export class InvalidSwitchError extends Error {
  override readonly name = 'InvalidSwitchError';
}

/**
 * Reads the account-wide enforcement switch through Powertools' cache. A value other than `policy` or
 * `report` cannot be written (the parameter's AllowedPattern), but if one appears it is an error: the
 * invocation fails and is retried rather than guessing the operator's intent.
 */
export async function readSwitch(parameterName: string): Promise<SwitchValue> {
  const value = (await provider.get(parameterName, { maxAge: SWITCH_CACHE_SECONDS }))?.trim();
  if (value !== undefined && (SWITCH_VALUES as readonly string[]).includes(value)) return value as SwitchValue;
  throw new InvalidSwitchError(`SSM parameter ${parameterName} must be one of ${SWITCH_VALUES.join(', ')} (given: ${JSON.stringify(value)})`);
}

/** Forgets cached reads (tests). */
export function clearSwitchCache(): void {
  provider.clearCache();
}
