#!/usr/bin/env node
import { InvalidSettingsError } from '../lambda/core/settings';
import { buildApp } from '../lib/app';

export { buildApp } from '../lib/app';

function main(): void {
  try {
    // The CLI sets CDK_OUTDIR, so the app synthesizes itself when the process is about to exit.
    buildApp();
  } catch (error) {
    if (error instanceof InvalidSettingsError) {
      // A configuration mistake: say what is wrong, without a stack trace, and fail `cdk synth`.
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

if (require.main === module) main();
