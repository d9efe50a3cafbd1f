#!/usr/bin/env bash
# The npm package as another CDK app uses it: `npm pack` (prepack builds dist/), install the tarball into a
# scratch CDK app (plain JavaScript, with aws-cdk-lib and constructs at this repository's versions and no esbuild,
# tsx or TypeScript), synthesize `new SageMakerGuard(stack, 'Guard', { notificationEmails: ['ops@example.com'] })`
# with `node app.js`, and check the cloud assembly; then run the packaged CLI.
# Fails with a message saying what is wrong. KEEP_PACKAGE_TEST=1 keeps the scratch directory.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
started=$SECONDS

WORK="$(mktemp -d "${TMPDIR:-/tmp}/sagemaker-guard-package.XXXXXX")"
cleanup() {
  status=$?
  if [ "$status" -ne 0 ] || [ "${KEEP_PACKAGE_TEST:-}" = 1 ]; then
    echo "package test: scratch directory kept: $WORK" >&2
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
fail() {
  echo "::error:: package test: $*" >&2
  exit 1
}
phase() { printf -- '-- %s (%ss)\n' "$*" "$((SECONDS - started))"; }

version_of() { node -p "require('$ROOT/node_modules/$1/package.json').version"; }
CDK_LIB_VERSION="$(version_of aws-cdk-lib)" || fail "aws-cdk-lib is not installed here: run npm ci first"
CONSTRUCTS_VERSION="$(version_of constructs)" || fail "constructs is not installed here: run npm ci first"

phase "npm pack (prepack: npm run build:package; prepare: npm run build:cli)"
mkdir -p "$WORK/pack"
if ! npm pack --pack-destination "$WORK/pack" >"$WORK/pack.log" 2>&1; then
  cat "$WORK/pack.log" >&2
  fail "npm pack failed (log above)"
fi
shopt -s nullglob
tarballs=("$WORK"/pack/sagemaker-guard-*.tgz)
shopt -u nullglob
[ "${#tarballs[@]}" -eq 1 ] || fail "expected one sagemaker-guard-*.tgz from npm pack in $WORK/pack, found ${#tarballs[@]}"
TGZ="${tarballs[0]}"
tar -tzf "$TGZ" | sed 's|^package/||' | sort >"$WORK/files.txt"
for required in package.json dist/cli.js dist/lib/index.js dist/lib/index.d.ts dist/lib/guard-function.js dist/lib/sagemaker-guard.d.ts; do
  grep -qxF "$required" "$WORK/files.txt" || fail "the tarball lacks $required"
done
entries="$(cd "$ROOT" && node -p "require('./dist/lib/guard-function.js').FUNCTION_ENTRIES.join(' ')")" ||
  fail "cannot read FUNCTION_ENTRIES from the packed dist/lib/guard-function.js"
for entry in $entries; do
  grep -qxF "dist/functions/$entry/index.js" "$WORK/files.txt" || fail "the tarball lacks dist/functions/$entry/index.js (the $entry function's bundle)"
done
unexpected="$(grep -vE '^(package\.json|README\.md|LICENSE|dist/cli\.js|dist/(lib|lambda)/.+\.(js|d\.ts)|dist/functions/[a-z-]+/index\.js)$' "$WORK/files.txt" || true)"
[ -z "$unexpected" ] || fail "unexpected files in the tarball (sources, tests or build leftovers?):
$unexpected"
echo "$(basename "$TGZ"): $(du -k "$TGZ" | cut -f1) KiB packed, $(wc -l <"$WORK/files.txt") files"

phase "scratch CDK app: npm install the tarball, aws-cdk-lib@$CDK_LIB_VERSION, constructs@$CONSTRUCTS_VERSION"
APP="$WORK/app"
mkdir -p "$APP"
cat >"$APP/package.json" <<'JSON'
{ "name": "scratch-consumer", "version": "0.0.0", "private": true, "description": "sagemaker-guard package test" }
JSON
if ! (cd "$APP" && npm install "$TGZ" "aws-cdk-lib@$CDK_LIB_VERSION" "constructs@$CONSTRUCTS_VERSION" \
  --prefer-offline --no-audit --no-fund --loglevel=error >"$WORK/install.log" 2>&1); then
  cat "$WORK/install.log" >&2
  fail "npm install in the scratch app failed (log above)"
fi
# The point of the package: nothing here bundles or compiles. Not in the app, nor above it on Node's module path.
(cd "$APP" && node -e "
  for (const name of ['esbuild', 'tsx', 'typescript', 'ts-node']) {
    let found;
    try { found = require.resolve(name + '/package.json'); } catch { continue; }
    console.error('the scratch app can load ' + name + ' (' + found + '); the package test must synthesize without it');
    process.exit(1);
  }
") || fail "the scratch app is not isolated from build tools"
sources="$(find "$APP/node_modules/sagemaker-guard" -name '*.ts' ! -name '*.d.ts' -print)"
[ -z "$sources" ] || fail "the installed package contains TypeScript sources: $sources"

phase "synth: node app.js"
cat >"$APP/app.js" <<'JS'
// A consumer's CDK app: the construct with every property but notificationEmails defaulted.
const { App, Stack } = require('aws-cdk-lib');
const { SageMakerGuard } = require('sagemaker-guard');

const app = new App({
  outdir: process.argv[2],
  // What the cdk CLI sets: aws:cdk:path metadata on every resource, aws:asset:path on each function.
  context: { 'aws:cdk:enable-path-metadata': true, 'aws:cdk:enable-asset-metadata': true },
});
const stack = new Stack(app, 'ConsumerStack');
new SageMakerGuard(stack, 'Guard', { notificationEmails: ['ops@example.com'] });
app.synth();
JS
# No node_modules/.bin on PATH either (an npm script would put this repository's esbuild there).
CLEAN_PATH="$(printf '%s' "$PATH" | tr ':' '\n' | grep -v 'node_modules/\.bin' | paste -sd: -)"
if ! (cd "$APP" && PATH="$CLEAN_PATH" node app.js "$APP/cdk.out" >"$WORK/synth.log" 2>&1); then
  cat "$WORK/synth.log" >&2
  fail "node app.js (synth of the scratch CDK app) failed (log above)"
fi

phase "check the cloud assembly"
cat >"$WORK/check.js" <<'JS'
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const [appDir, isolatedDir] = process.argv.slice(2);
const outdir = path.join(appDir, 'cdk.out');
const pkg = require(require.resolve('sagemaker-guard', { paths: [appDir] }));
const pkgDir = path.dirname(require.resolve('sagemaker-guard/package.json', { paths: [appDir] }));

const problems = [];
const expect = (ok, message) => { if (!ok) problems.push(message); };
const json = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));
const template = json(path.join(outdir, 'ConsumerStack.template.json'));
const assets = json(path.join(outdir, 'ConsumerStack.assets.json'));
const resources = Object.entries(template.Resources);
const ofType = (type) => resources.filter(([, r]) => r.Type === type);
const cdkPath = (r) => (r.Metadata && r.Metadata['aws:cdk:path']) || '';

// The guard's functions (ConsumerStack/Guard/<id>/Function): nodejs24.x on arm64, each with code from an asset of the
// assembly whose index.js is one of the package's pre-bundled dist/functions/<entry>/index.js. The responders, the
// sweep (on by default), the resend and the switch watch must be there; others the construct adds must match too.
const required = [...pkg.RESOURCE_KINDS.map((k) => pkg.RESPONDER_IDS[k]), pkg.SWEEP_ID, pkg.RESEND_ID, pkg.SWITCH_WATCH_ID];
const shippedBundles = new Map(pkg.FUNCTION_ENTRIES.map((entry) => {
  const file = path.join(pkgDir, 'dist', 'functions', entry, 'index.js');
  return [fs.existsSync(file) ? fs.readFileSync(file).toString('base64') : `missing ${file}`, entry];
}));
const kindOfResponder = new Map(pkg.RESOURCE_KINDS.map((k) => [pkg.RESPONDER_IDS[k], k]));
const guardFunctionId = (r) => /^ConsumerStack\/Guard\/([^/]+)\/Function\/Resource$/.exec(cdkPath(r))?.[1];
const functions = ofType('AWS::Lambda::Function');
const guardFunctions = functions.filter(([, r]) => guardFunctionId(r) !== undefined);
const others = functions.filter(([, r]) => guardFunctionId(r) === undefined).map(([id, r]) => `${id} (${cdkPath(r) || 'no aws:cdk:path'})`);
const constructIds = guardFunctions.map(([, r]) => guardFunctionId(r));
for (const id of required) expect(constructIds.includes(id), `no function at ConsumerStack/Guard/${id}/Function; the guard's functions: ${constructIds.join(', ')}`);
const settings = JSON.stringify(pkg.parseSettings({}, 'package test'));
const entriesUsed = new Map();
for (const [logicalId, fn] of guardFunctions) {
  const p = fn.Properties;
  const where = `${guardFunctionId(fn)} (${logicalId})`;
  expect(p.Runtime === 'nodejs24.x', `${where}: Runtime ${p.Runtime}, expected nodejs24.x`);
  expect(JSON.stringify(p.Architectures) === '["arm64"]', `${where}: Architectures ${JSON.stringify(p.Architectures)}, expected ["arm64"]`);
  // The sweep's three tasks run one bundle's three exports; every other function its bundle's `handler`.
  const exported = ({ [pkg.SWEEP_ID]: 'page', [pkg.SWEEP_PLAN_ID]: 'plan', [pkg.SWEEP_SUMMARY_ID]: 'summarize' })[guardFunctionId(fn)] || 'handler';
  expect(p.Handler === `index.${exported}`, `${where}: Handler ${p.Handler}, expected index.${exported}`);
  expect(fn.Metadata['aws:asset:is-bundled'] !== true, `${where}: its asset was bundled at synth; the package must ship it pre-bundled`);
  const vars = (p.Environment && p.Environment.Variables) || {};
  expect(vars.GUARD_SETTINGS === settings, `${where}: GUARD_SETTINGS is not parseSettings({}) (the default settings): ${vars.GUARD_SETTINGS}`);
  const key = p.Code && p.Code.S3Key;
  const hash = typeof key === 'string' ? key.replace(/\.zip$/, '') : undefined;
  const asset = hash && assets.files[hash];
  if (!asset) { problems.push(`${where}: Code.S3Key ${JSON.stringify(key)} is not a file asset of ConsumerStack.assets.json`); continue; }
  const assetDir = path.join(outdir, asset.source.path);
  const bundle = path.join(assetDir, 'index.js');
  if (!fs.existsSync(bundle)) { problems.push(`${where}: its asset ${assetDir} has no index.js`); continue; }
  expect(asset.source.packaging === 'zip', `${where}: asset packaging ${asset.source.packaging}, expected zip`);
  expect(path.resolve(outdir, fn.Metadata['aws:asset:path'] || '') === assetDir, `${where}: aws:asset:path does not name its asset ${asset.source.path}`);
  const entry = shippedBundles.get(fs.readFileSync(bundle).toString('base64'));
  if (entry === undefined) { problems.push(`${where}: ${bundle} is none of the package's dist/functions/<entry>/index.js`); continue; }
  // Every kind's responder runs the one responder bundle, told its kind by GUARD_KIND; the sweep's tasks the one sweep
  // bundle; every other function has code of its own.
  const kind = kindOfResponder.get(guardFunctionId(fn));
  if (exported !== 'handler') {
    expect(entry === 'sweep', `${where}: runs dist/functions/${entry}, expected the shared dist/functions/sweep`);
    if (!entriesUsed.has(entry)) entriesUsed.set(entry, where);
  } else if (kind !== undefined) {
    expect(entry === 'responder', `${where}: runs dist/functions/${entry}, expected the shared dist/functions/responder`);
    expect(vars.GUARD_KIND === kind, `${where}: GUARD_KIND ${JSON.stringify(vars.GUARD_KIND)}, expected ${JSON.stringify(kind)}`);
    if (!entriesUsed.has(entry)) entriesUsed.set(entry, where);
  } else {
    if (entriesUsed.has(entry)) problems.push(`${where} and ${entriesUsed.get(entry)} run the same code (dist/functions/${entry})`);
    entriesUsed.set(entry, where);
  }
  // The bundle is self-contained: it loads (cold-start init included) where no node_modules can be found, with the
  // template's environment (tokens replaced by stand-ins).
  const dir = path.join(isolatedDir, entry);
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(bundle, path.join(dir, 'index.js'));
  const env = { PATH: process.env.PATH, AWS_REGION: 'us-east-1', TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:guard',
    LEDGER_TABLE: 'ledger', ENFORCEMENT_SWITCH_PARAMETER: '/sagemaker-guard/enforcement',
    ...Object.fromEntries(Object.entries(vars).filter(([, v]) => typeof v === 'string')) };
  const load = spawnSync(process.execPath, ['-e', `const m = require('./index.js'); if (typeof m.${exported} !== 'function') { console.error('no ${exported} export'); process.exit(1); }`],
    { cwd: dir, env, encoding: 'utf8', timeout: 30000 });
  expect(load.status === 0, `${where}: its index.js does not load on its own: ${(load.stderr || load.error || '').toString().split('\n').filter(Boolean).slice(-3).join(' | ')}`);
}

// Log groups: one per guard function, kept a year by default.
const logGroups = ofType('AWS::Logs::LogGroup').filter(([, r]) => /^ConsumerStack\/Guard\/[^/]+\/LogGroup\//.test(cdkPath(r)));
expect(logGroups.length === guardFunctions.length, `expected ${guardFunctions.length} log groups at Guard/<function>/LogGroup, found ${logGroups.length}`);
for (const [id, r] of logGroups) expect(r.Properties.RetentionInDays === 365, `${id}: RetentionInDays ${r.Properties.RetentionInDays}, expected 365 (the default)`);

// Notices: the operators' email subscription, on the one KMS-encrypted topic.
const topics = ofType('AWS::SNS::Topic');
expect(topics.length === 1 && topics[0][1].Properties.KmsMasterKeyId !== undefined, `expected one KMS-encrypted AWS::SNS::Topic, found ${topics.length}`);
const emails = ofType('AWS::SNS::Subscription').filter(([, r]) => r.Properties.Protocol === 'email');
expect(emails.length === 1 && emails[0][1].Properties.Endpoint === 'ops@example.com' && emails[0][1].Properties.FilterPolicy === undefined,
  `expected one unfiltered email subscription for ops@example.com, found: ${JSON.stringify(emails.map(([, r]) => r.Properties.Endpoint))}`);

// EventBridge: a rule per kind (aws.sagemaker), the daily sweep, the resend schedule and the switch watch.
const rules = ofType('AWS::Events::Rule').map(([, r]) => r.Properties);
const sources = (r) => (r.EventPattern && r.EventPattern.source) || [];
const sageMakerRules = rules.filter((r) => sources(r).includes('aws.sagemaker'));
expect(sageMakerRules.length === pkg.RESOURCE_KINDS.length, `expected ${pkg.RESOURCE_KINDS.length} aws.sagemaker rules, found ${sageMakerRules.length}`);
const schedules = rules.map((r) => r.ScheduleExpression).filter(Boolean);
for (const schedule of ['rate(1 day)', pkg.RESEND_SCHEDULE]) {
  expect(schedules.filter((s) => s === schedule).length === 1, `expected one rule with the schedule ${schedule} (the sweep's default, the resend), found ${JSON.stringify(schedules)}`);
}
expect(rules.filter((r) => sources(r).includes('aws.ssm')).length === 1, 'expected one aws.ssm rule (the switch watch)');
const functionLogicalIds = new Set(guardFunctions.map(([id]) => id));
// The sweep's schedule starts its state machine (ConsumerStack/Guard/SweepMachine/StateMachine); every other rule one function.
const machines = ofType('AWS::StepFunctions::StateMachine').filter(([, r]) => /^ConsumerStack\/Guard\/SweepMachine\/StateMachine\/Resource$/.test(cdkPath(r)));
expect(machines.length === 1, `expected the sweep's state machine at Guard/SweepMachine/StateMachine, found ${machines.length}`);
const machineIds = new Set(machines.map(([id]) => id));
for (const r of rules) {
  const targets = (r.Targets || []).map((t) => (t.Arn && t.Arn['Fn::GetAtt'] && t.Arn['Fn::GetAtt'][0]) || (t.Arn && t.Arn.Ref));
  const onMachine = targets.length === 1 && machineIds.has(targets[0]);
  expect(onMachine ? r.ScheduleExpression === 'rate(1 day)' : targets.length === 1 && functionLogicalIds.has(targets[0]), `rule "${r.Description}" does not target one guard function (or, the sweep's schedule, its state machine)`);
}

// The ledger: one DynamoDB table, customer-managed KMS, retained.
const tables = ofType('AWS::DynamoDB::Table');
expect(tables.length === 1, `expected one AWS::DynamoDB::Table, found ${tables.length}`);
if (tables.length === 1) {
  const [id, table] = tables[0];
  expect(table.DeletionPolicy === 'Retain', `${id}: DeletionPolicy ${table.DeletionPolicy}, expected Retain`);
  expect(table.Properties.SSESpecification && table.Properties.SSESpecification.SSEType === 'KMS', `${id}: not encrypted with KMS`);
}
expect(ofType('AWS::SSM::Parameter').some(([, r]) => r.Properties.Name === pkg.DEFAULT_SWITCH_PARAMETER), `no SSM parameter ${pkg.DEFAULT_SWITCH_PARAMETER}`);

if (problems.length > 0) {
  console.error(`The scratch app's cloud assembly (${outdir}) is not what the package should synthesize:\n  - ${problems.join('\n  - ')}`);
  process.exit(1);
}
console.log(`cloud assembly OK: ${guardFunctions.length} guard functions (nodejs24.x, pre-bundled: ${[...entriesUsed.keys()].join(', ')}), ` +
  `${rules.length} EventBridge rules, the ops@example.com subscription, the ledger table` +
  (others.length > 0 ? `; other functions (aws-cdk-lib's own code): ${others.join(', ')}` : ''));
JS
node "$WORK/check.js" "$APP" "$WORK/isolated" || fail "the synthesized template does not match (see above)"

phase "type declarations: a TypeScript consumer type-checks (this repository's tsc; the scratch app has none)"
cat >"$APP/consumer.ts" <<'TS'
import { App, Stack } from 'aws-cdk-lib';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { parseSettings, SageMakerGuard, type GuardSettings, type SageMakerGuardProps } from 'sagemaker-guard';

const stack = new Stack(new App(), 'ConsumerStack');
// notificationEmails is the one required property.
const guard = new SageMakerGuard(stack, 'Guard', { notificationEmails: ['ops@example.com'] });
const responder: LambdaFunction = guard.functions['training-job'];
const settings: GuardSettings = parseSettings({ mode: 'report' }, 'consumer.ts');
const props: SageMakerGuardProps = { notificationEmails: ['ops@example.com'], settings, logRetention: RetentionDays.ONE_MONTH };
new SageMakerGuard(stack, 'Reporting', props);
export const names = [responder.functionName, guard.topic.topicArn, guard.ledger.tableName];
TS
cat >"$APP/tsconfig.json" <<'JSON'
{
  "compilerOptions": {
    "target": "ES2022", "module": "NodeNext", "moduleResolution": "NodeNext", "strict": true, "noEmit": true,
    "skipLibCheck": true, "types": []
  },
  "files": ["consumer.ts"]
}
JSON
if ! (cd "$APP" && node "$ROOT/node_modules/typescript/bin/tsc" -p tsconfig.json >"$WORK/tsc.log" 2>&1); then
  cat "$WORK/tsc.log" >&2
  fail "a TypeScript app using the package's type declarations does not type-check (errors above)"
fi

phase "the packaged CLI: node_modules/.bin/sagemaker-guard --help"
if ! (cd "$APP" && PATH="$CLEAN_PATH" ./node_modules/.bin/sagemaker-guard --help >"$WORK/cli.log" 2>&1); then
  cat "$WORK/cli.log" >&2
  fail "node_modules/.bin/sagemaker-guard --help failed in the scratch app (output above)"
fi
grep -qi 'sagemaker-guard' "$WORK/cli.log" || { cat "$WORK/cli.log" >&2; fail "sagemaker-guard --help printed no usage"; }
head -n 3 "$WORK/cli.log"

phase "package test passed"
