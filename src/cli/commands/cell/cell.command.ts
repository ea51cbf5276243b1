import { Command } from 'commander';
import type { CliContext } from '../../cli-context';
import { cellCreateCommand } from './cell-create.command';
import { cellDeleteCommand } from './cell-delete.command';
import { cellEnsureCommand } from './cell-ensure.command';
import { cellListCommand } from './cell-list.command';
import { cellShowCommand } from './cell-show.command';
import { cellUpdateCommand } from './cell-update.command';

/** `cellctl cell …`: cell mappings. */
export function cellCommand(ctx: CliContext): Command {
  return new Command('cell')
    .description('cell mappings: create, ensure, list, show, update, delete')
    .addCommand(cellCreateCommand(ctx))
    .addCommand(cellEnsureCommand(ctx))
    .addCommand(cellListCommand(ctx))
    .addCommand(cellShowCommand(ctx))
    .addCommand(cellUpdateCommand(ctx))
    .addCommand(cellDeleteCommand(ctx));
}
