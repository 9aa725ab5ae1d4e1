"""Every secret reference the manifest's model admits is one 1Password's SDK accepts.

The plan no longer asks the SDK (importing it costs ~80 ms on every run): the model's name pattern
(``OP_NAME_PATTERN``) is the whole grammar, and these tests hold it to the installed SDK's own
validator (``Secrets.validate_secret_reference``, which runs offline in the SDK's bundled core).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from onepassword import Secrets
from pydantic import ValidationError

from infra.config.loader import load_project
from infra.config.manifest import OP_NAME_PATTERN, OnePasswordRef
from tests.conftest import FIXTURE_ROOT, FIXTURE_STACK, REPO_ROOT

names = st.from_regex(OP_NAME_PATTERN, fullmatch=True).filter(lambda s: len(s) <= 200)


@settings(max_examples=300, deadline=None)
@given(vault=names, item=names, field=names)
def test_every_reference_the_model_admits_is_one_the_sdk_accepts(vault, item, field):
    ref = OnePasswordRef(vault=vault, item=item, field=field)
    Secrets.validate_secret_reference(ref.uri)  # raises on a reference it cannot parse


@pytest.mark.parametrize(
    ("root", "stack"), [(REPO_ROOT, "prod"), (FIXTURE_ROOT, FIXTURE_STACK)], ids=["prod", "fixture"]
)
def test_every_reference_in_the_manifests_is_one_the_sdk_accepts(root, stack):
    refs = [e.secret.onepassword.uri for e in load_project(root, stack).secrets]
    assert refs
    for ref in refs:
        Secrets.validate_secret_reference(ref)


def test_the_sdk_validator_this_relies_on_does_reject_a_malformed_reference():
    with pytest.raises(Exception, match="could not be parsed"):
        Secrets.validate_secret_reference("op://pulumi/prod-binstar-token")


@pytest.mark.parametrize("name", ["a/b", "item?attribute=otp", " leading-space", "", "a" * 201])
def test_the_model_refuses_names_that_would_change_the_reference(name):
    with pytest.raises(ValidationError):
        OnePasswordRef(vault="pulumi", item=name, field="credential")
