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
    [['audit', '--kinds', 'endpoint'], '--kinds: unknown kind "endpoint"', AUDIT_USAGE],
    [['replay'], 'unknown command "replay": expected one of "audit", "history", "redrive"', USAGE],
  ])("a usage error in %j exits 2 with the message and that command's usage", async (argv, message, usage) => {
    const { code, stdout, stderr } = await run(argv);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.startsWith(`sagemaker-guard: ${message}`)).toBe(true);
    expect(stderr.endsWith(`\n\n${usage}\n`)).toBe(true);
  });
});
