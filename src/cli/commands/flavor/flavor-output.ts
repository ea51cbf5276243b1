import type { Flavor } from '../../../domain/flavor';
import type { ColumnSpec } from '../../output/output-format';
import type { Row } from '../../output/renderers';

/**
 * The columns of `flavor list` (a public contract: docs/commands.md), the OpenStack client's
 * `flavor list` ones: `id` is the flavor ID users give, not the row id; sizes in MB and GB.
 */
export const FLAVOR_LIST_COLUMNS: ColumnSpec[] = [
  { key: 'id' },
  { key: 'name' },
  { key: 'ram' },
  { key: 'disk' },
  { key: 'ephemeral' },
  { key: 'vcpus', header: 'VCPUs' },
  { key: 'is_public' },
];

/** The columns of `flavor show` and `flavor create`: the list's, and the rest of the flavor. */
export const FLAVOR_COLUMNS: ColumnSpec[] = [
  ...FLAVOR_LIST_COLUMNS,
  { key: 'swap' },
  { key: 'rxtx_factor' },
  { key: 'disabled' },
  { key: 'description' },
  { key: 'properties' },
];

/** A flavor as output shows it: extra specs as `key=value` joined by commas, sorted by key. */
export function flavorRow(flavor: Flavor): Row {
  return {
    id: flavor.flavorId,
    name: flavor.name,
    ram: flavor.memoryMb,
    disk: flavor.rootGb,
    ephemeral: flavor.ephemeralGb,
    vcpus: flavor.vcpus,
    is_public: flavor.isPublic,
    swap: flavor.swap,
    rxtx_factor: flavor.rxtxFactor,
    disabled: flavor.disabled,
    description: flavor.description,
    properties: Object.entries(flavor.extraSpecs)
      .map(([key, value]) => `${key}=${value ?? ''}`)
      .join(','),
  };
}

/** The exit code documentation of a flavor not found, shared by the commands naming one. */
export const FLAVOR_REF_MEANING = 'invalid input: no flavor has that ID or name';
