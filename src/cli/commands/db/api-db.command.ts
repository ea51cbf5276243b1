import { Command } from 'commander';
import type { CliContext } from '../../cli-context';
import { apiDbSyncCommand } from './api-db-sync.command';
import { apiDbVersionCommand } from './api-db-version.command';

/** `cellctl api-db …`: the API database's schema. */
export function apiDbCommand(ctx: CliContext): Command {
  return new Command('api-db')
    .description("the API database's schema")
    .addCommand(apiDbSyncCommand(ctx))
    .addCommand(apiDbVersionCommand(ctx));
}
