import { Command } from 'commander';
import type { CliContext } from '../../cli-context';
import { defineAction } from '../../command-kit';

/** The names of `command` after `cellctl`, e.g. `cell create`. */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/**
 * `help [command...]` under the program or a group: the named command's help on stdout, exit 0
 * (what `<command> --help` prints). Commander's own help command looks one name deep only and
 * exits through its error path.
 */
export function helpCommand(ctx: CliContext): Command {
  const command = new Command('help').description('show the help of a command (the same as <command> --help)').argument('[command...]', 'the command, e.g. cell create');
  return defineAction(ctx, command, [{ code: 0, meaning: 'the help was printed on stdout' }], async (names: string[]) => {
    let target = command.parent ?? command;
    for (const name of names) {
      const sub = target.commands.find((c) => c.name() === name || c.aliases().includes(name));
      if (!sub) {
        const unknown = [commandPath(target), name].filter(Boolean).join(' ');
        return target.error(`error: unknown command '${unknown}'`, { exitCode: 127, code: 'commander.unknownCommand' });
      }
      target = sub;
    }
    target.outputHelp();
  });
}
