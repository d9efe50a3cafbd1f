/**
 * Which policy the audit applies, and where it came from:
 * - `--policy FILE` naming a policy document: that document;
 * - `--policy FILE` naming a CDK project's cdk.json (it has a `context` object or an `app` key): the policy
 *   that project deploys, read from its context as the CDK app reads it (lib/config.ts readPolicy):
 *   `context.policy` (an object, or a JSON string) or `context.policyFile` (a path, relative to the
 *   directory of the cdk.json, where `cdk` runs), not both; neither means the built-in defaults;
 * - no --policy, and a cdk.json in the current directory: that project's policy, as above;
 * - otherwise: the built-in defaults.
 *
 * The rules are those of lib/config.ts readPolicy, which cannot be imported here: lib/config.ts loads
 * aws-cdk-lib, which would add about a megabyte and half a second to every start of the command.
 * test/cli/policy.test.ts checks that both read the same contexts alike.
 *
 * Only the `context` of cdk.json is read: values given with `cdk deploy -c`, or kept in cdk.context.json
 * or ~/.cdk.json, are not seen.
 */
import { dirname, isAbsolute, join, resolve } from 'node:path';

/**
 * The policy cannot be read: a file that is missing or not JSON, or a cdk.json whose context breaks
 * lib/config.ts's rules (worded as that module words them, with the file's path).
 * It loads nothing else: main.ts imports this module before it sets the SDK's environment.
 */
export class PolicyError extends Error {
  override readonly name = 'PolicyError';
}

export interface PolicyChoice {
  /** The policy document, for parseSettings. */
  readonly input: unknown;
  /** Where it came from, for messages, the stderr line and the JSON summary's policySource. */
  readonly source: string;
  /** How it was chosen: named by --policy, the cdk.json of the current directory, or nothing (the defaults). */
  readonly origin: 'option' | 'current-directory' | 'defaults';
}

/** The file system, as the loader sees it (the real one in main.ts, a map in the tests). */
export interface PolicyFiles {
  /** The directory the command runs in. */
  readonly cwd: string;
  /** Reads a file as UTF-8; throws when it cannot. */
  readFile(path: string): string;
  exists(path: string): boolean;
}

export const CDK_JSON = 'cdk.json';

type Context = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A cdk.json, as opposed to a policy document: a policy has neither key (its schema is strict). */
export function isCdkJson(document: unknown): document is Readonly<Record<string, unknown>> {
  return isObject(document) && (isObject(document.context) || 'app' in document);
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new PolicyError(`Invalid sagemaker-guard settings: ${what} is not valid JSON (${(error as Error).message})`);
  }
}

/**
 * The policy in a cdk.json's context: `policy` (object or JSON string) or `policyFile` (relative to the
 * cdk.json's directory). The same rules, and the same refusals, as lib/config.ts readPolicy.
 * @throws PolicyError
 */
export function policyFromCdkContext(context: Context, cdkJson: string, readFile: (path: string) => string): Omit<PolicyChoice, 'origin'> {
  const inline = context.policy;
  const file = context.policyFile;
  const hasInline = inline !== undefined && inline !== null && inline !== '';
  const hasFile = typeof file === 'string' && file.trim() !== '';
  if (hasInline && hasFile) {
    throw new PolicyError(`Invalid sagemaker-guard settings in ${cdkJson}: give the policy as context "policy" or as context "policyFile", not both`);
  }
  if (hasFile) {
    const given = file.trim();
    // cdk runs the app in the directory of its cdk.json, so that is what a relative policyFile is relative to.
    const path = isAbsolute(given) ? given : join(dirname(cdkJson), given);
    let text: string;
    try {
      text = readFile(path);
    } catch (error) {
      throw new PolicyError(`Invalid sagemaker-guard settings: context.policyFile of ${cdkJson} is ${given}, which cannot be read (${(error as Error).message})`);
    }
    return { input: parseJson(text, `policy file ${path} (context.policyFile of ${cdkJson})`), source: `policy file ${path}, the context.policyFile of ${cdkJson}` };
  }
  if (file !== undefined && file !== null && typeof file !== 'string') {
    throw new PolicyError(`Invalid sagemaker-guard settings in ${cdkJson}: context.policyFile: expected a file path (given: ${JSON.stringify(file)})`);
  }
  if (!hasInline) return { input: {}, source: `the built-in defaults: ${cdkJson} has no context.policy or context.policyFile` };
  const input = typeof inline === 'string' ? parseJson(inline, `context.policy of ${cdkJson}`) : inline;
  return { input, source: `context.policy of ${cdkJson}` };
}

function readJson(path: string, files: PolicyFiles, what: string): unknown {
  let text: string;
  try {
    text = files.readFile(path);
  } catch (error) {
    throw new PolicyError(`${what}: cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new PolicyError(`${what}: ${path} is not JSON: ${(error as Error).message}`);
  }
}

function fromCdkJson(document: Readonly<Record<string, unknown>>, path: string, files: PolicyFiles): Omit<PolicyChoice, 'origin'> {
  const context = isObject(document.context) ? document.context : {};
  return policyFromCdkContext(context, path, (file) => files.readFile(file));
}

/**
 * The policy the audit applies (see the top of this file).
 * @throws PolicyError when the file cannot be read or is not JSON, or a cdk.json's context is wrong
 */
export function choosePolicy(policyFile: string | undefined, files: PolicyFiles): PolicyChoice {
  if (policyFile !== undefined) {
    const document = readJson(policyFile, files, '--policy');
    if (isCdkJson(document)) return { ...fromCdkJson(document, resolve(files.cwd, policyFile), files), origin: 'option' };
    return { input: document, source: `policy file ${policyFile}`, origin: 'option' };
  }
  const here = resolve(files.cwd, CDK_JSON);
  if (files.exists(here)) {
    const what = `the ${CDK_JSON} in the current directory (audited with by default; --policy FILE for another policy)`;
    const document = readJson(here, files, what);
    if (!isCdkJson(document)) throw new PolicyError(`${what}: ${here} has neither "app" nor "context", so it is not a CDK project's cdk.json`);
    return { ...fromCdkJson(document, here, files), origin: 'current-directory' };
  }
  return { input: {}, source: `the built-in defaults (no --policy, and no ${CDK_JSON} in the current directory)`, origin: 'defaults' };
}

/** The stderr line that says which policy the audit applies. */
export function policyLine(choice: PolicyChoice): string {
  const why = choice.origin === 'current-directory' ? ` (the ${CDK_JSON} in the current directory: what cdk deploy deploys from here; --policy FILE for another)` : '';
  return `Policy: ${choice.source}${why}`;
}
