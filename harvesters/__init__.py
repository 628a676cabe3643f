"""Harvesters of the Long An portal (shipped as ``ckanext.longan_opendata.harvesters``).

The shared-database (``longan_sql``) and LGSP API (``longan_api``) harvesters live here.
"""
