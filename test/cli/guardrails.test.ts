import { parseCommandLine, UsageError } from '../../cli/args';
import { fileName, guardrailsCommand } from '../../cli/guardrails';
import type { Output } from '../../cli/io';
import { settings } from '../fixtures/resources';

const text = (): Output & { text: string } => {
  const out = { text: '', write: (chunk: string) => (out.text += chunk) };
  return out;
};
const NOW = () => new Date('2026-12-02T12:00:00Z');

describe('sagemaker-guard guardrails: the command line', () => {
  test('defaults: scp, the default stack and switch, nothing written', () => {
    expect(parseCommandLine(['guardrails'])).toEqual({
      command: 'guardrails',
      options: { format: 'scp', stack: 'SageMakerGuard', switchParameter: '/sagemaker-guard/enforcement', json: false },
    });
  });

  test('every option', () => {
    expect(parseCommandLine(['guardrails', '--policy', 'p.json', '--format', 'boundary', '--out', 'out', '--stack', 'Guard', '--switch-parameter', '/g/s', '--json'])).toEqual({
      command: 'guardrails',
      options: { policyFile: 'p.json', format: 'boundary', out: 'out', stack: 'Guard', switchParameter: '/g/s', json: true },
    });
  });

  test.each<[string[], string]>([
    [['guardrails', '--format', 'json'], '--format: "json" is not a guardrail format (expected one of: scp, iam, boundary)'],
    [['guardrails', '--out', ''], '--out needs a directory'],
    [['guardrails', '--region', 'us-east-1'], '--region is not an option of guardrails'],
    [['guardrails', '--stack', 'arn:aws:cloudformation:us-east-1:111122223333:stack/Guard/0a1b2c3d'], '--stack: give the stack name, not its ARN'],
    [['guardrails', '--switch-parameter', 'bad name'], '--switch-parameter: "bad name" is not an SSM parameter name'],
  ])('%j is refused', (argv, message) => {
    expect(() => parseCommandLine(argv)).toThrow(UsageError);
    expect(() => parseCommandLine(argv)).toThrow(message);
  });
});

describe('sagemaker-guard guardrails: the command', () => {
  const options = { format: 'scp' as const, stack: 'SageMakerGuard', switchParameter: '/sagemaker-guard/enforcement', json: false };

  test('writes one minified document per file and reports every control and each size', () => {
    const written = new Map<string, string>();
    const dirs: string[] = [];
    const stdout = text();
    const stderr = text();
    const code = guardrailsCommand({ ...options, out: 'guardrails' }, settings({}), { stdout, stderr, now: NOW }, { mkdir: (dir) => dirs.push(dir), writeFile: (path, body) => written.set(path, body) });
    expect(code).toBe(0);
    expect(dirs).toEqual(['guardrails']);
    expect([...written.keys()]).toEqual([`guardrails/${fileName(0)}`]);
    const document = JSON.parse(written.get(`guardrails/${fileName(0)}`)!) as { Version: string; Statement: { Effect: string }[] };
    expect(document.Version).toBe('2012-10-17');
    expect(document.Statement.every((statement) => statement.Effect === 'Deny')).toBe(true);
    expect(stdout.text).toMatch(/^notebook-instance\.direct-internet-access +prevented$/m);
    expect(stdout.text).toMatch(/^notebook-instance\.security-groups +respond only: no condition key of sagemaker:CreateNotebookInstance can see what it checks$/m);
    expect(stdout.text).toMatch(/^endpoint\.kms-key +not in the guardrails: the policy's mode for it is report$/m);
    expect(stdout.text).toContain(`guardrails/${fileName(0)}: ${written.get(`guardrails/${fileName(0)}`)!.trim().length} of 5120 characters`);
    expect(stderr.text).toBe('');
  });

  test('--json: one object with the documents and the verdicts; without --out nothing is written', () => {
    const stdout = text();
    const code = guardrailsCommand({ ...options, json: true }, settings({}), { stdout, stderr: text(), now: NOW }, { mkdir: () => { throw new Error('no'); }, writeFile: () => { throw new Error('no'); } });
    expect(code).toBe(0);
    const parsed = JSON.parse(stdout.text) as { format: string; documents: { file: null; characters: number }[]; controls: { control: string }[] };
    expect(parsed.format).toBe('scp');
    expect(parsed.documents[0]?.file).toBeNull();
    expect(parsed.controls.map((verdict) => verdict.control)).toContain('training-job.vpc');
  });

  test('documents that cannot fit: exit 2, nothing written, the controls to leave to the responder named', () => {
    const subnets = Array.from({ length: 400 }, (_, index) => `subnet-0${String(index).padStart(8, '0')}`);
    const stderr = text();
    const writeFile = jest.fn();
    const code = guardrailsCommand({ ...options, format: 'iam', out: 'x' }, settings({ allowedSubnets: subnets }), { stdout: text(), stderr, now: NOW }, { mkdir: jest.fn(), writeFile });
    expect(code).toBe(2);
    expect(writeFile).not.toHaveBeenCalled();
    expect(stderr.text).toMatch(/^sagemaker-guard guardrails: the guardrails do not fit in one managed policy of 6144 characters; leave these controls to the responder by listing them in the policy's guardrails\.respondOnly: .*allowed-network/);
  });
});
