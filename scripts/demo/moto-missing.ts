/**
 * What the demo prints when moto_server cannot be run: the reason, the install hint once (pinned to the
 * tested moto, from tools/local/emulator.ts), and what to do next.
 */
import { MOTO_INSTALL_HINT, type MotoAvailability } from '../../tools/local/emulator';

/** The lines after the demo's "Cannot run the demo" headline; `reason` usually carries the hint already. */
export function motoMissingLines(availability: Extract<MotoAvailability, { available: false }>): string[] {
  const reason = availability.reason.includes(MOTO_INSTALL_HINT) ? availability.reason : `${availability.reason} ${MOTO_INSTALL_HINT}`;
  return [reason, 'Then run `npm run demo` again.'];
}
