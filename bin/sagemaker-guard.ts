#!/usr/bin/env node
import { InvalidSettingsError } from '../lambda/core/settings';
import { buildApp } from '../lib/app';
import { GuardrailsTooLargeError } from '../lib/guardrails';

export { buildApp } from '../lib/app';

function main(): void {
  try {
    // The CLI sets CDK_OUTDIR, so the app synthesizes itself when the process is about to exit.
    buildApp();
  } catch (error) {
    if (error instanceof InvalidSettingsError || error instanceof GuardrailsTooLargeError) {
      // A configuration mistake: say what is wrong, without a stack trace, and fail `cdk synth`.
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

if (require.main === module) main();
