import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUDIT_USAGE, HISTORY_USAGE, REDRIVE_USAGE, USAGE } from '../../cli/args';
import { main } from '../../cli/main';

/** Runs main() with stdout and stderr captured; only paths that end before any AWS client is made. */
async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((text) => ((stdout += String(text)), true));
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((text) => ((stderr += String(text)), true));
  try {
    return { code: await main(argv), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('sagemaker-guard main', () => {
  test.each([
    [['--help'], USAGE],
    [['history', '--help'], HISTORY_USAGE],
    [['redrive', '-h'], REDRIVE_USAGE],
    [['audit', '--help'], AUDIT_USAGE],
  ])('%j prints its usage and exits 0', async (argv, usage) => {
    expect(await run(argv)).toEqual({ code: 0, stdout: `${usage}\n`, stderr: '' });
  });

  test.each([
    [['history', '--remediate'], '--remediate is not an option of history', HISTORY_USAGE],
    [['redrive', '--dry-run', '--yes'], '--dry-run changes nothing, so --yes (replay without asking) contradicts it: give one', REDRIVE_USAGE],
    [['audit', '--kinds', 'studio-domain'], '--kinds: unknown kind "studio-domain"', AUDIT_USAGE],
    [['audit', '--profile', 'dev', '--profile', 'prod'], '--profile was given twice ("dev" and "prod"): it takes one value, so give it once', AUDIT_USAGE],
    [['replay'], 'unknown command "replay": expected one of "audit", "history", "redrive"', USAGE],
  ])("a usage error in %j exits 2 with the message and that command's usage", async (argv, message, usage) => {
    const { code, stdout, stderr } = await run(argv);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.startsWith(`sagemaker-guard: ${message}`)).toBe(true);
    expect(stderr.endsWith(`\n\n${usage}\n`)).toBe(true);
  });

  describe('a policy that cannot be used stops the audit before any AWS call, with exit 2', () => {
    let dir: string;
    let env: NodeJS.ProcessEnv;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'guard-main-'));
      // runAudit sets the SDK's and Powertools' environment for the command.
      env = { ...process.env };
    });
    afterEach(() => {
      rmSync(dir, { recursive: true, force: true });
      process.env = env;
    });

    test.each<[string, (dir: string) => string, string]>([
      ['a --policy file that is missing', (at) => join(at, 'missing.json'), '--policy: cannot read '],
      ['a cdk.json whose policyFile is missing', (at) => write(join(at, 'cdk.json'), { app: 'x', context: { policyFile: 'policy.json' } }), 'Invalid sagemaker-guard settings: context.policyFile of '],
      ['a cdk.json whose policy is invalid', (at) => write(join(at, 'cdk.json'), { app: 'x', context: { policy: { mode: 'always' } } }), 'Invalid sagemaker-guard settings in context.policy of '],
    ])('%s', async (_name, arrange, message) => {
      const { code, stdout, stderr } = await run(['audit', '--region', 'us-east-1', '--policy', arrange(dir)]);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toContain(`sagemaker-guard: ${message}`);
      expect(stderr).toContain('(sagemaker-guard audit --help for usage)');
    });
  });
});

function write(path: string, content: unknown): string {
  writeFileSync(path, JSON.stringify(content));
  return path;
}

describe('sagemaker-guard main across accounts', () => {
  const saved = { ...process.env };
  const home = mkdtempSync(join(tmpdir(), 'guard-main-'));

  afterAll(() => {
    process.env = saved;
    rmSync(home, { recursive: true, force: true });
  });

  test('--role-name with no region anywhere exits 2 saying so, before any account is entered', async () => {
    const empty = join(home, 'empty');
    writeFileSync(empty, '');
    for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE']) Reflect.deleteProperty(process.env, name);
    Object.assign(process.env, { AWS_CONFIG_FILE: empty, AWS_SHARED_CREDENTIALS_FILE: empty, AWS_EC2_METADATA_DISABLED: 'true' });
    const { code, stderr } = await run(['audit', '--role-name', 'SageMakerGuard-member', '--accounts', '111122223333', '--policy', write(join(home, 'policy.json'), {})]);
    expect(code).toBe(2);
    expect(stderr).toContain('No AWS region: pass --region, set AWS_REGION, or give the profile a region in ~/.aws/config.');
  });
});
