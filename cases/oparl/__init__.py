"""The OParl 1.1 read-only API under /oparl/v1.1/ (https://oparl.org/spezifikation/).

Layers, top down: ``views`` parse a request (``params``), ask ``queries`` for the rows (public
rules and the created/modified times live there), page them (``paging``) and turn each row into
an OParl object (``serializers``). ``schemas`` holds JSON schemas written from the
specification; ``openapi`` describes the API with them.

Only what the public may see leaves this package: a makulerat case, a handling or bilaga that
is confidential, unpublished or cancelled (or whose case is makulerat) is shown as a deleted
object (``id``, ``type``, ``created``, ``modified``, ``deleted``) and only to a client that asks
for changes (``modified_since``); everything else is left out.
"""
