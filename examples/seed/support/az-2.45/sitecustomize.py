# Debian's azure-cli 2.45 ships azure-mgmt-authorization 3.0.0, which its own role and aks modules do not
# match (Azure/azure-cli#24959; fixed in az 2.46+). Two client-side mismatches, before any request is sent:
#  - the operations keep their configuration in `_config` while az reads `.config`;
#  - `az aks create/update --attach-acr` passes `custom_headers=None` to create(), which the track-2 SDK
#    hands down to the HTTP transport ("unexpected keyword argument 'custom_headers'").
# Imported by Python at start-up when this directory is on PYTHONPATH. Requests, responses and az's own
# logic are untouched.
import functools
import importlib

VERSIONS = ("v2015_07_01", "v2018_01_01_preview", "v2018_09_01_preview", "v2020_04_01_preview",
            "v2020_10_01_preview", "v2022_04_01")


def _without_empty_custom_headers(create):
    @functools.wraps(create)
    def wrapper(self, *args, **kwargs):
        if kwargs.get("custom_headers", "absent") is None:
            del kwargs["custom_headers"]
        return create(self, *args, **kwargs)
    return wrapper


for version in VERSIONS:
    try:
        operations = importlib.import_module("azure.mgmt.authorization.%s.operations" % version)
    except ImportError:
        continue
    for name in ("RoleAssignmentsOperations", "RoleDefinitionsOperations"):
        cls = getattr(operations, name, None)
        if cls is None:
            continue
        if not hasattr(cls, "config"):
            cls.config = property(lambda self: self._config)
        if name == "RoleAssignmentsOperations" and hasattr(cls, "create"):
            cls.create = _without_empty_custom_headers(cls.create)
