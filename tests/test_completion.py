"""Shell completion, as the shells ask for it: a watchbook process with Click's variables set."""

from __future__ import annotations

import contextlib
import os
import pty
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Invoke
from watchbook.entry import KINDS, Entry
from watchbook.entry_file import dump_entry

SIDONIA = "knights-of-sidonia-2014"
SIDONIA_2 = "knights-of-sidonia-battle-for-planet-nine-2015"


def complete(shell: str, line: str, **env: str) -> subprocess.CompletedProcess[str]:
    """What `watchbook` answers when `shell` asks to complete the end of `line`.

    bash and zsh send the words and the index of the one under the cursor; fish sends the line
    and the word under the cursor (a trailing space means a new, empty word).
    """
    words = line.split()
    if line.endswith(" "):
        words.append("")
    variables = {"_WATCHBOOK_COMPLETE": f"complete_{shell}"}
    if shell == "fish":
        variables |= {"COMP_WORDS": line, "COMP_CWORD": words[-1]}
    else:
        variables |= {"COMP_WORDS": " ".join(words), "COMP_CWORD": str(len(words) - 1)}
    return subprocess.run(
        [sys.executable, "-m", "watchbook"],
        env={**os.environ, **variables, **env},
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )


def values(line: str, **env: str) -> list[str]:
    """The candidates bash gets for the end of `line` (checking the process said nothing else)."""
    result = complete("bash", line, **env)
    assert result.returncode == 0 and result.stderr == ""
    lines = result.stdout.strip("\n").splitlines()
    assert all(line.startswith("plain,") for line in lines), lines
    return [line.removeprefix("plain,") for line in lines]


def described(shell: str, line: str, **env: str) -> list[tuple[str, str]]:
    """(value, description) pairs zsh or fish gets for the end of `line`."""
    result = complete(shell, line, **env)
    assert result.returncode == 0 and result.stderr == ""
    if not result.stdout.strip():
        return []
    if shell == "fish":
        rows = [row.removeprefix("plain,").partition("\t") for row in result.stdout.splitlines()]
        return [(value, why) for value, _tab, why in rows]
    fields = result.stdout.splitlines()
    triples = [fields[i : i + 3] for i in range(0, len(fields), 3)]
    assert all(kind == "plain" for kind, _value, _why in triples)
    return [(value, why) for _kind, value, why in triples]


def write_entries(folder: Path, *entries: Entry) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for entry in entries:
        (folder / f"{entry.slug}.toml").write_text(dump_entry(entry), encoding="utf-8")
    return folder


def film(title: str, year: int, **fields: object) -> Entry:
    from watchbook.journal import make_slug

    return Entry(title=title, year=year, slug=make_slug(title, year), **fields)  # type: ignore[arg-type]


# --- entries ----------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["show", "edit", "rm", "recommend", "link", "unlink"])
def test_a_query_completes_to_slugs_matching_fuzzily(sample_journal: Path, command: str) -> None:
    found = values(f"watchbook {command} sidon")
    assert found[:2] == [SIDONIA, SIDONIA_2]
    assert values(f"watchbook {command} blame")[0] == "blame-2017"


def test_typos_and_words_being_typed_are_matched(sample_journal: Path) -> None:
    assert values("watchbook show sidnoia")[:2] == [SIDONIA, SIDONIA_2]
    assert values("watchbook show matri")[0] == "the-matrix-1999"
    assert values("watchbook show ghost-in")[:2] == [
        "ghost-in-the-shell-1995",
        "ghost-in-the-shell-2-innocence-2004",
    ]


def test_both_entries_of_link_and_unlink_complete(sample_journal: Path) -> None:
    assert values("watchbook link blame sidon")[0] == SIDONIA
    assert values("watchbook unlink blame-2017 matrix")[0] == "the-matrix-1999"
    assert values("watchbook add Foo --link sidon")[0] == SIDONIA


def test_when_some_slugs_start_with_what_was_typed_only_those_are_offered(
    sample_journal: Path,
) -> None:
    # The shell replaces the word with what the candidates share: it must keep what was typed.
    found = values("watchbook show ghost")
    assert found and all(slug.startswith("ghost") for slug in found)
    every = {p.stem for p in sample_journal.glob("*.toml")}
    assert set(values("watchbook show ")) == every


def test_zsh_and_fish_get_the_title_as_description(sample_journal: Path) -> None:
    # Fuzzy matches included: Click's zsh script tells zsh not to filter them (compadd -U).
    for shell in ("zsh", "fish"):
        assert described(shell, "watchbook show sidon")[:2] == [
            (SIDONIA, "Knights of Sidonia (2014)"),
            (SIDONIA_2, "Knights of Sidonia: Battle for Planet Nine (2015)"),
        ]


def completion_script(shell: str) -> str:
    """`watchbook completion SHELL`, as a process."""
    result = subprocess.run(
        [sys.executable, "-m", "watchbook", "completion", shell],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def installed_bin() -> Path:
    """The folder holding the `watchbook` command of this Python (the scripts call it by name)."""
    bin_dir = Path(sys.executable).parent
    assert (bin_dir / "watchbook").exists(), "watchbook is not installed beside this Python"
    return bin_dir


def in_shell(command: list[str], journal: Path, **env: str) -> list[str]:
    """The lines a shell program prints, with the installed watchbook on its PATH."""
    result = subprocess.run(
        command,
        env={
            **os.environ,
            **env,
            "WATCHBOOK_JOURNAL": str(journal),
            "PATH": f"{installed_bin()}{os.pathsep}{os.environ.get('PATH', '')}",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


@pytest.mark.skipif(shutil.which("zsh") is None, reason="needs zsh")
def test_zsh_offers_every_value_and_description_as_written(tmp_path: Path) -> None:
    journal = write_entries(
        tmp_path / "j",
        film("Howl's Moving Castle", 2004, tags=["genre:horror", "it's $HOME"]),
        film("[REC]", 2007, tags=["genre:horror"]),
        film("Castle `in` the Sky", 1986),
    )
    # The script as zsh runs it, with _describe and compadd replaced by stand-ins that print
    # what they were given.
    program = (
        "autoload -Uz compinit && compinit -u\n"
        f"{completion_script('zsh')}\n"
        '_describe() { print -rl -- "${(@P)3}" }\n'
        'compadd() { print -rl -- "${(@P)${@[-1]}}" }\n'
        'words=(${=LINE}); CURRENT=${#words}; [[ $LINE == *" " ]] && words+=("") && CURRENT+=1\n'
        "_watchbook_completion\n"
    )

    def offered(line: str) -> list[str]:
        return in_shell(["zsh", "-f", "-c", program], journal, LINE=line)

    assert offered("watchbook show movin") == [
        "howls-moving-castle-2004:Howl's Moving Castle (2004)"
    ]
    assert offered("watchbook show sky") == ["castle-in-the-sky-1986:Castle `in` the Sky (1986)"]
    assert offered("watchbook show rec") == ["rec-2007:[REC] (2007)"]
    assert offered("watchbook list --tag horr") == ["genre\\:horror:2 entries"]
    assert offered("watchbook list --tag home") == ["it's $HOME:1 entry"]


@pytest.mark.skipif(shutil.which("fish") is None, reason="needs fish")
def test_fish_offers_the_fuzzy_matches(sample_journal: Path) -> None:
    result = subprocess.run(
        [
            "fish",
            "--no-config",
            "-c",
            f"{completion_script('fish')}\ncomplete -C 'watchbook show sidon'",
        ],
        env={**os.environ, "PATH": f"{installed_bin()}{os.pathsep}{os.environ.get('PATH', '')}"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert f"{SIDONIA}\tKnights of Sidonia (2014)" in result.stdout.splitlines()


def test_unknown_text_gets_no_candidates(sample_journal: Path) -> None:
    assert values("watchbook show zzqxv") == []
    assert values("watchbook list --tag zzqxv") == []
    assert described("zsh", "watchbook show zzqxv") == []


def test_completing_loads_neither_pydantic_nor_rich(sample_journal: Path) -> None:
    for shell, line in (("bash", "watchbook show sidon"), ("zsh", "watchbook show ghost")):
        result = complete(shell, line, PYTHONPROFILEIMPORTTIME="1")
        assert result.returncode == 0 and result.stdout.strip()
        loaded = {row.split("|")[-1].strip() for row in result.stderr.splitlines()}
        assert {"watchbook.complete", "sqlite3"} <= loaded
        assert not {"pydantic", "rich"} & loaded


# --- which journal ----------------------------------------------------------------------------


def test_journal_option_typed_earlier_is_honoured(sample_journal: Path, tmp_path: Path) -> None:
    other = write_entries(
        tmp_path / "other", film("Sidonia Diaries", 2001), film("Blame Game", 1999)
    )
    for option in ("--journal", "-j"):
        assert values(f"watchbook {option} {other} show sidon") == ["sidonia-diaries-2001"]
        assert values(f"watchbook {option} {other} show blame") == ["blame-game-1999"]
    assert values("watchbook show sidon")[0] == SIDONIA


def test_the_environment_variable_names_the_journal(tmp_path: Path) -> None:
    mine = write_entries(tmp_path / "mine", film("Perfect Blue", 1997, tags=["anime"]))
    assert values("watchbook show perf", WATCHBOOK_JOURNAL=str(mine)) == ["perfect-blue-1997"]


def test_a_journal_that_is_not_there_gives_nothing_and_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    assert values(f"watchbook -j {missing} show b") == []
    assert not missing.exists()


def test_a_broken_journal_gives_no_candidates_and_exits_0(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "file.txt"
    not_a_folder.write_text("not a journal")
    for shell in ("bash", "zsh", "fish"):
        result = complete(shell, f"watchbook -j {not_a_folder} show b")
        assert result.returncode == 0
        assert result.stderr == ""
        assert result.stdout.strip() == ""


def test_a_damaged_index_is_rebuilt_silently(sample_journal: Path) -> None:
    assert values("watchbook show blame")[0] == "blame-2017"
    index = sample_journal / ".watchbook" / "index.sqlite"
    assert index.is_file()
    index.write_bytes(b"this is not a database" * 100)
    assert values("watchbook show blame")[0] == "blame-2017"


def test_new_files_are_seen_and_unreadable_ones_stay_quiet(sample_journal: Path) -> None:
    assert values("watchbook show sidon")[:2] == [SIDONIA, SIDONIA_2]
    write_entries(sample_journal, film("Sidonia Reborn", 2030))
    (sample_journal / "broken.toml").write_text("title = [unclosed\n")
    found = values("watchbook show sidon")  # stderr empty: no warning about broken.toml
    assert "sidonia-reborn-2030" in found


def test_a_missing_index_is_built_without_a_word(sample_journal: Path) -> None:
    assert not (sample_journal / ".watchbook").exists()
    assert values("watchbook list --tag cyb") == ["cyberpunk"]
    assert (sample_journal / ".watchbook" / "index.sqlite").is_file()


# --- option values ----------------------------------------------------------------------------


def test_tags_and_creators_complete_as_the_journal_spells_them(tmp_path: Path) -> None:
    journal = write_entries(
        tmp_path / "j",
        film("One", 2001, tags=["Sci-Fi", "anime"], creators=["Tsutomu Nihei"]),
        film("Two", 2002, tags=["Sci-Fi"], creators=["Tsutomu Nihei", "Polygon Pictures"]),
        film("Three", 2003, tags=["science fiction"], creators=["Hiroyuki Seshita"]),
    )
    env = {"WATCHBOOK_JOURNAL": str(journal)}
    # Most used first among equal matches; bash gets a space escaped, zsh and fish do not.
    assert values("watchbook list --tag sci", **env) == ["Sci-Fi", "science\\ fiction"]
    assert values("watchbook search x --tag an", **env) == ["anime"]
    assert values("watchbook add X --creator nih", **env) == ["Tsutomu\\ Nihei"]
    assert values("watchbook add X -c seshta", **env) == ["Hiroyuki\\ Seshita"]
    assert described("fish", "watchbook add X --creator nih", **env) == [
        ("Tsutomu Nihei", "2 entries")
    ]
    zsh = described("zsh", "watchbook add X --tag ", **env)
    assert ("Sci-Fi", "2 entries") in zsh and ("anime", "1 entry") in zsh


def test_kinds_statuses_and_sorts_complete_to_the_allowed_values(journal_dir: Path) -> None:
    assert values("watchbook list --kind ") == list(KINDS)
    assert values("watchbook add X --kind s") == [k for k in KINDS if k.startswith("s")]
    assert values("watchbook search x --status pl") == ["planned"]
    assert values("watchbook list --sort y") == ["year"]
    assert values("watchbook list --kind zz") == []


# --- set-up -----------------------------------------------------------------------------------


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_completion_command_prints_the_script(journal_dir: Path, shell: str) -> None:
    assert f"_WATCHBOOK_COMPLETE=complete_{shell}" in completion_script(shell)


def test_an_unknown_shell_is_a_one_line_error(invoke: Invoke) -> None:
    result = invoke("completion", "tcsh")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: SHELL: ") and len(result.stderr.splitlines()) == 1


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_the_bash_script_fills_compreply(sample_journal: Path) -> None:
    # The script, run by bash itself, with the installed command on PATH.
    program = (
        f"{completion_script('bash')}\n"
        "COMP_WORDS=(watchbook show sidon); COMP_CWORD=2\n"
        "_watchbook_completion watchbook\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    result = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", program],
        env={**os.environ, "PATH": f"{installed_bin()}{os.pathsep}{os.environ.get('PATH', '')}"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:2] == [SIDONIA, SIDONIA_2]


# --- values with spaces, quotes, $ and * -------------------------------------------------------


def awkward_journal(folder: Path) -> Path:
    """Creators and tags a shell would split, expand or glob if inserted as they are."""
    return write_entries(
        folder,
        film(
            "Gattopardo, Il",
            1963,
            creators=["Tsutomu Nihei", 'Jean "Moebius" Giraud', "Toho Co., Ltd."],
            tags=["drama, period", "rock 'n' roll", "$HOME movies", "top*", "noir,"],
        ),
    )


def bash_session(lines: list[str], cwd: Path, env: dict[str, str]) -> list[list[str]]:
    """The arguments an interactive bash (in a pty, the script loaded) builds for each line + TAB.

    Each line is typed, TAB pressed, and the line then run as `printf` arguments instead of
    watchbook: what bash parsed is what watchbook would have been given.
    """
    import select
    import time

    environ = {
        **os.environ,
        **env,
        "PS1": "$ ",
        "TERM": "dumb",
        "INPUTRC": "/dev/null",
        "HISTFILE": "/dev/null",
        "PATH": f"{installed_bin()}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    pid, fd = pty.fork()
    if pid == 0:  # the child: bash, with the pty as its terminal
        try:
            os.chdir(cwd)
            os.execvpe("bash", ["bash", "--norc", "--noprofile", "-i"], environ)
        finally:
            os._exit(127)
    output = b""

    def wait_for(marker: bytes, count: int) -> None:
        nonlocal output
        deadline = time.monotonic() + 60
        while output.count(marker) < count:
            assert time.monotonic() < deadline, output.decode(errors="replace")
            ready, _, _ = select.select([fd], [], [], 0.5)
            if ready:
                output += os.read(fd, 65536)

    try:
        # bash echoes the command as typed ($((...)) unexpanded): READY2 is only in its output.
        os.write(fd, b'eval "$(watchbook completion bash)"; echo READY$((1+1))\n')
        wait_for(b"READY2", 1)
        # Ctrl-A, `printf` before the line, Ctrl-E: its arguments are printed between two marks
        # (\035, \036) that the echo of the typed line does not hold.
        wrap = b"\x01printf '\\035'; printf '%s\\037' \x05; printf '\\036\\n'\n"
        for done, line in enumerate(lines, start=1):
            os.write(fd, line.encode() + b"\t" + wrap)
            wait_for(b"\x1e", done)
        os.write(fd, b"exit\n")
    finally:
        # Closing the terminal hangs bash up; the kill is for a bash stuck in a failed test.
        os.close(fd)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    runs = output.decode(errors="replace").split("\x1e")[:-1]
    return [run.rpartition("\x1d")[2].split("\x1f")[:-1] for run in runs]


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_bash_inserts_values_with_spaces_quotes_and_globs_as_one_word(tmp_path: Path) -> None:
    journal = awkward_journal(tmp_path / "j")
    # A file `top*` would match if bash globbed the candidate.
    (tmp_path / "top-secret.txt").write_text("")
    found = bash_session(
        [
            "watchbook add Foo --creator nihei",
            "watchbook add Foo --creator moebius",
            "watchbook list --tag dram",
            "watchbook list --tag rock",
            "watchbook list --tag home",
            "watchbook list --tag top",
        ],
        tmp_path,
        {"WATCHBOOK_JOURNAL": str(journal)},
    )
    assert found == [
        ["watchbook", "add", "Foo", "--creator", "Tsutomu Nihei"],
        ["watchbook", "add", "Foo", "--creator", 'Jean "Moebius" Giraud'],
        ["watchbook", "list", "--tag", "drama, period"],
        ["watchbook", "list", "--tag", "rock 'n' roll"],
        ["watchbook", "list", "--tag", "$HOME movies"],
        ["watchbook", "list", "--tag", "top*"],
    ]


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_the_bash_script_keeps_the_escapes_in_compreply(tmp_path: Path) -> None:
    journal = awkward_journal(tmp_path / "j")
    (tmp_path / "top-secret.txt").write_text("")

    def compreply(*words: str) -> list[str]:
        program = (
            f"{completion_script('bash')}\n"
            f"COMP_WORDS=({' '.join(words)}); COMP_CWORD={len(words) - 1}\n"
            "_watchbook_completion watchbook\n"
            'printf "%s\\n" "${COMPREPLY[@]}"\n'
        )
        result = subprocess.run(
            ["bash", "--norc", "--noprofile", "-c", program],
            env={
                **os.environ,
                "WATCHBOOK_JOURNAL": str(journal),
                "PATH": f"{installed_bin()}{os.pathsep}{os.environ.get('PATH', '')}",
            },
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.splitlines()

    assert compreply("watchbook", "add", "X", "--creator", "nihei") == ["Tsutomu\\ Nihei"]
    assert compreply("watchbook", "list", "--tag", "dram") == ["drama,\\ period"]
    assert compreply("watchbook", "list", "--tag", "top") == ["top\\*"]
    assert compreply("watchbook", "list", "--tag", "noir") == ["noir,"]


@pytest.mark.skipif(shutil.which("fish") is None, reason="needs fish")
def test_fish_keeps_values_and_descriptions_with_commas(tmp_path: Path) -> None:
    journal = awkward_journal(tmp_path / "j")
    lines = ("watchbook show gatto", "watchbook add x --creator toho", "watchbook list --tag dram")
    program = completion_script("fish") + "".join(f"\ncomplete -C '{line}'" for line in lines)
    assert in_shell(["fish", "--no-config", "-c", program], journal) == [
        "gattopardo-il-1963\tGattopardo, Il (1963)",
        "Toho Co., Ltd.\t1 entry",
        "drama, period\t1 entry",
    ]


@pytest.mark.parametrize("shell", [None, "", "/bin/dash", "/usr/bin/sh"])
def test_without_a_shell_named_and_none_known_in_SHELL_it_says_so(
    invoke: Invoke, monkeypatch: pytest.MonkeyPatch, shell: str | None
) -> None:
    if shell is None:
        monkeypatch.delenv("SHELL", raising=False)
    else:
        monkeypatch.setenv("SHELL", shell)
    result = invoke("completion")
    assert result.exit_code == 2 and result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("Error: ") and "watchbook completion bash|zsh|fish" in line
    if shell:
        assert f"'{os.path.basename(shell)}'" in line
    else:
        assert "$SHELL is not set" in line


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_shell_in_SHELL_is_the_default(
    invoke: Invoke, monkeypatch: pytest.MonkeyPatch, shell: str
) -> None:
    monkeypatch.setenv("SHELL", f"/usr/local/bin/{shell}")
    result = invoke("completion")
    assert result.exit_code == 0
    assert f"_WATCHBOOK_COMPLETE=complete_{shell}" in result.stdout
