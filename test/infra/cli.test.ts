import { spawnSync } from 'child_process';
import * as path from 'path';
import { tempDir } from './synth';

const ROOT = path.join(__dirname, '..', '..');

describe('cdk CLI', () => {
  test(
    '`cdk synth -c policy={"mode":"bogus"}` fails, naming the key',
    () => {
      const result = spawnSync(
        'npx',
        ['--no-install', 'cdk', 'synth', '--quiet', '--no-notices', '--no-version-reporting', '-o', tempDir('guard-cli-'), '-c', 'policy={"mode":"bogus"}'],
        {
          cwd: ROOT,
          encoding: 'utf8',
          env: { ...process.env, CDK_DISABLE_VERSION_CHECK: 'true', CDK_DISABLE_CLI_TELEMETRY: 'true', CI: 'true' },
          timeout: 170_000,
        },
      );
      const output = `${result.stdout}\n${result.stderr}`;
      expect(result.error).toBeUndefined();
      expect(result.status).not.toBe(0);
      expect(output).toContain('Invalid sagemaker-guard settings in CDK context (cdk.json or -c), key "policy":');
      expect(output).toMatch(/- mode: .*\(given: "bogus"\)/);
      // Printed as a message, not as a stack trace.
      expect(output).not.toMatch(/at .*config\.ts:\d+/);
    },
    180_000,
  );
});
