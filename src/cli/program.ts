import { Command, InvalidArgumentError, Option } from 'commander';
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
import { flavorCommand } from './commands/flavor/flavor.command';
import { commandPath, helpCommand } from './commands/help/help.command';
import { DEFAULT_CONNECT_TIMEOUT_SECONDS, DEFAULT_LOCK_TIMEOUT_SECONDS } from '../domain/constants';
import { declaredColumnsOf } from './command-kit';
import { formatExitCodes, PROGRAM_EXIT_CODES } from './exit-codes';
import { checkColumnNames } from './output/renderers';
import { secondsParser } from './modern/options';
import { CSV_QUOTE_MODES, OUTPUT_FORMATS } from './output/output-format';
import { parseWidthInteger } from './output/table-width';
import { versionText } from './version';
import { completionCommand } from './commands/completion/completion.command';

/** The root help's paragraph on which configuration a run reads. */
const CONFIGURATION_HELP = [
  "Configuration: without --config-file/--config-dir, cellctl reads Nova's own configuration where",
  "oslo.config finds it for nova-manage: the first nova.conf and nova-manage.conf in ~/.nova, ~,",
  '/etc/nova, /etc, then the first nova.conf.d/ and nova-manage.conf.d/ there. When there is none, or',
  'CELLCTL_HOME or XDG_DATA_HOME is set, it uses its embedded deployment (CELLCTL_HOME, else',
  '$XDG_DATA_HOME/cellctl, else ~/.local/share/cellctl) and says so on stderr (-q silences it).',
].join('\n');

// NOTE: no [] default for repeatable options: commander would print "(default: [])" in the help.
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function maxWidthParser(value: string): number {
  try {
    return parseWidthInteger(value, '--max-width');
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/**
 * Builds the whole modern front (cellctl's own syntax), fresh for each run (tests run many in one process): global
 * options, every command group, and commander wired to the run's streams with exitOverride.
 */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('cellctl')
    .description("Operator toolkit for OpenStack Nova cells v2, working on Nova's own databases")
    .version(versionText(), '-V, --version', "print cellctl's version, the Nova release it speaks and its two schema revisions")
    .option('--config-file <file>', 'nova.conf-style file to read (repeatable; later files win)', collect)
    .option('--config-dir <dir>', 'directory of *.conf files read after --config-file')
    .option('--api-db <url>', 'API database URL (overrides [api_database] connection)')
    .option('--db <url>', 'cell database URL (overrides [database] connection)')
    .addOption(new Option('-f, --format <format>', 'output format').choices([...OUTPUT_FORMATS]).default('table'))
    .option('-c, --column <column>', 'show only this column (repeatable)', collect)
    // The OpenStack client's (cliff's) output options.
    .option('--sort-column <column>', 'sort a listing by this column (repeatable; the first given decides first)', collect)
    .addOption(new Option('--sort-ascending', 'sort in ascending order (the default)').conflicts('sortDescending'))
    .addOption(new Option('--sort-descending', 'sort in descending order'))
    .option('--fit-width', "fit tables to the terminal's width (stdout's, else $COLUMNS); on by default on a terminal and with CLIFF_FIT_WIDTH=1")
    .option('--max-width <n>', 'make tables at most N columns wide, wrapping cells (0 for no limit; default $CLIFF_MAX_TERM_WIDTH)', maxWidthParser)
    .option('--print-empty', 'print the header of an empty table (else an empty listing prints nothing in table format)')
    .option('--noindent', 'print JSON on one line')
    .addOption(new Option('--quote <mode>', 'which CSV fields are quoted: all, minimal (those with a comma or a quote), none, or nonnumeric (text)').choices([...CSV_QUOTE_MODES]).default('nonnumeric'))
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
    .addHelpText('after', `\n${CONFIGURATION_HELP}\n\n${formatExitCodes(PROGRAM_EXIT_CODES)}\n`);

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
  program.addCommand(flavorCommand(ctx));
  program.addCommand(completionCommand(ctx));

  program.hook('preAction', (_root, action) => {
    ctx.setGlobals(action.optsWithGlobals(), action.getOptionValueSourceWithGlobals('format') === 'cli');
    // -c and --sort-column name columns of the command's output: refused before it does anything.
    const columns = declaredColumnsOf(action);
    if (columns) checkColumnNames(columns, ctx.globals.column, ctx.globals.sortColumn);
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
  command.configureHelp({ ...command.configureHelp(), showGlobalOptions: true });
  command.configureOutput({
    writeOut: (s) => ctx.io.stdout.write(s),
    writeErr: (s) => ctx.commanderError(s),
    // NOTE: commander's suggestion comes on a second line ("(Did you mean list?)"): keep one line.
    outputError: (s, write) => write(`cellctl: ${oneTerminalLine(s.trim().replace(/\n+/g, ' '))}\n`),
  });
  for (const sub of command.commands) configureTree(sub, ctx);
}
