// The services the CLI calls, as one module it loads when a command runs (not at start-up).
export * from './cell-lookup.service';
export * from './cell.service';
export * from './cell0.service';
export * from './database-context.service';
export * from './host.service';
export * from './instance-verify.service';
export * from './map-instances.service';
export * from './schema.service';
export * from './simple-cell-setup.service';
export * from './rules';
export * from './online-migrations/online-migrations.service';
export * from './instance-group.service';
export * from './flavor.service';
export * from './cell0-burial.service';
export * from './instance-boot.service';
export * from './cell0-inspect.service';
export * from './stuck-builds.service';
