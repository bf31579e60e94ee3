/*
 * log.h - the one logger of the station, calib and their libraries.
 *
 * Library code never printf()s: it logs through these macros.  Each .c file
 * defines LOG_PREFIX (e.g. "stepdet") before including this header.  Output
 * goes to stderr as "station: <prefix>: level: message".
 * Writing to stderr makes it an edge (library station_io): the pure core
 * never logs, it reports through return codes and why/err sentences.
 *
 * Thread: log_msg may be called from any thread except real-time loops
 * (the audio thread and the _process functions never log; STYLE.md).
 */
#ifndef GC_LOG_H
#define GC_LOG_H

enum log_level { LOG_LEVEL_ERROR = 0, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

/* Messages above this level are dropped.  Default LOG_LEVEL_WARN. */
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Program name printed first ("station", "calib", "gaitcue-sim"). */
void log_set_program(const char *name);

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
void log_msg(enum log_level level, const char *prefix, const char *fmt, ...);

#ifndef LOG_PREFIX
#define LOG_PREFIX "gaitcue"
#endif
#define LOG_ERR(...) log_msg(LOG_LEVEL_ERROR, LOG_PREFIX, __VA_ARGS__)
#define LOG_WARN(...) log_msg(LOG_LEVEL_WARN, LOG_PREFIX, __VA_ARGS__)
#define LOG_INFO(...) log_msg(LOG_LEVEL_INFO, LOG_PREFIX, __VA_ARGS__)
#define LOG_DBG(...) log_msg(LOG_LEVEL_DEBUG, LOG_PREFIX, __VA_ARGS__)

#endif
