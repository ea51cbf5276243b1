import { Argument, Command } from 'commander';
import type { CliContext } from '../../cli-context';
import { defineAction } from '../../command-kit';
import { COMPLETION_SHELLS, renderCompletion, type CompletionShell } from '../../completion';

/** `cellctl completion bash|zsh|fish`: the shell's completion script, generated from the program, on stdout. */
export function completionCommand(ctx: CliContext): Command {
  const command = new Command('completion')
    .description('print the completion script of a shell (commands, options and their values), e.g. source <(cellctl completion bash)')
    .addArgument(new Argument('<shell>', 'the shell').choices([...COMPLETION_SHELLS]));
  return defineAction(ctx, command, [{ code: 0, meaning: 'the script was printed on stdout' }], async (shell: CompletionShell) => {
    let program = command;
    while (program.parent) program = program.parent;
    ctx.out(renderCompletion(program, shell));
  });
}
