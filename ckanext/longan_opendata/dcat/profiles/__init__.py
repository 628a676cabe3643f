"""The portal's ckanext-dcat profiles, one module each (entry points ``longan_dcat_ap_3`` and
``longan_schemaorg`` in setup.cfg): :mod:`.dcat_ap_3` (writing, with :mod:`.reading` for
``parse_dataset`` and :mod:`.catalogue` for ``graph_from_catalog``), :mod:`.schemaorg`, and
what they share in :mod:`.common`."""
from .dcat_ap_3 import LonganDCATAP3Profile
from .schemaorg import LonganSchemaOrgProfile

__all__ = ["LonganDCATAP3Profile", "LonganSchemaOrgProfile"]
