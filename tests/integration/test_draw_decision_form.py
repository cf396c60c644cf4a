"""The Prefect approval form of a draw asks who decides: the name goes to the audit log."""

import pytest
from pydantic import ValidationError

from flows.draw import DrawDecision


def test_the_form_requires_the_name_of_the_person_who_decides():
    assert "decided_by" in DrawDecision.model_json_schema()["required"]
    for blank in ({}, {"decided_by": ""}, {"decided_by": "   "}):
        with pytest.raises(ValidationError):
            DrawDecision.model_validate({"approve": True, "redraw_reason": ""} | blank)
    assert DrawDecision.model_validate({"approve": True, "decided_by": "Nguyễn Văn Minh"}).decided_by == \
        "Nguyễn Văn Minh"
