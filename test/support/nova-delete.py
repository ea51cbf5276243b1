"""Nova's own delete of instances buried in cell0, run offline: the golden rows `cellctl cell0 delete` is compared with.

Usage: python3 nova-delete.py NOVA_CONF UUID [UUID...]

NOVA_CONF names the API database ([api_database]) of a deployment whose cell0 is mapped. For each
UUID it does what `DELETE /servers/{id}` does: compute API get() (the mapping targets the context at
the instance's cell), then compute API delete(). A buried instance is in vm_state 'error' with no
host, so Nova takes its local-delete path (nova/compute/api.py _delete, _local_delete, _do_delete):
task_state 'deleting', Neutron deallocation, the BDMs' Cinder cleanup, Placement allocations,
vm_state 'deleted' with terminated_at, the mapping queued for delete, then Instance.destroy().

Only the services Nova would call over the network are replaced by mocks: the Neutron client (no
ports), the Cinder API and the Placement report client. Everything Nova writes to its databases is
Nova's own code. Notifications go to the noop driver. Prints, as JSON, the Cinder calls per instance.
"""
import json
import sys
from unittest import mock

from nova import config, context, objects, rpc
import nova.conf

CONF = nova.conf.CONF
config.parse_args(['nova-delete', '--config-file', sys.argv[1]])
objects.register_all()
CONF.set_override('driver', ['noop'], group='oslo_messaging_notifications')
rpc.init(CONF)

from nova.compute import api as compute_api  # noqa: E402 (needs the configuration first)

neutron_client = mock.MagicMock(name='neutron')
neutron_client.list_ports.return_value = {'ports': []}
volume_api = mock.MagicMock(name='cinder')
placement = mock.MagicMock(name='placement')

calls = {}
with mock.patch('nova.network.neutron.get_client', return_value=neutron_client), \
        mock.patch('nova.scheduler.client.report.report_client_singleton', return_value=placement):
    api = compute_api.API(volume_api=volume_api)
    for uuid in sys.argv[2:]:
        ctxt = context.RequestContext('admin-user', 'admin-project', is_admin=True)
        volume_api.reset_mock()
        # As the servers controller's delete does: get with its expected attributes, then delete.
        instance = api.get(ctxt, uuid, expected_attrs=['flavor', 'numa_topology'])
        api.delete(ctxt, instance)
        calls[uuid] = [[c[0], [a for a in c[1] if isinstance(a, str)]] for c in volume_api.mock_calls]
print(json.dumps({'cinder': calls}))
