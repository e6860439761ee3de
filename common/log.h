/*
 * log — leveled diagnostics on stderr, the OpenBSD daemon way.
 *
 * Every program logs through these so that the daemon's lines reach
 * journald with their priority (a "<N>" prefix when stderr is the journal,
 * detected through $JOURNAL_STREAM) and a terminal user sees plain text.
 * log_warn() appends strerror(errno); the x variants do not.  fatal()
 * and fatalx() log and exit(1).
 */
#ifndef CHORA_LOG_H
#define CHORA_LOG_H

#include <stdarg.h>

enum log_level {
	LOG_LEVEL_ERROR = 0,
	LOG_LEVEL_WARN = 1,
	LOG_LEVEL_INFO = 2,
	LOG_LEVEL_DEBUG = 3,
};

#define LOG_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* Name shown before each line and the most verbose level printed. */
void	log_init(const char *progname, enum log_level level);
void	log_setlevel(enum log_level level);
enum log_level log_getlevel(void);
/* Parse "error", "warn", "info", "debug"; -1 when unknown. */
int	log_level_parse(const char *name);

void	log_warn(const char *fmt, ...) LOG_PRINTF(1, 2);
void	log_warnx(const char *fmt, ...) LOG_PRINTF(1, 2);
void	log_info(const char *fmt, ...) LOG_PRINTF(1, 2);
void	log_debug(const char *fmt, ...) LOG_PRINTF(1, 2);
void	log_errorx(const char *fmt, ...) LOG_PRINTF(1, 2);
__attribute__((noreturn)) void fatal(const char *fmt, ...) LOG_PRINTF(1, 2);
__attribute__((noreturn)) void fatalx(const char *fmt, ...) LOG_PRINTF(1, 2);

#endif
