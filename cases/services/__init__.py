"""Writes to the register, one module per job:

- ``registering``: cases, handlings, aliases, status changes, dnr allocation, decisions and
  the registrators' one-screen registration;
- ``cross_references``: the dnr a handling mentions, as references to other cases;
- ``indexing``: the search tables and the vocabulary the search reads;
- ``importing``: meeting packs and single documents from files;
- ``roles``: the permission groups that follow a staff member's roles.

Reads that combine things live in ``cases.queries`` and ``cases.search``.
"""
