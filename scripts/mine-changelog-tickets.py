#!/usr/bin/env python3
"""Tickets from a repository's changelog, for scripts/bench-discovery (TOWER_BENCH_TICKETS=changelog).

    mine-changelog-tickets.py GIT_DIR NAME PER_REPO [FORGE_GIT_DIR]   prints one JSON ticket per line

A changelog entry is what a maintainer wrote about a change for its users, usually from the
issue: closer to a ticket than a commit's subject. Each entry that names a pull request or an
issue (`:pr:`N``, `:issue:`N``, `(#N)`, `[#N](…)`) is matched to the commits that landed it:
the merge or squash commit whose subject ends in `(#N)` or says `Merge pull request #N`, else
the commits whose message says `#N`. The code files they changed that existed before them are
the answer; entries matched to nothing, or to more than 10 files, or with fewer than three
words, are left out. Newest first.

A ticket is filed before its change: each ticket's `base` is a commit made in FORGE_GIT_DIR
(the benchmark's own bare clone of GIT_DIR; GIT_DIR itself when not given) whose tree is the
one before the earliest of those commits, less its changelog files. The entries' own text also stays in the changelog files at HEAD, where
Discovery would find it word for word: scripts/bench-discovery removes those files from the
head of the benchmark's forge too (`changelog_paths` below says which).
"""
import json
import os
import re
import subprocess
import sys
import tempfile

CHANGELOG = re.compile(r"^(CHANGES|CHANGELOG|HISTORY|NEWS|RELEASE[-_]?NOTES)(\.\w+)?$|^docs?/([a-z]{2}([-_][a-z]{2,4})?/docs?/)?(changes|changelog|history|release[-_]notes)(\.\w+)?$", re.I)
CODE = re.compile(r"\.(py|pyi|js|jsx|ts|tsx|mjs|go|rs|c|h|swift|java|rb)$")


def git(git_dir, *args):
    return subprocess.run(["git", "--git-dir", git_dir, *args], capture_output=True, text=True, check=True).stdout


def changelog_paths(git_dir, commit="HEAD"):
    """The changelog files of a commit's tree (the root's and the docs' release notes)."""
    return [p for p in git(git_dir, "ls-tree", "-r", "--name-only", commit).split("\n") if p and CHANGELOG.search(p)]


def without_changelogs(git_dir, commit):
    """A commit in `git_dir` whose tree is `commit`'s less its changelog files."""
    handle, index = tempfile.mkstemp()
    os.close(handle)
    os.unlink(index)
    env = dict(os.environ, GIT_INDEX_FILE=index)
    try:
        def run(*args):
            return subprocess.run(["git", "--git-dir", git_dir, *args], capture_output=True, text=True, check=True, env=env).stdout.strip()
        run("read-tree", commit)
        paths = changelog_paths(git_dir, commit)
        if paths:
            run("rm", "--cached", "--quiet", "--ignore-unmatch", "--", *paths)
        tree = run("write-tree")
        return run("-c", "user.name=bench", "-c", "user.email=bench@localhost", "commit-tree", tree, "-p", commit, "-m", "bench: the ticket's base without the changelogs")
    finally:
        if os.path.exists(index):
            os.unlink(index)


def entries(text):
    """List items of a Markdown or reStructuredText changelog, in file order (newest first),
    each joined into one line, its indented paragraphs with it."""
    items, current = [], None
    for line in text.split("\n"):
        start = re.match(r"^\s{0,3}[-*+]\s+(.*)", line)
        if start:
            if current:
                items.append(current)
            current = start.group(1).strip()
        elif current is not None and not line.strip():
            continue  # an item may have several paragraphs (towncrier's references come last)
        elif current is not None and (line.startswith(" ") or line.startswith("\t")):
            current += " " + line.strip()
        else:
            if current:
                items.append(current)
            current = None
    if current:
        items.append(current)
    return items


def references(entry):
    """Pull requests and issues an entry names."""
    prs = re.findall(r"(?::pr:|\{pr\})`(\d+)`", entry) + re.findall(r"/pull/(\d+)", entry)
    issues = re.findall(r"(?::issue:|\{issue\})`(\d+)`", entry) + re.findall(r"/issues/(\d+)", entry)
    bare = re.findall(r"(?<![\w/])#(\d+)\b", entry)
    return prs, issues, bare


def ticket_text(entry):
    """The entry as a ticket: without its references, RST literals as code spans."""
    references_role = r"(?::(?:pr|issue|ghsa|user|cve|gh):|\{(?:pr|issue|ghsa|user|cve|gh)\})`[^`]*`"
    text = re.sub(references_role, " ", entry)
    # Other roles name code (:func:`url_for`, {class}`Argument`, :meth:`~a.b <a.b>`): a code span.
    text = re.sub(r"(?::[\w:]+:|\{[\w:]+\})`~?([^`<]*?)\s*(?:<[^`]*>)?`", r"`\1`", text)
    text = re.sub(r"\[[^\]]*#\d+[^\]]*\]\([^)]*\)", " ", text)
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"\(?#\d+\)?", " ", text)
    text = re.sub(r"\*?Related issues and pull requests on GitHub:\*?", " ", text)
    text = re.sub(r"--\s*by\s*(?=[\s.,]|$)", " ", text)
    text = text.replace("``", "`")
    return re.sub(r"\s+", " ", text).strip(" .,;")


def main():
    git_dir, name, per_repo = sys.argv[1], sys.argv[2], int(sys.argv[3])
    forge_dir = sys.argv[4] if len(sys.argv) > 4 else git_dir
    log = git(git_dir, "log", "--format=%x00%H%x01%P%x01%s%x01%b", "HEAD")
    commits = []
    for record in log.split("\x00")[1:]:
        sha, parents, subject, body = (record.split("\x01") + ["", "", ""])[:4]
        commits.append((sha, parents.split(), subject.strip(), body))
    order = {commit[0]: -index for index, commit in enumerate(commits)}  # higher is newer

    def landed(number):
        """The commits that landed pull request or issue `number`: its merge or squash first."""
        merge = [c for c in commits if re.search(rf"\(#{number}\)\s*$", c[2]) or re.match(rf"Merge pull request #{number}\b", c[2])]
        if merge:
            return merge[:1]
        return [c for c in commits if re.search(rf"(?<![\w/])#{number}\b", c[2] + "\n" + c[3]) and len(c[1]) == 1][:3]

    def changed(commit):
        sha, parents = commit[0], commit[1]
        if parents:
            return git(git_dir, "diff", "--name-only", parents[0], sha).split()
        return git(git_dir, "show", "--name-only", "--format=", sha).split()

    seen, count = set(), 0
    for path in changelog_paths(git_dir):
        for entry in entries(git(git_dir, "show", f"HEAD:{path}")):
            prs, issues, bare = references(entry)
            numbers = list(dict.fromkeys(prs + issues + bare))
            text = ticket_text(entry)
            if not numbers or len(re.findall(r"[A-Za-z]{2,}", text)) < 3 or text.lower() in seen:
                continue
            files, landing = [], []
            for number in numbers:
                for commit in landed(number):
                    files += changed(commit)
                    landing.append(commit)
            files = list(dict.fromkeys(files))
            if not 1 <= len(files) <= 10:
                continue
            # Before the earliest commit that landed it (the log is newest first).
            earliest = min(landing, key=lambda c: order[c[0]], default=None)
            if earliest is None or not earliest[1]:
                continue
            before = earliest[1][0]
            present = set(git(git_dir, "ls-tree", "-r", "--name-only", before).split("\n"))
            answer = [f for f in files if CODE.search(f) and f in present and not f.startswith("docs/") and not CHANGELOG.search(f)]
            if not answer:
                continue
            seen.add(text.lower())
            print(json.dumps({"repo": name, "ticket": text, "files": answer, "base": without_changelogs(forge_dir, before)}))
            count += 1
            if count >= per_repo:
                return


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--changelog-paths":
        for path in changelog_paths(sys.argv[2]):
            print(path)
    else:
        main()
