// The services the CLI calls, as one module it loads when a command runs (not at start-up).
export * from './cell-lookup.service';
export * from './database-context.service';
export * from './schema.service';
