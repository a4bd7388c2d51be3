"""The self-test of validate.py: the valid example passes, and each check fails on a small change of it.

.build/fhir-venv/bin/python -m unittest discover -s Tests/FHIR
"""

from __future__ import annotations

import copy
import io
import json
import subprocess
import sys
import tempfile
import unittest
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import validate

HERE = Path(__file__).resolve().parent
VALID = json.loads((HERE / "examples" / "valid-bundle.json").read_text(encoding="utf-8"))
SUMMARY = "1 bundles, 12 resources checked"


class Result:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code = code
        self.lines = out.splitlines()
        self.problems = self.lines[:-1]
        self.summary = self.lines[-1] if self.lines else ""
        self.err = err


class ValidateTestCase(unittest.TestCase):
    def setUp(self) -> None:
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.folder = Path(folder.name)
        self.bundle = copy.deepcopy(VALID)

    def write(self, name: str, text: str) -> str:
        path = self.folder / name
        path.write_text(text, encoding="utf-8")
        return str(path)

    def run_validate(self, *paths: str) -> Result:
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = validate.main(list(paths))
        return Result(code, out.getvalue(), err.getvalue())

    def check(self, resource: Any, name: str = "bundle.json") -> Result:
        return self.run_validate(self.write(name, json.dumps(resource)))

    def resource(self, resource_type: str) -> dict[str, Any]:
        found: dict[str, Any] = next(
            e["resource"] for e in self.bundle["entry"] if e["resource"]["resourceType"] == resource_type
        )
        return found

    def index(self, resource_type: str) -> int:
        return next(i for i, e in enumerate(self.bundle["entry"]) if e["resource"]["resourceType"] == resource_type)

    def assertOneProblem(self, result: Result, start: str, *words: str) -> None:
        """Exit 1 with exactly one problem, `FILE: start...`, that says each of words."""
        self.assertEqual(result.code, 1, result.lines)
        self.assertEqual(len(result.problems), 1, result.problems)
        problem = result.problems[0]
        self.assertTrue(problem.split(": ", 1)[1].startswith(start), f"{problem!r} does not start with {start!r}")
        for word in words:
            self.assertIn(word, problem)
        self.assertTrue(result.summary.endswith(", 1 problems"), result.summary)

    def assertProblemOf(self, resource_type: str, path: str, *words: str) -> None:
        """The changed bundle has one problem, in the entry of that resource type, at path."""
        context = f"entry {self.index(resource_type)} ({resource_type})"
        self.assertOneProblem(self.check(self.bundle), f"{context}: {path}", *words)


class ValidBundleTests(ValidateTestCase):
    def test_the_valid_example_passes(self) -> None:
        result = self.run_validate(str(HERE / "examples" / "valid-bundle.json"))
        self.assertEqual((result.code, result.lines, result.err), (0, [SUMMARY + ", 0 problems"], ""))

    def test_a_reference_with_only_a_display_or_an_identifier_is_fine(self) -> None:
        self.resource("Procedure")["performer"] = [{"actor": {"display": "Dr. Jonas Keller"}}]
        self.resource("Consent")["performer"] = [{"identifier": {"system": "urn:mesoflow:account", "value": "anna"}}]
        self.assertEqual(self.check(self.bundle).code, 0)

    def test_a_lone_questionnaire_passes(self) -> None:
        result = self.check(self.resource("Questionnaire"), "questionnaire.json")
        self.assertEqual((result.code, result.lines), (0, ["0 bundles, 1 resources checked, 0 problems"]))


class ModelTests(ValidateTestCase):
    """What the R4B models check."""

    def test_an_unknown_element_fails(self) -> None:
        self.resource("Patient")["eyeColour"] = "brown"
        self.assertProblemOf("Patient", "eyeColour", "unknown element")

    def test_an_r5_element_fails(self) -> None:
        self.resource("Consent")["decision"] = "permit"
        self.assertProblemOf("Consent", "decision", "unknown element")

    def test_a_wrong_type_fails(self) -> None:
        self.resource("Patient")["name"][0]["family"] = ["Meyer"]
        self.assertProblemOf("Patient", "name[0].family", "string")

    def test_a_malformed_date_fails(self) -> None:
        self.resource("Medication")["batch"]["expirationDate"] = "31.03.2027"
        self.assertProblemOf("Medication", "batch.expirationDate", "Date")

    def test_a_missing_required_element_fails(self) -> None:
        del self.resource("MedicationAdministration")["status"]
        self.assertProblemOf("MedicationAdministration", "status", "required element missing")

    def test_a_missing_required_element_of_a_backbone_element_fails(self) -> None:
        del self.resource("DetectedIssue")["mitigation"][0]["action"]
        self.assertProblemOf("DetectedIssue", "mitigation[0].action", "required element missing")

    def test_an_unknown_resource_type_fails(self) -> None:
        self.bundle["entry"][0]["resource"] = {"resourceType": "Patients"}
        self.assertOneProblem(self.check(self.bundle), "entry 0 (Patients): ", "no R4 resource")

    def test_an_unknown_element_of_an_entry_fails(self) -> None:
        self.bundle["entry"][1]["title"] = "Dr. Keller"
        self.assertOneProblem(self.check(self.bundle), "entry 1 (Practitioner): entry.title: unknown element")


class JsonTypeTests(ValidateTestCase):
    """What the models coerce or let through, and FHIR JSON does not allow."""

    def test_a_boolean_written_as_a_string_fails(self) -> None:
        self.resource("Questionnaire")["item"][0]["item"][0]["required"] = "true"
        self.assertProblemOf("Questionnaire", "item[0].item[0].required", "JSON string", "boolean")

    def test_a_boolean_written_as_a_number_fails(self) -> None:
        self.resource("QuestionnaireResponse")["item"][1]["item"][0]["answer"][0]["valueBoolean"] = 0
        self.assertProblemOf("QuestionnaireResponse", "item[1].item[0].answer[0].valueBoolean", "JSON integer")

    def test_an_integer_written_as_a_string_or_a_fraction_fails(self) -> None:
        for value in ("35", 35.0):
            with self.subTest(value=value):
                self.resource("QuestionnaireResponse")["item"][0]["item"][0]["answer"][0]["valueInteger"] = value
                self.assertProblemOf("QuestionnaireResponse", "item[0].item[0].answer[0].valueInteger", "integer")

    def test_null_in_an_array_passes_only_beside_its_element_array(self) -> None:
        name = self.resource("Patient")["name"][0]
        name["given"] = ["Anna", None]
        self.assertProblemOf("Patient", "name[0].given[1]", "null is not FHIR JSON here")
        name["_given"] = [None, {"extension": [{"url": "urn:mesoflow:extension:nickname", "valueString": "Anni"}]}]
        self.assertEqual(self.check(self.bundle).code, 0)

    def test_a_decimal_written_as_a_string_fails(self) -> None:
        self.resource("MedicationAdministration")["dosage"]["dose"]["value"] = "2.5"
        self.assertProblemOf("MedicationAdministration", "dosage.dose.value", "JSON string", "number")

    def test_a_decimal_written_as_an_integer_passes(self) -> None:
        self.resource("MedicationAdministration")["dosage"]["dose"]["value"] = 2
        self.assertEqual(self.check(self.bundle).code, 0)

    def test_a_code_not_in_a_required_binding_fails(self) -> None:
        self.resource("Procedure")["status"] = "done"
        self.assertProblemOf("Procedure", "status", '"done" is not one of its codes', "completed")

    def test_null_an_empty_array_and_an_empty_object_fail(self) -> None:
        for key, value, words in (("text", None, "null"), ("note", [], "empty array"), ("code", {}, "empty object")):
            with self.subTest(key=key):
                self.bundle = copy.deepcopy(VALID)
                self.resource("Procedure")[key] = value
                self.assertProblemOf("Procedure", key, words)

    def test_an_empty_uri_fails(self) -> None:
        self.resource("Procedure")["bodySite"][0]["coding"][0]["system"] = ""
        self.assertProblemOf("Procedure", "bodySite[0].coding[0].system", "empty string")

    def test_a_control_character_in_a_string_fails(self) -> None:
        self.resource("Medication")["batch"]["lotNumber"] = "A\u001d123"
        self.assertProblemOf("Medication", "batch.lotNumber", "control character U+001D")

    def test_tab_cr_and_lf_in_a_string_pass(self) -> None:
        self.resource("Medication")["batch"]["lotNumber"] = "A\t1\r\n23"
        result = self.check(self.bundle)
        self.assertEqual((result.code, result.problems), (0, []))


class BundleTests(ValidateTestCase):
    def test_a_bundle_of_another_type_fails(self) -> None:
        self.bundle["type"] = "document"
        self.assertOneProblem(self.check(self.bundle), "Bundle: type: ", '"document"', "collection")

    def test_a_bundle_without_type_fails_once(self) -> None:
        del self.bundle["type"]
        self.assertOneProblem(self.check(self.bundle), "Bundle: type: required element missing")

    def test_a_duplicate_full_url_fails(self) -> None:
        self.bundle["entry"].append(copy.deepcopy(self.bundle["entry"][6]))
        self.assertOneProblem(self.check(self.bundle), "entry 12 (Medication): fullUrl: ", "entry 6's too")

    def test_a_full_url_that_is_not_a_lowercase_uuid_urn_fails(self) -> None:
        uuid = "80c33477-8f6f-4721-b3d7-2332594d39cb"
        for full_url in (
            uuid,
            f"urn:uuid:{uuid.upper()}",
            "urn:uuid:80c33477-8f6f-4721-b3d7-2332594d39c",
            "urn:uuid:80c33477-8f6f-0721-b3d7-2332594d39cb",  # no version
            "urn:uuid:80c33477-8f6f-4721-73d7-2332594d39cb",  # another variant
            "https://clinic.example/fhir/Medication/1",
        ):
            with self.subTest(full_url=full_url):
                self.bundle["entry"][6]["fullUrl"] = full_url
                medication = self.resource("MedicationAdministration")["medicationReference"]
                medication["reference"] = full_url
                self.assertOneProblem(self.check(self.bundle), "entry 6 (Medication): fullUrl: ", "RFC 9562")

    def test_an_entry_without_full_url_fails(self) -> None:
        # The practitioner, referred to by display only, so that no reference dangles.
        practitioner = '{"reference": "' + self.bundle["entry"][1].pop("fullUrl") + '"}'
        self.bundle = json.loads(json.dumps(self.bundle).replace(practitioner, '{"display": "Dr. Jonas Keller"}'))
        self.assertOneProblem(self.check(self.bundle), "entry 1 (Practitioner): no fullUrl")

    def test_an_entry_without_resource_fails(self) -> None:
        self.bundle["entry"].append({"fullUrl": "urn:uuid:12d131cb-46ba-4bfa-9919-8f6818b195d2"})
        self.assertOneProblem(self.check(self.bundle), "entry 12 (no resource type): no resource")

    def test_a_dangling_reference_fails(self) -> None:
        self.resource("Provenance")["target"][1]["reference"] = "urn:uuid:0e2c5b5e-9b8a-4d7e-8f3c-1b2a3c4d5e6f"
        self.assertProblemOf("Provenance", "target[1].reference", "0e2c5b5e", "no entry's fullUrl")

    def test_a_relative_reference_fails(self) -> None:
        self.resource("Consent")["patient"]["reference"] = "Patient/1"
        self.assertProblemOf("Consent", "patient.reference", '"Patient/1" is no entry\'s fullUrl')

    def test_a_reference_to_a_resource_of_a_type_the_element_does_not_take_fails(self) -> None:
        self.resource("Consent")["patient"]["reference"] = self.bundle["entry"][1]["fullUrl"]
        self.assertProblemOf("Consent", "patient.reference", "is entry 1 (Practitioner)", "points only to Patient")

    def test_a_reference_to_any_resource_takes_any(self) -> None:
        self.resource("Provenance")["target"][0]["reference"] = self.bundle["entry"][0]["fullUrl"]
        self.assertEqual(self.check(self.bundle).code, 0)

    def test_a_dangling_reference_deep_inside_fails(self) -> None:
        author = self.resource("DetectedIssue")["mitigation"][0]["author"]
        author["reference"] = "urn:uuid:6d0ff877-16fa-43db-8103-4077fd9058bb"
        self.assertProblemOf("DetectedIssue", "mitigation[0].author.reference", "no entry's fullUrl")


class QuestionnaireResponseTests(ValidateTestCase):
    def response_item(self, group: int, item: int) -> dict[str, Any]:
        answered: dict[str, Any] = self.resource("QuestionnaireResponse")["item"][group]["item"][item]
        return answered

    def test_a_missing_questionnaire_version_fails(self) -> None:
        self.resource("QuestionnaireResponse")["questionnaire"] = "urn:mesoflow:questionnaire:mesotherapy:face|2"
        self.assertProblemOf("QuestionnaireResponse", "questionnaire", "face|2 is no Questionnaire", "face|1")

    def test_a_questionnaire_without_version_fails(self) -> None:
        self.resource("QuestionnaireResponse")["questionnaire"] = "urn:mesoflow:questionnaire:mesotherapy:face"
        self.assertProblemOf("QuestionnaireResponse", "questionnaire", "not url|version")

    def test_an_unknown_link_id_fails(self) -> None:
        self.response_item(1, 0)["linkId"] = "pregnant"
        self.assertProblemOf("QuestionnaireResponse", "item[1].item[0].linkId", '"pregnant" is no item')

    def test_an_item_under_the_wrong_parent_fails(self) -> None:
        age = self.resource("QuestionnaireResponse")["item"][0]["item"].pop(0)
        self.resource("QuestionnaireResponse")["item"][1]["item"].append(age)
        self.assertProblemOf(
            "QuestionnaireResponse", "item[1].item[3]", '"age" is in "screening" here, but in "consultation"'
        )

    def test_an_item_at_the_top_that_belongs_in_a_group_fails(self) -> None:
        age = self.resource("QuestionnaireResponse")["item"][0]["item"].pop(0)
        self.resource("QuestionnaireResponse")["item"].append(age)
        self.assertProblemOf("QuestionnaireResponse", "item[2]", "at the top here")

    def test_a_wrong_answer_type_fails(self) -> None:
        for group, item, answer, takes in (
            (0, 0, {"valueDecimal": 35.5}, "integer item, which takes valueInteger"),
            (0, 1, {"valueString": "iii"}, "choice item, which takes valueCoding"),
            (1, 0, {"valueString": "no"}, "boolean item, which takes valueBoolean"),
            (1, 2, {"valueBoolean": True}, "text item, which takes valueString"),
        ):
            with self.subTest(answer=answer):
                self.bundle = copy.deepcopy(VALID)
                self.response_item(group, item)["answer"] = [answer]
                path = f"item[{group}].item[{item}].answer[0].{next(iter(answer))}"
                self.assertProblemOf("QuestionnaireResponse", path, takes)

    def test_a_group_with_an_answer_fails(self) -> None:
        self.resource("QuestionnaireResponse")["item"][1]["answer"] = [{"valueBoolean": True}]
        self.assertProblemOf("QuestionnaireResponse", "item[1]", "group item, which has no answer")

    def test_a_coding_not_among_the_answer_options_fails(self) -> None:
        for coding in (
            {"system": "urn:mesoflow:choice:skin_type", "code": "iv"},
            {"system": "urn:mesoflow:choice:fitzpatrick", "code": "iii"},
        ):
            with self.subTest(coding=coding):
                self.response_item(0, 1)["answer"] = [{"valueCoding": coding}]
                self.assertProblemOf(
                    "QuestionnaireResponse", "item[0].item[1].answer[0].valueCoding", "none of the answerOptions"
                )

    def test_two_answers_on_a_non_repeating_item_fail(self) -> None:
        self.response_item(0, 0)["answer"].append({"valueInteger": 36})
        self.assertProblemOf("QuestionnaireResponse", "item[0].item[0]", "does not repeat, but has 2 answers")

    def test_two_answers_on_a_repeating_item_pass(self) -> None:
        self.resource("Questionnaire")["item"][0]["item"][0]["repeats"] = True
        self.response_item(0, 0)["answer"].append({"valueInteger": 36})
        self.assertEqual(self.check(self.bundle).code, 0)

    def test_a_non_repeating_item_given_twice_fails(self) -> None:
        items = self.resource("QuestionnaireResponse")["item"][1]["item"]
        items.append(copy.deepcopy(items[0]))
        self.assertProblemOf("QuestionnaireResponse", "item[1].item[3]", "does not repeat, and is item[0] too")


class QuestionnaireTests(ValidateTestCase):
    def test_an_enable_when_to_an_unknown_link_id_fails(self) -> None:
        self.resource("Questionnaire")["item"][1]["item"][2]["enableWhen"][0]["question"] = "herpes"
        self.assertProblemOf("Questionnaire", "item[1].item[2].enableWhen[0].question", '"herpes" is no item\'s linkId')

    def test_an_enable_when_to_itself_fails(self) -> None:
        self.resource("Questionnaire")["item"][1]["item"][2]["enableWhen"][0]["question"] = "herpes_prevention"
        self.assertProblemOf("Questionnaire", "item[1].item[2].enableWhen[0].question", "the item itself")

    def test_a_duplicate_link_id_fails(self) -> None:
        self.resource("Questionnaire")["item"][1]["item"][0]["linkId"] = "age"
        self.resource("QuestionnaireResponse")["item"][1]["item"].pop(0)
        self.assertProblemOf("Questionnaire", "item[1].item[0].linkId", "item[0].item[0]'s linkId too")

    def test_an_unknown_item_type_fails(self) -> None:
        self.resource("Questionnaire")["item"][0]["item"][0]["type"] = "number"
        self.assertProblemOf("Questionnaire", "item[0].item[0].type", "no R4 item type")

    def test_a_lone_questionnaire_is_checked_too(self) -> None:
        questionnaire = self.resource("Questionnaire")
        questionnaire["item"][1]["item"][2]["enableWhen"][0]["question"] = "herpes"
        result = self.check(questionnaire, "questionnaire.json")
        self.assertOneProblem(result, "Questionnaire: item[1].item[2].enableWhen[0].question", "no item's linkId")


class FileTests(ValidateTestCase):
    def test_ndjson_reports_the_line_of_the_bad_bundle(self) -> None:
        bad = copy.deepcopy(VALID)
        bad["entry"][0]["resource"]["gender"] = "f"
        lines = [json.dumps(VALID), json.dumps(VALID), json.dumps(bad)]
        path = self.write("all.ndjson", "\n".join(lines) + "\n")
        result = self.run_validate(path)
        self.assertEqual(result.code, 1)
        self.assertEqual(
            result.problems,
            [f'{path}:3: entry 0 (Patient): gender: "f" is not one of its codes: male | female | other | unknown'],
        )
        self.assertEqual(result.summary, "3 bundles, 36 resources checked, 1 problems")

    def test_ndjson_of_valid_bundles_passes(self) -> None:
        path = self.write("all.ndjson", json.dumps(VALID) + "\n" + json.dumps(VALID))
        self.assertEqual(self.run_validate(path).code, 0)

    def test_a_questionnaire_in_ndjson_fails(self) -> None:
        path = self.write("all.ndjson", json.dumps(VALID) + "\n" + json.dumps(self.resource("Questionnaire")) + "\n")
        result = self.run_validate(path)
        self.assertOneProblem(result, "resource: ", '"Questionnaire"', "a Bundle was expected")
        self.assertTrue(result.problems[0].startswith(f"{path}:2: "))

    def test_invalid_json_exits_2_saying_where(self) -> None:
        path = self.write("broken.json", '{\n  "resourceType": "Bundle",\n  "type": "collection",,\n}\n')
        result = self.run_validate(path)
        self.assertEqual(result.code, 2)
        self.assertEqual(result.err, f"{path}:3:24: invalid JSON: Expecting property name enclosed in double quotes\n")

    def test_invalid_json_in_ndjson_exits_2_saying_the_line(self) -> None:
        path = self.write("all.ndjson", json.dumps(VALID) + "\n" + '{"resourceType": "Bundle"' + "\n")
        result = self.run_validate(path)
        self.assertEqual(result.code, 2)
        self.assertTrue(result.err.startswith(f"{path}:2:26: invalid JSON: "), result.err)

    def test_an_empty_line_in_ndjson_exits_2(self) -> None:
        path = self.write("all.ndjson", json.dumps(VALID) + "\n\n" + json.dumps(VALID) + "\n")
        result = self.run_validate(path)
        self.assertEqual(result.code, 2)
        self.assertTrue(result.err.startswith(f"{path}:2: invalid JSON: an empty line"), result.err)

    def test_nan_is_not_json(self) -> None:
        path = self.write("nan.json", json.dumps(VALID).replace("2.5", "NaN"))
        self.assertEqual(self.run_validate(path).code, 2)

    def test_an_unreadable_file_exits_2(self) -> None:
        result = self.run_validate(str(self.folder / "missing.json"))
        self.assertEqual(result.code, 2)
        self.assertIn("missing.json: cannot read", result.err)

    def test_no_file_exits_2(self) -> None:
        result = self.run_validate()
        self.assertEqual(result.code, 2)
        self.assertIn("usage: validate.py FILE...", result.err)

    def test_a_file_that_is_not_a_resource_fails(self) -> None:
        result = self.check([VALID])
        self.assertOneProblem(result, "resource: a JSON array, where a Bundle or a Questionnaire was expected")

    def test_the_command_exits_with_the_code_of_main(self) -> None:
        script = str(HERE / "validate.py")
        broken = self.write("broken.json", "{")
        valid = str(HERE / "examples" / "valid-bundle.json")
        bad = copy.deepcopy(VALID)
        bad["type"] = "batch"
        for paths, code in (([valid], 0), ([self.write("bad.json", json.dumps(bad))], 1), ([broken], 2), ([], 2)):
            with self.subTest(paths=paths):
                run = subprocess.run([sys.executable, script, *paths], capture_output=True, text=True, check=False)
                self.assertEqual(run.returncode, code, run.stdout + run.stderr)


if __name__ == "__main__":
    unittest.main()
