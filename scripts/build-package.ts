/**
 * `npm run build:package` (and `npm pack`, as prepack): builds what the npm package ships besides the CLI.
 *
 *   dist/lib/index.js + .d.ts    the SageMakerGuard construct, compiled by tsc (tsconfig.build.json), with the
 *   dist/lib, dist/lambda         modules it imports (settings schema, kinds, ledger schema, ...), as CommonJS
 *   dist/functions/<entry>/       each function's code, bundled from lambda/handlers/<entry>.ts with the esbuild
 *     index.js                    options NodejsFunction uses in this repository (FUNCTION_DEFAULTS.bundling)
 *
 * The compiled GuardFunction finds dist/functions beside dist/lib and loads each bundle with Code.fromAsset, so an
 * app that installs the package synthesizes without esbuild, tsx or our TypeScript sources.
 * dist/cli.js (the `sagemaker-guard` CLI) is built by `npm run build:cli` (prepare) and is left alone here.
 */
import { spawn } from 'node:child_process';
import { existsSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as esbuild from 'esbuild';
import { FUNCTION_DEFAULTS, FUNCTION_ENTRIES, HANDLERS_DIR } from '../lib/guard-function';

const ROOT = join(__dirname, '..');
const DIST = join(ROOT, 'dist');
export const FUNCTIONS_OUT = join(DIST, 'functions');

/**
 * The esbuild options NodejsFunction derives from FUNCTION_DEFAULTS (aws-cdk-lib/aws-lambda-nodejs bundling.js runs
 * `esbuild --bundle <entry> --target=node<N> --platform=node --format=<format> --outfile=<out>/index.js [--minify]
 * [--external:<module>...]` in the project root, the directory of package-lock.json).
 */
export function functionBuildOptions(entry: string, outdir: string = FUNCTIONS_OUT): esbuild.BuildOptions {
  const { runtime, bundling } = FUNCTION_DEFAULTS;
  const version = /^nodejs(\d+)/.exec(runtime.name)?.[1];
  if (version === undefined) throw new Error(`cannot derive an esbuild target from runtime ${runtime.name}`);
  return {
    absWorkingDir: ROOT,
    entryPoints: [join(HANDLERS_DIR, `${entry}.ts`)],
    bundle: true,
    platform: 'node',
    target: `node${version}`,
    format: bundling.format,
    minify: bundling.minify,
    external: [...bundling.externalModules],
    outfile: join(outdir, entry, 'index.js'),
    logLevel: 'warning',
  };
}

function run(command: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(' ')} failed (exit ${String(code ?? signal)})`));
    });
  });
}

async function main(): Promise<void> {
  const started = Date.now();
  for (const dir of ['lib', 'lambda', 'functions']) rmSync(join(DIST, dir), { recursive: true, force: true });

  // tsc (one thread) and esbuild (all cores) side by side.
  await Promise.all([
    run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json']),
    ...FUNCTION_ENTRIES.map((entry) => esbuild.build(functionBuildOptions(entry))),
  ]);
  for (const file of ['lib/index.js', 'lib/index.d.ts', 'lib/guard-function.js']) {
    if (!existsSync(join(DIST, file))) throw new Error(`tsc -p tsconfig.build.json did not write dist/${file}`);
  }
  for (const entry of FUNCTION_ENTRIES) {
    const file = join(FUNCTIONS_OUT, entry, 'index.js');
    console.log(`  ${relative(ROOT, file)}  ${(statSync(file).size / 1024).toFixed(0)} KiB`);
  }
  console.log(`build:package: dist/lib, dist/lambda and ${FUNCTION_ENTRIES.length} functions in dist/functions (${Date.now() - started} ms)`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`build:package failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
