"""app.main's arguments: the everyday ones without building argparse's parser, the same
answers as the parser gives, and the parser's message for anything else."""

from __future__ import annotations

import argparse
import itertools

import pytest

from qwen_studio.app import launch


def _reference(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--demo", action="store_true")
    parser.add_argument("-v", "--verbose", action="store_true")
    return parser.parse_args(argv)


FLAGS = ["--demo", "-v", "--verbose"]


@pytest.mark.parametrize("argv", [list(c) for n in range(3)
                                  for c in itertools.permutations(FLAGS, n)])
def test_known_flags_parse_as_argparse_would(argv):
    assert vars(launch._parse(argv)) == vars(_reference(argv))


def test_anything_else_goes_through_the_parser(capsys):
    with pytest.raises(SystemExit):
        launch._parse(["--bogus"])
    assert "unrecognized arguments: --bogus" in capsys.readouterr().err
