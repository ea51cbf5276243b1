/**
 * The quickstart (`npm run quickstart`): cellctl's main job end to end on the embedded default
 * deployment (SQLite files under $CELLCTL_HOME, else ~/.local/share/cellctl). It runs the real
 * commands one by one, echoed before each runs, with their output as they print it:
 *   1. `cellctl api-db sync` and `cellctl simple-cell-setup`: the API database, cell0 and cell1;
 *   2. sample data, put straight into cell1's database the way a deployment from before instance
 *      mappings has it: compute hosts and instances, a share deleted, soft-deleted or hidden
 *      (only when the cell holds no instance yet, so a second run adds nothing);
 *   3. `cellctl host discover`, `cellctl map-instances --cell cell1` (progress on stderr);
 *   4. the result: `cellctl cell list`, `cellctl host list`, `cellctl instance verify <uuid>`.
 * Run it again and everything is found in place: nothing created, 0 instances mapped.
 *
 *   npm run quickstart [-- --instances N --compute-hosts K]
 */
import { spawnSync } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { findDefaultConfig } from '../src/config/config-loader';
import { embeddedPaths, resolveEmbeddedHome } from '../src/config/embedded-home';
import { censusCell, firstLiveInstanceUuid, populateCell } from './sample-deployment';

const CELLCTL = join(__dirname, '..', '..', 'bin', 'cellctl');
const CELL_NAME = 'cell1';

/**
 * The environment of every cellctl step. The quickstart writes sample data, so it must never reach
 * a deployment cellctl would find in Nova's own locations (/etc/nova/nova.conf...): when one is
 * there, it names the embedded home explicitly, which beats a discovered file.
 */
const CELLCTL_ENV: NodeJS.ProcessEnv = embeddedEnvironment();

function embeddedEnvironment(): NodeJS.ProcessEnv {
  if (process.env.CELLCTL_HOME) return process.env;
  const found = findDefaultConfig({ env: process.env, homeDir: homedir(), systemRoot: process.env.CELLCTL_SYSTEM_ROOT || '/' });
  if (found.files.length + found.dirs.length === 0) return process.env;
  return { ...process.env, CELLCTL_HOME: resolveEmbeddedHome(process.env, homedir(), process.cwd()) };
}

/** A step that failed: the quickstart stops with the command's exit code. */
class StepFailed extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Echoes `$ cellctl ARGS` and runs it with the terminal's streams; throws StepFailed on another exit code than 0. */
function run(args: string[]): void {
  say(`\n$ cellctl ${args.join(' ')}`);
  const r = spawnSync(process.execPath, [CELLCTL, ...args], { stdio: 'inherit', env: CELLCTL_ENV });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new StepFailed(`cellctl ${args.join(' ')} exited ${r.status ?? r.signal}`, r.status ?? 1);
}

/** Runs `cellctl ARGS` quietly for a value the next step needs; throws StepFailed when it fails. */
function read(args: string[]): string {
  const r = spawnSync(process.execPath, [CELLCTL, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env: CELLCTL_ENV });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new StepFailed(`cellctl ${args.join(' ')} exited ${r.status ?? r.signal}`, r.status ?? 1);
  return r.stdout.trim();
}

async function addSampleData(instances: number, computeHosts: number): Promise<void> {
  const cellUrl = read(['-f', 'value', '-c', 'database_connection', '--show-secrets', 'cell', 'show', CELL_NAME]);
  say(`\n# sample data: an old deployment's ${CELL_NAME} (${cellUrl}), written straight into Nova's tables`);
  const before = await censusCell(cellUrl);
  if (before.instances > 0) {
    say(`${CELL_NAME} already holds ${before.instances.toLocaleString('en-US')} instances on ${before.computeNodes} compute hosts: nothing added`);
    return;
  }
  const census = await populateCell(cellUrl, { instances, computeHosts });
  say(
    `added ${census.instances.toLocaleString('en-US')} instances on ${census.computeNodes} compute hosts (compute-001...): ` +
      `${census.deleted.toLocaleString('en-US')} deleted, ${census.softDeleted.toLocaleString('en-US')} soft-deleted, ` +
      `${census.hidden.toLocaleString('en-US')} hidden (not to be mapped); no instance mapping, no host mapping yet`,
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      instances: { type: 'string', default: '20000' },
      'compute-hosts': { type: 'string', default: '4' },
    },
  });
  const instances = Number(values.instances);
  const computeHosts = Number(values['compute-hosts']);
  if (!Number.isSafeInteger(instances) || instances < 1) throw new StepFailed(`--instances must be a positive whole number, not ${values.instances}`, 127);
  if (!Number.isSafeInteger(computeHosts) || computeHosts < 1 || computeHosts > 999) {
    throw new StepFailed(`--compute-hosts must be between 1 and 999, not ${values['compute-hosts']}`, 127);
  }

  run(['api-db', 'sync']);
  run(['simple-cell-setup']);
  await addSampleData(instances, computeHosts);
  run(['host', 'discover']);
  run(['map-instances', '--cell', CELL_NAME]);
  run(['cell', 'list']);
  run(['host', 'list']);
  const cellUrl = read(['-f', 'value', '-c', 'database_connection', '--show-secrets', 'cell', 'show', CELL_NAME]);
  const uuid = await firstLiveInstanceUuid(cellUrl);
  if (uuid) run(['instance', 'verify', uuid]);
  const { configFile } = embeddedPaths(resolveEmbeddedHome(process.env, homedir(), process.cwd()));
  say(`\nDone. Run it again: nothing changes. Without --config-file, cellctl works on this deployment: ${configFile}`);
  say(`(Nova's own tools read it too: nova-manage --config-file ${configFile} cell_v2 list_cells)`);
}

/** The last lines: what an operator can type next, on the deployment just made. */
function whatNext(): void {
  say('\nWhat to type next (from this directory, npx cellctl runs it; npm install -g . puts cellctl on PATH):');
  say('  cellctl -f json cell list                    # the cells as JSON, for scripts (-f yaml|value|csv, -c COLUMN)');
  say('  cellctl map-instances --all-cells --dry-run  # what a run would map, writing nothing');
  say('  cellctl cell show no-such-cell; echo $?      # an error: one line on stderr, exit 127');
  say('  cellctl help map-instances                   # any command\'s options and exit codes (also man cellctl)');
}

main()
  .then(whatNext)
  .catch((error: unknown) => {
    process.stderr.write(`quickstart: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = error instanceof StepFailed ? error.exitCode : 1;
  });
