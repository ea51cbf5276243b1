import type { InstanceGroup } from '../../../domain/instance-groups';
import type { ColumnSpec } from '../../output/output-format';
import type { Row } from '../../output/renderers';

/**
 * The columns of every instance-group command (a public contract: docs/commands.md): `members` is
 * the instance UUIDs joined by commas (empty when none); `location` is `api`, or the name (else
 * UUID) of the cell whose database holds the group, several joined by commas.
 */
export const INSTANCE_GROUP_COLUMNS: ColumnSpec[] = [
  { key: 'uuid' },
  { key: 'name' },
  { key: 'project_id' },
  { key: 'user_id' },
  { key: 'policy' },
  { key: 'members' },
  { key: 'location' },
];

/** Where a group lives, as output says it. */
export function locationText(group: InstanceGroup): string {
  return group.location.kind === 'api' ? 'api' : group.location.cells.map((c) => c.name ?? c.uuid).join(',');
}

/** A group as output shows it. */
export function instanceGroupRow(group: InstanceGroup): Row {
  return {
    uuid: group.uuid,
    name: group.name,
    project_id: group.projectId,
    user_id: group.userId,
    policy: group.policy,
    members: group.members.join(','),
    location: locationText(group),
  };
}

/** The exit code documentation of an unknown or ambiguous group, shared by the commands naming one. */
export const GROUP_REF_MEANING = 'invalid input: no group has that UUID or name (in --project), a name several groups share (use the UUID or --project), or a malformed value';
