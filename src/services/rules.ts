/**
 * The choices where cellctl deliberately differs from Nova 26, as one object a front picks and
 * hands to the services (docs/nova-differences.md lists each with its reason; a test checks that
 * every difference listed there names one of these rules). The modern front uses CELLCTL_RULES;
 * the nova-manage front will bring Nova's. A rule typed `true` has only cellctl's behaviour so
 * far: Nova's comes with that front, and the type makes the compiler say so until it exists.
 */
export interface Rules {
  /** `cell create`/`ensure` refuse a second cell with the same name (Nova allows duplicate names). */
  uniqueCellNames: boolean;
  /**
   * Duplicate checks compare database and transport URLs rendered on both sides (Nova compares the
   * rendered stored URL with the raw new one, LP#1923899).
   */
  compareRenderedUrls: boolean;
  /** `cell update` changes only what is given (Nova resets an omitted URL to nova.conf's). */
  updateKeepsOmittedUrls: boolean;
  /** An invalid transport URL on `cell update` is refused (Nova reports it and exits 0). */
  refuseInvalidTransportOnUpdate: boolean;
  /** An unknown or ambiguous cell is invalid input on every command (Nova: 1 or 255 by command). */
  unknownCellIsInvalidInput: true;
  /** `cell delete` names every blocker at once (Nova stops at the first). */
  reportEveryBlocker: true;
  /** Masking hides every password and keeps the rest of a URL intact (Nova drops hosts of multi-host URLs). */
  maskKeepsUrlIntact: true;
  /** `db sync` without a cell syncs only `[database]` (Nova also syncs cell0). */
  schemaSyncSkipsCell0: true;
  /** `cell delete --force` also resets `compute_nodes.mapped` in the cell database. */
  deleteResetsComputeNodes: boolean;
  /**
   * cell0's database is `[database]` with `_cell0` appended to the file's stem, escapes kept, and a
   * name already ending in `_cell0` refused (Nova appends to the whole name, unquoted).
   */
  cell0UrlFromStem: true;
  /** `cell0 setup` also creates cell0's schema. */
  cell0SetupSyncsSchema: true;
  /** Host mappings are inserted with insert-ignore: a parallel discovery never fails (Nova exits 2). */
  hostDiscoveryIgnoresRaces: true;
  /** Compute nodes whose host is already mapped to their own cell are marked mapped (Nova leaves them at 0). */
  markNodesOfMappedHosts: boolean;
  /** `host discover --cell cell0` is refused as invalid input (Nova silently skips cell0). */
  refuseHostDiscoveryInCell0: boolean;
  /** The name simple-cell-setup gives the cell it creates (Nova: none). */
  simpleSetupCellName: string | null;
  /** simple-cell-setup accepts a deployment with no compute hosts yet (Nova exits 1). */
  simpleSetupAllowsNoHosts: true;
  /** simple-cell-setup maps no instances (Nova's runs map_instances); map-instances does that. */
  simpleSetupMapsNoInstances: true;
  /** simple-cell-setup runs every step as a dry run first, so a refusal writes nothing. */
  simpleSetupDryRunsFirst: true;
  /** simple-cell-setup creates the API schema when there is none, and the new cell's schema (Nova syncs only cell0's). */
  simpleSetupCreatesSchemas: true;
  /**
   * With no configuration file found where oslo.config looks, or with CELLCTL_HOME/XDG_DATA_HOME
   * set, the modern front uses its embedded deployment (Nova has no database configured then).
   */
  embeddedDeployment: true;
  /** map-instances sets queued_for_delete as Nova's populate_queued_for_delete would (Nova's map_instances: false). */
  queuedForDeleteFromState: boolean;
  /** map-instances keeps no resume marker row; it finds unmapped instances by an anti-join every run. */
  mapInstancesWithoutMarker: true;
  /** map-instances' --max-count is a total over all the cells of one run. */
  maxCountAcrossCells: true;
  /** map-instances works set-based, in large chunks (Nova: one insert per instance, batches of 50). */
  setBasedMapping: true;
  /** `instance verify` refuses a malformed UUID as invalid input. */
  verifyRefusesMalformedUuid: true;
  /** `db sync` creates Nova's schema only in an empty database and refuses older ones (Nova migrates). */
  schemaSyncCreatesOnly: true;
  /** Cell names may not be empty, blank or invisible, nor hold control or bidirectional characters (Nova accepts any name). */
  printableCellNames: boolean;
  /** A cell name may not be a UUID: lookups take it as a cell's UUID first (Nova accepts it). */
  uuidCellNamesRefused: boolean;
  /** One online-data-migrations run covers every cell database, cell0 included (Nova: `[database]` only). */
  onlineMigrationsEveryCell: true;
  /**
   * Online migrations walk candidates in key order and count rows that can never be migrated once,
   * apart (Nova's queries have no ORDER BY: such rows can starve the others or loop for ever).
   */
  onlineMigrationsInKeyOrder: true;
  /** Online migrations report true counts and exit 0 as soon as nothing migratable is left, 255 for an unreachable cell. */
  onlineMigrationsExitCodes: true;
  /** populate_missing_availability_zones counts an instance whose host is '' once as unmigratable (Nova: migrated, unwritten, for ever). */
  emptyHostZoneUnmigratable: true;
  /** A host in several aggregates with a zone takes the lowest aggregate id's (Nova: the first row its database returns). */
  lowestAggregateZone: true;
  /** migrate_empty_ratio's settings are checked before anything runs, and an initial ratio of 0 or empty is refused. */
  ratioSettingsCheckedFirst: true;
  /**
   * fill_virtual_interface_list keeps no marker and creates no fake instance: every run checks every
   * live instance (Nova: ~50 past its marker per call, through fake instance and marker VIF rows).
   */
  fillVifListWithoutMarker: true;
  /**
   * fill_virtual_interface_list rebuilds an instance's VIFs atomically, and counts one it cannot
   * (unreadable cache, address live elsewhere) as unmigratable (Nova raises, part-written).
   */
  fillVifListAtomicRebuild: true;
  /**
   * The quota migrations soft-delete a cell row only once its key is in the API database (Nova
   * soft-deletes a whole batch whose API inserts rolled back on one duplicate, losing those limits).
   */
  quotaMigrationNeverLosesLimits: true;
  /**
   * populate_queued_for_delete and populate_user_id walk each cell's mappings in id order, one API
   * transaction per chunk and cell (Nova: one transaction over every cell, LIMIT without ORDER BY).
   */
  mappingMigrationsInKeyOrder: true;
  /**
   * Mappings populate_user_id can never fill are counted once by reason and left alone (Nova
   * re-selects them every call: they starve the others, and a NULL user_id is rewritten for ever).
   */
  userIdUnmigratableCounted: true;
  /**
   * `migrate_instance_groups_to_api_db`, cellctl's own migration (Nova removed it in Rocky), moves
   * instance groups left in cell databases to the API database, the API copy winning.
   */
  instanceGroupMigration: true;
  /** `instance-group` reads groups left in cell databases too, marking where each lives (Nova 26 reads only the API database). */
  instanceGroupsInCells: true;
  /** Without a cell0 mapping an unschedulable instance is refused and nothing is written (Nova leaves its build request and a cell-less mapping). */
  burialNeedsCell0: true;
  /** A burial writes cell0 first, skips an instance already there, points only a cell-less mapping at cell0, and deletes build requests last: a re-run completes it. */
  burialResumable: true;
  /** A buried instance's 500 fault says why no host fitted where Nova writes its Python traceback; the failed event has no traceback. */
  burialFaultDetails: true;
  /** cell0 delete writes cell0 in one transaction, then queues the mapping for delete (Nova: mapping first); a re-run completes it. */
  cell0DeleteCell0First: true;
  /** cell0 delete checks every UUID first and refuses the whole command for one not in cell0. */
  cell0DeleteChecksAllFirst: true;
  /** cell0 delete cannot call Cinder: volume attachments are named in a warning and the delete goes on. */
  cell0DeleteWarnsAboutVolumes: true;
  /** cell0 delete takes Nova's path for an instance in error for every cell0 instance; disable_terminate is reported. */
  cell0DeleteAsErrorState: true;
  /** The purge removes an instance's rows from cell0 and its API rows at once (Nova: delete, archive, purge). */
  cell0PurgeRemovesRows: true;
  /** cell0 purge picks instances by created_at, live and soft-deleted, and sweeps leftovers of interrupted purges. */
  cell0PurgeByCreatedAt: true;
  /** instance boot schedules by a simulation over the cell databases' compute nodes (no placement service). */
  bootSimulatesScheduler: true;
  /** instance boot finishes a placed instance's build at once (active, on its host, usage added), as no compute service will. */
  bootFinishesBuild: true;
  /** instance list reads every cell in parallel, each within --cell-timeout (Nova: one after another, 60 s each, oslo.db's connect retries on top). */
  listCellsInParallel: true;
  /** A listing with a failed cell shows its UNKNOWN rows on every page size (on top of the limit, first page only) and exits 3 (Nova: only without limit, marker or filters; HTTP 200). */
  listUnknownRowsAlways: true;
  /** instance list sorts by timestamps only, NULLs first (Nova fails sorting build requests by a NULL updated_at). */
  listSortsByTimestamps: true;
  /** `instance stuck --bury` buries build requests Nova leaves for ever, with NoValidHost (500) and a reason of its own; ones holding data cellctl does not write are skipped. */
  stuckBuildsBuried: true;
  /**
   * `instance stuck --bury` buries only over nothing: a burial cut short in cell0 (its instance row
   * without the error state, fault and create action a complete burial ends with) is reported
   * `partial` (exit 1) with its mapping and build request left (Nova's conductor leaves it building for ever).
   */
  stuckPartialBurialReported: true;
  /**
   * cell0 delete --purge and cell0 purge keep the API rows of an instance whose build request is
   * still there (a stuck build, `instance stuck`'s): the purge sweeps no such mapping as a leftover,
   * and cell0 delete refuses one cell0 holds no row of.
   */
  cell0PurgeKeepsStuckBuilds: true;
  /** `instance stuck --delete` also removes the mapping, request spec and group membership (Nova's API delete keeps them, the mapping queued for delete, for ever). */
  stuckBuildsDeleted: true;
  /**
   * A new flavor's name and flavor ID must differ from every other flavor's as MySQL's unique keys
   * compare them (case and trailing blanks ignored), on SQLite too, where Nova's keys compare bytes.
   */
  flavorKeysCompareAsMysql: true;
}

/** The rules of cellctl's own (modern) front. */
export const CELLCTL_RULES: Readonly<Rules> = Object.freeze({
  uniqueCellNames: true,
  compareRenderedUrls: true,
  unknownCellIsInvalidInput: true,
  reportEveryBlocker: true,
  maskKeepsUrlIntact: true,
  schemaSyncSkipsCell0: true,
  updateKeepsOmittedUrls: true,
  refuseInvalidTransportOnUpdate: true,
  deleteResetsComputeNodes: true,
  cell0UrlFromStem: true,
  cell0SetupSyncsSchema: true,
  hostDiscoveryIgnoresRaces: true,
  markNodesOfMappedHosts: true,
  refuseHostDiscoveryInCell0: true,
  simpleSetupCellName: 'cell1',
  simpleSetupAllowsNoHosts: true,
  simpleSetupMapsNoInstances: true,
  simpleSetupDryRunsFirst: true,
  simpleSetupCreatesSchemas: true,
  embeddedDeployment: true,
  queuedForDeleteFromState: true,
  mapInstancesWithoutMarker: true,
  maxCountAcrossCells: true,
  setBasedMapping: true,
  verifyRefusesMalformedUuid: true,
  schemaSyncCreatesOnly: true,
  printableCellNames: true,
  uuidCellNamesRefused: true,
  onlineMigrationsEveryCell: true,
  onlineMigrationsInKeyOrder: true,
  onlineMigrationsExitCodes: true,
  emptyHostZoneUnmigratable: true,
  lowestAggregateZone: true,
  ratioSettingsCheckedFirst: true,
  fillVifListWithoutMarker: true,
  fillVifListAtomicRebuild: true,
  quotaMigrationNeverLosesLimits: true,
  mappingMigrationsInKeyOrder: true,
  userIdUnmigratableCounted: true,
  instanceGroupMigration: true,
  instanceGroupsInCells: true,
  burialNeedsCell0: true,
  burialResumable: true,
  burialFaultDetails: true,
  cell0DeleteCell0First: true,
  cell0DeleteChecksAllFirst: true,
  cell0DeleteWarnsAboutVolumes: true,
  cell0DeleteAsErrorState: true,
  cell0PurgeRemovesRows: true,
  cell0PurgeByCreatedAt: true,
  bootSimulatesScheduler: true,
  bootFinishesBuild: true,
  listCellsInParallel: true,
  listUnknownRowsAlways: true,
  listSortsByTimestamps: true,
  stuckBuildsBuried: true,
  stuckBuildsDeleted: true,
  stuckPartialBurialReported: true,
  cell0PurgeKeepsStuckBuilds: true,
  flavorKeysCompareAsMysql: true,
});
