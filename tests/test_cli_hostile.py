"""The command line against hostile inputs and outputs.

Each class of defect is tried with many members: outputs that are an input under another name,
outputs that hold a file of the other kind, output folders that cannot take the file, cells that
are not finite numbers, labels a spreadsheet would run as formulas, and inputs without an end.
Whatever could hang or fill the memory (a device, an endless FIFO, a huge line, a decompression
bomb) runs in a child process with a timeout and a cap on its address space, so that a
regression fails the test instead of the machine.
"""

import csv
import gzip
import io
import json
import os
import signal
import struct
import subprocess
import sys
import zipfile

import numpy as np
import pytest

import mlpcore
from conftest import memory_cap
from mlpcore.cli import main, spreadsheet_safe

MEMORY_CAP = 1 << 30  # bytes of address space for a child; a small train needs about 0.4 GiB
TIMEOUT_S = 120
ENV = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(mlpcore.__file__)))


def child(*argv, cwd, stdin=None):
    """``mlpcore argv`` in a child process, killed after TIMEOUT_S and capped in memory."""
    return subprocess.run([sys.executable, "-m", "mlpcore", *map(str, argv)], cwd=cwd,
                          env=ENV, stdin=stdin, capture_output=True, text=True,
                          timeout=TIMEOUT_S, preexec_fn=memory_cap(MEMORY_CAP))


def feed(fifo, shell_command):
    """Children that write into a FIFO until its reader goes away (SIGPIPE ends them), in a
    session of their own so that stop() ends them all."""
    return subprocess.Popen(["sh", "-c", f"{shell_command} > {fifo.name}"], cwd=fifo.parent,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def stop(writer):
    try:
        os.killpg(writer.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    writer.wait()


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(code, err, command, *parts):
    """The single line of a refused command, after checking its form and its parts."""
    lines = err.strip().splitlines()
    assert code == 1 and len(lines) == 1, (code, err)
    assert lines[0].startswith(f"mlpcore {command}: error: "), lines[0]
    for part in parts:
        assert part in lines[0], (part, lines[0])
    return lines[0]


def write_csv(path, X, y, header=("x1", "x2", "label")):
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows([*row, label] for row, label in zip(X.tolist(), y.tolist()))
    return path


@pytest.fixture
def work(tmp_path, monkeypatch):
    """A folder with data.csv, a model m.npz trained on it, and MNIST IDX images and labels;
    the current folder during the test."""
    X, y = mlpcore.datasets.blobs(120, centers=3, cluster_std=0.5, random_state=0)
    write_csv(tmp_path / "data.csv", X, y)
    mlpcore.save(mlpcore.LogisticRegression(max_epochs=20).fit(X, y), tmp_path / "m.npz")
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 40).astype(np.uint8)
    images = (labels[:, None, None] * 200 + rng.integers(0, 40, (40, 3, 3))).astype(np.uint8)
    (tmp_path / "train-images-idx3-ubyte").write_bytes(
        struct.pack(">IIII", 0x803, 40, 3, 3) + images.tobytes())
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(
        struct.pack(">II", 0x801, 40) + labels.tobytes())
    monkeypatch.chdir(tmp_path)
    return tmp_path


# ------------------------------------------------------------------ --out is an input

def aliases(path):
    """Other names of the file at path: ./name, the absolute path, a path through .., a
    symlink, a symlink to a symlink, a hard link, a path through a symlinked folder."""
    folder, name = path.parent, path.name
    (folder / f"link-{name}").symlink_to(name)
    (folder / f"link2-{name}").symlink_to(f"link-{name}")
    os.link(path, folder / f"hard-{name}")
    linked = folder.parent / f"{folder.name}-link"
    if not linked.exists():
        linked.symlink_to(folder)
    return [name, f"./{name}", str(path), f"../{folder.name}/{name}", f"link-{name}",
            f"link2-{name}", f"hard-{name}", str(linked / name)]


@pytest.mark.parametrize("argv, victim", [
    (["train", "data.csv", "--quiet", "--epochs", "1"], "data.csv"),
    (["train", "train-images-idx3-ubyte", "--quiet", "--epochs", "1"], "train-images-idx3-ubyte"),
    (["train", "train-images-idx3-ubyte", "--quiet", "--epochs", "1"],  # found, not named
     "train-labels-idx1-ubyte"),
    (["predict", "m.npz", "data.csv"], "m.npz"),
    (["predict", "m.npz", "data.csv"], "data.csv"),
])
def test_out_is_never_an_input(work, capsys, argv, victim):
    before = (work / victim).read_bytes()
    for out in aliases(work / victim):
        for force in ([], ["--force"]):
            code, stdout, err = run(capsys, *argv, "--out", out, *force)
            one_line_error(code, err, argv[0], f"--out {out} is the input ",
                           "write to another file")
            assert stdout == ""  # refused before reading the data
            assert (work / victim).read_bytes() == before


# ------------------------------------------------- --out holds a file of the other kind

def other_files(folder):
    """Existing files that are not mlpcore models, by what they hold."""
    np.savez(folder / "arrays.npz", X=np.ones((2, 2)), y=np.zeros(2))
    with zipfile.ZipFile(folder / "notes.zip", "w") as archive:
        archive.writestr("readme.txt", "hello")
    (folder / "preds.csv").write_text("prediction\n1\n0\n")
    (folder / "notes.txt").write_text("some notes")
    (folder / "data.csv.gz").write_bytes(gzip.compress(b"a,b\n1,2\n"))
    (folder / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")
    return {"arrays.npz": "a zip archive that is not a model",
            "notes.zip": "a zip archive that is not a model", "preds.csv": "text",
            "notes.txt": "text", "data.csv.gz": "binary data", "image.png": "binary data",
            "train-labels-idx1-ubyte": "binary data"}


def test_train_replaces_only_a_model_unless_forced(work, capsys):
    argv = ["train", "data.csv", "--quiet", "--epochs", "2", "--out"]
    for name, holds in other_files(work).items():
        before = (work / name).read_bytes()
        code, stdout, err = run(capsys, *argv, name)
        one_line_error(code, err, "train", f"--out {name} exists and holds {holds}, not an "
                       "mlpcore model; pass --force to replace it")
        assert stdout == "" and (work / name).read_bytes() == before
        code, _, err = run(capsys, *argv, name, "--force")
        assert code == 0, err
        assert hasattr(mlpcore.load(work / name), "predict")
    for name in ("m.npz", "empty.npz"):  # a model, or nothing, is replaced without --force
        (work / "empty.npz").write_bytes(b"")
        code, _, err = run(capsys, *argv, name)
        assert code == 0, err
        assert hasattr(mlpcore.load(work / name), "predict")


def test_predict_replaces_no_model_or_binary_file_unless_forced(work, capsys):
    files = other_files(work)
    mlpcore.save(mlpcore.load(work / "m.npz"), work / "other-model.npz")
    files["other-model.npz"] = "an mlpcore model"
    for name, holds in files.items():
        before = (work / name).read_bytes()
        code, stdout, err = run(capsys, "predict", "m.npz", "data.csv", "--out", name)
        if holds == "text":  # earlier predictions, or any text, are replaced
            assert code == 0, err
        else:
            one_line_error(code, err, "predict", f"--out {name} exists and holds {holds}, "
                           "not predictions (text); pass --force to replace it")
            assert stdout == "" and (work / name).read_bytes() == before
            code, _, err = run(capsys, "predict", "m.npz", "data.csv", "--out", name, "--force")
            assert code == 0, err
        assert (work / name).read_text().splitlines()[0] == "prediction"


# ----------------------------------------------------- --out cannot be written there

@pytest.mark.parametrize("command", ["train", "predict"])
def test_out_folder_is_checked_before_any_work(work, capsys, command):
    (work / "a-file").write_text("x")
    cases = [
        ("missing/m.out", f"--out missing/m.out: the folder {work}/missing does not exist"),
        ("missing/deeper/m.out", "does not exist"),
        ("a-file/m.out", f"--out a-file/m.out: {work}/a-file is not a folder"),
        (".", "--out . is a folder; expected a file name"),
        (str(work), "is a folder"),
        ("/proc/m.out", "--out /proc/m.out: cannot write in the folder /proc"),
    ]
    if os.geteuid() != 0:  # root writes in a read-only folder
        (work / "locked").mkdir(mode=0o555)
        cases.append(("locked/m.out", "cannot write in the folder"))
    argv = ["train", "data.csv", "--quiet"] if command == "train" else [
        "predict", "m.npz", "data.csv"]
    for out, message in cases:
        code, stdout, err = run(capsys, *argv, "--out", out)
        one_line_error(code, err, command, message)
        assert stdout == ""  # nothing loaded, trained or predicted
        assert "mlpcore-" not in err and ".tmp" not in err  # no hidden temporary file named
    code, _, err = run(capsys, "train", "data.csv", "--quiet", "--out", "/dev/null")
    one_line_error(code, err, "train", "--out /dev/null is not a regular file")
    code, _, err = run(capsys, "predict", "m.npz", "data.csv", "--out", "/dev/null")
    assert code == 0, err  # predictions may go to a device


# --------------------------------------------------------- cells that are not finite

BAD_CELLS = ["nan", "NaN", "-nan", "inf", "-inf", "+inf", "Infinity", "1e400", "-1e999"]


@pytest.mark.parametrize("column", [1, 2, 3])
def test_non_finite_cells_name_the_file_line_and_column(work, capsys, column):
    rows = (work / "data.csv").read_text().splitlines()
    for cell in BAD_CELLS:
        cells = rows[2].split(",")
        cells[column - 1] = cell
        (work / "bad.csv").write_text("\n".join([*rows[:2], ",".join(cells), *rows[3:]]) + "\n")
        for argv in (["train", "bad.csv", "--quiet"], ["predict", "m.npz", "bad.csv"],
                     ["predict", "m.npz", "bad.csv", "--target", "label"]):
            code, _, err = run(capsys, *argv)
            one_line_error(code, err, argv[0],
                           f"bad.csv, line 3, column {column}: {cell!r} is not a finite number")


def test_non_finite_numbers_of_an_npz(work, capsys):
    for value in (np.nan, np.inf, -np.inf):
        X = np.ones((10, 2))
        X[4, 1] = value
        np.savez(work / "bad.npz", X=X, y=np.arange(10) % 2)
        for argv in (["train", "bad.npz", "--quiet"], ["predict", "m.npz", "bad.npz"]):
            code, _, err = run(capsys, *argv)
            one_line_error(code, err, argv[0], f"bad.npz: X[4, 1] is {value}, not a finite")


# ------------------------------------------------------------------- CSV injection

FORMULAS = ["=1+1", "=HYPERLINK(\"http://x\",\"y\")", "+SUM(A1:A2)", "-2+3", "-cmd", "@SUM(1)",
            "\tTAB", "\rCR", "=", "+", "-", "@", "+inf", "-nan", "--1", "- 1"]
PLAIN = ["cat", "a=b", "1+1", "-1", "+2", "-0.5", "+3.25", "-1e3", "+.5", "-4.", "", " =x"]


@pytest.mark.parametrize("label", FORMULAS)
def test_formula_like_labels_are_written_as_text(label):
    assert spreadsheet_safe(label) == "'" + label


@pytest.mark.parametrize("label", PLAIN)
def test_other_labels_and_numbers_are_written_as_they_are(label):
    assert spreadsheet_safe(label) == label


@pytest.mark.parametrize("number", [-1, 1, -2.5, 0])
def test_numbers_are_never_quoted(number):
    assert spreadsheet_safe(number) == number


def test_predict_neutralizes_string_labels_in_its_csv(work, capsys):
    classes = FORMULAS[:8] + PLAIN[:4]
    angles = 2 * np.pi * np.arange(len(classes)) / len(classes)
    centers = 10 * np.column_stack([np.cos(angles), np.sin(angles)])  # one cone per class
    X, index = mlpcore.datasets.blobs(24 * len(classes), centers=centers, cluster_std=0.2,
                                      random_state=1)
    y = np.array(classes)[index]
    model = mlpcore.LogisticRegression(max_epochs=300, random_state=0).fit(X, y)
    mlpcore.save(model, work / "strings.npz")
    write_csv(work / "features.csv", X, y)
    predicted = model.predict(X).tolist()
    assert set(predicted) == set(classes)  # every label is written at least once
    argv = ["predict", "strings.npz", "features.csv", "--target", "label"]
    code, stdout, err = run(capsys, *argv, "--out", "preds.csv")
    assert code == 0, err
    with open(work / "preds.csv", newline="") as f:
        written = [row[0] for row in csv.reader(f)][1:]
    assert written == [("'" + p if p in FORMULAS else p) for p in predicted]
    code, stdout, err = run(capsys, *argv)  # the same on standard output
    assert code == 0, err
    assert [row[0] for row in csv.reader(io.StringIO(stdout, newline=""))][1:] == written


def test_numeric_labels_stay_numbers(work, capsys):
    X, index = mlpcore.datasets.blobs(60, centers=2, cluster_std=0.3, random_state=2)
    y = np.where(index == 1, 1, -1)
    mlpcore.save(mlpcore.Perceptron(max_epochs=50).fit(X, y), work / "signs.npz")
    write_csv(work / "signs.csv", X, y)
    code, stdout, err = run(capsys, "predict", "signs.npz", "signs.csv")
    assert code == 0, err
    assert set(stdout.splitlines()[1:]) == {"-1", "1"}


def test_predict_help_explains_the_quoting(capsys):
    with pytest.raises(SystemExit):
        main(["predict", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "starts with =, +, -, @, a tab or a carriage return" in text
    assert "leading '" in text and "numbers, such as -1, are written as they are" in text


# ------------------------------------- inputs without an end, in capped child processes

DRIVER = """\
import contextlib, io, json, sys
from mlpcore.cli import main
for argv in json.loads(sys.argv[1]):
    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        code = main(argv)
    print(json.dumps([code, err.getvalue()]), flush=True)
"""


def refused_in_a_child(cwd, cases):
    """Each (argv, *parts) of cases run through mlpcore's main, one after the other in one
    child process (it starts in seconds) with a timeout and a memory cap; each must be refused
    in one line that holds the parts."""
    result = subprocess.run([sys.executable, "-c", DRIVER, json.dumps([c[0] for c in cases])],
                            cwd=cwd, env=ENV, capture_output=True, text=True, timeout=TIMEOUT_S,
                            preexec_fn=memory_cap(MEMORY_CAP))
    assert result.returncode == 0, result.stderr[-3000:]
    outcomes = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(outcomes) == len(cases)
    for (argv, *parts), (code, err) in zip(cases, outcomes):
        one_line_error(code, err, argv[0], *parts)


def test_devices_are_refused(work):
    result = child("train", "/dev/zero", cwd=work)  # the installed entry point
    one_line_error(result.returncode, result.stderr, "train", "/dev/zero: a character device")
    refused_in_a_child(work, [
        (["train", "/dev/zero"], "/dev/zero: a character device, not a regular file"),
        (["train", "/dev/urandom"], "/dev/urandom: a character device, not a regular file"),
        (["train", "/dev/zero", "--target", "none"], "/dev/zero: a character device"),
        (["train", "/dev/null"], "/dev/null: a character device"),
        (["predict", "m.npz", "/dev/zero"], "/dev/zero: a character device"),
        (["predict", "/dev/zero", "data.csv"], "/dev/zero: ", "a character device, not a "
         "regular file"),  # the model file, refused by mlpcore.load
        (["predict", "/dev/urandom", "data.csv"], "/dev/urandom: ", "a character device"),
        (["train", "train-images-idx3-ubyte", "--labels", "/dev/zero"], "/dev/zero: a char"),
        (["train", "/dev/zero.npz"], "/dev/zero.npz: No such file or directory"),
        (["train", "."], ".: a folder, not a regular file"),
    ])


FIFOS = [  # what a writer sends forever, the options, what the refusal says
    ("yes 1,2,0", ["--max-input-size", "4M"], "more than 4,194,304 bytes"),  # rows
    ("yes 1,2,0", ["--max-input-size", "4M", "--target", "none"], "more than 4,194,304"),
    ("yes ''", ["--max-input-size", "4M"], "more than 4,194,304 bytes"),  # blank lines
    ("cat /dev/zero", [], "line 1: a line longer than 1,048,576 bytes"),  # no line break
    ("{ echo a,b; yes 1 | tr -d '\\n'; }", [], "line 2: a line longer than"),
    ("{ printf 'a,b\\n1,\"'; yes x; }", [], "line 2: a line longer than"),  # an open quote
]


def test_endless_fifos_stop_at_a_limit(work):
    writers = []
    try:
        for k, (command, _, _) in enumerate([*FIFOS, FIFOS[0]]):
            os.mkfifo(work / f"stream{k}.csv")
            writers.append(feed(work / f"stream{k}.csv", command))
        refused_in_a_child(work, [
            *[(["train", f"stream{k}.csv", "--quiet", *argv], f"stream{k}.csv", message)
              for k, (_, argv, message) in enumerate(FIFOS)],
            (["predict", "m.npz", f"stream{len(FIFOS)}.csv", "--max-input-size", "4M"],
             f"stream{len(FIFOS)}.csv: more than 4,194,304 bytes"),
        ])
    finally:
        for writer in writers:
            stop(writer)


def test_a_fifo_with_an_end_is_read(work):
    os.mkfifo(work / "stream.csv")
    writer = feed(work / "stream.csv", "cat data.csv")
    try:
        result = child("train", "stream.csv", "--quiet", "--epochs", "5", cwd=work)
    finally:
        stop(writer)
    assert result.returncode == 0, result.stderr
    assert "stream.csv: 120 x 2 float64" in result.stdout
    with open(work / "data.csv") as stdin:  # a file on standard input
        result = child("train", "/dev/stdin", "--quiet", "--epochs", "5", cwd=work, stdin=stdin)
    assert result.returncode == 0, result.stderr


MIB = 1 << 20


def bomb(path, head, chunk):
    """A gzip file of head and 24 MiB of chunk, written a MiB at a time: a decompression bomb."""
    with gzip.open(path, "wb") as f:
        f.write(head)
        for _ in range(24 * MIB // len(chunk)):
            f.write(chunk)


def test_huge_lines_and_bombs_stop_early(work):
    (work / "one-line.csv").write_bytes(b"1," * (30 * MIB))  # 60 MiB, no line break
    (work / "late-line.csv").write_bytes(b"a,b\n" + b"1,2\n" * 1000 + b"3" * (3 * MIB) + b"\n")
    (work / "open-quote.csv").write_bytes(b'a,b\n1,"x\n' + b"2,3\n" * MIB)
    bomb(work / "zeros.csv.gz", b"", bytes(MIB))
    bomb(work / "blank.csv.gz", b"", b"\n" * MIB)
    bomb(work / "bomb-images-idx3-ubyte.gz", struct.pack(">IIII", 0x803, 384, 256, 256),
         bytes(MIB))
    (work / "bomb-labels-idx1-ubyte").write_bytes(struct.pack(">II", 0x801, 384) + bytes(384))
    with zipfile.ZipFile(work / "bomb.npz", "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("X.npy", "w") as member:
            np.lib.format.write_array_header_1_0(
                member, {"descr": "<f8", "fortran_order": False, "shape": (3 * MIB, 1)})
            for _ in range(24):
                member.write(bytes(MIB))
        archive.writestr("y.npy", b"")
    with zipfile.ZipFile(work / "liar.npz", "w") as archive:  # claims 32 TiB, holds 64 bytes
        with archive.open("X.npy", "w") as member:
            np.lib.format.write_array_header_1_0(
                member, {"descr": "<f8", "fortran_order": False, "shape": (1 << 40, 4)})
            member.write(bytes(64))
        archive.writestr("y.npy", b"")
    limit = ["--max-input-size", "16M"]
    refused_in_a_child(work, [
        (["train", "one-line.csv"], "one-line.csv, line 1: a line longer than 1,048,576"),
        (["train", "one-line.csv", "--target", "none"], "line 1: a line longer than"),
        (["predict", "m.npz", "one-line.csv"], "line 1: a line longer than"),
        (["train", "late-line.csv"], "late-line.csv, line 1002: a line longer than"),
        (["train", "open-quote.csv"], "open-quote.csv, line 2: a line longer than"),
        (["train", "zeros.csv.gz"], "zeros.csv.gz, line 1: a line longer than"),
        (["train", "blank.csv.gz", *limit], "blank.csv.gz: more than 16,777,216 bytes"),
        (["train", "bomb-images-idx3-ubyte.gz", "--labels", "bomb-labels-idx1-ubyte", *limit],
         "bomb-images-idx3-ubyte.gz: more than 16,777,216 bytes"),
        (["train", "bomb.npz", *limit], "bomb.npz: more than 16,777,216 bytes"),
        (["train", "liar.npz"], "liar.npz: cannot read the archive"),
    ])
