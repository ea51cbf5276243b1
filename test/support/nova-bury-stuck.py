"""Nova burying the stuck builds an API database holds, run offline: the judge of `instance stuck --bury`.

Usage: python3 nova-bury-stuck.py NOVA_CONF REASON

Reads every build request of the API database with Nova's own objects (BuildRequestList), as the
conductor receives them, groups them by reservation (one boot request, one conductor call, one
context of the request's user and project), and calls the conductor's real
ComputeTaskManager._bury_in_cell0 once per reservation with NoValidHost(REASON), the instances in
launch index order, the first build request's block devices and tags (the API passes one list for
the whole request) and the first instance's request spec. The manager is made without its __init__,
which would need placement credentials; notifications go to the noop driver. Prints the request ids
of the calls as JSON: {reservation_id: request_id}.
"""
import json
import sys

from nova import config, context, exception, objects, rpc
import nova.conf

CONF = nova.conf.CONF
config.parse_args(['nova-bury-stuck', '--config-file', sys.argv[1]])
objects.register_all()
CONF.set_override('driver', ['noop'], group='oslo_messaging_notifications')
rpc.init(CONF)

from nova.conductor import manager  # noqa: E402 (needs the configuration first)

reason = sys.argv[2]
admin = context.get_admin_context()
groups = {}
for build_request in objects.BuildRequestList.get_all(admin):
    key = (build_request.project_id, build_request.instance.reservation_id)
    groups.setdefault(key, []).append(build_request)

conductor = manager.ComputeTaskManager.__new__(manager.ComputeTaskManager)
conductor.host = CONF.host
request_ids = {}
for (project_id, reservation_id), build_requests in groups.items():
    build_requests.sort(key=lambda b: b.instance.launch_index)
    first = build_requests[0]
    ctxt = context.RequestContext(first.instance.user_id, project_id, is_admin=True)
    spec = objects.RequestSpec.get_by_instance_uuid(ctxt, first.instance_uuid)
    # As the conductor receives them over RPC from the API: with the request's context and every
    # field set marked changed (BuildRequest's loader resets the changes, and BlockDeviceMapping's
    # update_or_create writes only the changed fields).
    bdms, tags = first.block_device_mappings, first.tags
    for obj in list(bdms) + list(tags):
        obj._context = ctxt
        obj._changed_fields = set(f for f in obj.obj_fields if obj.obj_attr_is_set(f))
    try:
        raise exception.NoValidHost(reason=reason)
    except Exception as exc:  # the conductor buries from inside its exception handler
        conductor._bury_in_cell0(ctxt, spec, exc, build_requests=build_requests,
                                 block_device_mapping=bdms, tags=tags)
    request_ids[reservation_id] = ctxt.request_id
print(json.dumps(request_ids))
