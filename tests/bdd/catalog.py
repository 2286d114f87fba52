"""The step catalogue: every Gherkin step a scenario may use, with its parameters and an example, read from the step
definitions pytest-bdd registers. `python -m tests.bdd.catalog > docs/steps.md` writes docs/steps.md; a test
(tests/unit/test_step_catalogue.py) fails when that file is stale, or when a step is defined that no feature uses.

pytest collects tests/bdd (so every step module is imported and registers its steps with pytest-bdd); the
catalogue then reads pytest-bdd's registry (`step_function_context_registry`: each step's keyword, parser, target
fixture and function) and finds each step's first use in features/.
"""
from __future__ import annotations

import contextlib
import inspect
import io
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pytest_bdd import parsers
from pytest_bdd.parser import FeatureParser
from pytest_bdd.steps import StepFunctionContext, step_function_context_registry

ROOT = Path(__file__).resolve().parents[2]
FEATURES = ROOT / "features"
SHARED = "tests.bdd.steps.amazon"
EXAMPLE_FEATURE = FEATURES / "002_flxpoint_fba_source.feature"
EXAMPLE_SCENARIO = "A QA engineer's scenario, written from the catalogue's steps alone"


@dataclass
class Use:
    """A step line of a feature, as pytest-bdd parsed it (outlines rendered with their first example); `type` is
    given, when or then, And and But resolved."""
    feature: str
    scenario: str
    type: str
    text: str


@dataclass
class Entry:
    """One step function: its keywords, its patterns, what it hands on, and where features use it."""
    function: Any
    module: str
    line: int
    keywords: list[str] = field(default_factory=list)
    parsers: list[parsers.StepParser] = field(default_factory=list)
    target: str | None = None
    uses: list[Use] = field(default_factory=list)


class _Collector:
    """A pytest plugin that only collects: by then every step module has registered its steps."""

    def __init__(self) -> None:
        self.contexts: list[StepFunctionContext] = []

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.contexts = list(step_function_context_registry.values())


def registered_steps() -> list[StepFunctionContext]:
    """Every step definition pytest-bdd registers while collecting tests/bdd."""
    collector = _Collector()
    with contextlib.redirect_stdout(io.StringIO()):
        code = pytest.main(["--collect-only", "-qq", "-p", "no:cacheprovider", str(ROOT / "tests" / "bdd")],
                           plugins=[collector])
    if code != 0:
        raise RuntimeError(f"collecting tests/bdd failed (exit {code}); run pytest --collect-only tests/bdd")
    return [c for c in collector.contexts if c.step_func.__module__.startswith("tests.bdd")]


def feature_uses() -> list[Use]:
    """Every step line of every scenario (its Background's included), outlines rendered with each example row;
    a line is counted once per scenario."""
    uses, seen = [], set()
    for path in sorted(FEATURES.glob("*.feature")):
        feature = FeatureParser(str(FEATURES), path.name).parse()
        for template in feature.scenarios.values():
            contexts = [row for examples in template.examples for row in examples.as_contexts()] or [{}]
            for context in contexts:
                for step in template.render(context).steps:
                    key = (path.name, template.name, step.type, step.name)
                    if key not in seen:
                        seen.add(key)
                        uses.append(Use(path.name, template.name, step.type, step.name))
    return uses


def catalogue() -> list[Entry]:
    entries: dict[Any, Entry] = {}
    for context in registered_steps():
        function = context.step_func
        entry = entries.get(function)
        if entry is None:
            entry = entries[function] = Entry(function, function.__module__, inspect.getsourcelines(function)[1])
        if context.type and context.type not in entry.keywords:
            entry.keywords = sorted([*entry.keywords, context.type], key=("given", "when", "then").index)
        if all(p.name != context.parser.name for p in entry.parsers):
            entry.parsers.append(context.parser)
        entry.target = context.target_fixture or entry.target
    uses = feature_uses()
    for entry in entries.values():
        entry.uses = [use for use in uses if (not entry.keywords or use.type in entry.keywords)
                      and any(p.is_matching(use.text) for p in entry.parsers)]
    order = {SHARED: 0}
    return sorted(entries.values(), key=lambda e: (order.get(e.module, 1), e.module, e.line))


# how a pattern reads, and what its parameters take
def _group_end(pattern: str, start: int) -> int:
    """The index just past the parenthesis group opening at `start`."""
    depth, index = 0, start
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        depth += char == "("
        depth -= char == ")"
        index += 1
        if depth == 0:
            return index
    raise ValueError(f"unbalanced group in {pattern!r}")


def readable(parser: parsers.StepParser) -> str:
    """The step as a person writes it: {name} for a parameter, [optional part] for an optional one."""
    if not isinstance(parser, parsers.re):
        return re.sub(r"{(\w+):\w}", r"{\1}", parser.name)
    pattern = parser.name.strip("^$")
    while (start := pattern.find("(?P<")) != -1:
        end = _group_end(pattern, start)
        name = pattern[start + 4:pattern.index(">", start)]
        pattern = pattern[:start] + "{" + name + "}" + pattern[end:]
    while (start := pattern.find("(?:")) != -1:
        end = _group_end(pattern, start)
        inner, optional = pattern[start + 3:end - 1], pattern[end:end + 1] == "?"
        pattern = pattern[:start] + ("[" + inner + "]" if optional else inner) + pattern[end + (1 if optional else 0):]
    pattern = re.sub(r"(\w)\?", r"[\1]", pattern)
    return pattern.replace("\\", "")


def parameters(parser: parsers.StepParser) -> list[tuple[str, str]]:
    """(name, what it takes) for each parameter of the pattern."""
    if isinstance(parser, parsers.parse):
        kinds = {"d": "a whole number", "f": "a decimal number", "g": "a number"}
        return [(name, kinds.get(spec, "text")) for name, spec in
                re.findall(r"{(\w+)(?::(\w))?}", parser.name)]
    if isinstance(parser, parsers.re):
        found = []
        for match in re.finditer(r"\(\?P<(\w+)>", parser.name):
            inner = parser.name[match.end():_group_end(parser.name, match.start()) - 1]
            if re.fullmatch(r"[\w .'-]+(\|[\w .'-]+)+", inner):
                found.append((match.group(1), "one of: " + ", ".join(f"`{v}`" for v in inner.split("|"))))
            elif inner in (r"\d+", r"\d{3}"):
                found.append((match.group(1), "a whole number" if inner == r"\d+" else "an HTTP status"))
            elif re.fullmatch(r"\\d\+\|[\w|]+", inner):
                found.append((match.group(1), "a whole number or one of: " + ", ".join(
                    f"`{v}`" for v in inner.split("|")[1:])))
            else:
                found.append((match.group(1), f"text matching `{inner}`"))
        return found
    return []


def _first_paragraph(function: Any) -> str:
    doc = inspect.getdoc(function) or ""
    return " ".join(doc.split("\n\n")[0].split())


def _module_title(module: str) -> str:
    """The module docstring's first sentence."""
    doc = " ".join((inspect.getdoc(sys.modules[module]) or module).split())
    return re.split(r"(?<=[.:])\s", doc, maxsplit=1)[0].rstrip(".:")


def render(entries: list[Entry]) -> str:
    lines = ["# Step catalogue", "",
             "Every step a scenario may use, generated from the step definitions pytest-bdd registers by "
             "`python -m tests.bdd.catalog > docs/steps.md`; a test fails when this file is stale or a step is "
             "defined that no feature uses. The steps that speak of Amazon are written once "
             f"(`{SHARED.replace('.', '/')}.py`) and work in every feature; the others belong to one integration "
             "and work in its feature only. Each step reads and writes the mock only through its control API, "
             "SP-API calls, notifications and the traffic journal, so it runs in-process and against a live mock "
             "alike.", "",
             "A parameter in `{braces}` takes a value; a part in `[brackets]` is optional. *Hands on* names the "
             "fixture a step makes for the steps after it.", ""]
    lines += _example_section()
    by_module: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        by_module[entry.module].append(entry)
    for module, group in by_module.items():
        where = module.replace(".", "/") + ".py"
        scope = "every feature" if module == SHARED else f"`{_feature_of(group)}`"
        lines += [f"## {_module_title(module)}", "", f"`{where}`, for {scope}. {len(group)} steps.", ""]
        for entry in group:
            lines += _entry(entry)
    return "\n".join(lines).rstrip() + "\n"


def _feature_of(group: list[Entry]) -> str:
    features = sorted({use.feature for entry in group for use in entry.uses})
    return ", ".join(features) if features else "no feature"


def _entry(entry: Entry) -> list[str]:
    keywords = "/".join(k.capitalize() for k in entry.keywords) or "Any"
    lines = [f"### {keywords} {readable(entry.parsers[0])}", ""]
    for parser in entry.parsers[1:]:
        lines += [f"Also written: *{readable(parser)}*", ""]
    about = _first_paragraph(entry.function)
    if about:
        lines += [about, ""]
    found = [p for parser in entry.parsers for p in parameters(parser)]
    unique = list(dict.fromkeys(found))
    if unique:
        lines += ["Parameters: " + "; ".join(f"`{name}`, {kind}" for name, kind in unique) + ".", ""]
    if "datatable" in inspect.signature(entry.function).parameters:
        lines += ["Takes a data table (see the example).", ""]
    if entry.target:
        lines += [f"Hands on: `{entry.target}`.", ""]
    if entry.uses:
        use = entry.uses[0]
        counts: dict[str, int] = defaultdict(int)
        for other in entry.uses:
            counts[other.feature[:3]] += 1
        used = ", ".join(f"{seed} ({n})" for seed, n in sorted(counts.items()))
        lines += [f"Example, from `{use.feature}` ({use.scenario}):", "", "```gherkin",
                  f"{use.type.capitalize()} {use.text}", "```", "", f"Used by seed {used}.", ""]
    else:
        lines += ["No feature uses it yet.", ""]
    return lines


def _example_section() -> list[str]:
    """The QA engineer's scenario: quoted from the feature file that runs it, so the example cannot drift."""
    text = EXAMPLE_FEATURE.read_text()
    start = text.index(f"Scenario: {EXAMPLE_SCENARIO}")
    tags_start = text.rindex("\n", 0, text.rindex("\n", 0, start)) + 1
    end = text.find("\n\n", start)
    block = text[tags_start:end if end != -1 else len(text)]
    return ["## A new scenario from existing steps alone", "",
            "A QA engineer who wants to know whether a fulfillment request Amazon cannot fulfil is still counted "
            "and reported writes this from the catalogue below, with no Python: each line is an existing step "
            f"(shared ones and seed 002's). It runs with the rest, in `features/{EXAMPLE_FEATURE.name}`:", "",
            "```gherkin", *[line[2:] if line.startswith("  ") else line for line in block.splitlines()], "```", ""]


def unused(entries: list[Entry]) -> list[str]:
    return [readable(entry.parsers[0]) for entry in entries if not entry.uses]


def main() -> int:
    sys.stdout.write(render(catalogue()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
