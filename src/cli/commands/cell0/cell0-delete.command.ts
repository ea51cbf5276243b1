import { Command, Option } from 'commander';
import { Cell0MissingError, InstanceNotInCell0Error, InvalidValueError, StuckBuildNotInCell0Error } from '../../../domain/errors';
import type { CliContext } from '../../cli-context';
import { declareColumns, defineAction } from '../../command-kit';
import { dryRunOption } from '../../modern/options';
import type { ColumnSpec } from '../../output/output-format';
import type { VolumeAttachment } from '../../../services/cell0-delete.service';

/** The columns of `cell0 delete` (a public contract: docs/commands.md). */
const CELL0_DELETE_COLUMNS: ColumnSpec[] = [{ key: 'uuid' }, { key: 'name' }, { key: 'project_id' }, { key: 'result' }, { key: 'rows' }, { key: 'volumes' }];

/** A block device's volume as a warning names it: the volume, and the attachment when there is one. */
export function volumeText(v: VolumeAttachment): string {
  return v.attachmentId ? `${v.volumeId ?? '(no volume id)'} (attachment ${v.attachmentId})` : v.volumeId!;
}

/** The warning line for one instance's volume attachments. */
export function volumeWarning(uuid: string, volumes: VolumeAttachment[], dryRun: boolean): string {
  return `instance ${uuid} has volume attachments Nova would clean up in Cinder and cellctl cannot: ${volumes.map(volumeText).join(', ')}${dryRun ? '' : ' (check them in Cinder)'}`;
}

/** `cellctl cell0 delete UUID...`: Nova's delete of instances buried in cell0, or their purge. */
export function cell0DeleteCommand(ctx: CliContext): Command {
  const command = new Command('delete')
    .description(
      "delete instances buried in cell0 as Nova's API does: a soft delete (vm_state deleted, terminated_at set, its rows marked deleted, tags removed, the mapping queued for delete; " +
        "nova-manage db archive_deleted_rows archives them later); with --purge, remove every row of theirs from cell0 and their mapping, request spec and group membership from the API database " +
        "(a stuck build, whose build request is still there, keeps its API rows for cellctl instance stuck, and a warning says so). " +
        'Every UUID is checked first: one not in cell0 refuses the whole command. Volume attachments (which Nova would clean up in Cinder) are named in a warning and the delete goes on. ' +
        'Prints one row per instance: its result and the rows written',
    )
    .argument('<uuid...>', 'instance UUIDs (instances of cell0)')
    .addOption(new Option('--purge', 'remove the rows instead of soft-deleting them (an instance soft-deleted already is purged too)'))
    .addOption(dryRunOption('report the same results and row counts, write nothing'));
  declareColumns(command, CELL0_DELETE_COLUMNS);
  return defineAction(
    ctx,
    command,
    [
      { code: 0, meaning: 'every instance is deleted (or was already), or purged (--dry-run: would be)' },
      { code: 1, meaning: 'some instance has disable_terminate set and was left alone, as Nova leaves it (--purge removes it); the others are deleted' },
      {
        code: 127,
        meaning:
          'invalid input, nothing written: a malformed UUID, an instance cell0 does not hold or one mapped to another cell (named), a stuck build cell0 holds no row of (its build request still there: cellctl instance stuck buries or deletes it), or no cell0 is mapped (run cellctl cell0 setup)',
        errors: [InvalidValueError, InstanceNotInCell0Error, StuckBuildNotInCell0Error, Cell0MissingError],
      },
      { code: 255, meaning: 'a database could not be read or written; each instance is written in cell0 first, then in the API database, so running the command again completes it' },
    ],
    async (uuids: string[], options: { purge?: boolean; dryRun?: boolean }) => {
      const { deleteCell0Instances } = await ctx.services();
      const report = await deleteCell0Instances(await ctx.databases(), uuids, { purge: options.purge, dryRun: options.dryRun });
      for (const i of report.instances) if (i.volumes.length) ctx.warn(volumeWarning(i.uuid, i.volumes, report.dryRun));
      for (const i of report.instances) {
        if (i.stuckBuild && i.action === 'purged') {
          ctx.warn(`instance ${i.uuid} is a stuck build: its build request, mapping and request spec are kept; cellctl instance stuck --bury buries it again, --delete removes them`);
        }
      }
      ctx.printList(
        report.instances.map((i) => ({ uuid: i.uuid, name: i.name, project_id: i.projectId, result: i.action, rows: i.rows, volumes: i.volumes.map(volumeText).join(', ') })),
        CELL0_DELETE_COLUMNS,
      );
      const disabled = report.instances.filter((i) => i.action === 'termination-disabled');
      for (const i of disabled) ctx.warn(`instance ${i.uuid} has disable_terminate set: left alone, as Nova leaves it (--purge removes it)`);
      const count = (action: string) => report.instances.filter((i) => i.action === action).length;
      const what = options.purge ? `${count('purged')} instance(s) purged` : `${count('deleted')} instance(s) deleted, ${count('already-deleted')} already deleted`;
      ctx.notice(report.dryRun ? `dry run: ${what.replace(/ (purged|deleted),/, ' would be $1,').replace(/ purged$/, ' would be purged')}; nothing written` : what);
      return disabled.length ? 1 : 0;
    },
  );
}
