"""Nova's own listing of instances across cells, run offline: the order cellctl's `instance list` is compared with.

Usage: python3 nova-list.py NOVA_CONF QUERY_JSON

QUERY_JSON: {"limit": 1000, "marker": null, "sort_key": "created_at", "sort_dir": "desc",
             "deleted": false, "project": null}

Calls the compute API's real get_all (nova/compute/api.py) as an admin listing every project, as
GET /servers?all_tenants=1 would: build requests from the API database, then every cell of
[api_database]'s cell mappings through nova/compute/multi_cell_list.py. Prints the instances' UUIDs
in Nova's order as a JSON list.
"""
import json
import sys

from nova import config, context, objects
import nova.conf

CONF = nova.conf.CONF
config.parse_args(['nova-list', '--config-file', sys.argv[1]])
objects.register_all()
# A cell Nova cannot read must fail the comparison, not be skipped quietly as the API does by default.
CONF.set_override('list_records_by_skipping_down_cells', False, group='api')

from nova.compute import api as compute_api  # noqa: E402 (needs the configuration first)

query = json.loads(sys.argv[2])
ctxt = context.get_admin_context()
search_opts = {}
if query.get('deleted'):
    search_opts['deleted'] = True
else:
    search_opts['deleted'] = False
if query.get('project'):
    search_opts['project_id'] = query['project']
sort_key = query.get('sort_key') or 'created_at'
sort_dir = query.get('sort_dir') or 'desc'
# As GET /servers passes them (nova/api/openstack/common.py get_sort_params): the key alone.
instances = compute_api.API().get_all(ctxt, search_opts=search_opts, limit=query.get('limit'), marker=query.get('marker'),
                                      sort_keys=[sort_key], sort_dirs=[sort_dir])
print(json.dumps([i.uuid for i in instances]))
