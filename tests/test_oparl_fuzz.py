"""schemathesis fuzzes the API from its own OpenAPI description (/oparl/v1.1/openapi.json)
through the WSGI application, over the seed documents with hidden material added: every
operation, valid and invalid input, no 5xx, every response as the description says."""

import datetime

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from cases.models import Attachment, Case, Document

# Bounded so the whole fuzz stays well under a minute on this machine (15-40 s under load).
EXAMPLES_PER_OPERATION = 10


@pytest.fixture
def wsgi_app(imported):
    """The WSGI application inside the test's transaction: like Django's test client, keep
    the end of a request from closing the connection that holds the transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def hidden_material(imported):
    document = Document.objects.order_by("pk").first()
    Document.objects.filter(pk=document.pk).update(confidential=True, osl_reference="26 kap. 1 §")
    Attachment.objects.create(document=document, number=1, title="Sekretess", text="x")
    case = Case.objects.order_by("pk").last()
    Case.objects.filter(pk=case.pk).update(
        status=Case.Status.CANCELLED,
        cancelled_reason="Test",
        updated_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC),
    )


def _run(operation, mode: GenerationMode) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        # the same examples on every run, so the suite is not flaky; to explore further, drop
        # this and run with --hypothesis-seed=N (seeds 1-8 passed when this was written)
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        case.call_and_validate()

    check()


def test_oparl_fuzzed_by_schemathesis_without_server_errors(seeds, wsgi_app, hidden_material):
    schema = schemathesis.openapi.from_wsgi("/oparl/v1.1/openapi.json", wsgi_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 24
    for operation in operations:
        _run(operation, GenerationMode.POSITIVE)
        if operation.definition.raw["parameters"]:  # nothing to get wrong without any
            _run(operation, GenerationMode.NEGATIVE)
