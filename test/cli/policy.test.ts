import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InvalidSettingsError, parseSettings } from '../../lambda/core/settings';
import { readPolicy } from '../../lib/config';
import { choosePolicy, isCdkJson, PolicyError, policyFromCdkContext, policyLine, type PolicyFiles } from '../../cli/policy';

const ROOT = resolve(__dirname, '../..');

/** A file system of a few files, relative to /work/here. */
function files(contents: Readonly<Partial<Record<string, string>>>, cwd = '/work/here'): PolicyFiles & { reads: string[] } {
  const reads: string[] = [];
  return {
    cwd,
    reads,
    readFile: (path) => {
      reads.push(path);
      const text = contents[resolve(cwd, path)];
      if (text === undefined) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
      return text;
    },
    exists: (path) => contents[resolve(cwd, path)] !== undefined,
  };
}

const POLICY = { mode: 'report', controls: { 'model.vpc': 'enforce' } };
const json = (value: unknown) => JSON.stringify(value);

describe('the policy the audit applies', () => {
  test('--policy naming a policy document: that document', () => {
    const choice = choosePolicy('policy.json', files({ '/work/here/policy.json': json(POLICY) }));
    expect(choice).toEqual({ input: POLICY, source: 'policy file policy.json', origin: 'option' });
    expect(policyLine(choice)).toBe('Policy: policy file policy.json');
  });

  test('--policy naming a cdk.json: its context.policy, not its other keys', () => {
    const cdkJson = { app: 'npx tsx bin/sagemaker-guard.ts', watch: { include: ['**'] }, context: { policy: POLICY, notificationEmails: '', '@aws-cdk/core:checkSecretUsage': true } };
    const choice = choosePolicy('../guard/cdk.json', files({ '/work/guard/cdk.json': json(cdkJson) }));
    expect(choice).toEqual({ input: POLICY, source: 'context.policy of /work/guard/cdk.json', origin: 'option' });
    // The settings parse: what failed before on "app", "context"...
    expect(parseSettings(choice.input, choice.source).mode).toBe('report');
  });

  test('context.policy as a JSON string, as `cdk -c policy=...` gives it', () => {
    const choice = choosePolicy('cdk.json', files({ '/work/here/cdk.json': json({ context: { policy: json(POLICY) } }) }));
    expect(choice.input).toEqual(POLICY);
  });

  test('context.policyFile is read relative to the directory of the cdk.json (where cdk runs), not the current one', () => {
    const fs = files({
      '/work/guard/cdk.json': json({ app: 'x', context: { policyFile: 'config/policy.json' } }),
      '/work/guard/config/policy.json': json(POLICY),
      '/work/here/config/policy.json': json({ mode: 'off' }),
    });
    const choice = choosePolicy('/work/guard/cdk.json', fs);
    expect(choice).toEqual({ input: POLICY, source: 'policy file /work/guard/config/policy.json, the context.policyFile of /work/guard/cdk.json', origin: 'option' });
    expect(fs.reads).toEqual(['/work/guard/cdk.json', '/work/guard/config/policy.json']);
  });

  test('a cdk.json with neither key: the built-in defaults, and it says why', () => {
    const choice = choosePolicy('cdk.json', files({ '/work/here/cdk.json': json({ app: 'npx ts-node bin/app.ts' }) }));
    expect(choice).toEqual({ input: {}, source: 'the built-in defaults: /work/here/cdk.json has no context.policy or context.policyFile', origin: 'option' });
  });

  test('without --policy, the cdk.json of the current directory: what cdk deploy would deploy from here', () => {
    const choice = choosePolicy(undefined, files({ '/work/here/cdk.json': json({ app: 'x', context: { policy: POLICY } }) }));
    expect(choice).toEqual({ input: POLICY, source: 'context.policy of /work/here/cdk.json', origin: 'current-directory' });
    expect(policyLine(choice)).toBe(
      'Policy: context.policy of /work/here/cdk.json (the cdk.json in the current directory: what cdk deploy deploys from here; --policy FILE for another)',
    );
  });

  test('without --policy or a cdk.json: the built-in defaults, and it says so', () => {
    const choice = choosePolicy(undefined, files({}));
    expect(choice).toEqual({ input: {}, source: 'the built-in defaults (no --policy, and no cdk.json in the current directory)', origin: 'defaults' });
    expect(policyLine(choice)).toBe('Policy: the built-in defaults (no --policy, and no cdk.json in the current directory)');
  });

  test("this project's own cdk.json gives the policy cdk deploy deploys", () => {
    const choice = choosePolicy(undefined, { cwd: ROOT, readFile: (path) => readFileSync(path, 'utf8'), exists: () => true });
    const deployed = readPolicy((key) => (JSON.parse(readFileSync(resolve(ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context[key], () => '');
    expect(choice.input).toEqual(deployed.input);
    expect(choice.source).toBe(`context.policy of ${resolve(ROOT, 'cdk.json')}`);
  });

  test.each<[string, string | undefined, Record<string, string>, string]>([
    ['an unreadable --policy', 'missing.json', {}, "--policy: cannot read missing.json: ENOENT: no such file or directory, open 'missing.json'"],
    ['a --policy that is not JSON', 'policy.json', { '/work/here/policy.json': '{ mode: enforce }' }, '--policy: policy.json is not JSON: '],
    ['both policy and policyFile', 'cdk.json', { '/work/here/cdk.json': json({ context: { policy: POLICY, policyFile: 'p.json' } }) }, 'Invalid sagemaker-guard settings in /work/here/cdk.json: give the policy as context "policy" or as context "policyFile", not both'],
    ['a policyFile that is not a path', 'cdk.json', { '/work/here/cdk.json': json({ context: { policyFile: 42 } }) }, 'context.policyFile: expected a file path (given: 42)'],
    ['a policyFile that cannot be read', 'cdk.json', { '/work/here/cdk.json': json({ context: { policyFile: 'gone.json' } }) }, 'context.policyFile of /work/here/cdk.json is gone.json, which cannot be read (ENOENT'],
    ['a context.policy string that is not JSON', 'cdk.json', { '/work/here/cdk.json': json({ context: { policy: '{mode' } }) }, 'context.policy of /work/here/cdk.json is not valid JSON'],
    ['a cdk.json here that is not JSON', undefined, { '/work/here/cdk.json': '{' }, 'the cdk.json in the current directory (audited with by default; --policy FILE for another policy): /work/here/cdk.json is not JSON'],
    ['a cdk.json here that is no CDK project', undefined, { '/work/here/cdk.json': json({ mode: 'enforce' }) }, 'has neither "app" nor "context", so it is not a CDK project\'s cdk.json'],
  ])('refuses %s, saying which file and why', (_name, policyFile, contents, message) => {
    expect(() => choosePolicy(policyFile, files(contents))).toThrow(PolicyError);
    expect(() => choosePolicy(policyFile, files(contents))).toThrow(message);
  });

  test('a policy document is never taken for a cdk.json: the schema has no "app" or "context" key', () => {
    expect(isCdkJson(POLICY)).toBe(false);
    expect(isCdkJson({ context: {} })).toBe(true);
    expect(isCdkJson({ app: 'x' })).toBe(true);
    expect(isCdkJson({ context: 'x' })).toBe(false);
    expect(isCdkJson([])).toBe(false);
  });

  // The CLI cannot import lib/config.ts (it loads aws-cdk-lib): the same contexts must give the same policy.
  test.each<[string, Record<string, unknown>]>([
    ['no policy', {}],
    ['an inline object', { policy: POLICY }],
    ['a JSON string', { policy: json(POLICY) }],
    ['an empty string', { policy: '' }],
    ['null', { policy: null }],
    ['a policy file', { policyFile: 'p.json' }],
    ['a blank policy file', { policyFile: '  ', policy: POLICY }],
    ['both', { policy: POLICY, policyFile: 'p.json' }],
    ['a policy file that is not a string', { policyFile: ['p.json'] }],
    ['bad JSON', { policy: '{' }],
    ['a number', { policy: 7 }],
  ])('reads a context as lib/config.ts readPolicy does: %s', (_name, context) => {
    const read = (path: string) => (path.endsWith('p.json') ? json(POLICY) : '');
    const ours = attempt(() => policyFromCdkContext(context, '/work/cdk.json', read).input);
    const theirs = attempt(() => readPolicy((key) => context[key], read).input);
    if ('input' in theirs) {
      expect(ours).toEqual(theirs);
    } else {
      // Both refuse it (the messages differ: the CLI names the cdk.json).
      expect(theirs.error).toBeInstanceOf(InvalidSettingsError);
      expect(ours).toMatchObject({ failed: true });
      expect('error' in ours && ours.error).toBeInstanceOf(PolicyError);
    }
  });
});

function attempt(read: () => unknown): { input: unknown } | { error: unknown; failed: true } {
  try {
    return { input: read() };
  } catch (error) {
    return { error, failed: true };
  }
}
