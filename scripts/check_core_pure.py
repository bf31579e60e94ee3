#!/usr/bin/env python3
"""check_core_pure.py - station/core/ must stay a pure library.

The core parses and formats the buffers and streams it is handed.  It never
opens a path, makes a folder, reads the environment, starts a thread or a
process, touches a socket, or writes to the terminal; that is the edges'
work (station/edge/, station/rt/, station/app/).  This check reads every
.c and .h file of station/core/ and fails when one of them

  * calls a file, folder, process, socket, thread, environment or terminal
    function (fopen, open, fsync, mkdir, opendir, unlink, rename, getenv,
    pthread_*, fork, exec*, socket, ...), or names stdin/stdout/stderr or
    environ;
  * includes a system header outside the C standard library and the three
    pure libraries the core uses (FFTW, inih, cJSON), e.g. <pthread.h>,
    <unistd.h>, <sys/socket.h>, <fcntl.h>, <dirent.h>, <signal.h>,
    <stdatomic.h>;
  * includes a header of the edges, the SPSC ring, the app or calib, or any
    quoted header that is neither in station/core/ nor in firmware/proto/.

Comments and string literals are ignored; a call through a struct member
(r->read(...), ops.open(...)) is not a call of the C library.

Usage:
  check_core_pure.py [--root DIR]   check DIR (default: this repository)
  check_core_pure.py --self-test    run the check on generated good and bad
                                    trees and verify that it tells them apart

Exit status 0 when clean, 1 with one line per finding ("file:line: what").
Python 3 standard library only.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

# C11 headers a pure library may use.  <signal.h>, <threads.h> and
# <stdatomic.h> are C11 too, but they exist for processes and for state
# shared between threads (the SPSC ring lives in station/rt/): not here.
STD_HEADERS = {
    "assert.h", "complex.h", "ctype.h", "errno.h", "fenv.h", "float.h",
    "inttypes.h", "iso646.h", "limits.h", "locale.h", "math.h", "setjmp.h",
    "stdalign.h", "stdarg.h", "stdbool.h", "stddef.h",
    "stdint.h", "stdio.h", "stdlib.h", "stdnoreturn.h", "string.h",
    "tgmath.h", "time.h", "uchar.h", "wchar.h", "wctype.h",
}
# Computation libraries, no I/O of their own.
PURE_LIB_HEADERS = {"fftw3.h", "ini.h", "cjson/cJSON.h"}

# Forbidden calls by kind.  Names match whole identifiers only.
FORBIDDEN_CALLS = {
    "file": """fopen fopen64 freopen fdopen fclose open open64 openat creat
        close read write pread pwrite lseek fsync fdatasync sync syncfs
        mkdir mkdirat rmdir opendir fdopendir readdir closedir scandir
        unlink unlinkat remove rename renameat renameat2 link linkat symlink
        symlinkat readlink chmod fchmod fchmodat chown fchown lchown
        truncate ftruncate stat lstat fstat fstatat access faccessat
        realpath tmpfile mkstemp mkostemp mkdtemp tmpnam tempnam dup dup2
        dup3 pipe pipe2 ioctl fcntl flock lockf mmap munmap chdir getcwd
        umask dlopen""",
    "process": """fork vfork execl execlp execle execv execvp execvpe execve
        fexecve posix_spawn posix_spawnp system popen pclose kill killpg
        wait waitpid wait3 wait4 signal sigaction sigprocmask setsid getpid
        getppid syscall sleep usleep nanosleep""",
    "socket": """socket socketpair connect bind listen accept accept4 send
        sendto sendmsg recv recvfrom recvmsg getaddrinfo gethostbyname
        setsockopt getsockopt poll ppoll select pselect epoll_create
        epoll_create1 epoll_ctl epoll_wait""",
    "thread": """call_once""",
    "environment": """getenv secure_getenv setenv unsetenv putenv clearenv""",
    "terminal": """printf vprintf puts putchar perror getchar scanf gets""",
}
# Whole families by prefix.
FORBIDDEN_PREFIXES = {
    "thread": ("pthread_", "thrd_", "mtx_", "cnd_", "tss_", "sem_"),
}
# Identifiers that must not appear at all (not only as calls).
FORBIDDEN_NAMES = {
    "stdin": "terminal", "stdout": "terminal", "stderr": "terminal",
    "environ": "environment",
}

CALL_KIND = {}
for kind, names in FORBIDDEN_CALLS.items():
    for name in names.split():
        CALL_KIND[name] = kind

# An identifier followed by "(" that is not a member (. or ->) and not part
# of a longer name.
CALL_RE = re.compile(r"(?<![\w.])(?<!->)\s*\b([A-Za-z_]\w*)\s*\(")
NAME_RE = re.compile(r"\b(stdin|stdout|stderr|environ)\b")
INCLUDE_RE = re.compile(r'^[ \t]*#[ \t]*include[ \t]*([<"])([^>"]+)[>"]', re.M)


def strip_comments(text, strings_too):
    """Blank out comments (and string/char literals when strings_too),
    keeping every newline so line numbers stay right."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        two = text[i:i + 2]
        if two == "/*":
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif two == "//":
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            if strings_too:
                out.append(c + re.sub(r"[^\n]", " ", text[i + 1:j - 1]) + c)
            else:
                out.append(text[i:j])
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def article(word):
    return "an" if word[0] in "aeiou" else "a"


def line_of(text, pos):
    return text.count("\n", 0, pos) + 1


def headers_in(folder):
    try:
        return {f for f in os.listdir(folder) if f.endswith(".h")}
    except FileNotFoundError:
        return set()


def check_tree(root):
    """Return a list of "path:line: finding" for station/core/ under root."""
    core = os.path.join(root, "station", "core")
    if not os.path.isdir(core):
        return ["%s: no such folder" % core]
    own = headers_in(core) | headers_in(os.path.join(root, "firmware", "proto"))
    outside = {}
    for area in ("station/edge", "station/rt", "station/app", "calib"):
        for h in headers_in(os.path.join(root, area)):
            outside.setdefault(h, area)
    findings = []
    for name in sorted(os.listdir(core)):
        if not name.endswith((".c", ".h")):
            continue
        path = os.path.join(core, name)
        rel = os.path.relpath(path, root)
        with open(path, encoding="utf-8", errors="replace") as f:
            raw = f.read()
        no_comments = strip_comments(raw, strings_too=False)
        for m in INCLUDE_RE.finditer(no_comments):
            kind, header = m.group(1), m.group(2).strip()
            ln = line_of(no_comments, m.start())
            if kind == "<":
                if header not in STD_HEADERS and header not in PURE_LIB_HEADERS:
                    findings.append("%s:%d: includes <%s>: not the C library or a pure "
                                    "library (OS, thread, process or device interface)"
                                    % (rel, ln, header))
            elif header in outside and header not in own:
                findings.append('%s:%d: includes "%s" from %s/: the core must not depend '
                                "on edges, threads or the app" % (rel, ln, header,
                                                                  outside[header]))
            elif header not in own:
                findings.append('%s:%d: includes "%s", which is neither in station/core/ '
                                "nor in firmware/proto/" % (rel, ln, header))
        code = strip_comments(raw, strings_too=True)
        # Preprocessor lines other than #define bodies are not calls.
        code_lines = code.split("\n")
        for i, text in enumerate(code_lines):
            if re.match(r"\s*#\s*(include|if|ifdef|ifndef|elif|else|endif|pragma|error)\b",
                        text):
                code_lines[i] = ""
        code = "\n".join(code_lines)
        for m in CALL_RE.finditer(code):
            ident = m.group(1)
            kind = CALL_KIND.get(ident)
            if kind is None:
                for k, prefixes in FORBIDDEN_PREFIXES.items():
                    if ident.startswith(prefixes):
                        kind = k
                        break
            if kind is not None:
                findings.append("%s:%d: calls %s(), %s %s function: that belongs at the "
                                "edge (station/edge/, station/rt/ or the app)"
                                % (rel, line_of(code, m.start(1)), ident, article(kind), kind))
        for m in NAME_RE.finditer(code):
            kind = FORBIDDEN_NAMES[m.group(1)]
            findings.append("%s:%d: uses %s, %s %s interface: take a stream or a sink from "
                            "the caller" % (rel, line_of(code, m.start()), m.group(1),
                                            article(kind), kind))
    return findings


# ---- self-test ---------------------------------------------------------

GOOD = r'''/* good.c - mentions fopen( and getenv("HOME") in a comment only. */
#include "good.h"
#include <stdio.h>
#include <fftw3.h>
#include "frame.h"
// open(path) in a line comment
struct ops { int (*read)(void *); int (*open)(const char *); };
static const char *msg = "cannot open( the file; fork() and pthread_create(";
int good_read_stream(FILE *fp, struct ops *o, struct ops p)
{
    char c = '(';
    (void)c; (void)msg;
    int my_open = 0;
    my_open += o->read(fp) + p.open("x") + good_open(fp);
    return fputs("x", fp) + my_open;
}
'''

BAD = {
    "fopen": 'int f(void){ FILE *x = fopen("a", "r"); return x != 0; }\n',
    "open": 'int f(void){ return open("a", 0); }\n',
    "fsync": "int f(int fd){ return fsync (fd); }\n",
    "mkdir": 'int f(void){ return mkdir("d", 0700); }\n',
    "opendir": 'void *f(void){ return opendir("."); }\n',
    "unlink": 'int f(void){ return unlink("a"); }\n',
    "rename": 'int f(void){ return rename("a", "b"); }\n',
    "getenv": 'const char *f(void){ return getenv("HOME"); }\n',
    "pthread_create": "int f(void){ return pthread_create(0, 0, 0, 0); }\n",
    "pthread_mutex_lock": "int f(void *m){ return pthread_mutex_lock(m); }\n",
    "thrd_create": "int f(void){ return thrd_create(0, 0, 0); }\n",
    "fork": "int f(void){ return fork(); }\n",
    "execvp": 'int f(void){ return execvp("x", 0); }\n',
    "socket": "int f(void){ return socket(1, 1, 0); }\n",
    "connect": "int f(void){ return connect(3, 0, 0); }\n",
    "system": 'int f(void){ return system("ls"); }\n',
    "stderr": 'void f(void){ fputs("x", stderr); }\n',
    "printf": 'void f(void){ printf("x"); }\n',
    "<pthread.h>": "#include <pthread.h>\n",
    "<unistd.h>": "#include <unistd.h>\n",
    "<sys/socket.h>": "#include <sys/socket.h>\n",
    "<fcntl.h>": "#include <fcntl.h>\n",
    "<threads.h>": "#include <threads.h>\n",
    "<stdatomic.h>": "#include <stdatomic.h>\n",
    "<SDL.h>": "#include <SDL.h>\n",
    '"edgething.h"': '#include "edgething.h"\n',
    '"ring.h"': '#include "ring.h"\n',
    '"apphdr.h"': '#include "apphdr.h"\n',
    '"nowhere.h"': '#include "nowhere.h"\n',
}


def make_tree(base, extra_name=None, extra_text=None):
    for d in ("station/core", "station/edge", "station/rt", "station/app", "firmware/proto",
              "calib"):
        os.makedirs(os.path.join(base, d), exist_ok=True)
    files = {
        "station/core/good.h": "int good_open(void *);\n",
        "station/core/good.c": GOOD,
        "station/edge/edgething.h": "\n",
        "station/rt/ring.h": "\n",
        "station/app/apphdr.h": "\n",
        "firmware/proto/frame.h": "\n",
    }
    if extra_name:
        files["station/core/" + extra_name] = extra_text
    for rel, text in files.items():
        with open(os.path.join(base, rel), "w") as f:
            f.write(text)


def self_test():
    failures = 0
    with tempfile.TemporaryDirectory(prefix="gc-core-pure-") as tmp:
        good = os.path.join(tmp, "good")
        make_tree(good)
        found = check_tree(good)
        if found:
            failures += 1
            print("FAIL: a clean core was flagged:\n  " + "\n  ".join(found))
        else:
            print("ok: a clean core (comments, strings, member calls) passes")
        for i, (what, text) in enumerate(sorted(BAD.items())):
            tree = os.path.join(tmp, "bad%02d" % i)
            make_tree(tree, "bad.c", '#include "good.h"\n' + text)
            found = check_tree(tree)
            key = what.strip('<>"')
            hits = [f for f in found if "bad.c:" in f and key in f]
            if not hits:
                failures += 1
                print("FAIL: %s in a core file was not caught (findings: %s)" % (what, found))
            else:
                print("ok: %s caught: %s" % (what, hits[0]))
        # The command line fails too (exit status), and names the file.
        tree = os.path.join(tmp, "cli")
        make_tree(tree, "bad.h", "#include <unistd.h>\n")
        r = subprocess.run([sys.executable, os.path.abspath(__file__), "--root", tree],
                           capture_output=True, text=True)
        if r.returncode != 1 or "station/core/bad.h:1:" not in r.stdout:
            failures += 1
            print("FAIL: the command line on a bad tree: status %d, output %r"
                  % (r.returncode, r.stdout))
        else:
            print("ok: the command line exits 1 on a bad tree")
        r = subprocess.run([sys.executable, os.path.abspath(__file__), "--root", good],
                           capture_output=True, text=True)
        if r.returncode != 0:
            failures += 1
            print("FAIL: the command line on a good tree: status %d" % r.returncode)
        else:
            print("ok: the command line exits 0 on a good tree")
    print("self-test: %s" % ("FAILED (%d)" % failures if failures else "passed"))
    return 1 if failures else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                    help="repository root to check (default: this repository)")
    ap.add_argument("--self-test", action="store_true",
                    help="verify the check on generated good and bad trees")
    a = ap.parse_args()
    if a.self_test:
        return self_test()
    findings = check_tree(a.root)
    for f in findings:
        print(f)
    if findings:
        print("station/core/ is not pure: %d finding(s).  Move the I/O to station/edge/ "
              "(see scripts/check_core_pure.py)." % len(findings))
        return 1
    print("station/core/: pure (no file, process, socket, thread, environment or terminal "
          "use; no edge or app headers)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
