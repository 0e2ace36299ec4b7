/* pyrun-shim, compiled: the same fast path as shims/shim.sh, without a shell.
 *
 * Why it exists. A `#!/bin/sh` script that does nothing but `exec` already costs
 * about 1.065x a direct interpreter start on a typical machine (dash must be loaded,
 * started and made to parse the file), so no shell script can meet pyrun's 1.05x
 * target. This program does the same walk with system calls only, and without a C
 * library (see "the platform" below), and `execve`s the program it found; it starts in
 * a fraction of dash's time. The numbers that chose it are in BENCHMARKS.md.
 *
 * It is a second spelling of shim.sh, not a new design: every step, every test of
 * a file, every message has its counterpart there (the function names match), and
 * everything it is not sure about goes to the same slow path,
 * `python -I -m pyrun _shim NAME REASON ARGS...`. tests/test_agreement.py runs
 * this program, shim.sh and the Python resolver over the same cases and demands
 * the same answer.
 *
 * `pyrun rehash` compiles it when a C compiler works (shims.py), with the values
 * below in a generated shim_config.h, and links every shim name to the one binary;
 * the name it was run as (argv[0], else the path the kernel executed) picks the
 * request. Without a compiler the shims are shim.sh itself.
 */
/* -- the platform: every system call, in one place --------------------------------------
 *
 * The walk below calls only the os_* wrappers of this section (and reads only
 * `struct stat`, errno values and open/at flags from it), so a new platform is a new
 * copy of this section and nothing else.
 *
 * Two builds of the same wrappers:
 *
 * - the default, for Linux on x86_64 and aarch64: no C library, built -static
 *   -nostdlib (compiled.FLAGS). glibc's own start-up (relocations, TLS, locale) costs
 *   several times the walk itself, and a static glibc binary is 700 KB to map. With the
 *   kernel's headers only, the whole program is a few KB and starts about as fast as
 *   exec allows. Only types and numbers come from the headers; every call is made here.
 * - -DPYRUN_LIBC (compiled.LIBC_FLAGS, `PYRUN_SHIM=c-libc`): the same wrappers over the
 *   C library, linked dynamically. It exists for platforms that have no stable
 *   system-call ABI and no static binaries (macOS), and CI runs it on Linux through the
 *   agreement tests so that it keeps working. A macOS port would still replace three
 *   Linux-only things here, and has never been compiled (README): os_exec_path's
 *   AT_EXECFN (macOS: _NSGetExecutablePath, or the "executable_path=" apple[] string),
 *   OS_O_PATH (macOS: O_SEARCH) and OS_CTIME_* over st_ctim (macOS: st_ctimespec).
 *
 * A wrapper that returns a `long` answers as the raw system call does: a count or 0
 * when it worked, the negated errno when not; the walk ignores the others' failures.
 * They are `static inline`, one call each: nothing is added to the exec path
 * (BENCHMARKS.md, "shim.c platform section: before and after"). */
static __attribute__((noreturn)) void shim_main(long argc, char **argv, char **envp);
static char **environ_;

#ifdef PYRUN_LIBC
#if !defined(__linux__)
#error "the C library build is written for Linux only so far: see the platform section for what a port replaces"
#endif
#define _GNU_SOURCE /* O_PATH */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h> /* rename */
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define OS_O_PATH O_PATH
#define OS_CTIME_SEC(st) ((st)->st_ctim.tv_sec)
#define OS_CTIME_NSEC(st) ((st)->st_ctim.tv_nsec)
/* The C library's -1 and errno, as the system call's negated errno (r: evaluated once). */
static inline long os_result(long r) { return r < 0 ? -(long)errno : r; }

static inline __attribute__((noreturn)) void os_exit(int code) { _exit(code); }
static inline long os_write(int fd, const void *buf, size_t n) { return os_result(write(fd, buf, n)); }
static inline long os_read(long fd, void *buf, size_t n) { return os_result(read((int)fd, buf, n)); }
static inline long os_openat(long dirfd, const char *path, int flags) {
    return os_result(openat((int)dirfd, path, flags, 0644));
}
static inline void os_close(long fd) { close((int)fd); }
static inline long os_readlink(const char *path, char *buf, size_t n) {
    return os_result(readlinkat(AT_FDCWD, path, buf, n));
}
static inline long os_fstatat(long dirfd, const char *path, struct stat *st, int flags) {
    return os_result(fstatat((int)dirfd, path, st, flags));
}
static inline long os_fstat(long fd, struct stat *st) { return os_result(fstat((int)fd, st)); }
/* X_OK by the effective ids (`effective`) or the real ones. (The C library emulates
 * AT_EACCESS where the kernel lacks it, so this never says -ENOSYS.) */
static inline long os_access(const char *path, int effective) {
    return os_result(faccessat(AT_FDCWD, path, X_OK, effective ? AT_EACCESS : 0));
}
static inline int os_same_ids(void) { return getuid() == geteuid() && getgid() == getegid(); }
static inline long os_geteuid(void) { return (long)geteuid(); }
static inline long os_getcwd(char *buf, size_t n) {
    return getcwd(buf, n) ? (long)strlen(buf) + 1 : -(long)errno;
}
static inline long os_getpid(void) { return (long)getpid(); }
static inline long os_getppid(void) { return (long)getppid(); }
static inline long os_now(long long *sec, long long *nsec) {
    struct timespec ts = {0, 0};
    long r = os_result(clock_gettime(CLOCK_REALTIME, &ts));
    *sec = (long long)ts.tv_sec, *nsec = (long long)ts.tv_nsec;
    return r;
}
static inline void os_mkdir(const char *path, int mode) { mkdir(path, (mode_t)mode); }
static inline void os_fchmod(long fd, int mode) { fchmod((int)fd, (mode_t)mode); }
static inline long os_rename(const char *from, const char *to) { return os_result(rename(from, to)); }
static inline void os_unlink(const char *path) { unlink(path); }
static inline long os_execve(const char *path, char **argv, char **envp) {
    return os_result(execve(path, argv, envp));
}
/* The file the kernel executed (NULL: unknown), for a caller that set argv[0]. */
static inline const char *os_exec_path(void) { return (const char *)getauxval(AT_EXECFN); }

/* A directory's entry names, one at a time. */
struct os_dir {
    DIR *dir;
    int failed;
};
static inline int os_dir_open(struct os_dir *d, const char *path) {
    d->dir = opendir(path);
    d->failed = 0;
    return d->dir != NULL;
}
static inline const char *os_dir_next(struct os_dir *d) {
    errno = 0;
    struct dirent *entry = readdir(d->dir);
    if (!entry && errno) d->failed = 1;
    return entry ? entry->d_name : NULL;
}
/* -1 when listing failed part way, else 0. */
static inline int os_dir_close(struct os_dir *d) {
    closedir(d->dir);
    return d->failed ? -1 : 0;
}

int main(int argc, char **argv, char **envp) { shim_main(argc, argv, envp); }

#else /* no C library: Linux system calls */
#if !defined(__linux__) || !(defined(__x86_64__) || defined(__aarch64__))
#error "the compiled shim is written for Linux on x86_64 and aarch64; the shell shims serve elsewhere"
#endif
#include <asm/stat.h>
#include <asm/unistd.h>
#include <linux/auxvec.h>
#include <linux/errno.h>
#include <linux/fcntl.h>

#ifndef __NR_faccessat2
#define __NR_faccessat2 439
#endif
#define NULL ((void *)0)
#define X_OK 1
typedef unsigned long size_t;
typedef long ssize_t;

#define OS_O_PATH O_PATH
#define OS_CTIME_SEC(st) ((st)->st_ctime)
#define OS_CTIME_NSEC(st) ((st)->st_ctime_nsec)

static inline long sys6(long n, long a, long b, long c, long d, long e) {
    long ret;
#if defined(__x86_64__)
    register long r10 __asm__("r10") = d, r8 __asm__("r8") = e;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8)
                     : "rcx", "r11", "memory");
#else
    register long x8 __asm__("x8") = n, x0 __asm__("x0") = a, x1 __asm__("x1") = b,
                  x2 __asm__("x2") = c, x3 __asm__("x3") = d, x4 __asm__("x4") = e;
    __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4) : "memory");
    ret = x0;
#endif
    return ret;
}
#define sys(n, a, b, c) sys6((n), (long)(a), (long)(b), (long)(c), 0, 0)

static inline __attribute__((noreturn)) void os_exit(int code) {
    for (;;) sys(__NR_exit_group, code, 0, 0);
}
static inline long os_write(int fd, const void *buf, size_t n) { return sys(__NR_write, fd, buf, n); }
static inline long os_read(long fd, void *buf, size_t n) { return sys(__NR_read, fd, buf, n); }
static inline long os_openat(long dirfd, const char *path, int flags) {
    return sys6(__NR_openat, dirfd, (long)path, flags, 0644, 0);
}
static inline void os_close(long fd) { sys(__NR_close, fd, 0, 0); }
static inline long os_readlink(const char *path, char *buf, size_t n) {
    return sys6(__NR_readlinkat, AT_FDCWD, (long)path, (long)buf, (long)n, 0);
}
static inline long os_fstatat(long dirfd, const char *path, struct stat *st, int flags) {
    return sys6(__NR_newfstatat, dirfd, (long)path, (long)st, flags, 0);
}
static inline long os_fstat(long fd, struct stat *st) { return sys(__NR_fstat, fd, st, 0); }
/* X_OK by the effective ids (`effective`: faccessat2, Linux 5.8) or the real ones (the
 * plain faccessat); -ENOSYS when the kernel cannot ask by the effective ones. */
static inline long os_access(const char *path, int effective) {
    if (effective) return sys6(__NR_faccessat2, AT_FDCWD, (long)path, X_OK, AT_EACCESS, 0);
    return sys(__NR_faccessat, AT_FDCWD, path, X_OK);
}
static inline int os_same_ids(void) {
    return sys(__NR_getuid, 0, 0, 0) == sys(__NR_geteuid, 0, 0, 0) &&
           sys(__NR_getgid, 0, 0, 0) == sys(__NR_getegid, 0, 0, 0);
}
static inline long os_geteuid(void) { return sys(__NR_geteuid, 0, 0, 0); }
/* The length with its NUL, as getcwd(2) says. */
static inline long os_getcwd(char *buf, size_t n) { return sys(__NR_getcwd, buf, n, 0); }
static inline long os_getpid(void) { return sys(__NR_getpid, 0, 0, 0); }
static inline long os_getppid(void) { return sys(__NR_getppid, 0, 0, 0); }
static inline long os_now(long long *sec, long long *nsec) {
    struct { long long sec, nsec; } now = {0, 0};
    long r = sys(__NR_clock_gettime, 0 /* CLOCK_REALTIME */, &now, 0);
    *sec = now.sec, *nsec = now.nsec;
    return r;
}
static inline void os_mkdir(const char *path, int mode) { sys(__NR_mkdirat, AT_FDCWD, path, mode); }
static inline void os_fchmod(long fd, int mode) { sys(__NR_fchmod, fd, mode, 0); }
static inline long os_rename(const char *from, const char *to) {
    return sys6(__NR_renameat2, AT_FDCWD, (long)from, AT_FDCWD, (long)to, 0);
}
static inline void os_unlink(const char *path) { sys(__NR_unlinkat, AT_FDCWD, path, 0); }
static inline long os_execve(const char *path, char **argv, char **envp) {
    return sys(__NR_execve, path, argv, envp);
}
/* The kernel's auxiliary vector, after the environment on the initial stack. */
static unsigned long *auxv_;
/* The file the kernel executed (NULL: unknown), for a caller that set argv[0]. */
static inline const char *os_exec_path(void) {
    for (unsigned long *a = auxv_; a[0]; a += 2)
        if (a[0] == AT_EXECFN) return (const char *)a[1];
    return NULL;
}

/* gcc may turn loops and struct copies into calls to these. */
void *memcpy(void *dst, const void *src, size_t n) {
    char *d = dst;
    const char *s = src;
    while (n--) *d++ = *s++;
    return dst;
}
void *memset(void *dst, int c, size_t n) {
    char *d = dst;
    while (n--) *d++ = (char)c;
    return dst;
}
size_t strlen(const char *s) {
    const char *p = s;
    while (*p) p++;
    return (size_t)(p - s);
}

/* A directory's entry names, one at a time (getdents64). */
struct os_dir {
    long fd, n, off;
    char buf[32768];
};
struct dirent64_ {
    unsigned long long d_ino;
    long long d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};
static inline int os_dir_open(struct os_dir *d, const char *path) {
    d->fd = sys(__NR_openat, AT_FDCWD, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    d->n = d->off = 0;
    return d->fd >= 0;
}
static inline const char *os_dir_next(struct os_dir *d) {
    if (d->off >= d->n) {
        d->n = sys(__NR_getdents64, d->fd, d->buf, sizeof d->buf);
        d->off = 0;
        if (d->n <= 0) return NULL;
    }
    struct dirent64_ *entry = (struct dirent64_ *)(d->buf + d->off);
    d->off += entry->d_reclen;
    return entry->d_name;
}
/* -1 when listing failed part way, else 0. */
static inline int os_dir_close(struct os_dir *d) {
    sys(__NR_close, d->fd, 0, 0);
    return d->n < 0 ? -1 : 0;
}

/* The process entry: the kernel leaves argc, argv, envp and auxv on the stack. */
__attribute__((used, noreturn)) void shim_start(long *sp);
__attribute__((used, noreturn)) void shim_start(long *sp) {
    long argc = sp[0];
    char **argv = (char **)(sp + 1), **envp = argv + argc + 1, **e = envp;
    while (*e) e++;
    auxv_ = (unsigned long *)(e + 1);
    shim_main(argc, argv, envp);
}
#if defined(__x86_64__)
__asm__(".text\n.global _start\n_start:\n  xor %rbp, %rbp\n  mov %rsp, %rdi\n  and $-16, %rsp\n  call shim_start\n  hlt\n");
#else
__asm__(".text\n.global _start\n_start:\n  mov x29, #0\n  mov x30, #0\n  mov x0, sp\n  and sp, x0, #-16\n  bl shim_start\n");
#endif
#endif /* PYRUN_LIBC */
/* -- end of the platform --------------------------------------------------------------- */

#define S_IFMT_ 0170000
#define IS_REG(m) (((m) & S_IFMT_) == 0100000)
#define IS_DIR(m) (((m) & S_IFMT_) == 0040000)
#define IS_LNK(m) (((m) & S_IFMT_) == 0120000)

static int memcmp_(const void *a, const void *b, size_t n) {
    const unsigned char *x = a, *y = b;
    for (; n; n--, x++, y++)
        if (*x != *y) return *x - *y;
    return 0;
}
static int streq(const char *a, const char *b) {
    while (*a && *a == *b) a++, b++;
    return *a == *b;
}
static int strcmp_(const char *a, const char *b) {
    while (*a && *a == *b) a++, b++;
    return (unsigned char)*a - (unsigned char)*b;
}
static int starts_with(const char *s, const char *prefix) {
    while (*prefix)
        if (*s++ != *prefix++) return 0;
    return 1;
}
static const char *find(const char *s, char c) { /* strchr */
    for (; *s; s++)
        if (*s == c) return s;
    return NULL;
}
static const char *find_last(const char *s, char c) { /* strrchr */
    const char *last = NULL;
    for (; *s; s++)
        if (*s == c) last = s;
    return last;
}

static __attribute__((noreturn)) void quit(int code) {
    os_exit(code);
}

static void put(int fd, const char *s) {
    size_t n = strlen(s);
    while (n) {
        long done = os_write(fd, s, n);
        if (done == -EINTR) continue;
        if (done <= 0) return;
        s += done;
        n -= (size_t)done;
    }
}

/* Strings live in one arena and are never freed: the process execs within a
 * millisecond. The arena is untouched memory until used, so its size costs nothing. */
static char arena[8 << 20];
static size_t arena_used;
static char *alloc(size_t n) {
    if (n > sizeof arena - arena_used) {
        put(2, "pyrun: the shim ran out of memory; set PYRUN_SHIM=sh and run `pyrun rehash`\n");
        quit(127);
    }
    char *p = arena + arena_used;
    arena_used += n;
    return p;
}
static char *cut(const char *s, size_t n) {
    char *out = alloc(n + 1);
    memcpy(out, s, n);
    out[n] = '\0';
    return out;
}
/* cat(a, b, ..., NULL): a new string */
static char *cat(const char *first, ...) {
    __builtin_va_list ap;
    size_t len = 0;
    const char *s;
    __builtin_va_start(ap, first);
    for (s = first; s; s = __builtin_va_arg(ap, const char *)) len += strlen(s);
    __builtin_va_end(ap);
    char *out = alloc(len + 1), *p = out;
    __builtin_va_start(ap, first);
    for (s = first; s; s = __builtin_va_arg(ap, const char *)) {
        size_t n = strlen(s);
        memcpy(p, s, n);
        p += n;
    }
    __builtin_va_end(ap);
    *p = '\0';
    return out;
}

static const char *getenv_(const char *name) {
    for (char **e = environ_; *e; e++) {
        const char *s = *e, *n = name;
        while (*n && *s == *n) s++, n++;
        if (!*n && *s == '=') return s + 1;
    }
    return NULL;
}

static int stat_(const char *p, struct stat *st, int flags) {
    return os_fstatat(AT_FDCWD, p, st, flags) == 0;
}

/* `test -x` as dash does it: faccessat with the effective ids. The plain system call
 * uses the real ones, which are the same unless set-id; then faccessat2 (Linux 5.8). */
static int same_ids = -1;
static int executable(const char *p) {
    if (same_ids < 0)
        same_ids = os_same_ids();
    if (!same_ids) {
        long r = os_access(p, 1);
        if (r != -ENOSYS) return r == 0;
    }
    return os_access(p, 0) == 0;
}

/* getcwd(2): the physical working directory; "" when it is gone or unreachable, NULL
 * when it is longer than the kernel will report. */
static char *physical_cwd(void) {
    char *buf = alloc(4096);
    long n = os_getcwd(buf, 4096);
    if (n == -ENAMETOOLONG || n == -ERANGE) return NULL;
    if (n < 0 || buf[0] != '/') return cut("", 0);
    return buf;
}

static char *read_first_line(const char *path) { /* `IFS= read -r line <path` */
    long fd = os_openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return cut("", 0);
    char *buf = alloc(65536);
    size_t got = 0;
    while (got < 65535) {
        long n = os_read(fd, buf + got, 65535 - got);
        if (n == -EINTR) continue;
        if (n <= 0) break;
        const char *nl = NULL;
        for (size_t i = got; i < got + (size_t)n; i++)
            if (buf[i] == '\n') { nl = buf + i; break; }
        got += (size_t)n;
        if (nl) { got = (size_t)(nl - buf); break; }
    }
    os_close(fd);
    buf[got] = '\0';
    return cut(buf, strlen(buf));
}

static char *read_all(const char *path) { /* the whole file, or "" */
    long fd = os_openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return cut("", 0);
    size_t cap = 65536, got = 0;
    char *buf = alloc(cap);
    for (;;) {
        if (got == cap - 1) {
            char *bigger = alloc(cap * 2);
            memcpy(bigger, buf, got);
            buf = bigger;
            cap *= 2;
        }
        long n = os_read(fd, buf + got, cap - 1 - got);
        if (n == -EINTR) continue;
        if (n <= 0) break;
        got += (size_t)n;
    }
    os_close(fd);
    buf[got] = '\0';
    return buf;
}

static char *decimal(long v) {
    char digits[24], *p = digits + sizeof digits;
    *--p = '\0';
    do *--p = (char)('0' + v % 10); while (v /= 10);
    return cut(p, strlen(p));
}

struct shim_name {
    const char *name;          /* python, python3, python3.12, pip, pip3, pip3.12 */
    const char *kind;          /* python | pip | script (script_request) */
    const char *minor;         /* "3.12" for a version-specific shim, else "" */
    const char *env_names[4];  /* what to run inside an environment, in order */
    const char *path_names[4]; /* which interpreters to look for on PATH, in order */
};

/* PYRUN_SHIMS, PYRUN_DATA, PYRUN_PYTHON, PYRUN_CONFIG_TRUST, PYRUN_CONFIG_SITE,
 * PYRUN_CONFIG_PIN and SHIM_NAMES[], written by `pyrun rehash`
 * from src/pyrun/request.py, the one place that says what each name asks for. */
#include "shim_config.h"

/* Marks the binary as a pyrun shim for environment.is_pyrun_shim (never run). */
__attribute__((used)) static const char pyrun_marker[] = "# pyrun-shim (compiled from shims/shim.c)";

/* -- the walk: shim.sh, step for step -------------------------------------------------- */

static const struct shim_name *req;
static const char *pyrun_name;
static char *pyrun_prog;
static char *pyrun_pipdir; /* the shared pip, or the runner of an environment's own pip */
static char *pyrun_defer;
static const char *tool_project; /* a script the environment in use lacks: that environment */
static int debugging;
/* Run as `pyrun-resolve` (shims.RESOLVER, for the hooks): walk as `python` does, then
 * print what was found instead of running it (print_answer). */
static int resolving;
static const char *resolved_step;
static const char *resolved_env;

/* debug(part, part, ..., NULL): one line on stderr under PYRUN_DEBUG */
static void debug(const char *first, ...) {
    if (!debugging) return;
    __builtin_va_list ap;
    char *line = cat("pyrun[c] ", pyrun_name, ": ", NULL);
    __builtin_va_start(ap, first);
    for (const char *s = first; s; s = __builtin_va_arg(ap, const char *)) line = cat(line, s, NULL);
    __builtin_va_end(ap);
    put(2, cat(line, "\n", NULL));
}

static void defer(char *reason) { pyrun_defer = reason; }

/* The shell's `test` operators. */
static int is_file(const char *p) { struct stat st; return stat_(p, &st, 0) && IS_REG(st.st_mode); }
static int is_dir(const char *p) { struct stat st; return stat_(p, &st, 0) && IS_DIR(st.st_mode); }
static int non_empty(const char *p) { struct stat st; return stat_(p, &st, 0) && st.st_size > 0; }
static int exec_file(const char *p) { return is_file(p) && executable(p); }
static int same_file(const char *a, const char *b) {
    struct stat sa, sb;
    return stat_(a, &sa, 0) && stat_(b, &sb, 0) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static const char *env_or_empty(const char *name) { const char *v = getenv_(name); return v ? v : ""; }

/* ${s%/}: one trailing slash removed */
static char *strip_slash(const char *s) {
    size_t n = strlen(s);
    return cut(s, n && s[n - 1] == '/' ? n - 1 : n);
}

/* ${s%/} repeated down to "/", as the loop in pyrun_conda_is_base does. */
static char *strip_slashes(const char *s) {
    size_t n = strlen(s);
    while (n > 1 && s[n - 1] == '/') n--;
    return cut(s, n);
}

/* pyrun_trusted: whether the environment `env`, found by the .venv step, may be used:
 * it, the directory holding it and every directory above must be yours or root's and
 * writable by nobody else (the holder and those above may be sticky, like /tmp; a group
 * private to the owner is nobody else), unless PYRUN_TRUST or config.toml's trust list
 * (PYRUN_CONFIG_TRUST, baked in) names it. The rule and its
 * reasons live in src/pyrun/ownership.py; shim.sh reads the same bits with one `ls`. */
#define S_IWGRP_ 0020
#define S_IWOTH_ 0002
#define S_IXGRP_ 0010
#define S_IXOTH_ 0001
#define S_ISVTX_ 01000

/* private_group: /etc/group and /etc/passwd, as ownership.private_group reads them:
 * whole (a file over TABLE_MAX, or no regular file, is not read: "not private"), once
 * per process and only when a group-writable directory is met. O_NONBLOCK: a FIFO put
 * there must not hang the shim before fstat says it is none. */
#define TABLE_MAX (1L << 20)
struct table {
    const char *path, *text;
    long len;
    int state; /* 0: not read yet; 1: read and every line is usable; -1: not */
};
static struct table group_table = {"/etc/group", NULL, 0, 0};
static struct table passwd_table = {"/etc/passwd", NULL, 0, 0};
/* One line's fields: name, password, numbers..., the rest (unsplit). */
struct row {
    const char *field[5];
    long size[5];
};

/* ownership._number: plain decimal, no leading zero, within 32 bits. */
static int table_number(const char *s, long n, unsigned long long *value) {
    if (n < 1 || n > 10 || (n > 1 && s[0] == '0')) return 0;
    unsigned long long v = 0;
    for (long i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        v = v * 10 + (unsigned long long)(s[i] - '0');
    }
    *value = v;
    return v <= 0xFFFFFFFFULL;
}

/* The next row from *at (ownership._table): 1, 0 at the end, -1 for a line that is
 * neither blank, a `#` comment nor `name:x:N:...` (`numbers` - 2 numbers, then the
 * rest; /etc/group's `numbers` is 3 and its member list may be missing). */
static int table_row(const char **at, const char *end, int numbers, struct row *row) {
    for (;;) {
        const char *s = *at, *e = s, *b;
        if (s >= end) return 0;
        while (e < end && *e != '\n') e++;
        *at = e < end ? e + 1 : e;
        for (b = s; b < e && (*b == ' ' || *b == '\t');) b++;
        if (b == e || *b == '#') continue;
        int k = 0;
        for (const char *f = s;;) {
            const char *c = f;
            if (k < numbers)
                while (c < e && *c != ':') c++;
            else
                c = e;
            row->field[k] = f, row->size[k] = (long)(c - f), k++;
            if (k > numbers || c == e) break;
            f = c + 1;
        }
        if (k == 3 && numbers == 3) row->field[3] = e, row->size[3] = 0, k = 4;
        if (k <= numbers) return -1;
        unsigned long long ignored;
        for (int i = 2; i < numbers; i++)
            if (!table_number(row->field[i], row->size[i], &ignored)) return -1;
        return 1;
    }
}

/* The table read and checked (state 1), or state -1. */
static struct table *table_load(struct table *t, int numbers) {
    if (t->state) return t;
    t->state = -1;
    long fd = os_openat(AT_FDCWD, t->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return t;
    struct stat st;
    if (os_fstat(fd, &st) != 0 || !IS_REG(st.st_mode) || st.st_size > TABLE_MAX) {
        os_close(fd);
        return t;
    }
    /* One byte more than fstat said: a file that grew meanwhile fills it and is refused. */
    long cap = (long)st.st_size + 1, got = 0;
    char *buf = alloc((size_t)cap);
    while (got < cap) {
        long n = os_read(fd, buf + got, (size_t)(cap - got));
        if (n == -EINTR) continue;
        if (n < 0) got = cap;
        if (n <= 0) break;
        got += n;
    }
    os_close(fd);
    if (got >= cap) return t;
    const char *at = buf;
    struct row row;
    int r;
    while ((r = table_row(&at, buf + got, numbers, &row)) > 0) {}
    if (r == 0) t->text = buf, t->len = got, t->state = 1;
    return t;
}

static int field_is(const struct row *row, int i, unsigned long long value) {
    unsigned long long v;
    return table_number(row->field[i], row->size[i], &v) && v == value;
}

/* Whether member name m (n bytes) is the owner's: some /etc/passwd line with that name
 * has uid `uid`, and none another uid. */
static int owners_name(const struct table *users, const char *m, long n, unsigned long long uid) {
    const char *at = users->text;
    struct row row;
    int found = 0;
    while (table_row(&at, users->text + users->len, 4, &row) > 0) {
        if (row.size[0] != n || memcmp_(row.field[0], m, (size_t)n) != 0) continue;
        if (!field_is(&row, 2, uid)) return 0;
        found = 1;
    }
    return found;
}

/* ownership.private_group: whether group `gid` has exactly one member, the user `uid`
 * (Debian's OpenSSH user-group-modes rule, over the files: this program cannot ask NSS). */
static int private_group(unsigned long long gid, unsigned long long uid) {
    struct table *groups = table_load(&group_table, 3);
    if (groups->state < 0) return 0;
    struct table *users = table_load(&passwd_table, 4);
    if (users->state < 0) return 0;
    const char *at = groups->text;
    struct row row;
    int exists = 0, members = 0;
    while (table_row(&at, groups->text + groups->len, 3, &row) > 0) {
        if (!field_is(&row, 2, gid)) continue;
        exists = 1;
        const char *m = row.field[3], *end = m + row.size[3];
        while (m < end) {
            const char *c = m;
            while (c < end && *c != ',') c++;
            if (c > m) {
                if (!owners_name(users, m, (long)(c - m), uid)) return 0;
                members = 1;
            }
            m = c + 1;
        }
    }
    if (!exists) return 0;
    int primary = 0;
    at = users->text;
    while (table_row(&at, users->text + users->len, 4, &row) > 0) {
        if (!field_is(&row, 3, gid)) continue;
        if (!field_is(&row, 2, uid)) return 0;
        primary = 1;
    }
    return primary || members;
}

static int safe_stat(const struct stat *st, int holder) {
    if (st->st_uid != 0 && (long)st->st_uid != os_geteuid()) return 0;
    if (st->st_mode & (S_IWGRP_ | S_IWOTH_)) {
        if (holder && (st->st_mode & S_ISVTX_)) return 1;
        /* Writable by its group only, a group private to the owner: nobody else. */
        return !(st->st_mode & S_IWOTH_) && private_group(st->st_gid, st->st_uid);
    }
    return 1;
}
static int safe_dir(const char *p, int holder) {
    struct stat st;
    return !stat_(p, &st, 0) || safe_stat(&st, holder); /* not examinable: where it is used says so */
}
/* pyrun's data directory, `safe_dir` and closed: ownership.open_to_others, nobody else
 * may go into it (others may not search it, nor a group not private to its owner), or
 * what is inside it would be theirs to change wherever it is writable to them
 * (paths.Paths._closed closes it, or refuses). Root's, while you are not root, is
 * root's to keep. One stat. */
static int safe_data_dir(void) {
    struct stat st;
    if (!stat_(PYRUN_DATA, &st, 0)) return 1;
    if (!safe_stat(&st, 0)) return 0;
    if ((long)st.st_uid != os_geteuid() || !(st.st_mode & (S_IXGRP_ | S_IXOTH_))) return 1;
    return !(st.st_mode & S_IXOTH_) && private_group(st.st_gid, st.st_uid);
}
/* ownership.above_reason: `/` and every directory below it down to the parent of
 * `holder` (a real path) are safe as holders, so nobody else can rename one of them
 * and put their own tree under the path between this check, the exec and CPython's
 * own reading of pyvenv.cfg by that path. */
static int safe_above(const char *holder) {
    if (streq(holder, "/")) return 1;
    if (!safe_dir("/", 1)) return 0;
    for (const char *s = holder + 1;;) {
        const char *e = find(s, '/');
        if (!e) return 1; /* the holder itself is the caller's */
        if (!safe_dir(cut(holder, (size_t)(e - holder)), 1)) return 0;
        s = e + 1;
    }
}

/* pyrun_trusted for `link`, a symlink (its lstat `lst`) held by `holder`
 * (ownership.link_reason): 1 when the link is yours or root's, the holder safe, every
 * directory of its target's real path (from / down) safe as a holder and the target
 * as `link` itself would be; 0 when not; -1 when this copy does not follow it, as
 * shim.sh does not: a text with `..` after a name, or a link again on the way (then
 * the slow path follows it). Without those the path the text names is the real one. */
#define LINK_TEXT_MAX 4096
static int trusted_real(const char *p);
static int trusted_link(const char *link, const char *holder, const struct stat *lst) {
    if (lst->st_uid != 0 && (long)lst->st_uid != os_geteuid()) return 0;
    if (!safe_dir(holder, 1) || !safe_above(holder)) return 0;
    char text[LINK_TEXT_MAX + 1];
    long n = os_readlink(link, text, LINK_TEXT_MAX);
    if (n <= 0 || n >= LINK_TEXT_MAX) return -1;
    text[n] = 0;
    char *p = text[0] == '/' || streq(holder, "/") ? "" : cut(holder, strlen(holder));
    int named = 0;
    for (const char *s = text;;) {
        const char *e = find(s, '/');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if (len == 2 && s[0] == '.' && s[1] == '.') {
            if (named) return -1;
            const char *up = find_last(p, '/');
            p = up ? cut(p, (size_t)(up - p)) : "";
        } else if (len && !(len == 1 && s[0] == '.')) {
            named = 1;
            p = cat(p, "/", cut(s, len), NULL);
        }
        if (!e) break;
        s = e + 1;
    }
    if (!*p) p = "/";
    return trusted_real(p);
}

/* The rest of trusted_link for `p`, the absolute path a link or a redirect file names
 * with no `..` in it: 1 when `/` and each directory down to `p` are safe as holders
 * and `p` itself as a `.venv`; 0 when not; -1 when one of them is a link (or missing:
 * the slow path says so). */
static int trusted_real(const char *p) {
    /* `/` and each directory down to the target, none of them a link. */
    int ok = streq(p, "/") || safe_dir("/", 1);
    for (const char *s = p + 1; *s;) {
        const char *e = find(s, '/');
        char *a = cut(p, e ? (size_t)(e - p) : strlen(p));
        struct stat st;
        if (!stat_(a, &st, AT_SYMLINK_NOFOLLOW) || IS_LNK(st.st_mode)) return -1;
        if (ok) ok = safe_dir(a, !streq(a, p));
        if (!e) break;
        s = e + 1;
    }
    if (streq(p, "/")) ok = safe_dir("/", 0);
    return ok;
}

static char *holder_of(const char *env) {
    const char *slash = find_last(env, '/');
    return slash == env ? "/" : cut(env, (size_t)(slash - env));
}

/* PYRUN_TRUST or config.toml's trust list names `env` or the directory holding it. */
static int trust_listed(const char *env) {
    char *holder = holder_of(env);
    const char *rest = cat(env_or_empty("PYRUN_TRUST"), ":", PYRUN_CONFIG_TRUST, NULL);
    for (;;) {
        const char *end = find(rest, ':');
        size_t n = end ? (size_t)(end - rest) : strlen(rest);
        char *t = cut(rest, n);
        if (streq(t, "*")) return 1;
        if (t[0] == '/' && n >= 2 && t[n - 1] == '*' && t[n - 2] == '/') {
            char *prefix = cut(t, n - 1);
            if (starts_with(env, prefix) || starts_with(holder, prefix)) return 1;
        } else if (t[0] == '/') {
            t = strip_slashes(t);
            if (streq(t, env) || streq(t, holder)) return 1;
        }
        if (!end) break;
        rest = end + 1;
    }
    return 0;
}

static int pyrun_trusted(const char *env) {
    if (trust_listed(env)) return 1;
    char *holder = holder_of(env);
    struct stat lst;
    if (stat_(env, &lst, AT_SYMLINK_NOFOLLOW) && IS_LNK(lst.st_mode)) return trusted_link(env, holder, &lst);
    return safe_dir(env, 0) && safe_dir(holder, 1) && safe_above(holder);
}

/* pip for environment `dir` (found by `step`): its interpreter running `sub`, a
 * directory beside the shared pip copy (pip: the copy itself; ownpip: the
 * environment's own pip under the guard), said as (`what`); when that is missing, the
 * slow path, because `missing`. shim.sh's pyrun_pip_from. Always decides: 1. */
static int pip_from(const char *dir, const char *step, const char *sub, const char *what,
                    const char *missing) {
    char *runner = cat(PYRUN_DATA "/pip/current/", sub, NULL);
    if (!is_file(cat(runner, "/__main__.py", NULL))) {
        defer(cat(step, " environment ", dir, missing, NULL));
        return 1;
    }
    pyrun_prog = cat(dir, "/bin/python3", NULL);
    if (!executable(pyrun_prog)) pyrun_prog = cat(dir, "/bin/python", NULL);
    pyrun_pipdir = runner;
    debug(step, " -> ", pyrun_prog, " (", what, ")", NULL);
    return 1;
}

static const char *release_number(const char *s, long *value);
/* `IMPLEMENTATION-3.Y-<12 hex digits>[-site]`, an isolated environment's name
 * (isolated.env_key; shared_tools._ENV_NAME): 1 with Y in *minor. */
static int env_name_minor(const char *n, long *minor) {
    const char *s = n;
    while (*s >= 'a' && *s <= 'z') s++;
    if (s == n || !starts_with(s, "-3.")) return 0;
    if (!(s = release_number(s + 3, minor)) || *s++ != '-') return 0;
    for (int i = 0; i < 12; i++, s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f'))) return 0;
    return !*s || streq(s, "-site");
}

/* src/pyrun/shared_tools.py: the console script pyrun_name of pyrun's isolated
 * environments (complete ones), for where the environment in use has none: the newest
 * Python's, of one version the name first in bytes. NULL: none. */
static char *shared_script(void) {
    struct os_dir d;
    if (!os_dir_open(&d, PYRUN_DATA "/envs")) return NULL;
    char *best = NULL, *best_name = NULL;
    long best_minor = -1;
    for (const char *name; (name = os_dir_next(&d));) {
        long minor;
        if (!env_name_minor(name, &minor)) continue;
        if (minor < best_minor || (minor == best_minor && strcmp_(name, best_name) > 0)) continue;
        char *env = cat(PYRUN_DATA "/envs/", name, NULL);
        char *candidate = cat(env, "/bin/", pyrun_name, NULL);
        if (!is_file(cat(env, "/.pyrun-complete", NULL)) || !exec_file(candidate)) continue;
        best = candidate, best_name = cut(name, strlen(name)), best_minor = minor;
    }
    os_dir_close(&d);
    return best;
}

/* Choose the program inside environment `dir` (found by `step`).
 * Returns 1 when decided (pyrun_prog, or pyrun_defer), 0 when the step does not count. */
static void pyrun_passthrough(char *reason);
static int pyrun_use_env(const char *dir, const char *step) {
    if (!executable(cat(dir, "/bin/python3", NULL)) && !executable(cat(dir, "/bin/python", NULL))) {
        defer(cat(step, " environment ", dir, " has no working interpreter", NULL));
        return 1;
    }
    /* Before a console script is looked up: a script asks for a version only through a
     * version file, and an environment of another version is not the one it asks for. */
    if (*req->minor && !executable(cat(dir, "/bin/python", req->minor, NULL))) {
        debug(step, " ", dir, " is not Python ", req->minor, NULL);
        return 0;
    }
    if (resolving) {
        resolved_step = step;
        resolved_env = dir;
        return 1;
    }
    if (streq(req->kind, "script")) {
        /* A console script: the environment's own, else the one installed once in
         * pyrun's isolated environments, else the next one on PATH. */
        char *candidate = cat(dir, "/bin/", pyrun_name, NULL);
        if (exec_file(candidate)) {
            pyrun_prog = candidate;
            debug(step, " -> ", pyrun_prog, NULL);
        } else if ((candidate = shared_script())) {
            pyrun_prog = candidate;
            tool_project = dir;
            debug(step, " environment ", dir, " has no ", pyrun_name, NULL);
            debug("shared -> ", pyrun_prog, NULL);
        } else {
            debug(step, " environment ", dir, " has no ", pyrun_name, NULL);
            pyrun_passthrough(cat(step, " environment ", dir, " has no ", pyrun_name, " and no other ",
                                  pyrun_name, " on PATH", NULL));
        }
        return 1;
    }
    for (int i = 0; req->env_names[i]; i++) {
        char *candidate = cat(dir, "/bin/", req->env_names[i], NULL);
        if (executable(candidate)) {
            if (streq(req->kind, "pip") && !streq(step, "isolated")) {
                /* An environment's own pip (not one of pyrun's isolated ones): run under
                 * pyrun's install guard by the runner beside the shared pip
                 * (src/pyrun/pipshare.py), which also makes its console scripts' shims. */
                return pip_from(dir, step, "ownpip", "own pip, guarded",
                                " has its own pip but the guarded runner is missing");
            }
            pyrun_prog = candidate;
            debug(step, " -> ", pyrun_prog, NULL);
            return 1;
        }
    }
    if (streq(req->kind, "pip")) {
        /* An environment without pip (uv makes them): pyrun's shared pip run by the
         * environment's own interpreter installs into that environment. */
        return pip_from(dir, step, "pip", "shared pip", " has no pip and the shared pip is missing");
    }
    char *wanted = cut("", 0);
    for (int i = 0; req->env_names[i]; i++) wanted = cat(wanted, i ? " " : "", req->env_names[i], NULL);
    defer(cat(step, " environment ", dir, " has no ", wanted, NULL));
    return 1;
}

/* A base interpreter found at `python` (by `step`): run its isolated environment.
 * Returns 1 when decided, 0 when this interpreter does not count. With
 * system_site_packages on (PYRUN_SYSTEM_SITE_PACKAGES, else config.toml's, baked in as
 * PYRUN_CONFIG_SITE) the isolated environments are other ones, indexed in by-path-site. */
static int pyrun_use_base(const char *python, const char *step) {
    const char *site = env_or_empty("PYRUN_SYSTEM_SITE_PACKAGES");
    if (!*site) site = PYRUN_CONFIG_SITE;
    char *record = cat(PYRUN_DATA, streq(site, "1") ? "/by-path-site" : "/by-path", python, NULL);
    char *line = is_file(record) ? read_first_line(record) : "";
    if (starts_with(line, "env ")) {
        const char *env = line + 4;
        if (is_file(cat(env, "/.pyrun-complete", NULL)) && same_file(python, cat(env, "/bin/python", NULL)))
            return pyrun_use_env(env, "isolated");
    } else if (starts_with(line, "skip ")) {
        if (same_file(python, line + 5)) {
            debug(step, " ", python, " is not a usable interpreter (recorded)", NULL);
            return 0;
        }
    }
    if (resolving) {
        /* The hooks' question only: the isolated environment answer.py noted this
         * interpreter will get, `<name> <binary>`, while it is still that binary. */
        char *note = read_first_line(cat(PYRUN_DATA "/cache/versions", python, NULL));
        const char *space = find(note, ' ');
        if (space && space > note && same_file(python, space + 1)) {
            char *name = cut(note, (size_t)(space - note));
            const char *dash = find(name, '-'); /* cpython-3.11-<hash> */
            const char *minor = dash ? dash + 1 : "", *end = find(minor, '-');
            if (*req->minor && !streq(cut(minor, end ? (size_t)(end - minor) : strlen(minor)), req->minor)) {
                debug(step, " ", python, " is not Python ", req->minor, " (noted)", NULL);
                return 0;
            }
            resolved_step = "isolated";
            resolved_env = cat(PYRUN_DATA "/envs/", name, NULL);
            return 1;
        }
    }
    defer(cat(step, " interpreter ", python, " has no current record", NULL));
    return 1;
}

/* The absolute path spelled as Python's os.path.abspath spells it (shim.sh says why). */
static char *pyrun_normpath(const char *path) {
    char *out = alloc(strlen(path) + 3), *end = out;
    const char *part = path;
    for (;;) {
        const char *slash = find(part, '/');
        size_t len = slash ? (size_t)(slash - part) : strlen(part);
        if (len == 0 || (len == 1 && part[0] == '.')) {
            /* nothing */
        } else if (len == 2 && part[0] == '.' && part[1] == '.') {
            while (end > out && *--end != '/') {}
        } else {
            *end++ = '/';
            memcpy(end, part, len);
            end += len;
        }
        if (!slash) break;
        part = slash + 1;
    }
    *end = '\0';
    if (streq(path, "//")) return cat("//", NULL);
    if (path[0] == '/' && path[1] == '/' && path[2] && path[2] != '/') return cat("/", out, NULL);
    return *out ? out : cat("/", NULL);
}

/* The most a version file may hold (version_file.MAX_BYTES, shim.sh's pyrun_pin_max):
 * a larger one is skipped, as are one that is no regular file and one someone else
 * controls (pyrun_trusted, the .venv rule): the slow path warns and walks on. The
 * most a .venv redirect file may hold too (redirect.MAX_BYTES). */
#define PIN_MAX_BYTES 4096

/* The environment the `.venv` redirect file `v` (a regular file, not a link) in
 * directory `dir` names, judged (redirect.py, ownership.redirect_reason); NULL with
 * pyrun_defer set for anything but the common case: an untrusted file or target, a
 * text over PIN_MAX_BYTES, empty, or with a byte that is not printable ASCII after
 * one trailing \n or \r\n (a NUL, UTF-8 or a second line: Python reads those), a
 * link or a missing name on the way, or a target without pyvenv.cfg. */
static char *redirect_target(const char *v, const char *dir) {
    if (pyrun_trusted(v) != 1) {
        defer(cat(".venv ", v, " is not trusted", NULL));
        return NULL;
    }
    long fd = os_openat(AT_FDCWD, v, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    char text[PIN_MAX_BYTES + 2];
    long got = 0;
    if (fd >= 0 && os_fstat(fd, &st) == 0 && IS_REG(st.st_mode)) {
        for (;;) {
            long n = os_read(fd, text + got, sizeof text - 1 - (size_t)got);
            if (n == -EINTR) continue;
            if (n <= 0) break;
            got += n;
            if (got > PIN_MAX_BYTES) break;
        }
    } else {
        got = -1;
    }
    if (fd >= 0) os_close(fd);
    if (got > PIN_MAX_BYTES) got = -1;
    if (got > 0 && text[got - 1] == '\n' && --got > 0 && text[got - 1] == '\r') got--;
    int plain = got > 0;
    for (long i = 0; plain && i < got; i++) plain = text[i] >= 0x20 && text[i] < 0x7f;
    if (!plain) {
        defer(cat(".venv redirect file ", v, " needs the slow path to read", NULL));
        return NULL;
    }
    text[got] = '\0';
    char *target = pyrun_normpath(text[0] == '/' ? text : cat(strip_slash(dir), "/", text, NULL));
    int trust = trust_listed(v) ? 1 : trusted_real(target);
    if (trust <= 0) {
        defer(cat(".venv redirect file ", v, trust ? " leads where this shim does not follow" : " points where it is not trusted", NULL));
        return NULL;
    }
    if (!is_file(cat(target, "/pyvenv.cfg", NULL))) {
        defer(cat(".venv redirect file ", v, " names ", target, ", which has no pyvenv.cfg", NULL));
        return NULL;
    }
    return target;
}

static const char *pyenv_root;
static char *pyrun_cwd; /* the physical working directory, or "" when it is gone */
static const char *saved_pwd;


/* The text of pyenv's version file `path` when it is a regular file of at most
 * PIN_MAX_BYTES (pyenv's own files are a line or two), else NULL: a FIFO or a sparse
 * terabyte must not hang `python` (pyenv.py's _read_versions). Opened without blocking
 * and judged by fstat on the opened file; "" when it cannot be read. */
static char *read_pyenv_file(const char *path) {
    struct stat st;
    if (!stat_(path, &st, 0) || !IS_REG(st.st_mode)) return NULL; /* a device is not opened */
    long fd = os_openat(AT_FDCWD, path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return cut("", 0);
    char *buf = NULL;
    if (os_fstat(fd, &st) == 0 && IS_REG(st.st_mode) && st.st_size <= PIN_MAX_BYTES) {
        buf = alloc(PIN_MAX_BYTES + 2);
        long got = 0;
        for (;;) {
            long n = os_read(fd, buf + got, (size_t)(PIN_MAX_BYTES + 1 - got));
            if (n == -EINTR) continue;
            if (n <= 0) break;
            if ((got += n) > PIN_MAX_BYTES) { buf = NULL; break; } /* it grew after fstat */
        }
        if (buf) buf[got] = 0;
    }
    os_close(fd);
    return buf;
}

/* Which interpreter pyenv's shim `name` would run (shim.sh's pyrun_pyenv_choice):
 * 0 with *chosen set, 1 when pyenv runs no python of its own, 2 when only pyenv can tell. */
static int pyrun_pyenv_choice(const char *name, char **chosen) {
    if (*env_or_empty("PYENV_DIR")) return 2;
    char *versions = cat(env_or_empty("PYENV_VERSION"), NULL);
    if (!*versions) {
        /* pyenv's bash starts from PWD when it names this directory, else getcwd. */
        char *file = NULL;
        char *w = pyrun_cwd;
        if (saved_pwd[0] == '/' && same_file(saved_pwd, ".")) w = cat(saved_pwd, NULL);
        while (*w) {
            char *candidate = cat(w, "/.python-version", NULL);
            if (is_file(candidate)) { file = candidate; break; }
            w = cut(w, (size_t)(find_last(w, '/') - w));
            if (!*w) {
                if (is_file("/.python-version")) file = "/.python-version";
                break;
            }
        }
        if (!file) file = cat(pyenv_root, "/version", NULL);
        if (non_empty(file)) {
            /* `while read -r v rest`: the first word of each line, split on blanks */
            const char *s = read_pyenv_file(file);
            if (!s) return 1; /* no regular file, or too large: not followed */
            while (*s) {
                while (*s == ' ' || *s == '\t' || *s == '\n') s++;
                const char *word = s;
                while (*s && *s != ' ' && *s != '\t' && *s != '\n') s++;
                char *v = cut(word, (size_t)(s - word));
                while (*s && *s != '\n') s++;
                if (!*v || v[0] == '#' || streq(v, "..") || find(v, '/')) continue;
                versions = cat(versions, *versions ? ":" : "", v, NULL);
            }
        }
    }
    if (!*versions) return 1;
    const char *rest = cat(versions, ":", NULL);
    while (*rest) {
        const char *colon = find(rest, ':');
        char *v = cut(rest, (size_t)(colon - rest));
        rest = colon + 1;
        if (streq(v, "system")) return 1;
        char *prefix = cat(pyenv_root, "/versions/", v, NULL);
        if (!is_dir(prefix)) return 2;
        char *candidate = cat(prefix, "/bin/", name, NULL);
        if (executable(candidate)) { *chosen = candidate; return 0; }
    }
    return 1;
}

/* The environment PATH interpreter `python` belongs to (discovery.path_environment):
 * the directory above its own, spelled (as CPython finds its pyvenv.cfg), when that
 * holds pyvenv.cfg (a venv) or conda-meta/ without condabin/ (a named conda
 * environment, not conda's base install); NULL for a base interpreter. Two stats. */
static char *path_env(const char *python) {
    const char *slash = find_last(python, '/');
    char *dir = cut(python, slash ? (size_t)(slash - python) : 0);
    const char *s = find_last(dir, '/');
    char *prefix = pyrun_normpath(s && s != dir ? cut(dir, (size_t)(s - dir)) : "/");
    if (is_file(cat(prefix, "/pyvenv.cfg", NULL))) return prefix;
    if (is_dir(cat(prefix, "/conda-meta", NULL)) && !is_dir(cat(prefix, "/condabin", NULL))) return prefix;
    return NULL;
}

/* Candidate `candidate` named `name` in a PATH directory: 1 when decided, 0 when it
 * does not count. An environment's interpreter is that environment, used as it is
 * when the .venv rule trusts it; only a base interpreter runs as its isolated
 * environment. */
static int pyrun_try(char *candidate, const char *name, int in_pyenv) {
    char *chosen = candidate;
    if (in_pyenv) {
        switch (pyrun_pyenv_choice(name, &chosen)) {
        case 1: debug("PATH ", candidate, ": pyenv picks no python of its own here", NULL); return 0;
        case 0: debug("PATH ", candidate, ": pyenv -> ", chosen, NULL); break;
        default: chosen = candidate;
        }
    }
    char *prefix = path_env(chosen);
    if (!prefix) return pyrun_use_base(chosen, "PATH");
    /* Held to the .venv rule: the slow path warns about someone else's and walks on. */
    int trust = pyrun_trusted(prefix);
    if (trust != 1) {
        defer(cat("PATH environment ", prefix, trust ? " is a symlink this shim does not follow" : " is not trusted", NULL));
        return 1;
    }
    return pyrun_use_env(prefix, "PATH");
}

/* conda tells its base environment from a named one the way uv does. */
static int pyrun_conda_is_base(void) {
    char *p = strip_slashes(getenv_("CONDA_PREFIX"));
    if (is_file(cat(p, "/conda-meta/pixi", NULL))) return 0;
    const char *root = getenv_("_CONDA_ROOT");
    if (root && streq(p, strip_slashes(root))) return 1;
    const char *name = getenv_("CONDA_DEFAULT_ENV");
    if (!name) return 0;
    if (streq(p, name) || streq(p, "/")) return 0;
    const char *last = find_last(p, '/');
    if (streq(last ? last + 1 : p, name)) return 0;
    return 1;
}

/* python3.[0-9] or python3.[0-9][0-9] */
static int is_minor_name(const char *s) {
    if (!starts_with(s, "python3.")) return 0;
    const char *d = s + 8;
    if (!(d[0] >= '0' && d[0] <= '9')) return 0;
    if (!d[1]) return 1;
    return d[1] >= '0' && d[1] <= '9' && !d[2];
}

/* Before b in the order the shell's two globs give once each match is prepended:
 * two-digit minors first, each group newest first. */
static int newer(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    return la != lb ? la > lb : strcmp_(a, b) > 0;
}

/* -- PATH directories known to hold no python ----------------------------------------
 *
 * Listing a directory costs several system calls, and PATH holds dozens of directories,
 * almost none with a python in them. A directory whose status-change time is unchanged
 * has the same entries and permissions (ctime moves with every entry added, removed or
 * renamed and with every chmod, and no user can set it back), so one that was listed
 * and held no name starting with "python" is remembered by device, inode and ctime in
 * $data/cache/pathdirs; the next walk passes it on the one stat it makes anyway. A
 * directory changed less than two seconds before it was listed is not remembered:
 * ctime ticks coarsely, and a python added in the same tick would go unseen. The file
 * is only a shortcut: a missing, unreadable or garbled one means listing again, and
 * the shell shim, which lists every time, gives the same answers. */
#define KNOWN_MAX 256
struct known_dir {
    unsigned long long dev, ino, sec, nsec;
};
static struct known_dir known[KNOWN_MAX];
static size_t known_count;
static int known_loaded, known_changed;
#define KNOWN_FILE PYRUN_DATA "/cache/pathdirs"

static const char *number(const char *s, unsigned long long *out) {
    *out = 0;
    if (*s < '0' || *s > '9') return NULL;
    while (*s >= '0' && *s <= '9') *out = *out * 10 + (unsigned long long)(*s++ - '0');
    return s;
}

static void load_known(void) {
    known_loaded = 1;
    const char *s = read_all(KNOWN_FILE);
    while (*s && known_count < KNOWN_MAX) {
        struct known_dir k;
        const char *t = number(s, &k.dev);
        if (t && *t == ' ') t = number(t + 1, &k.ino);
        if (t && *t == ' ') t = number(t + 1, &k.sec);
        if (t && *t == ' ') t = number(t + 1, &k.nsec);
        if (!t || *t != '\n') return; /* garbled: trust none of the rest */
        known[known_count++] = k;
        s = t + 1;
    }
}

static int is_known(const struct stat *st) {
    if (!known_loaded) load_known();
    for (size_t i = 0; i < known_count; i++)
        if (known[i].ino == st->st_ino && known[i].dev == st->st_dev &&
            known[i].sec == (unsigned long long)OS_CTIME_SEC(st) &&
            known[i].nsec == (unsigned long long)OS_CTIME_NSEC(st))
            return 1;
    return 0;
}

static void remember(const struct stat *st) {
    struct { long long sec, nsec; } now;
    if (os_now(&now.sec, &now.nsec) != 0) return;
    long long age_ns = (now.sec - (long long)OS_CTIME_SEC(st)) * 1000000000LL +
                       (now.nsec - (long long)OS_CTIME_NSEC(st));
    if (age_ns < 2000000000LL) return;
    if (known_count == KNOWN_MAX) { /* the oldest goes */
        for (size_t i = 1; i < KNOWN_MAX; i++) known[i - 1] = known[i];
        known_count--;
    }
    struct known_dir k = {st->st_dev, st->st_ino, (unsigned long long)OS_CTIME_SEC(st),
                          (unsigned long long)OS_CTIME_NSEC(st)};
    known[known_count++] = k;
    known_changed = 1;
}

/* Written whole to a temporary file and renamed over the old one; any failure (a
 * read-only data directory) leaves the old one. */
static void save_known(void) {
    if (!known_changed) return;
    char *text = cut("", 0);
    for (size_t i = 0; i < known_count; i++)
        text = cat(text, decimal((long)known[i].dev), " ", decimal((long)known[i].ino), " ",
                   decimal((long)known[i].sec), " ", decimal((long)known[i].nsec), "\n", NULL);
    os_mkdir(PYRUN_DATA "/cache", 0755);
    char *tmp = cat(KNOWN_FILE ".", decimal(os_getpid()), ".tmp", NULL);
    long fd = os_openat(AT_FDCWD, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return;
    size_t len = strlen(text), done = 0;
    while (done < len) {
        long n = os_write((int)fd, text + done, len - done);
        if (n == -EINTR) continue;
        if (n <= 0) break;
        done += (size_t)n;
    }
    os_fchmod(fd, 0644);
    os_close(fd);
    if (done != len || os_rename(tmp, KNOWN_FILE) != 0) os_unlink(tmp);
}

/* List directory `dir`: its python3.X names, newest first, into found (their count in
 * *count). Returns -1 when it cannot be listed, else how many names start with
 * "python". */
static long list_pythons(const char *dir, char **found, size_t room, size_t *count) {
    *count = 0;
    struct os_dir d;
    if (!os_dir_open(&d, *dir ? dir : "/")) return -1;
    long pythons = 0;
    for (const char *entry; (entry = os_dir_next(&d));) {
        if (!starts_with(entry, "python")) continue;
        pythons++;
        if (is_minor_name(entry) && *count < room) {
            char *name = cut(entry, strlen(entry));
            size_t i = (*count)++;
            for (; i > 0 && newer(name, found[i - 1]); i--) found[i] = found[i - 1];
            found[i] = name;
        }
    }
    return os_dir_close(&d) < 0 ? -1 : pythons;
}

/* -- 5. Pythons uv or pyenv installed, not on PATH (src/pyrun/installed.py) ------------- */

/* `0` or 1-99 without a leading zero, as installed.py's _NUMBER: past it, or NULL. */
static const char *release_number(const char *s, long *value) {
    if (*s == '0') { *value = 0; return s + 1; }
    if (*s < '1' || *s > '9') return NULL;
    *value = *s++ - '0';
    if (*s >= '0' && *s <= '9') *value = *value * 10 + (*s++ - '0');
    return s;
}

/* The newest release of the version asked for (of any 3.X) in `dir`, uv's
 * `cpython-3.X.Y-<platform>` names (`uv`) or pyenv's `3.X.Y`, as
 * `<dir>/<name>/bin/python3.X`; of one release, the name first in bytes. NULL: none. */
static char *newest_installed(const char *dir, int uv) {
    struct os_dir d;
    if (!os_dir_open(&d, dir)) return NULL;
    char *best = NULL, *best_y = NULL;
    long by = -1, bp = -1;
    for (const char *name; (name = os_dir_next(&d));) {
        const char *prefix = uv ? "cpython-3." : "3.";
        if (!starts_with(name, prefix)) continue;
        const char *y = name + strlen(prefix), *e;
        long vy, vp;
        if (!(e = release_number(y, &vy)) || *e != '.') continue;
        char *ys = cut(y, (size_t)(e - y));
        if (!(e = release_number(e + 1, &vp))) continue;
        if (uv ? *e != '-' || find(e, '+') : *e != 0) continue;
        if (*req->minor && !streq(req->minor + 2, ys)) continue;
        if (vy < by || (vy == by && (vp < bp || (vp == bp && strcmp_(name, best) >= 0)))) continue;
        best = cut(name, strlen(name)), best_y = ys, by = vy, bp = vp;
    }
    os_dir_close(&d);
    return best ? cat(dir, "/", best, "/bin/python3.", best_y, NULL) : NULL;
}

/* uv's directory (UV_PYTHON_INSTALL_DIR, else $XDG_DATA_HOME/uv/python, else
 * ~/.local/share/uv/python), then pyenv's versions/: 1 when decided. */
static int pyrun_installed(void) {
    const char *chosen = env_or_empty("UV_PYTHON_INSTALL_DIR"), *data = env_or_empty("XDG_DATA_HOME");
    const char *home = env_or_empty("HOME"), *uv = NULL;
    if (*chosen) uv = chosen[0] == '/' ? chosen : NULL;
    else if (data[0] == '/') uv = cat(data, "/uv/python", NULL);
    else if (home[0] == '/') uv = cat(home, "/.local/share/uv/python", NULL);
    const char *versions = cat(pyenv_root, "/versions", NULL);
    const char *dirs[2] = {uv, versions[0] == '/' ? versions : NULL};
    for (int i = 0; i < 2; i++) {
        char *candidate = dirs[i] ? newest_installed(dirs[i], i == 0) : NULL;
        if (!candidate) continue;
        if (!exec_file(candidate)) {
            debug("installed ", candidate, " does not run", NULL);
            continue;
        }
        if (pyrun_use_base(candidate, "installed")) return 1;
    }
    return 0;
}

/* -- 0. a version file ------------------------------------------------------------------
 *
 * The version a .python-version file asks for, read as src/pyrun/version_file.py reads
 * it (uv's reading): the nearest .python-version, else .python-versions, from the
 * physical cwd up, else the same in uv's user config directory; the first line that is,
 * trimmed of white space, 3, 3.Y or 3.Y.Z (comment and blank lines skipped) asks for
 * 3.Y, Y without its leading zeros. Then this shim asks for it as python3.Y does: the
 * minor and the PATH names change, the programs run inside an environment do not. */

/* The longest Y a file name python3.Y can hold (NAME_MAX 255): a longer one is a
 * version no interpreter has, and the slow path says so (the shell, with no limit on a
 * string, looks for it everywhere first). */
#define PIN_Y_MAX 247

/* One line, matched a byte at a time against [ws]3[.Y[.Z]][ws] (Y and Z one or more
 * digits; ws the ASCII white space uv trims), so no line has to fit in a buffer:
 * 3.11.000...0 is a request however long it is. Comment and blank lines never match,
 * so they need no test of their own. */
enum { PIN_NO, PIN_START, PIN_3, PIN_DOT, PIN_Y, PIN_Y_DOT, PIN_Z, PIN_END };
struct pin_line {
    int state;
    int has_y;    /* 3.Y..., not 3 */
    int y_len;    /* the digits of Y after its leading zeros, in y */
    int y_long;   /* more of them than PIN_Y_MAX */
    char y[PIN_Y_MAX];
};

static void pin_byte(struct pin_line *l, char c) {
    int digit = c >= '0' && c <= '9';
    int space = c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
    switch (l->state) {
    case PIN_START: l->state = space ? PIN_START : c == '3' ? PIN_3 : PIN_NO; break;
    case PIN_3: l->state = c == '.' ? PIN_DOT : space ? PIN_END : PIN_NO; break;
    case PIN_DOT:
    case PIN_Y:
        if (digit) {
            l->state = PIN_Y;
            l->has_y = 1;
            if (c == '0' && !l->y_len) break; /* uv reads 3.012 as 3.12 */
            if (l->y_len < PIN_Y_MAX) l->y[l->y_len++] = c;
            else l->y_long = 1;
        } else if (l->state == PIN_Y) {
            l->state = c == '.' ? PIN_Y_DOT : space ? PIN_END : PIN_NO;
        } else {
            l->state = PIN_NO;
        }
        break;
    case PIN_Y_DOT: l->state = digit ? PIN_Z : PIN_NO; break;
    case PIN_Z: l->state = digit ? PIN_Z : space ? PIN_END : PIN_NO; break;
    case PIN_END: l->state = space ? PIN_END : PIN_NO; break;
    default: break;
    }
}

static int pin_match(const struct pin_line *l) {
    return l->state == PIN_3 || l->state == PIN_Y || l->state == PIN_Z || l->state == PIN_END;
}

/* The request in version file `path`: 1 with `minor` set ("" for any Python 3, else
 * "3.Y"), 0 when no line is one or the file cannot be read, -1 when Y is longer than
 * PIN_Y_MAX, -2 when it is no regular file or over PIN_MAX_BYTES, -3 when it is not
 * trusted, -4 when it is a symlink this copy does not follow (trusted_link). Opened
 * without blocking (a FIFO swapped in is refused by fstat, not waited on); read a buffer at a time, up to the first line that is a request. */
static int pin_read(const char *path, char *minor) {
    struct stat st;
    if (!stat_(path, &st, 0) || !IS_REG(st.st_mode)) return -2; /* a device is not opened */
    int trust = pyrun_trusted(path);
    if (trust <= 0) return trust < 0 ? -4 : -3;
    long fd = os_openat(AT_FDCWD, path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return 0;
    if (os_fstat(fd, &st) != 0 || !IS_REG(st.st_mode) || st.st_size > PIN_MAX_BYTES) {
        os_close(fd);
        return -2;
    }
    char buf[PIN_MAX_BYTES + 1];
    long total = 0;
    struct pin_line l;
    l.state = PIN_START, l.has_y = l.y_len = l.y_long = 0;
    int found = 0;
    for (;;) {
        long n = os_read(fd, buf, sizeof buf);
        if (n == -EINTR) continue;
        if (n < 0) goto done; /* unreadable: asks for nothing */
        if (n == 0) break;
        if ((total += n) > PIN_MAX_BYTES) { /* it grew after fstat */
            os_close(fd);
            return -2;
        }
        for (long i = 0; i < n; i++) {
            if (buf[i] != '\n') {
                pin_byte(&l, buf[i]);
                continue;
            }
            if ((found = pin_match(&l))) goto done;
            l.state = PIN_START, l.has_y = l.y_len = l.y_long = 0;
        }
    }
    found = pin_match(&l); /* the last line, when the file does not end with \n */
done:
    os_close(fd);
    if (!found) return 0;
    if (l.y_long) return -1;
    minor[0] = '\0';
    if (l.has_y) {
        minor[0] = '3', minor[1] = '.';
        if (!l.y_len) l.y[l.y_len++] = '0'; /* 3.00 is 3.0 */
        memcpy(minor + 2, l.y, (size_t)l.y_len);
        minor[2 + l.y_len] = '\0';
    }
    return 1;
}

/* The version file in directory `dir` ("" for /), or NULL: `test -e` (pin_read then
 * tells a FIFO, device or directory of that name, and the slow path warns). */
static char *pin_file_in(const char *dir) {
    struct stat st;
    char *file = cat(dir, "/.python-version", NULL);
    if (stat_(file, &st, 0)) return file;
    file = cat(file, "s", NULL);
    return stat_(file, &st, 0) ? file : NULL;
}

static struct shim_name pinned_req;
static char pinned_minor[PIN_Y_MAX + 3];

/* pin_file_in for the directory open as `fd` whose path is `dir`: the same test, but
 * relative to the directory, so a walk up from a deep cwd does not resolve every
 * ancestor's full path again at each level (that made the walk quadratic in depth). */
static char *pin_file_at(long fd, const char *dir) {
    static const char *const names[] = {".python-version", ".python-versions"};
    for (int i = 0; i < 2; i++) {
        struct stat st;
        if (os_fstatat(fd, names[i], &st, 0) == 0)
            return cat(dir, "/", names[i], NULL);
    }
    return NULL;
}

static void pyrun_read_pin(void) {
    char *file = NULL;
    char *w = pyrun_cwd;
    /* The cwd by its path, then each parent as `..` of the one below: the physical cwd
     * has no symlinks, so that is the parent its path names. Opening the cwd checked
     * every ancestor's search permission, as the path-based test would. */
    long fd = *w ? os_openat(AT_FDCWD, w, OS_O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
    while (*w) {
        const char *dir = streq(w, "/") ? "" : w;
        file = fd >= 0 ? pin_file_at(fd, dir) : pin_file_in(dir);
        if (file || streq(w, "/")) break;
        long up = fd >= 0 ? os_openat(fd, "..", OS_O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
        if (fd >= 0) os_close(fd);
        fd = up;
        w = cut(w, (size_t)(find_last(w, '/') - w));
        if (!*w) w = "/";
    }
    if (fd >= 0) os_close(fd);
    if (!file) {
        const char *xdg = env_or_empty("XDG_CONFIG_HOME"), *home = env_or_empty("HOME");
        if (xdg[0] == '/') file = pin_file_in(cat(xdg, "/uv", NULL));
        else if (home[0] == '/') file = pin_file_in(cat(home, "/.config/uv", NULL));
        if (!file) return;
    }
    switch (pin_read(file, pinned_minor)) {
    case 0: return;
    case -2:
        defer(cat("version file ", file, " is no regular file of at most 4096 bytes", NULL));
        return;
    case -3:
        defer(cat("version file ", file, " is not trusted", NULL));
        return;
    case -4:
        defer(cat("version file ", file, " is a symlink this shim does not follow", NULL));
        return;
    case -1:
        /* No file can be named python3.Y: nothing here satisfies it, as the slow path says. */
        debug(file, " asks for a Python 3 minor version longer than any interpreter's name", NULL);
        defer("no interpreter found");
        return;
    default: break;
    }
    if (!*pinned_minor) {
        debug(file, " asks for any Python 3", NULL);
        return;
    }
    pinned_req = *req;
    pinned_req.minor = pinned_minor;
    pinned_req.path_names[0] = cat("python", pinned_minor, NULL);
    pinned_req.path_names[1] = "python3";
    pinned_req.path_names[2] = "python";
    pinned_req.path_names[3] = NULL;
    req = &pinned_req;
    debug(file, " asks for Python ", pinned_minor, NULL);
}

/* An activated environment (`step`) of another version than the version file asks
 * for: it runs, with one line on stderr, which the slow path prints (and the hooks
 * show), so this copy hands it over: 1. Otherwise 0, and the step goes on. */
static int activation_beats_pin(const char *prefix, const char *step) {
    if (req != &pinned_req || executable(cat(prefix, "/bin/python", req->minor, NULL))) return 0;
    defer(cat(step, " ", prefix, " is not Python ", req->minor, ", which the version file asks for", NULL));
    return 1;
}

static void pyrun_decide(void) {
    /* Whoever can write to the data or shims directory, or rename a directory above
     * the data directory, chooses what every shim runs; whoever can go into the data
     * directory, whatever inside it is writable to them. The slow path refuses with the
     * fix (or closes the data directory: paths.Paths.unsafe). (shim.sh has no builtin
     * for mode bits and leaves this to the slow path, the hook and rehash, which check
     * them before any record is written.) */
    if (!safe_data_dir() || !safe_dir(PYRUN_SHIMS, 0) || !safe_above(PYRUN_DATA_REAL)) {
        defer("the data directory is open to others, or it, a directory above it or the "
              "shims directory is writable by them");
        return;
    }
    /* The physical working directory, for the version file and the .venv walk; NULL
     * (too long) defers only where it is needed. */
    char *dir = physical_cwd();
    if (dir && !*dir) debug("the working directory is gone: no .venv or version file in it", NULL);
    pyrun_cwd = dir;
    /* 0. A version file gives an unversioned name its version. A bad switch is the
     * slow path's error for every name, as the resolver reads it for every name. */
    const char *pin = env_or_empty("PYRUN_PYTHON_VERSION_FILES");
    if (!*pin) pin = PYRUN_CONFIG_PIN;
    if (!streq(pin, "1") && !streq(pin, "0")) {
        defer("PYRUN_PYTHON_VERSION_FILES is neither 0 nor 1");
        return;
    }
    if (!*req->minor && streq(pin, "1")) {
        if (!dir) {
            defer("the working directory is longer than getcwd(2) reports");
            return;
        }
        pyrun_read_pin();
        if (pyrun_defer) return;
    }
    /* 1. VIRTUAL_ENV */
    const char *venv = env_or_empty("VIRTUAL_ENV");
    if (*venv) {
        if (venv[0] != '/') { defer("VIRTUAL_ENV is a relative path"); return; }
        char *prefix = pyrun_normpath(venv);
        /* Only a virtual environment: VIRTUAL_ENV=/usr must not run the system Python. */
        if (!is_file(cat(prefix, "/pyvenv.cfg", NULL))) {
            defer(cat("VIRTUAL_ENV ", prefix, " is not a virtual environment (no pyvenv.cfg)", NULL));
            return;
        }
        if (activation_beats_pin(prefix, "VIRTUAL_ENV") || pyrun_use_env(prefix, "VIRTUAL_ENV")) return;
    }
    /* 2. CONDA_PREFIX, a named environment */
    char *conda_base = NULL;
    const char *conda = env_or_empty("CONDA_PREFIX");
    if (*conda) {
        if (conda[0] != '/') { defer("CONDA_PREFIX is a relative path"); return; }
        char *prefix = pyrun_normpath(conda);
        /* Only a conda environment: CONDA_PREFIX=/usr must not be pip's target. */
        if (!is_dir(cat(prefix, "/conda-meta", NULL))) {
            defer(cat("CONDA_PREFIX ", prefix, " is not a conda environment (no conda-meta)", NULL));
            return;
        }
        if (pyrun_conda_is_base()) conda_base = prefix;
        else if (activation_beats_pin(prefix, "CONDA_PREFIX") || pyrun_use_env(prefix, "CONDA_PREFIX"))
            return;
    }
    /* 3. .venv: walk up from the physical working directory */
    if (!dir) {
        /* The shell learns such a directory the slow way; so does the slow path. */
        defer("the working directory is longer than getcwd(2) reports");
        return;
    }
    while (*dir) {
        if (is_file(cat(dir, "/pyvenv.cfg", NULL))) {
            if (pyrun_trusted(dir) != 1) { /* a real path: no link to follow */
                defer(cat(".venv ", dir, " is not trusted", NULL));
                return;
            }
            if (pyrun_use_env(dir, ".venv")) return;
            break;
        }
        char *v = cat(strip_slash(dir), "/.venv", NULL);
        struct stat vst; /* `[ -d v ] || [ -L v ]` in one lstat: a link counts either way */
        int found = stat_(v, &vst, AT_SYMLINK_NOFOLLOW);
        if (found && IS_REG(vst.st_mode)) { /* a redirect file */
            char *env = redirect_target(v, dir);
            if (!env) return;
            if (pyrun_use_env(env, ".venv")) return;
            break;
        }
        if (found && IS_LNK(vst.st_mode) && is_file(v)) { /* a link to a redirect file */
            defer(cat(".venv ", v, " is a symlink to a redirect file", NULL));
            return;
        }
        if (found && (IS_DIR(vst.st_mode) || IS_LNK(vst.st_mode))) {
            struct stat target;
            int trust = stat_(v, &target, 0) ? pyrun_trusted(v) : 1;
            if (trust <= 0) {
                defer(cat(".venv ", v, trust ? " is a symlink this shim does not follow" : " is not trusted", NULL));
                return;
            }
            if (!is_file(cat(v, "/pyvenv.cfg", NULL))) {
                defer(cat(".venv ", v, " has no pyvenv.cfg", NULL));
                return;
            }
            if (pyrun_use_env(v, ".venv")) return;
            break;
        }
        if (streq(dir, "/")) break;
        dir = cut(dir, (size_t)(find_last(dir, '/') - dir));
        if (!*dir) dir = "/";
    }
    /* 3b. conda base: a base interpreter */
    if (conda_base) {
        char *p3 = cat(conda_base, "/bin/python3", NULL), *p = cat(conda_base, "/bin/python", NULL);
        if (executable(p3)) {
            if (pyrun_use_base(p3, "conda base")) return;
        } else if (executable(p)) {
            if (pyrun_use_base(p, "conda base")) return;
        } else {
            defer(cat("conda base ", conda_base, " has no interpreter", NULL));
            return;
        }
    }
    /* 4. PATH, skipping this shims directory and relative entries */
    const char *root = getenv_("PYENV_ROOT");
    pyenv_root = root && *root ? root : cat(env_or_empty("HOME"), "/.pyenv", NULL);
    struct stat shims_st, pyenv_st, dir_st;
    int have_shims = stat_(PYRUN_SHIMS, &shims_st, 0);
    /* Without pyenv, no PATH entry needs comparing with its shims directory. */
    int have_pyenv = stat_(cat(pyenv_root, "/shims", NULL), &pyenv_st, 0) && IS_DIR(pyenv_st.st_mode);
    const char *rest = cat(env_or_empty("PATH"), ":", NULL);
    while (*rest) {
        const char *colon = find(rest, ':');
        char *d = cut(rest, (size_t)(colon - rest));
        rest = colon + 1;
        if (d[0] != '/') continue;
        if (!stat_(d, &dir_st, 0) || is_known(&dir_st)) continue;
        if (have_shims && dir_st.st_dev == shims_st.st_dev && dir_st.st_ino == shims_st.st_ino)
            continue;
        int in_pyenv = have_pyenv && dir_st.st_dev == pyenv_st.st_dev && dir_st.st_ino == pyenv_st.st_ino;
        char *base = strip_slash(d);
        char *found[110];
        size_t count;
        long pythons = list_pythons(base, found, 110, &count);
        if (pythons == 0) {
            remember(&dir_st);
            continue;
        }
        for (int i = 0; req->path_names[i]; i++) {
            char *candidate = cat(base, "/", req->path_names[i], NULL);
            if (exec_file(candidate) && pyrun_try(candidate, req->path_names[i], in_pyenv)) return;
        }
        /* An unversioned request then takes the directory's python3.X, newest first,
         * as uv does (a directory holding only python3.12). */
        if (*req->minor) continue;
        for (size_t i = 0; i < count; i++) {
            char *candidate = cat(base, "/", found[i], NULL);
            if (exec_file(candidate) && pyrun_try(candidate, found[i], in_pyenv)) return;
        }
    }
    /* 5. Pythons uv or pyenv installed where PATH does not reach */
    if (pyrun_installed()) return;
    defer("no interpreter found");
}

/* -- the answer for the hooks (pyrun-resolve) ------------------------------------------
 *
 * What the prompt shows, computed as src/pyrun/label.py computes it: the label of an
 * environment is its pyvenv.cfg's `prompt =` (read as UTF-8, split into lines and
 * stripped as Python's str.splitlines and str.strip do, surrounding matching quotes
 * removed), else its directory's name (the parent's for a `.venv`); control characters
 * (C0, DEL, C1) are removed. A pyvenv.cfg that is not valid UTF-8 is the slow path's
 * (Python shows U+FFFD there). shell/README.md is the format's contract. */

/* The code point at s (valid UTF-8, checked by utf8_valid), its length in *len. */
static unsigned utf8_at(const unsigned char *s, size_t *len) {
    if (s[0] < 0x80) { *len = 1; return s[0]; }
    if (s[0] < 0xe0) { *len = 2; return (unsigned)(s[0] & 0x1f) << 6 | (s[1] & 0x3f); }
    if (s[0] < 0xf0) {
        *len = 3;
        return (unsigned)(s[0] & 0x0f) << 12 | (unsigned)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
    }
    *len = 4;
    return (unsigned)(s[0] & 0x07) << 18 | (unsigned)(s[1] & 0x3f) << 12 | (unsigned)(s[2] & 0x3f) << 6 |
           (s[3] & 0x3f);
}

/* Whether s[0..n) is UTF-8 as Python's strict decoder accepts it. */
static int utf8_valid(const unsigned char *s, size_t n) {
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        size_t len = c < 0x80 ? 1 : c >= 0xc2 && c < 0xe0 ? 2 : c >= 0xe0 && c < 0xf0 ? 3 : c >= 0xf0 && c < 0xf5 ? 4 : 0;
        if (!len || i + len > n) return 0;
        for (size_t k = 1; k < len; k++)
            if ((s[i + k] & 0xc0) != 0x80) return 0;
        if (len == 3 && ((c == 0xe0 && s[i + 1] < 0xa0) || (c == 0xed && s[i + 1] >= 0xa0))) return 0;
        if (len == 4 && ((c == 0xf0 && s[i + 1] < 0x90) || (c == 0xf4 && s[i + 1] >= 0x90))) return 0;
        i += len;
    }
    return 1;
}

/* str.splitlines()'s line boundaries */
static int py_line_break(unsigned c) {
    return c == '\n' || c == '\r' || c == 0x0b || c == 0x0c || (c >= 0x1c && c <= 0x1e) || c == 0x85 ||
           c == 0x2028 || c == 0x2029;
}
/* str.isspace(), which str.strip() removes */
static int py_space(unsigned c) {
    return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20) || c == 0x85 || c == 0xa0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f ||
           c == 0x3000;
}

/* [*a, *b) with str.strip()'s white space removed from both ends. */
static void py_strip(const unsigned char **a, const unsigned char **b) {
    size_t len;
    while (*a < *b && py_space(utf8_at(*a, &len))) *a += len;
    while (*a < *b) {
        const unsigned char *last = *b - 1;
        while (last > *a && (*last & 0xc0) == 0x80) last--;
        if (!py_space(utf8_at(last, &len))) break;
        *b = last;
    }
}

/* label.inert: the bytes of s[0..n) without C0, DEL and C1 (UTF-8 \302\200-\237), as a
 * new string. Bytes that are not UTF-8 (a directory's name) pass, as Python keeps them. */
static char *inert(const char *s, size_t n) {
    char *out = alloc(n + 1), *o = out;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f) continue;
        if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 && (unsigned char)s[i + 1] <= 0x9f) {
            i++;
            continue;
        }
        *o++ = (char)c;
    }
    *o = '\0';
    return out;
}

#define MAX_CFG_BYTES 65536
/* label.cfg_prompt: 1 with *prompt set (NULL: none), 0 when only Python can tell. */
static int cfg_prompt(const char *env, char **prompt) {
    *prompt = NULL;
    long fd = os_openat(AT_FDCWD, cat(env, "/pyvenv.cfg", NULL), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return 1; /* unreadable: no prompt, as Python's OSError */
    struct stat st;
    int ok = os_fstat(fd, &st) == 0 && IS_REG(st.st_mode);
    if (!ok || st.st_size > MAX_CFG_BYTES) {
        os_close(fd);
        return 1; /* too big or no regular file (a FIFO): none, as label.py says */
    }
    unsigned char *buf = (unsigned char *)alloc(MAX_CFG_BYTES + 1);
    size_t got = 0;
    for (;;) {
        long n = os_read(fd, buf + got, MAX_CFG_BYTES + 1 - got);
        if (n == -EINTR) continue;
        if (n < 0) { os_close(fd); return 1; }
        if (n == 0 || (got += (size_t)n) > MAX_CFG_BYTES) break;
    }
    os_close(fd);
    if (got > MAX_CFG_BYTES) return 1; /* it grew past the limit while read */
    if (!utf8_valid(buf, got)) return 0;
    const unsigned char *line = buf, *end = buf + got;
    while (line < end) {
        const unsigned char *p = line, *eq = NULL;
        size_t len = 1;
        while (p < end) {
            unsigned c = utf8_at(p, &len);
            if (py_line_break(c)) break;
            if (c == '=' && !eq) eq = p;
            p += len;
        }
        const unsigned char *next = p < end ? p + len : end;
        if (eq) {
            const unsigned char *ka = line, *kb = eq, *va = eq + 1, *vb = p;
            py_strip(&ka, &kb);
            if (kb - ka == 6 && memcmp_(ka, "prompt", 6) == 0) {
                py_strip(&va, &vb);
                if (vb - va >= 2 && (*va == '\'' || *va == '"') && vb[-1] == *va) va++, vb--;
                if (vb > va) *prompt = inert((const char *)va, (size_t)(vb - va));
                return 1;
            }
        }
        line = next;
    }
    return 1;
}

/* label.for_environment for the environment the walk settled on; NULL: Python's. */
static char *answer_label(void) {
    const char *env = resolved_env, *slash = find_last(env, '/');
    const char *name = slash ? slash + 1 : env;
    if (streq(resolved_step, "isolated")) { /* named cpython-3.X-<hash> */
        const char *dash = find(name, '-');
        if (!dash) return "pyrun";
        const char *minor = dash + 1, *end = find(minor, '-');
        return cat("pyrun ", inert(minor, end ? (size_t)(end - minor) : strlen(minor)), NULL);
    }
    if (!streq(resolved_step, "CONDA_PREFIX")) {
        char *prompt;
        if (!cfg_prompt(env, &prompt)) return NULL;
        if (prompt) return prompt;
        if (streq(name, ".venv")) { /* the directory holding it */
            const char *parent = cut(env, slash ? (size_t)(slash - env) : 0);
            const char *up = find_last(parent, '/');
            name = up ? up + 1 : parent;
        }
    }
    return *name ? inert(name, strlen(name)) : "/";
}

/* The hooks' lines: kind, label, the shims generation marker; 0 when Python must say. */
static int print_answer(void) {
    char *name = answer_label();
    if (!name) return 0;
    const char *kind = streq(resolved_step, "isolated") ? "isolated" : resolved_step;
    char *token = read_first_line(PYRUN_SHIMS "/.pyrun-generation");
    for (const char *t = token; *t; t++)
        if (!((*t >= '0' && *t <= '9') || (*t >= 'a' && *t <= 'z') || (*t >= 'A' && *t <= 'Z'))) token = "";
    char *marker = *token ? cat(PYRUN_SHIMS "/.pyrun-generation.", token, NULL) : "";
    put(1, cat("kind=", kind, "\nlabel=", name, "\nshims=", inert(marker, strlen(marker)), "\n", NULL));
    return 1;
}

/* PYRUN_DISABLE=1, or a console script the environment lacks: a transparent pass-through
 * to the next program of this name on PATH; when there is none, the slow path says so. */
static void pyrun_passthrough(char *reason) {
    const char *rest = cat(env_or_empty("PATH"), ":", NULL);
    while (*rest) {
        const char *colon = find(rest, ':');
        char *d = cut(rest, (size_t)(colon - rest));
        rest = colon + 1;
        if (!*d) d = ".";
        if (same_file(d, PYRUN_SHIMS)) continue;
        char *candidate = cat(strip_slash(d), "/", pyrun_name, NULL);
        if (exec_file(candidate)) {
            pyrun_prog = candidate;
            debug("passthrough -> ", pyrun_prog, NULL);
            return;
        }
    }
    defer(reason);
}

/* A console script shim (shims.py: any name `pyrun rehash` linked to this binary that
 * is not in SHIM_NAMES): the file the kernel ran is a link in the shims directory, and
 * its name is the script's. Script names change with every pip install, so they are
 * not compiled in; the binary run from anywhere else (its build test) is no shim. */
static struct shim_name script_shim = {NULL, "script", "", {NULL, NULL}, {"python", "python3", NULL}};
static const struct shim_name *script_request(const char *path) {
    if (!path || !*path) return NULL;
    const char *slash = find_last(path, '/');
    const char *name = slash ? slash + 1 : path;
    if (!*name || *name == '.') return NULL;
    /* shims/pyrun is rehash's link to pyrun's own command, never to this binary: a
     * caller that names it here is confused, not asking for a script called pyrun. */
    if (streq(name, "pyrun")) return NULL;
    char *dir = slash ? (slash == path ? cut("/", 1) : cut(path, (size_t)(slash - path))) : cut(".", 1);
    if (!same_file(dir, PYRUN_SHIMS)) return NULL;
    script_shim.name = cut(name, strlen(name));
    script_shim.env_names[0] = script_shim.name;
    return &script_shim;
}

/* Whether the name typed is the resolver's (shims.RESOLVER). */
static int is_resolver(const char *path) {
    if (!path) return 0;
    const char *slash = find_last(path, '/');
    return streq(slash ? slash + 1 : path, "pyrun-resolve");
}

static const struct shim_name *lookup(const char *path) {
    if (!path) return NULL;
    const char *slash = find_last(path, '/');
    const char *name = slash ? slash + 1 : path;
    for (size_t i = 0; i < sizeof SHIM_NAMES / sizeof SHIM_NAMES[0]; i++)
        if (streq(SHIM_NAMES[i].name, name)) return &SHIM_NAMES[i];
    return NULL;
}

/* Whether CPython's options in argv ask for -S, read as its getopt reads them: words up
 * to the first non-option; a word is a group of letters (-EsSc CODE); c and m end the
 * options, their argument the rest of the group or the next word; W and X take the rest
 * of the group or the next word; --check-hash-based-pycs takes the next word, other
 * --long options none; `-` alone or `--` end them. src/pyrun/nosite.py says why. */
static int asks_no_site(long argc, char **argv) {
    for (long i = 1; i < argc; i++) {
        const char *w = argv[i];
        if (w[0] != '-' || !w[1] || streq(w, "--")) return 0;
        if (w[1] == '-') {
            if (streq(w, "--check-hash-based-pycs")) i++;
            continue;
        }
        for (const char *p = w + 1; *p; p++) {
            if (*p == 'S') return 1;
            if (*p == 'c' || *p == 'm') return 0;
            if (*p == 'W' || *p == 'X') {
                if (!p[1]) i++;
                break;
            }
        }
    }
    return 0;
}

static __attribute__((noreturn)) void shim_main(long argc, char **argv, char **envp) {
    environ_ = envp;
    char **e;
    /* The name typed (argv[0]); when a caller set argv[0] to something else, the file
     * the kernel ran. */
    req = lookup(argc > 0 ? argv[0] : NULL);
    if (!req) req = lookup(os_exec_path());
    if (!req && is_resolver(argc > 0 ? argv[0] : NULL)) {
        resolving = 1;
        req = lookup("python"); /* rehash always makes python */
    }
    if (!req) req = script_request(os_exec_path());
    if (!req) {
        put(2, cat("pyrun: cannot tell which shim ", argc > 0 ? argv[0] : "",
                   " is (not a name pyrun shims); run it by its name in " PYRUN_SHIMS
                   " (python, python3, pip, ...)\n", NULL));
        quit(127);
    }
    pyrun_name = resolving ? "pyrun-resolve" : req->name;
    debugging = *env_or_empty("PYRUN_DEBUG") != '\0';
    saved_pwd = env_or_empty("PWD");

    char *pid = decimal(os_getpid());
    if (streq(env_or_empty("PYRUN_SHIM_PID"), pid)) {
        /* exec keeps the process id: a shim that reaches a shim without a process in
         * between (a second copy of the shims on PATH) lands here instead of looping. */
        defer("re-entered from another shim");
    } else if (resolving) {
        pyrun_decide(); /* what `python` would run, PYRUN_DISABLE or not, as `which` says */
        if (!pyrun_defer && !resolved_step) defer("the walk ended without an environment");
        if (!pyrun_defer && print_answer()) {
            save_known();
            quit(0);
        }
        if (!pyrun_defer) defer("the label needs Python");
    } else if (streq(env_or_empty("PYRUN_DISABLE"), "1")) {
        pyrun_passthrough(cat("PYRUN_DISABLE=1 and no other ", pyrun_name, " on PATH", NULL));
    } else {
        pyrun_decide();
        /* python -S in an isolated environment: without site its prefix is the base's,
         * so Python runs it (nosite.py). One scan, only when options come first. */
        if (!pyrun_defer && argc > 1 && argv[1][0] == '-' && streq(req->kind, "python") &&
            starts_with(pyrun_prog, PYRUN_DATA "/envs/") && asks_no_site(argc, argv))
            defer("python -S needs the isolated environment's prefix set");
        /* A tool's own python (src/pyrun/tool.py): its parent is the console script that
         * exported PYRUN_TOOL, and Python runs the base behind the environment. */
        const char *tool = getenv_("PYRUN_TOOL");
        if (tool && !pyrun_defer && streq(req->kind, "python") && starts_with(pyrun_prog, PYRUN_DATA "/envs/") &&
            streq(tool, decimal(os_getppid())))
            defer("python run by a tool gets the isolated environment's base");
    }

    /* export PYRUN_SHIM_PID=<pid>: the environment, that variable replaced. A console
     * script also replaces PYRUN_TOOL (this pid, when it runs from one of pyrun's
     * isolated environments) and PYRUN_TOOL_PROJECT (the environment in use, when that
     * lacks it): src/pyrun/tool.py says why; the slow path sets them when it decides. */
    int script = streq(req->kind, "script");
    long nenv = 0;
    for (e = envp; *e; e++) nenv++;
    char **env = (char **)(void *)alloc(sizeof(char *) * (size_t)(nenv + 4));
    long k = 0;
    for (e = envp; *e; e++)
        if (!starts_with(*e, "PYRUN_SHIM_PID=") &&
            !(script && (starts_with(*e, "PYRUN_TOOL=") || starts_with(*e, "PYRUN_TOOL_PROJECT="))))
            env[k++] = *e;
    env[k++] = cat("PYRUN_SHIM_PID=", pid, NULL);
    if (script && !pyrun_defer && starts_with(pyrun_prog, PYRUN_DATA "/envs/")) {
        env[k++] = cat("PYRUN_TOOL=", pid, NULL);
        if (tool_project) env[k++] = cat("PYRUN_TOOL_PROJECT=", tool_project, NULL);
    }
    env[k] = NULL;

    save_known();
    char **out = (char **)(void *)alloc(sizeof(char *) * (size_t)(argc + 8));
    k = 0;
    if (pyrun_defer) {
        debug("slow path: ", pyrun_defer, NULL);
        if (!executable(PYRUN_PYTHON)) {
            put(2, cat("pyrun: ", pyrun_name, " needs pyrun, whose interpreter " PYRUN_PYTHON
                       " is gone; reinstall pyrun (sh install.sh) or remove " PYRUN_SHIMS " from PATH\n",
                       NULL));
            quit(127);
        }
        pyrun_prog = PYRUN_PYTHON;
        out[k++] = pyrun_prog;
        out[k++] = "-I";
        out[k++] = "-m";
        out[k++] = "pyrun";
        out[k++] = "_shim";
        out[k++] = (char *)pyrun_name;
        out[k++] = pyrun_defer;
    } else {
        out[k++] = pyrun_prog;
        if (pyrun_pipdir) out[k++] = pyrun_pipdir;
    }
    for (long i = 1; i < argc; i++) out[k++] = argv[i];
    out[k] = NULL;
    long err = os_execve(pyrun_prog, out, env);
    put(2, cat("pyrun: ", pyrun_name, ": cannot run ", pyrun_prog,
               err == -ENOENT ? ": no such file\n" : err == -EACCES ? ": permission denied\n" : ": exec failed\n",
               NULL));
    quit(err == -ENOENT ? 127 : 126);
}
