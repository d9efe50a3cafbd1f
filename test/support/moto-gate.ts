/**
 * The skip-or-fail decision for integration tests that need moto_server:
 * - moto available: run the suite;
 * - moto missing and CI set: FAIL (CI installs moto, so a missing one is a broken pipeline, not a reason to skip);
 * - moto missing locally: skip, with a console warning that says how to install it.
 */
import { checkMotoAvailable } from '../../tools/local/emulator';

export interface MotoGate {
  /** `describe` when the suite can run, else `describe.skip`. */
  readonly describe: jest.Describe;
  readonly available: boolean;
}

export function isCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

/** Call at the top of a test file; when moto is missing in CI it registers a failing test. */
export function motoGate(suite: string): MotoGate {
  const availability = checkMotoAvailable();
  if (availability.available) return { describe, available: true };
  if (isCi()) {
    describe(suite, () => {
      test('needs moto_server (CI must install it)', () => {
        throw new Error(`moto_server is required in CI: ${availability.reason}`);
      });
    });
  } else {
    // Straight to stderr: Jest does not show console output of a file whose tests are all skipped.
    process.stderr.write(`\n[WARNING] Skipping "${suite}": ${availability.reason}\n  (With CI set, this fails instead.)\n\n`);
  }
  return { describe: describe.skip, available: false };
}
