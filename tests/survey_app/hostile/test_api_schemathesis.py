"""Schemathesis against /api/v1/openapi.json: generated requests, valid and invalid, with and without a key.

Every response must be one the document promises (status code, content type,
body schema) and none may be a server error. The strategies come from the
document itself (schemathesis); hypothesis drives them. SCHEMATHESIS_EXAMPLES
sets the number of generated cases per operation and key (default 1500).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance

# A schema-valid request may still break a business rule the document cannot express
# (a procedure field this desk does not handle, no open round): the documented 422/409
# is right there, so "every schema-valid request is accepted" does not apply.
BUSINESS_RULES = positive_data_acceptance
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "1500"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])


@pytest.fixture
def desk_key(app, demo) -> str:
    result = app.test_cli_runner().invoke(args=["apikeys", "create", "--desk", "demo"])
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def _operations(app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("key_kind", ["desk-key", "forged-key"])
def test_every_operation_keeps_its_promises(app, demo, desk_key, key_kind, count_case):
    key = desk_key if key_kind == "desk-key" else "spk_forged0123456789abcdefghijklmnopqrstuv"
    operations = _operations(app)
    assert {op.path for op in operations} >= {"/codes", "/health"}
    for operation in operations:
        @FUZZ
        @given(case=operation.as_strategy())
        def check(case):
            count_case()
            case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, excluded_checks=[BUSINESS_RULES])

        check()
