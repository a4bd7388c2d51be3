"""Validates Mesoflow's FHIR R4 export.

    validate.py FILE...

Each FILE is a JSON resource (a Bundle, or a lone Questionnaire) or, when its
name ends in .ndjson, one Bundle a line. Every resource is validated by the
fhir.resources R4B models (R4B is R4 for every resource the export writes),
then checked for what those models let through: the JSON type of every
primitive value, the codes the models list but do not enforce, and, across a
Bundle, its fullUrls, its references and what they point to, and each
QuestionnaireResponse against its Questionnaire (docs/TESTING.md, "FHIR
validation").

One line a problem, `FILE[:LINE]: entry N (ResourceType): PATH: message`,
where entry N is the Bundle's `entry[N]`, counted from 0, and PATH is in the
resource; then a summary. Exit 0 without problems, 1 with some, 2 when a file
cannot be used at all (none given, unreadable, invalid JSON).
"""

from __future__ import annotations

import datetime
import decimal
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from fhir_core.fhirabstractmodel import FHIRAbstractModel
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

# A location in a resource: ("item", 0, "linkId") is item[0].linkId.
Location = tuple[str | int, ...]
# A problem: where it is, and what it is.
Problem = tuple[Location, str]

UUID_URN = re.compile(r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")

# The answer value[x] each R4 Questionnaire item type takes: none for group
# and display. A choice with answerOptions takes the types of its options
# instead; an open-choice takes a string besides.
ANSWER_TYPES: dict[str, set[str]] = {
    "group": set(),
    "display": set(),
    "boolean": {"valueBoolean"},
    "decimal": {"valueDecimal"},
    "integer": {"valueInteger"},
    "date": {"valueDate"},
    "dateTime": {"valueDateTime"},
    "time": {"valueTime"},
    "string": {"valueString"},
    "text": {"valueString"},
    "url": {"valueUri"},
    "choice": {"valueCoding"},
    "open-choice": {"valueCoding", "valueString"},
    "attachment": {"valueAttachment"},
    "reference": {"valueReference"},
    "quantity": {"valueQuantity"},
}


class UsageError(Exception):
    """A file that cannot be checked at all: exit 2."""


@dataclass
class Document:
    """One resource to check: a file's, or one line's of an .ndjson file."""

    where: str  # FILE, or FILE:LINE for a line of an .ndjson file
    resource: Any
    in_ndjson: bool


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)
    bundles: int = 0
    resources: int = 0

    def add(self, where: str, context: str, problem: Problem) -> None:
        location, message = problem
        path = path_of(location)
        self.lines.append(f"{where}: {context}: {path}: {message}" if path else f"{where}: {context}: {message}")


def path_of(location: Location) -> str:
    """("item", 0, "linkId") -> "item[0].linkId"."""
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def objects(value: Any) -> list[tuple[int, dict[str, Any]]]:
    """The objects of a JSON array with their indexes, whatever else it holds (the models report the rest)."""
    if not isinstance(value, list):
        return []
    return [(index, item) for index, item in enumerate(value) if isinstance(item, dict)]


def entry_context(index: int, resource: Any) -> str:
    kind = resource.get("resourceType") if isinstance(resource, dict) else None
    return f"entry {index} ({kind if isinstance(kind, str) else 'no resource type'})"


# Reading


def parse(text: str, path: str, line: int = 1) -> Any:
    """JSON, as FHIR's JSON format has it: no NaN nor Infinity."""

    def no_constant(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")

    try:
        return json.loads(text, parse_constant=no_constant)
    except json.JSONDecodeError as error:
        raise UsageError(f"{path}:{line + error.lineno - 1}:{error.colno}: invalid JSON: {error.msg}") from None
    except ValueError as error:
        raise UsageError(f"{path}:{line}: invalid JSON: {error}") from None


def read(path: str) -> list[Document]:
    try:
        text = Path(path).read_bytes().decode("utf-8")
    except OSError as error:
        raise UsageError(f"{path}: cannot read: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        raise UsageError(f"{path}: invalid JSON: not UTF-8 at byte {error.start}") from None
    if not path.endswith(".ndjson"):
        return [Document(path, parse(text, path), in_ndjson=False)]
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()  # what follows the last line break
    documents = []
    for number, line in enumerate(lines, start=1):
        if line.strip() == "":
            raise UsageError(f"{path}:{number}: invalid JSON: an empty line, where a Bundle was expected")
        documents.append(Document(f"{path}:{number}", parse(line, path, number), in_ndjson=True))
    return documents


# What the R4B models check


def model_class(resource_type: Any) -> type[FHIRAbstractModel] | None:
    if not isinstance(resource_type, str) or resource_type in ("Resource", "DomainResource"):
        return None
    try:
        model = get_fhir_model_class(resource_type)
    except ValueError:
        return None
    return model if model.has_resource_base() else None


def validate_model(resource: dict[str, Any]) -> tuple[FHIRAbstractModel | None, list[Problem]]:
    """The resource as its R4B model, or the model's problems with it."""
    model = model_class(resource.get("resourceType"))
    if model is None:
        return None, [((), f"resourceType {json.dumps(resource.get('resourceType'))} is no R4 resource")]
    try:
        return model.model_validate(resource), []
    except ValidationError as error:
        return None, [model_problem(problem) for problem in error.errors()]
    except Exception as error:  # the models raise more than ValidationError on odd input
        return None, [((), f"the R4B model cannot read it: {type(error).__name__}: {error}")]


def model_problem(problem: Any) -> Problem:
    location = tuple(part for part in problem["loc"] if part != "root")
    if problem["type"] == "extra_forbidden":
        return location, "unknown element"
    if problem["type"] in ("missing", "model_field_validation.missing"):
        return location, "required element missing"
    return location, problem["msg"]


# What the models accept and FHIR does not: they coerce "yes" and 1 to a
# boolean, "5" and 5.0 to an integer, "1.5" to a decimal; they list the codes
# of a required binding (enum_values) without checking them; and they take
# null, [], {} and (for a uri) "", which FHIR's JSON format forbids. The validated model says
# which FHIR type each value has; the JSON must have the JSON type FHIR gives
# it.


@cache
def element_fields(model: type[BaseModel]) -> dict[str, tuple[str, FieldInfo]]:
    """The model's fields by their JSON names: "_birthDate" -> ("birthDate__ext", ...)."""
    return {(info.alias or name): (name, info) for name, info in model.model_fields.items()}


def json_problems(value: dict[str, Any], model: BaseModel, location: Location = ()) -> Iterator[Problem]:
    fields = element_fields(type(model))
    for key, item in value.items():
        if key in fields:  # resourceType is none, and the model reported unknown elements
            name, info = fields[key]
            # A null in an array keeps the place of a value that only its _element array has.
            twin = key[1:] if key.startswith("_") else "_" + key
            nulls = isinstance(value.get(twin), list)
            yield from element_problems(item, getattr(model, name), info, (*location, key), nulls)


def element_problems(value: Any, parsed: Any, info: FieldInfo, location: Location, nulls: bool) -> Iterator[Problem]:
    if value is None:
        yield location, "null is not FHIR JSON: leave the element out"
    elif value == []:
        yield location, "an empty array is not FHIR JSON: leave the element out"
    elif isinstance(value, list):
        if isinstance(parsed, list) and len(parsed) == len(value):
            for index, (item, parsed_item) in enumerate(zip(value, parsed, strict=True)):
                if item is None and not nulls:
                    yield (*location, index), "null is not FHIR JSON here: no _element array beside it needs its place"
                elif item is not None:
                    yield from value_problems(item, parsed_item, info, (*location, index))
    else:
        yield from value_problems(value, parsed, info, location)


def value_problems(value: Any, parsed: Any, info: FieldInfo, location: Location) -> Iterator[Problem]:
    if value == {}:
        yield location, "an empty object is not FHIR JSON: leave the element out"
    elif isinstance(value, dict):
        if isinstance(parsed, BaseModel):
            yield from json_problems(value, parsed, location)
    elif value == "":
        yield location, "an empty string is not FHIR JSON: leave the element out"
    elif isinstance(value, str) and (control := next((c for c in value if ord(c) < 32 and c not in "\t\r\n"), None)):
        yield location, f"holds the control character U+{ord(control):04X}, which a FHIR string may not (only tab, CR and LF)"
    elif (expected := fhir_json_type(parsed)) and not fits(value, expected):
        yield location, f"{json.dumps(value)} is a JSON {json_type(value)}, where FHIR JSON has a {expected}"
    elif isinstance(value, str) and (codes := codes_of(info)) is not None and value not in codes:
        yield location, f"{json.dumps(value)} is not one of its codes: {' | '.join(codes)}"


def codes_of(info: FieldInfo) -> list[str] | None:
    """The codes the model lists for an element, unless it lists none or only the first few."""
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    codes = extra.get("enum_values")
    # A list ending in "+" is the start of a longer one, as in the spec's short description.
    if not isinstance(codes, list) or "+" in codes:
        return None
    return [str(code) for code in codes]


def fhir_json_type(parsed: Any) -> str | None:
    """The JSON type FHIR gives the primitive the model parsed."""
    if isinstance(parsed, bool):
        return "boolean"
    if isinstance(parsed, int):
        return "integer"
    if isinstance(parsed, decimal.Decimal):
        return "number"
    if isinstance(parsed, (str, bytes, datetime.date, datetime.time)):
        return "string"
    return None


def json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return "string" if isinstance(value, str) else "array" if isinstance(value, list) else "object"


def fits(value: Any, expected: str) -> bool:
    """Whether a JSON value has the JSON type FHIR gives its element: a decimal may be written as an integer."""
    return json_type(value) in (("integer", "number") if expected == "number" else (expected,))


def resource_problems(resource: dict[str, Any]) -> tuple[FHIRAbstractModel | None, list[Problem]]:
    """The resource as its model, and its problems: the model's, or else those of its JSON."""
    model, problems = validate_model(resource)
    return model, problems if model is None else list(json_problems(resource, model))


def typed_references(
    value: Any, parsed: Any, location: Location = (), types: list[str] | None = None
) -> Iterator[tuple[Location, str, list[str]]]:
    """Every reference whose element names the resource types it may point to, with those types."""
    if isinstance(value, list) and isinstance(parsed, list) and len(value) == len(parsed):
        for index, (item, parsed_item) in enumerate(zip(value, parsed, strict=True)):
            yield from typed_references(item, parsed_item, (*location, index), types)
    elif isinstance(value, dict) and isinstance(parsed, BaseModel):
        if types and isinstance(value.get("reference"), str):
            yield (*location, "reference"), value["reference"], types
        fields = element_fields(type(parsed))
        for key, item in value.items():
            if key in fields:
                name, info = fields[key]
                yield from typed_references(item, getattr(parsed, name), (*location, key), reference_types(info))


def reference_types(info: FieldInfo) -> list[str] | None:
    """The resource types a Reference element may point to, or None for any."""
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    types = extra.get("enum_reference_types")
    if not isinstance(types, list) or "Resource" in types:
        return None
    return [str(kind) for kind in types]


# What the models do not check, across a Bundle


def check_bundle(bundle: dict[str, Any], where: str, report: Report) -> None:
    report.bundles += 1
    entries: list[Any] = bundle["entry"] if isinstance(bundle.get("entry"), list) else []
    # The Bundle without its entries' resources, which are validated one by one.
    stripped = [
        {key: value for key, value in entry.items() if key != "resource"} if isinstance(entry, dict) else entry
        for entry in entries
    ]
    shell = dict(bundle, entry=stripped) if entries else dict(bundle)
    for location, message in resource_problems(shell)[1]:
        if len(location) >= 2 and location[0] == "entry" and isinstance(location[1], int):
            entry = entries[location[1]]
            resource = entry.get("resource") if isinstance(entry, dict) else None
            if location[2:] == () and resource is not None and stripped[location[1]] == {}:
                continue  # emptied here, not in the file
            report.add(where, entry_context(location[1], resource), (("entry", *location[2:]), message))
        else:
            report.add(where, "Bundle", (location, message))
    if isinstance(bundle.get("type"), str) and bundle["type"] != "collection":  # else the model has said so
        report.add(where, "Bundle", (("type",), f'{json.dumps(bundle.get("type"))}, where "collection" was expected'))

    full_urls: dict[str, int] = {}
    resources: list[tuple[str, dict[str, Any]]] = []
    models: list[tuple[str, dict[str, Any], FHIRAbstractModel]] = []
    for index, entry in objects(entries):
        resource = entry.get("resource")
        context = entry_context(index, resource)
        full_url = entry.get("fullUrl")
        if full_url is None:
            report.add(where, context, ((), "no fullUrl"))
        elif isinstance(full_url, str):  # else the model has reported it
            if not UUID_URN.fullmatch(full_url):
                message = f"{json.dumps(full_url)} is not urn:uuid: and a lowercase RFC 9562 UUID"
                report.add(where, context, (("fullUrl",), message))
            if full_url in full_urls:
                report.add(where, context, (("fullUrl",), f"{full_url} is entry {full_urls[full_url]}'s too"))
            # A reference to it resolves, however it is written.
            full_urls.setdefault(full_url, index)
        if not isinstance(resource, dict):
            report.add(where, context, ((), "no resource"))
            continue
        report.resources += 1
        resources.append((context, resource))
        model, problems = resource_problems(resource)
        for problem in problems:
            report.add(where, context, problem)
        if model is not None:
            models.append((context, resource, model))

    for context, value in [("Bundle", shell), *resources]:
        for location, reference in references(value):
            if reference not in full_urls:
                report.add(where, context, (location, f"{json.dumps(reference)} is no entry's fullUrl"))
    targets = {url: entries[index].get("resource") for url, index in full_urls.items()}
    for context, resource, model in models:
        for location, reference, types in typed_references(resource, model):
            target = targets.get(reference)
            kind = target.get("resourceType") if isinstance(target, dict) else None
            if model_class(kind) is not None and kind not in types:  # else it dangles, or has been reported
                about = entry_context(full_urls[reference], target)
                message = f"{reference} is {about}, and the element points only to {' | '.join(types)}"
                report.add(where, context, (location, message))

    questionnaires: dict[str, dict[str, Any]] = {}
    for context, resource in resources:
        if resource.get("resourceType") == "Questionnaire":
            canonical = f"{resource.get('url')}|{resource.get('version')}"
            if canonical in questionnaires:
                report.add(where, context, ((), f"a second Questionnaire {canonical} in the bundle"))
            questionnaires.setdefault(canonical, resource)
            for problem in questionnaire_problems(resource):
                report.add(where, context, problem)
    for context, resource in resources:
        if resource.get("resourceType") == "QuestionnaireResponse":
            for problem in response_problems(resource, questionnaires):
                report.add(where, context, problem)


def references(value: Any, location: Location = ()) -> Iterator[tuple[Location, str]]:
    """Every Reference.reference string, wherever it is."""
    if isinstance(value, dict):
        if isinstance(value.get("reference"), str):
            yield (*location, "reference"), value["reference"]
        for key, item in value.items():
            yield from references(item, (*location, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from references(item, (*location, index))


# Questionnaire and QuestionnaireResponse


@dataclass
class Item:
    """A Questionnaire item, where it is."""

    item: dict[str, Any]
    location: Location
    parent: str | None  # the linkId of the item it is in; None at the top


def items_of(questionnaire: dict[str, Any]) -> list[Item]:
    found: list[Item] = []

    def walk(items: Any, location: Location, parent: str | None) -> None:
        for index, item in objects(items):
            found.append(Item(item, (*location, "item", index), parent))
            link_id = item.get("linkId")
            walk(item.get("item"), (*location, "item", index), link_id if isinstance(link_id, str) else None)

    walk(questionnaire.get("item"), (), None)
    return found


def questionnaire_problems(questionnaire: dict[str, Any]) -> Iterator[Problem]:
    items = items_of(questionnaire)
    first: dict[str, Location] = {}
    for item in items:
        link_id = item.item.get("linkId")
        if isinstance(link_id, str):
            if link_id in first:
                yield (*item.location, "linkId"), f"{json.dumps(link_id)} is {path_of(first[link_id])}'s linkId too"
            first.setdefault(link_id, item.location)
        kind = item.item.get("type")
        if isinstance(kind, str) and kind not in ANSWER_TYPES:
            yield (*item.location, "type"), f"{json.dumps(kind)} is no R4 item type"
    for item in items:
        for index, condition in objects(item.item.get("enableWhen")):
            question = condition.get("question")
            location = (*item.location, "enableWhen", index, "question")
            if question == item.item.get("linkId"):
                yield location, f"{json.dumps(question)} is the item itself"
            elif not isinstance(question, str) or question not in first:
                yield location, f"{json.dumps(question)} is no item's linkId"


def response_problems(response: dict[str, Any], questionnaires: dict[str, dict[str, Any]]) -> Iterator[Problem]:
    canonical = response.get("questionnaire")
    if not isinstance(canonical, str) or "|" not in canonical:
        yield ("questionnaire",), f"{json.dumps(canonical)} is not url|version"
        return
    questionnaire = questionnaires.get(canonical)
    if questionnaire is None:
        known = ", ".join(sorted(questionnaires)) or "none"
        yield ("questionnaire",), f"{canonical} is no Questionnaire of the bundle (it has: {known})"
        return
    asked: dict[str, Item] = {}
    for item in items_of(questionnaire):
        if isinstance(item.item.get("linkId"), str):
            asked.setdefault(item.item["linkId"], item)
    yield from answered_items(response.get("item"), (), None, asked)


def answered_items(items: Any, location: Location, parent: str | None, asked: dict[str, Item]) -> Iterator[Problem]:
    """The problems of a response's items (all in the item of linkId `parent`) and those in them."""
    first: dict[str, int] = {}
    for index, item in objects(items):
        here = (*location, "item", index)
        link_id = item.get("linkId")
        question = asked.get(link_id) if isinstance(link_id, str) else None
        if not isinstance(link_id, str) or question is None:
            yield (*here, "linkId"), f"{json.dumps(link_id)} is no item of the questionnaire"
            continue
        if question.parent != parent:
            yield (
                here,
                f"{json.dumps(link_id)} is {placed(parent)} here, but {placed(question.parent)} in the questionnaire",
            )
        if link_id in first and question.item.get("repeats") is not True:
            yield here, f"{json.dumps(link_id)} does not repeat, and is item[{first[link_id]}] too"
        first.setdefault(link_id, index)
        yield from answer_problems(item, here, question.item)
        yield from answered_items(item.get("item"), here, link_id, asked)
        for number, answer in objects(item.get("answer")):
            yield from answered_items(answer.get("item"), (*here, "answer", number), link_id, asked)


def placed(parent: str | None) -> str:
    return "at the top" if parent is None else f"in {json.dumps(parent)}"


def answer_problems(item: dict[str, Any], location: Location, question: dict[str, Any]) -> Iterator[Problem]:
    kind = question.get("type")
    if not isinstance(kind, str) or kind not in ANSWER_TYPES:
        return  # the Questionnaire's problem, reported there
    link_id = json.dumps(question.get("linkId"))
    answers = objects(item.get("answer"))
    if answers and not ANSWER_TYPES[kind]:
        yield location, f"{link_id} is a {kind} item, which has no answer"
        return
    if len(answers) > 1 and question.get("repeats") is not True:
        yield location, f"{link_id} does not repeat, but has {len(answers)} answers"
    options = [
        (key, value)
        for _, option in objects(question.get("answerOption"))
        for key, value in option.items()
        if key.startswith("value")
    ]
    option_types = {key for key, _ in options}
    allowed = ANSWER_TYPES[kind]
    if kind in ("choice", "open-choice") and options:
        allowed = option_types | (allowed - {"valueCoding"})
    for number, answer in answers:
        here = (*location, "answer", number)
        values = [key for key in answer if key.startswith("value")]
        if not values:
            if "item" not in answer:
                yield here, "no value"
            continue
        key, value = values[0], answer[values[0]]
        if key not in allowed:
            yield (*here, key), f"answers {link_id}, a {kind} item, which takes {' or '.join(sorted(allowed))}"
        # Among the options, but for the free text of an open choice.
        elif key in option_types and not (kind == "open-choice" and key == "valueString"):
            if not any(key == option_key and same_answer(value, option) for option_key, option in options):
                yield (*here, key), f"{answer_text(value)} is none of the answerOptions of {link_id}"


def same_answer(answer: Any, option: Any) -> bool:
    """Codings are the same with the same system and code; other values when equal."""
    if isinstance(answer, dict) and isinstance(option, dict) and "code" in option:
        return (answer.get("system"), answer.get("code")) == (option.get("system"), option.get("code"))
    return bool(answer == option)


def answer_text(value: Any) -> str:
    if isinstance(value, dict) and "code" in value:
        return f"{value.get('system')}|{value.get('code')}"
    return json.dumps(value)


# The command


def check(document: Document, report: Report) -> None:
    resource = document.resource
    kind = resource.get("resourceType") if isinstance(resource, dict) else None
    if kind == "Bundle":
        check_bundle(resource, document.where, report)
    elif kind == "Questionnaire" and not document.in_ndjson:
        report.resources += 1
        for problem in resource_problems(resource)[1] + list(questionnaire_problems(resource)):
            report.add(document.where, "Questionnaire", problem)
    else:
        expected = "a Bundle" if document.in_ndjson else "a Bundle or a Questionnaire"
        found = f"resourceType {json.dumps(kind)}" if isinstance(resource, dict) else f"a JSON {json_type(resource)}"
        report.add(document.where, "resource", ((), f"{found}, where {expected} was expected"))


def main(arguments: list[str]) -> int:
    if not arguments or any(argument in ("-h", "--help") for argument in arguments):
        print("usage: validate.py FILE...  (Bundles or Questionnaires as JSON, Bundles as .ndjson)", file=sys.stderr)
        return 2
    report = Report()
    unusable = False
    for path in arguments:
        try:
            documents = read(path)
        except UsageError as error:
            print(error, file=sys.stderr)
            unusable = True
            continue
        for document in documents:
            check(document, report)
    for line in report.lines:
        print(line)
    print(f"{report.bundles} bundles, {report.resources} resources checked, {len(report.lines)} problems")
    if unusable:
        return 2
    return 1 if report.lines else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
