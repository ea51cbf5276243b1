/**
 * Instance groups (server groups) as cellctl sees them while they may live in two places: the API
 * database (Nova 26's only home for them) and the legacy tables of a cell database that was never
 * migrated (Nova removed that migration in Rocky; cellctl's `migrate_instance_groups_to_api_db`).
 */
import type { CellRef } from './errors';

/** The policies Nova 26 accepts for a group (API microversion 2.64 and earlier ones). */
export const INSTANCE_GROUP_POLICIES = ['affinity', 'anti-affinity', 'soft-affinity', 'soft-anti-affinity'] as const;

/** One of INSTANCE_GROUP_POLICIES. */
export type InstanceGroupPolicy = (typeof INSTANCE_GROUP_POLICIES)[number];

/** Where a group lives: the API database, or (only) the legacy tables of these cells. */
export type InstanceGroupLocation = { kind: 'api' } | { kind: 'cells'; cells: CellRef[] };

/** An instance group as the services return it, wherever it lives. */
export interface InstanceGroup {
  uuid: string;
  name: string | null;
  projectId: string | null;
  userId: string | null;
  /** The first policy row (lowest id), as Nova 26 reads it; null when it has none. */
  policy: string | null;
  /** The policy's rules as stored (JSON text; always null for a group in a cell). */
  rules: string | null;
  /** Instance UUIDs in the order they were added, each once. */
  members: string[];
  location: InstanceGroupLocation;
}

/** The longest name, project and user id Nova's columns hold (String(255)). */
export const INSTANCE_GROUP_TEXT_LIMIT = 255;
