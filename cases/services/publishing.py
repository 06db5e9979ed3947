"""Publishing on the web after review: a private person's handling (``counterpart_private``)
is registered unpublished and waits in the queue "Att granska före publicering" until a
registrator decides. Publishing is a decision of its own, apart from whether the handling
is public (offentlig); the decision is recorded in the handling's history.
"""

from django.db import transaction

from ..models import Document
from .indexing import index_document
from .registering import RegisterError

PUBLISHED_REASON = "Granskad: publicerad på webben"
KEPT_REASON = "Granskad: publiceras inte på webben"


@transaction.atomic
def review_for_publication(*, document: Document, publish: bool, reason: str = "") -> Document:
    """Publish a reviewed handling with its bilagor (not those under sekretess or
    cancelled), or keep it unpublished for a stated reason. Either way it leaves the queue;
    a handling under sekretess is never published."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    reason = reason.strip()
    if publish and document.confidential:
        raise RegisterError("En handling med sekretess publiceras inte på webben.")
    if not publish and not reason:
        raise RegisterError("Ange varför handlingen inte ska publiceras.")
    document.published = publish
    document.review_pending = False
    document.review_note = "" if publish else reason
    document._change_reason = PUBLISHED_REASON if publish else KEPT_REASON
    document.save(update_fields=["published", "review_pending", "review_note"])
    if publish:
        for attachment in document.attachments.filter(
            published=False, confidential=False, cancelled=False
        ):
            attachment.published = True
            attachment._change_reason = PUBLISHED_REASON
            attachment.save(update_fields=["published"])
    index_document(document=document)
    return document
