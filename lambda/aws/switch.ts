import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { SSMClient } from '@aws-sdk/client-ssm';
import { SWITCH_VALUES, type SwitchValue } from '../core/modes';
import { RETRY } from './clients';
import { errorName } from './errors';

/** How long a read of the switch is reused: flipping it takes effect within this many seconds. */
export const SWITCH_CACHE_SECONDS = 30;

const provider = new SSMProvider({ awsSdkV3Client: new SSMClient(RETRY) });

/** The switch as read: its value, and why the value is the fallback when it could not be read. */
export interface SwitchReading {
  readonly value: SwitchValue;
  /** Set when the parameter was missing, unreadable or invalid, and `policy` applied instead. */
  readonly problem?: { readonly code: 'missing' | 'unreadable' | 'invalid'; readonly detail: string };
}

/** The pure part: what a raw parameter value means. */
export function interpretSwitch(parameterName: string, raw: string | undefined): SwitchReading {
  const value = raw?.trim();
  if (value !== undefined && (SWITCH_VALUES as readonly string[]).includes(value)) return { value: value as SwitchValue };
  return {
    value: 'policy',
    problem: { code: 'invalid', detail: `SSM parameter ${parameterName} holds ${JSON.stringify(raw)}, not one of ${SWITCH_VALUES.join(', ')}` },
  };
}

/**
 * Reads the account-wide enforcement switch through Powertools' cache. It fails safe: a parameter that
 * is missing (deleted), unreadable (denied, throttled past the SDK's retries) or invalid means `policy`,
 * so deleting or corrupting the switch never turns the guard off; the caller alarms and tells the operators.
 */
export async function readSwitch(parameterName: string): Promise<SwitchReading> {
  let raw: string | undefined;
  try {
    raw = await provider.get(parameterName, { maxAge: SWITCH_CACHE_SECONDS });
  } catch (error) {
    const name = errorName(error);
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    const causeName = errorName(cause);
    const missing = [name, causeName].includes('ParameterNotFound');
    return {
      value: 'policy',
      problem: {
        code: missing ? 'missing' : 'unreadable',
        detail: missing
          ? `SSM parameter ${parameterName} does not exist (deleted?)`
          : `SSM parameter ${parameterName} could not be read (${causeName}: ${cause instanceof Error ? cause.message : String(cause)})`,
      },
    };
  }
  return interpretSwitch(parameterName, raw);
}

/** Reads the parameter now, bypassing the cache (the switch watcher reports the value just written). */
export async function readSwitchNow(parameterName: string): Promise<SwitchReading> {
  clearSwitchCache();
  return readSwitch(parameterName);
}

/** Forgets cached reads (tests). */
export function clearSwitchCache(): void {
  provider.clearCache();
}
