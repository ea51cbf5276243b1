"""Nova's own burial in cell0, run offline: the golden rows cellctl's burial is compared with.

Usage: python3 nova-bury.py NOVA_CONF REQUEST_JSON [--pending-only]
       python3 nova-bury.py NOVA_CONF @REQUEST_FILE [--pending-only]

NOVA_CONF names the API database ([api_database]) of a deployment whose cell0 is mapped and
synced. REQUEST_JSON describes one boot request of one or more instances:

  {"request_id": "req-...", "user_id": "u", "project_id": "p",
   "flavor": {"id": 1, "flavorid": "f1", "name": "m1.tiny", "memory_mb": 512, "vcpus": 1,
              "root_gb": 1, "ephemeral_gb": 0, "swap": 0},
   "image": "IMAGE-UUID", "availability_zone": null, "reservation_id": "r-...", "description": "vm",
   "instances": [{"uuid": "...", "display_name": "vm-1", "hostname": "vm-1", "launch_index": 0}],
   "metadata": {"k": "v"}, "system_metadata": {"image_min_disk": "1"},
   "bdms": [{"source_type": "image", "destination_type": "local", "image_id": "IMAGE-UUID",
             "boot_index": 0, "delete_on_termination": true, "device_type": "disk"}],
   "tags": ["t1"],
   "fault": {"kind": "no-valid-host", "reason": ""} | {"kind": "host-not-mapped", "host": "h"}}

It creates what Nova's API leaves before scheduling (a build request, an instance mapping without
a cell and a request spec per instance), raises the scheduler's exception, and calls the
conductor's real ComputeTaskManager._bury_in_cell0 with it, as schedule_and_build_instances does.
The manager is made without its __init__, which would need placement credentials; notifications
go to the noop driver. Prints the context's timestamp (the action's start_time) as JSON, with how
long the API rows and the burial took and how many SQL statements each sent (for the cell0-burial
benchmark). A request of more than a few hundred instances is too long for one argument (Linux
takes 128 KiB): pass it in a file, as @FILE.

With --pending-only it stops before the burial: the build requests, cell-less mappings and request
specs are left exactly as Nova's API leaves them, a stuck build (see nova-bury-stuck.py).
"""
import json
import sys
import time

# Before Nova's imports (seconds of them), so that the output can say what the setup cost.
STARTED = time.perf_counter()

from nova import block_device, config, context, exception, objects, rpc
import nova.conf

PENDING_ONLY = '--pending-only' in sys.argv[3:]
CONF = nova.conf.CONF
config.parse_args(['nova-bury', '--config-file', sys.argv[1]])
objects.register_all()
CONF.set_override('driver', ['noop'], group='oslo_messaging_notifications')
rpc.init(CONF)

from nova.conductor import manager  # noqa: E402 (needs the configuration first)
from nova.network import model as network_model  # noqa: E402

from sqlalchemy import event  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

# By phase, on every engine (the API database's and cell0's): statements sent, the time they took
# in the driver, and commits (whose time is not counted: SQLAlchemy has no event after one).
statements = {'count': 0, 'seconds': 0.0, 'commits': 0}


@event.listens_for(Engine, 'before_cursor_execute')
def _before(conn, cursor, statement, parameters, context, executemany):
    conn.info['nova_bury_started'] = time.perf_counter()


@event.listens_for(Engine, 'after_cursor_execute')
def _after(conn, cursor, statement, parameters, context, executemany):
    statements['count'] += 1
    statements['seconds'] += time.perf_counter() - conn.info.pop('nova_bury_started')


@event.listens_for(Engine, 'commit')
def _commit(conn):
    statements['commits'] += 1


def phase_statements():
    """What was counted since the last call."""
    done = dict(statements)
    statements.update(count=0, seconds=0.0, commits=0)
    return done


if sys.argv[2].startswith('@'):
    with open(sys.argv[2][1:], encoding='utf-8') as request_file:
        request = json.load(request_file)
else:
    request = json.loads(sys.argv[2])
ctxt = context.RequestContext(request['user_id'], request['project_id'], is_admin=True, request_id=request['request_id'])
f = request['flavor']
flavor = objects.Flavor(id=f['id'], flavorid=f['flavorid'], name=f['name'], memory_mb=f['memory_mb'], vcpus=f['vcpus'],
                        root_gb=f['root_gb'], ephemeral_gb=f['ephemeral_gb'], swap=f['swap'], rxtx_factor=1.0,
                        vcpu_weight=None, disabled=False, is_public=True, extra_specs={}, description=None)

setup_done = time.perf_counter()
phase_statements()
build_requests = []
specs = []
request_bdms = request_tags = None
for one in request['instances']:
    instance = objects.Instance(
        context=ctxt, uuid=one['uuid'], project_id=request['project_id'], user_id=request['user_id'],
        display_name=one['display_name'], hostname=one['hostname'], display_description=request['description'],
        image_ref=request['image'], vm_state='building', task_state='scheduling', power_state=0,
        flavor=flavor, instance_type_id=f['id'], memory_mb=f['memory_mb'], vcpus=f['vcpus'], root_gb=f['root_gb'],
        ephemeral_gb=f['ephemeral_gb'], launch_index=one['launch_index'], reservation_id=request['reservation_id'],
        availability_zone=request['availability_zone'], locked=False, metadata=dict(request['metadata']),
        system_metadata=dict(request['system_metadata']),
        info_cache=objects.InstanceInfoCache(network_info=network_model.NetworkInfo([])),
        security_groups=objects.SecurityGroupList(objects=[]), config_drive='', key_name=None, key_data=None,
        numa_topology=None, pci_requests=None, old_flavor=None, new_flavor=None,
        keypairs=objects.KeyPairList(objects=[]), trusted_certs=None, tags=objects.TagList(), deleted=False, hidden=False)
    # As the API builds them: every field of a BlockDeviceDict (unset ones None), then the objects.
    bdms = objects.block_device.block_device_make_list_from_dicts(ctxt, [block_device.BlockDeviceDict(b) for b in request['bdms']])
    tags = objects.TagList(objects=[objects.Tag(context=ctxt, resource_id=one['uuid'], tag=t) for t in request['tags']])
    build_request = objects.BuildRequest(context=ctxt, instance=instance, instance_uuid=one['uuid'],
                                         project_id=request['project_id'], block_device_mappings=bdms, tags=tags)
    build_request.create()
    build_requests.append(build_request)
    if request_bdms is None:
        request_bdms, request_tags = bdms, tags
    objects.InstanceMapping(context=ctxt, instance_uuid=one['uuid'], project_id=request['project_id'],
                            user_id=request['user_id'], cell_mapping=None, queued_for_delete=False).create()
    spec = objects.RequestSpec.from_components(
        ctxt, one['uuid'], objects.ImageMeta.from_dict({'id': request['image'], 'properties': {}}), flavor, None,
        objects.InstancePCIRequests(requests=[]), {}, None, request['availability_zone'],
        project_id=request['project_id'], user_id=request['user_id'])
    spec.num_instances = len(request['instances'])
    spec.create()
    specs.append(spec)

api_rows_done = time.perf_counter()
api_rows_statements = phase_statements()
if PENDING_ONLY:
    print(json.dumps({'timestamp': ctxt.timestamp.isoformat()}))
    sys.exit(0)

conductor = manager.ComputeTaskManager.__new__(manager.ComputeTaskManager)
conductor.host = CONF.host
fault = request['fault']
try:
    if fault['kind'] == 'no-valid-host':
        raise exception.NoValidHost(reason=fault['reason'])
    raise exception.HostMappingNotFound(name=fault['host'])
except Exception as exc:  # the conductor buries from inside its exception handler
    # The BDMs and tags as the API passes them to the conductor: one list for every instance.
    conductor._bury_in_cell0(ctxt, specs[0], exc, build_requests=build_requests,
                             block_device_mapping=request_bdms, tags=request_tags)
burial_done = time.perf_counter()
print(json.dumps({
    'timestamp': ctxt.timestamp.isoformat(),
    'instances': len(request['instances']),
    'seconds': {'setup': setup_done - STARTED, 'api_rows': api_rows_done - setup_done, 'burial': burial_done - api_rows_done},
    'statements': {'api_rows': api_rows_statements, 'burial': phase_statements()},
}))
