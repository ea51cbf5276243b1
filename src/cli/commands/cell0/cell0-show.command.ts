import { Command } from 'commander';
import { faultHint } from '../../../domain/cell0-faults';
import { Cell0MissingError, InstanceNotInCell0Error } from '../../../domain/errors';
import type { CliContext } from '../../cli-context';
import { declareColumns, defineAction } from '../../command-kit';
import type { ColumnSpec } from '../../output/output-format';
import type { Cell0InstanceView } from '../../../services/cell0-inspect.service';

/** The fields of `cell0 show` in table, value and csv (a public contract: docs/commands.md); JSON and YAML nest the lists. */
const CELL0_SHOW_COLUMNS: ColumnSpec[] = [
  { key: 'uuid' },
  { key: 'name' },
  { key: 'project_id' },
  { key: 'user_id' },
  { key: 'vm_state' },
  { key: 'deleted' },
  { key: 'created_at' },
  { key: 'flavor' },
  { key: 'image' },
  { key: 'fault_code' },
  { key: 'fault' },
  { key: 'hint' },
  { key: 'actions' },
  { key: 'group' },
  { key: 'availability_zone' },
];

type Json = Record<string, unknown>;

function data(primitive: unknown): Json | undefined {
  return (primitive as Json | null)?.['nova_object.data'] as Json | undefined;
}

/** What a buried instance's flavor and request spec JSON say (nothing when they cannot be read). */
function readJson(text: string | null): Json | undefined {
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as Json;
  } catch {
    return undefined;
  }
}

/** The instance as a nested document: its row's main fields, flavor, faults, actions with events, request spec. */
function document(view: Cell0InstanceView): Json {
  const i = view.instance;
  const flavor = data(readJson(view.flavor)?.cur);
  const spec = data(readJson(view.requestSpec));
  const group = data(spec?.instance_group);
  return {
    uuid: i.uuid,
    name: i.display_name,
    project_id: i.project_id,
    user_id: i.user_id,
    vm_state: i.vm_state,
    task_state: i.task_state,
    deleted: i.deleted !== 0,
    created_at: i.created_at,
    updated_at: i.updated_at,
    image: i.image_ref,
    flavor: flavor ? { id: flavor.flavorid ?? null, name: flavor.name ?? null, vcpus: flavor.vcpus ?? null, ram: flavor.memory_mb ?? null, disk: flavor.root_gb ?? null } : null,
    faults: view.faults.map((f) => ({ code: f.code, message: f.message, hint: faultHint(f.message), host: f.host, created_at: f.created_at })),
    actions: view.actions.map((a) => ({
      action: a.action,
      request_id: a.request_id,
      start_time: a.start_time,
      message: a.message,
      events: a.events.map((e) => ({ event: e.event, result: e.result, host: e.host, start_time: e.start_time, finish_time: e.finish_time, details: e.details })),
    })),
    request_spec:
      spec === undefined
        ? null
        : {
            flavor: data(spec.flavor)?.flavorid ?? null,
            image: data(spec.image)?.id ?? null,
            num_instances: spec.num_instances ?? null,
            availability_zone: spec.availability_zone ?? null,
            group: group ? { uuid: group.uuid ?? null, name: group.name ?? null, policy: group.policy ?? null } : null,
          },
  };
}

/** `cellctl cell0 show UUID`: one buried instance, its faults, actions and events, and its request spec. */
export function cell0ShowCommand(ctx: CliContext): Command {
  const command = new Command('show').description('show one instance of cell0: the instance, its faults, its actions and events, and its request spec').argument('<uuid>', 'the instance UUID');
  declareColumns(command, CELL0_SHOW_COLUMNS);
  return defineAction(
    ctx,
    command,
    [
      { code: 0, meaning: 'shown' },
      { code: 127, meaning: 'invalid input: cell0 has no such instance, or no cell0 is mapped (run cellctl cell0 setup)', errors: [InstanceNotInCell0Error, Cell0MissingError] },
    ],
    async (uuid: string) => {
      const { showCell0Instance } = await ctx.services();
      const doc = document(await showCell0Instance(await ctx.databases(), uuid));
      if (ctx.globals.format === 'json' || ctx.globals.format === 'yaml') {
        ctx.printDocument(doc);
        return;
      }
      const faults = doc.faults as Array<Json>;
      const flavor = doc.flavor as Json | null;
      const spec = doc.request_spec as Json | null;
      const group = spec?.group as Json | null | undefined;
      ctx.printObject(
        {
          uuid: doc.uuid as string,
          name: doc.name as string | null,
          project_id: doc.project_id as string | null,
          user_id: doc.user_id as string | null,
          vm_state: doc.vm_state as string | null,
          deleted: doc.deleted as boolean,
          created_at: doc.created_at as string | null,
          flavor: flavor ? `${String(flavor.name)} (${String(flavor.id)})` : null,
          image: doc.image as string | null,
          fault_code: (faults[0]?.code as number | undefined) ?? null,
          fault: (faults[0]?.message as string | undefined) ?? null,
          hint: (faults[0]?.hint as string | undefined) ?? '',
          actions: (doc.actions as Array<Json>)
            .map((a) => `${String(a.action)}: ${String(a.message ?? '')}${(a.events as Array<Json>).map((e) => ` [${String(e.event)}: ${String(e.result ?? '')}]`).join('')}`)
            .join('; '),
          group: group ? `${String(group.name ?? '')} (${String(group.uuid)}, ${String(group.policy)})` : null,
          availability_zone: (spec?.availability_zone as string | null | undefined) ?? null,
        },
        CELL0_SHOW_COLUMNS,
      );
    },
  );
}
