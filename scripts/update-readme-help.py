#!/usr/bin/env python3
"""Pastes the output of `build/wscam --help` into the README's Options block (tests check they match)."""
import pathlib, re, subprocess, sys

root = pathlib.Path(__file__).resolve().parent.parent
binary = sys.argv[1] if len(sys.argv) > 1 else str(root / "build" / "wscam")
help_text = subprocess.run([binary, "--help"], check=True, capture_output=True, text=True).stdout
readme = root / "README.md"
text = readme.read_text()
new, n = re.subn(r"(## Options\n[\s\S]*?```text\n)[\s\S]*?(```)", lambda m: m.group(1) + help_text + m.group(2), text, count=1)
if n != 1:
    sys.exit("README.md has no Options block with a ```text fence")
readme.write_text(new)
