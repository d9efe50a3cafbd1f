import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { STACK_NAME } from '../../lib/app';
import { RESOURCE_KINDS } from '../../lambda/kinds/registry';
import { buildGuard, tempDir, TRIGGER_PROVIDER_PREFIX } from './synth';

/** The responders, the sweep, the resend of owed notices, the switch watcher and the deploy-time EnforcementStart. */
// The responders, the sweep's three tasks, the resend, the switch watcher, the enforcement start.
const FUNCTION_COUNT = RESOURCE_KINDS.length + 6;

const cfnLintVersion = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
const cfnLintInstalled = cfnLintVersion.status === 0;
if (!cfnLintInstalled) {
  console.warn('SKIPPED cfn-lint checks: `cfn-lint` is not on PATH (pip install cfn-lint). CI installs it; this test must run there.');
}

interface LambdaResource {
  readonly Type: string;
  readonly Metadata?: Record<string, unknown>;
}

/** One bundled synthesis (esbuild runs for each function) shared by the tests below. */
describe('synthesized cloud assembly', () => {
  let assembly: CloudAssembly;
  let templatePath: string;

  beforeAll(() => {
    const { app } = buildGuard({}, { bundle: true, outdir: tempDir('guard-cfn-lint-') });
    assembly = app.synth();
    templatePath = assembly.getStackByName(STACK_NAME).templateFullPath;
  }, 120_000);

  (cfnLintInstalled ? test : test.skip)(
    `cfn-lint (${cfnLintVersion.stdout.trim() || 'not installed'}) passes on the template`,
    () => {
      const lint = spawnSync('cfn-lint', ['--format', 'parseable', '--', templatePath], { encoding: 'utf8' });
      // Exit code 0: no error, warning or informational finding (templates may waive a check in resource Metadata).
      expect({ status: lint.status, findings: `${lint.stdout}${lint.stderr}`.trim() }).toEqual({ status: 0, findings: '' });
    },
    60_000,
  );

  test('each function resource points at its bundle: Metadata aws:asset:path/index.js, SDK bundled in', () => {
    const template = JSON.parse(fs.readFileSync(templatePath, 'utf8')) as { Resources: Record<string, LambdaResource> };
    // CDK's own trigger provider ships pre-built in aws-cdk-lib; the guard's functions are bundled here.
    const functions = Object.entries(template.Resources)
      .filter(([logicalId, resource]) => resource.Type === 'AWS::Lambda::Function' && !logicalId.startsWith(TRIGGER_PROVIDER_PREFIX))
      .map(([, resource]) => resource);
    expect(functions).toHaveLength(FUNCTION_COUNT);
    const assetDirs = new Set<string>();
    for (const fn of functions) {
      expect(fn.Metadata?.['aws:asset:property']).toBe('Code');
      expect(fn.Metadata?.['aws:asset:is-bundled']).toBe(true);
      const assetPath = fn.Metadata?.['aws:asset:path'];
      expect(typeof assetPath).toBe('string');
      assetDirs.add(assetPath as string);
      const bundle = path.join(assembly.directory, assetPath as string, 'index.js');
      const code = fs.readFileSync(bundle, 'utf8');
      // Each function's export is in its bundle (index.handler, or index.plan, index.page, index.summarize).
      const exported = String((fn as { Properties?: { Handler?: string } }).Properties?.Handler).replace(/^index\./, '');
      expect(code).toContain(exported);
      // externalModules: [] - the SDK is in the bundle, not loaded from the runtime.
      expect(code).not.toMatch(/require\("@aws-sdk\/client-/);
    }
    // Every kind's responder runs the same bundle (lambda/handlers/responder.ts, its kind in GUARD_KIND): one asset;
    // the sweep's three tasks likewise (lambda/handlers/sweep.ts, three exports).
    expect(assetDirs.size).toBe(FUNCTION_COUNT - RESOURCE_KINDS.length + 1 - 2);
  });
});
