"""ABA content: supervision is a duty, not a named role; Op. 512's own words behind its flags."""

from __future__ import annotations

from ctrlmap.load.library import Library
from ctrlmap.models import ROLES, RoleRule


def test_only_the_supervising_lawyer_is_a_recommended_designation() -> None:
    assert not ROLES["supervising-lawyer"].required
    assert all(rule.required for role, rule in ROLES.items() if role != "supervising-lawyer")
    assert RoleRule.model_fields["required"].default is True


def test_opinion_512_flags_rest_on_the_opinion_itself(lib: Library) -> None:
    controls = {c.id: c for c in lib.catalogs["aba-model-rules"].controls}
    for cid, page in (("opinion-512-policies", "p. 10"), ("opinion-512-vendors", "p. 11")):
        control = controls[cid]
        assert control.accountability == "non-delegable", cid
        basis = control.accountability_basis or ""
        assert "secondary" not in basis, cid
        assert "Part E" in basis and page in basis, cid
