import { Command, InvalidArgumentError, Option } from 'commander';
import { Cell0MissingError } from '../../../domain/errors';
import { ageAt, faultHint, parseAge } from '../../../domain/cell0-faults';
import type { CliContext } from '../../cli-context';
import { declareColumns, defineAction } from '../../command-kit';
import { positiveIntegerParser } from '../../modern/options';
import type { ColumnSpec } from '../../output/output-format';

/** The columns of `cell0 list` (a public contract: docs/commands.md). */
const CELL0_LIST_COLUMNS: ColumnSpec[] = [
  { key: 'uuid' },
  { key: 'name' },
  { key: 'project_id' },
  { key: 'user_id' },
  { key: 'created_at' },
  { key: 'age' },
  { key: 'fault_code' },
  { key: 'fault' },
  { key: 'hint' },
];

/** A parser of `--older-than AGE` (seconds, or a number with s, m, h, d or w). */
export function ageParser(flag: string): (value: string) => number {
  return (value) => {
    const seconds = parseAge(value);
    if (seconds === undefined) throw new InvalidArgumentError(`${flag} must be an age such as 90, 30m, 12h, 7d or 2w, not '${value}'`);
    return seconds;
  };
}

/** `cellctl cell0 list`: the instances buried in cell0, newest first, with what their fault means. */
export function cell0ListCommand(ctx: CliContext): Command {
  const command = new Command('list')
    .description('list the live instances buried in cell0, newest first, with their latest fault and a hint at what it means')
    .addOption(new Option('--project <project-id>', "only this project's instances"))
    .addOption(new Option('--older-than <age>', 'only instances created longer ago than this (90, 30m, 12h, 7d, 2w)').argParser(ageParser('--older-than')))
    .addOption(new Option('--fault-contains <text>', 'only instances whose latest fault message contains this text (case ignored)'))
    .addOption(new Option('--limit <n>', 'at most this many instances').argParser(positiveIntegerParser('--limit')));
  declareColumns(command, CELL0_LIST_COLUMNS);
  return defineAction(
    ctx,
    command,
    [
      { code: 0, meaning: 'listed (possibly nothing)' },
      { code: 127, meaning: 'invalid input: a bad --older-than or --limit, or no cell0 is mapped (run cellctl cell0 setup)', errors: [Cell0MissingError] },
    ],
    async (options: { project?: string; olderThan?: number; faultContains?: string; limit?: number }) => {
      const { listCell0Instances } = await ctx.services();
      const now = new Date();
      const instances = await listCell0Instances(await ctx.databases(), { project: options.project, olderThanSeconds: options.olderThan, faultContains: options.faultContains, limit: options.limit, now });
      ctx.printList(
        instances.map((i) => ({
          uuid: i.uuid,
          name: i.displayName,
          project_id: i.projectId,
          user_id: i.userId,
          created_at: i.createdAt,
          age: ageAt(i.createdAt, now),
          fault_code: i.faultCode,
          fault: i.faultMessage,
          hint: faultHint(i.faultMessage),
        })),
        CELL0_LIST_COLUMNS,
      );
    },
  );
}
