import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Command, Option } from 'commander';
import { DEBUG_STATEMENT_CHARS, type CliContext } from './cli-context';
import { cellCommand } from './commands/cell/cell.command';
import { cell0Command } from './commands/cell0/cell0.command';
import { apiDbCommand } from './commands/db/api-db.command';
import { dbCommand } from './commands/db/db.command';
import { instanceCommand } from './commands/instance/instance.command';
import { mapInstancesCommand } from './commands/instance/map-instances.command';
import { onlineDataMigrationsCommand } from './commands/migrations/online-data-migrations.command';
import { simpleCellSetupCommand } from './commands/setup/simple-cell-setup.command';
import { oneTerminalLine } from './output/terminal-text';
import { hostCommand } from './commands/host/host.command';
import { instanceGroupCommand } from './commands/instance-group/instance-group.command';
import { commandPath, helpCommand } from './commands/help/help.command';
import { DEFAULT_CONNECT_TIMEOUT_SECONDS, DEFAULT_LOCK_TIMEOUT_SECONDS } from '../domain/constants';
import { formatExitCodes } from './exit-codes';
import { secondsParser } from './modern/options';
import { OUTPUT_FORMATS } from './output/output-format';

/** The root help's paragraph on which configuration a run reads. */
const CONFIGURATION_HELP = [
  "Configuration: without --config-file/--config-dir, cellctl reads Nova's own configuration where",
  "oslo.config finds it for nova-manage: the first nova.conf and nova-manage.conf in ~/.nova, ~,",
  '/etc/nova, /etc, then the first nova.conf.d/ and nova-manage.conf.d/ there. When there is none, or',
  'CELLCTL_HOME or XDG_DATA_HOME is set, it uses its embedded deployment (CELLCTL_HOME, else',
  '$XDG_DATA_HOME/cellctl, else ~/.local/share/cellctl) and says so on stderr (-q silences it).',
].join('\n');

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function packageVersion(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  }
  return 'unknown';
}

/**
 * Builds the whole modern front (cellctl's own syntax), fresh for each run (tests run many in one process): global
 * options, every command group, and commander wired to the run's streams with exitOverride.
 */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('cellctl')
    .description("Operator toolkit for OpenStack Nova cells v2, working on Nova's own databases")
    .version(packageVersion(), '--version')
    .option('--config-file <file>', 'nova.conf-style file to read (repeatable; later files win)', collect, [])
    .option('--config-dir <dir>', 'directory of *.conf files read after --config-file')
    .option('--api-db <url>', 'API database URL (overrides [api_database] connection)')
    .option('--db <url>', 'cell database URL (overrides [database] connection)')
    .addOption(new Option('-f, --format <format>', 'output format').choices([...OUTPUT_FORMATS]).default('table'))
    .option('-c, --column <column>', 'show only this column (repeatable)', collect, [])
    .option('--show-secrets', 'show passwords in URLs instead of masking them')
    .option('-q, --quiet', 'print no notices or progress on stderr')
    .option('--debug', `print stack traces and SQL statements (each cut to ${DEBUG_STATEMENT_CHARS.toLocaleString('en')} characters) on stderr`)
    .addOption(
      new Option('--connect-timeout <seconds>', 'give up on a database that has not connected and answered after this many seconds')
        .argParser(secondsParser('--connect-timeout', 0.001))
        .default(DEFAULT_CONNECT_TIMEOUT_SECONDS),
    )
    .addOption(
      new Option('--lock-timeout <seconds>', 'give up on a write that waited this long for a lock another run or process holds')
        .argParser(secondsParser('--lock-timeout'))
        .default(DEFAULT_LOCK_TIMEOUT_SECONDS),
    )
    .showSuggestionAfterError(true)
    .addHelpText('after', `\n${CONFIGURATION_HELP}\n\n${formatExitCodes([{ code: 0, meaning: 'success' }, { code: 1, meaning: "1-9: the command's own outcomes (see each command's --help)" }])}\n`);

  program.addCommand(apiDbCommand(ctx));
  program.addCommand(dbCommand(ctx));
  program.addCommand(cellCommand(ctx));
  program.addCommand(cell0Command(ctx));
  program.addCommand(simpleCellSetupCommand(ctx));
  program.addCommand(hostCommand(ctx));
  program.addCommand(mapInstancesCommand(ctx));
  program.addCommand(onlineDataMigrationsCommand(ctx));
  program.addCommand(instanceCommand(ctx));
  program.addCommand(instanceGroupCommand(ctx));

  program.hook('preAction', (_root, action) => {
    ctx.setGlobals(action.optsWithGlobals(), action.getOptionValueSourceWithGlobals('format') === 'cli');
  });
  configureTree(program, ctx);
  return program;
}

/**
 * exitOverride and output routing for every command: settings addCommand does not inherit. Every
 * group gets cellctl's `help [command...]` instead of commander's, and run without a subcommand
 * is a usage error in one line (commander would print the whole help on stderr).
 */
function configureTree(command: Command, ctx: CliContext): void {
  if (command.commands.length > 0) {
    command.helpCommand(false);
    const names = command.commands.map((sub) => sub.name());
    command.addCommand(helpCommand(ctx));
    // NOTE: commander shows a group's help as an error (help({ error: true })) only when it was
    // run without a subcommand (cellctl's help command replaces the other case): say so instead.
    command.on('beforeHelp', (context: { error?: boolean }) => {
      if (!context.error) return;
      const path = commandPath(command);
      const needs = path ? `'${path}' needs a subcommand` : 'cellctl needs a command';
      command.error(`error: ${needs} (${names.join(', ')}); see ${['cellctl', path].filter(Boolean).join(' ')} --help`, { exitCode: 127, code: 'cellctl.missingSubcommand' });
    });
  }
  command.exitOverride();
  command.configureOutput({
    writeOut: (s) => ctx.io.stdout.write(s),
    writeErr: (s) => ctx.commanderError(s),
    // NOTE: commander's suggestion comes on a second line ("(Did you mean list?)"): keep one line.
    outputError: (s, write) => write(`cellctl: ${oneTerminalLine(s.trim().replace(/\n+/g, ' '))}\n`),
  });
  for (const sub of command.commands) configureTree(sub, ctx);
}
