"""The scenario loader: good files load, and every mistake is reported with its file and step."""

from __future__ import annotations

import textwrap

import pytest

from connector.errors import ConfigurationError
from connector.uat.scenario import parse_scenario, select_steps

GOOD = textwrap.dedent("""
    version: 1
    key: demo-sheet
    sheet: Demo Sheet
    templates:
      base: {useCase: Migration, industry: Retail}
    sections:
      - title: The partner shares an opportunity
        steps:
          - step: "7.10"
            title: Create with the base fields
            instructions: Create an opportunity.
            expected: ACE accepts it.
            action:
              - create: {record: opp, like: base, ace: {partnerProjectTitle: Demo}}
              - sync: {}
            checks:
              - synced: {record: opp}
          - step: "8"
            title: Something the sandbox cannot show
            instructions: Ask AWS.
            expected: AWS agrees.
            not_provable: Only AWS's own review can show this.
""")


def test_a_good_file_loads_with_text_step_numbers_and_operations() -> None:
    scenario = parse_scenario(GOOD, file="demo.yaml")
    assert scenario.key == "demo-sheet"
    assert [s.number for s in scenario.steps] == ["7.10", "8"]
    first = scenario.steps[0]
    assert first.id == "demo-sheet:7.10"
    assert [op.kind for op in first.action] == ["create", "sync"]
    assert first.action[0].args["like"] == "base"
    assert scenario.steps[1].not_provable == "Only AWS's own review can show this."


HEADER = "version: 1\nkey: k\nsheet: S\nsections:\n  - title: T\n    steps:\n"


def _problems(text: str) -> str:
    if text.startswith(HEADER):
        text = HEADER + textwrap.indent(textwrap.dedent(text[len(HEADER):]), "      ")
    with pytest.raises(ConfigurationError) as caught:
        parse_scenario(textwrap.dedent(text), file="broken.yaml")
    return str(caught.value)


def test_every_mistake_is_reported_with_the_file_and_the_step() -> None:
    message = _problems(HEADER + """
              - step: 7.10
                title: a float step number
                instructions: i
                expected: e
                action:
                  - crate: {record: x}
                  - update: {record: ghost, ace: {a: 1}}
                checks:
                  - synced: {record: ghost, colour: red}
              - step: "2"
                title: no checks
                instructions: i
                expected: e
    """)
    assert "broken.yaml: step 7.1: write the step number as text" in message
    assert "unknown operation 'crate'" in message
    assert "update uses record 'ghost' before a create or refer names it" in message
    assert "unknown key(s) colour" in message
    assert "broken.yaml: step 2: a step needs checks, or 'not_provable' with the reason" in message


def test_unknown_template_and_bad_entity_are_errors() -> None:
    message = _problems(HEADER + """
              - step: "1"
                title: t
                instructions: i
                expected: e
                action:
                  - create: {record: x, like: nothing, entity: account}
                checks:
                  - synced: {record: x}
    """)
    assert "no template 'nothing'" in message
    assert "entity must be one of opportunity, lead" in message


def test_wrong_format_version_and_non_yaml_are_errors() -> None:
    assert "'version' must be 1" in _problems("version: 2\nkey: k\nsheet: S\nsections: []\n")
    with pytest.raises(ConfigurationError, match="not valid YAML"):
        parse_scenario("key: [unclosed", file="x.yaml")


def test_only_selects_by_number_by_qualified_id_or_by_sheet() -> None:
    scenario = parse_scenario(GOOD, file="demo.yaml")
    assert [s.number for s in select_steps([scenario], ["7.10"])] == ["7.10"]
    assert [s.number for s in select_steps([scenario], ["demo-sheet:8"])] == ["8"]
    assert len(select_steps([scenario], ["demo-sheet"])) == 2
    with pytest.raises(ConfigurationError, match="--only 9.9: no such step"):
        select_steps([scenario], ["9.9"])
