/*
 * test_log - the one logger (log.h): the line format
 * "PROGRAM: PREFIX: LEVEL: message", the level filter (default warn),
 * one line per call, and a long message cut, never overflowing.
 * stderr is redirected to a temporary file and read back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#define LOG_PREFIX "testlog"
#include "log.h"

int main(void)
{
    char path[] = "/tmp/gc-test-log-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0)
        return check_exit();
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    dup2(fd, STDERR_FILENO);

    CHECK_EQ(log_get_level(), LOG_LEVEL_WARN); /* the default */
    LOG_ERR("e %d", 1);
    LOG_WARN("w %s", "two");
    LOG_INFO("dropped at the default level");
    LOG_DBG("dropped too");
    log_set_level(LOG_LEVEL_DEBUG);
    log_set_program("calib");
    LOG_DBG("d %.1f", 3.0);
    log_set_level(LOG_LEVEL_ERROR);
    LOG_WARN("dropped at error level");
    log_set_level(LOG_LEVEL_INFO);
    char big[3000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    LOG_INFO("%s", big);
    log_msg(LOG_LEVEL_WARN, "other", "direct");
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);

    FILE *f = fopen(path, "r");
    static char line[8192];
    const char *want[] = {"station: testlog: error: e 1\n", "station: testlog: warning: w two\n",
                          "calib: testlog: debug: d 3.0\n", NULL,
                          "calib: other: warning: direct\n"};
    int n = 0;
    while (f && fgets(line, sizeof line, f)) {
        if (n < 5 && want[n])
            CHECK_MSG(!strcmp(line, want[n]), line);
        if (n == 3) {
            /* the message is cut to the 1023 bytes of its buffer */
            const char *head = "calib: testlog: info: ";
            CHECK(!strncmp(line, head, strlen(head)));
            CHECK_EQ(strlen(line), strlen(head) + 1023 + 1);
        }
        n++;
    }
    CHECK_EQ(n, 5);
    if (f)
        fclose(f);
    close(fd);
    unlink(path);
    return check_exit();
}
