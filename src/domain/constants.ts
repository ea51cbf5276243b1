/** The fixed UUID of cell0, the cell that holds instances that could not be scheduled. */
export const CELL0_UUID = '00000000-0000-0000-0000-000000000000';

/** cell0's transport URL as Nova writes it: a scheme that never creates a message transport. */
export const CELL0_TRANSPORT_URL = 'none:///';

/** The name Nova gives cell0. */
export const CELL0_NAME = 'cell0';

/** Alembic head of Nova 26 (Zed) for the API database. */
export const NOVA_API_REVISION = 'b30f573d3377';

/** Alembic head of Nova 26 (Zed) for the main (cell) database. */
export const NOVA_CELL_REVISION = 'ccb0fa1a2252';

/** The Nova release whose schema cellctl creates and accepts. */
export const NOVA_RELEASE = '26 (Zed)';

/** The Nova version cellctl's schema and behaviour were checked against (schemas/ were read off it). */
export const NOVA_CHECKED_VERSION = '26.2.2';

/** How long opening a database may take by default, in seconds (--connect-timeout). */
export const DEFAULT_CONNECT_TIMEOUT_SECONDS = 10;

/** How long a write waits by default for a lock another session holds, in seconds (--lock-timeout). */
export const DEFAULT_LOCK_TIMEOUT_SECONDS = 60;
