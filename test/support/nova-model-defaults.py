"""Prints, as JSON, the client-side column defaults of Nova's SQLAlchemy models.

Usage: nova-model-defaults.py api:cell_mappings main:instances ...
Output: {"<table>": {"<column>": {"scalar": <value>} | {"callable": "<module>.<name>"} | {"other": "<repr>"}}}
Only Column(default=...) is reported; server_default belongs to the DDL.
"""
import json
import sys

from nova.db.api import models as api_models
from nova.db.main import models as main_models

METADATA = {'api': api_models.BASE.metadata, 'main': main_models.BASE.metadata}


def callable_name(fn):
    # SQLAlchemy wraps a zero-argument default in a function taking the execution context.
    fn = getattr(fn, '__wrapped__', fn)
    if fn.__name__ == '<lambda>':
        # oslo.db's TimestampMixin says `default=lambda: timeutils.utcnow()`: name what it calls.
        target = fn.__globals__[fn.__code__.co_names[0]]
        for name in fn.__code__.co_names[1:]:
            target = getattr(target, name)
        fn = target
    return '%s.%s' % (fn.__module__, fn.__qualname__)


def column_defaults(table):
    found = {}
    for column in table.columns:
        default = column.default
        if default is None:
            continue
        if getattr(default, 'is_scalar', False):
            found[column.name] = {'scalar': default.arg}
        elif getattr(default, 'is_callable', False):
            found[column.name] = {'callable': callable_name(default.arg)}
        else:
            found[column.name] = {'other': repr(default)}
    return found


def main(args):
    result = {}
    for arg in args:
        kind, table = arg.split(':', 1)
        result[table] = column_defaults(METADATA[kind].tables[table])
    json.dump(result, sys.stdout, sort_keys=True)


if __name__ == '__main__':
    main(sys.argv[1:])
