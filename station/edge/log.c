#include "log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>

static _Atomic int g_level = LOG_LEVEL_WARN;
static const char *g_program = "station";

void log_set_level(enum log_level level)
{
    atomic_store(&g_level, (int)level);
}

enum log_level log_get_level(void)
{
    return (enum log_level)atomic_load(&g_level);
}

void log_set_program(const char *name)
{
    g_program = name;
}

void log_msg(enum log_level level, const char *prefix, const char *fmt, ...)
{
    if ((int)level > atomic_load(&g_level))
        return;
    static const char *const names[] = {"error", "warning", "info", "debug"};
    /* One fprintf per line keeps lines from different threads whole. */
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s: %s: %s: %s\n", g_program, prefix, names[level], line);
}
