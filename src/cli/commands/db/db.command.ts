import { Command } from 'commander';
import type { CliContext } from '../../cli-context';
import { dbSyncCommand } from './db-sync.command';
import { dbVersionCommand } from './db-version.command';

/** `cellctl db …`: the cell databases' schema. */
export function dbCommand(ctx: CliContext): Command {
  return new Command('db')
    .description("the cell databases' schema")
    .addCommand(dbSyncCommand(ctx))
    .addCommand(dbVersionCommand(ctx));
}
