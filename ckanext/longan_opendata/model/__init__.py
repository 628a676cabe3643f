"""The portal's own tables (SQLAlchemy), each created by an alembic migration of this plugin
(``ckan db upgrade -p longan_opendata``), never by ``create_all``."""
from .harvest_approval import approval_table
from .subscription import digest_preference_table, subscription_table
from .usage import usage_table

__all__ = ["approval_table", "digest_preference_table", "subscription_table", "usage_table"]
