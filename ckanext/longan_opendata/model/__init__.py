"""The portal's own tables (SQLAlchemy), each created by an alembic migration of this plugin
(``ckan db upgrade -p longan_opendata``), never by ``create_all``."""
from .datarequest import datarequest_table, support_table
from .feedback import feedback_table
from .harvest_approval import approval_table
from .link_check import link_check_table
from .quality import quality_snapshot_table
from .subscription import digest_preference_table, subscription_table
from .usage import usage_table

__all__ = ["approval_table", "datarequest_table", "digest_preference_table", "feedback_table",
           "link_check_table", "quality_snapshot_table", "subscription_table", "support_table",
           "usage_table"]
