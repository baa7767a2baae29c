"""The final points of the playground's exported PyTorch programs.

For each case of packages/descent-lab/test/playground/code-export-cases.ts, the program the
playground exports (printed by packages/descent-lab/scripts/code-export-snippets.mjs) is run as a
user would run it, with PyTorch, and the point it prints after "x =" is recorded with the program
itself; every program, those this Python cannot run included (the cases' notRunByPython: a newer
PyTorch, a package from PyPI), is first parsed, to be valid Python.
packages/descent-lab/test/playground/code-export.test.ts checks that the page still exports these
programs and that its final points agree with PyTorch's.

Writes packages/descent-lab/test/playground/code-export-torch.json.
Run with Debian's python3-torch: /usr/bin/python3 scripts/reference/playground_code_export.py
With --check, it runs the programs again and compares with the committed file instead of writing.
"""

import ast
import json
import os
import subprocess
import sys
import tempfile

import torch

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "packages/descent-lab/test/playground/code-export-torch.json")


def programs():
    script = os.path.join(ROOT, "packages/descent-lab/scripts/code-export-snippets.mjs")
    return json.loads(subprocess.run(["node", script], check=True, capture_output=True, text=True).stdout)


def check_syntax(case, program):
    """Parses one program with /usr/bin/python3, the Python the programs are run with."""
    with tempfile.NamedTemporaryFile("w", suffix=".py") as f:
        f.write(program)
        f.flush()
        result = subprocess.run(["/usr/bin/python3", "-c", "import ast,sys; ast.parse(open(sys.argv[1]).read())", f.name],
                                capture_output=True, text=True)
    assert result.returncode == 0, f"{case}: not valid Python:\n{result.stderr}"


def final_point(program):
    """Runs one program in a fresh interpreter and reads the point it prints."""
    output = subprocess.run([sys.executable, "-c", program], check=True, capture_output=True, text=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("x = "))
    return [float(v) for v in ast.literal_eval(line[len("x = "):])]


def main():
    exported = programs()
    for case, program in sorted(exported["programs"].items()):
        check_syntax(case, program)
    print(f"{len(exported['programs'])} programs parsed")
    cases = {case: {"python": program, "x": final_point(program)}
             for case, program in sorted(exported["programs"].items()) if case not in exported["notRun"]}
    if "--check" in sys.argv:
        with open(OUT) as f:
            committed = json.load(f)["cases"]
        assert committed.keys() == cases.keys(), "the cases changed: regenerate"
        for case, value in cases.items():
            assert committed[case]["python"] == value["python"], f"{case}: the program changed: regenerate"
            for a, b in zip(committed[case]["x"], value["x"]):
                assert abs(a - b) <= 1e-12 * max(1, abs(b)), f"{case}: committed {a}, now {b}"
        print(f"{len(cases)} programs ran again and printed the committed points")
        return
    with open(OUT, "w") as f:
        json.dump({"generator": "scripts/reference/playground_code_export.py", "torch": torch.__version__,
                   "cases": cases}, f, indent=1)
        f.write("\n")
    print(f"wrote {OUT} ({len(cases)} programs)")


if __name__ == "__main__":
    main()
