/*
 * sd-listen: how a C successor started by systemd picks its listening socket by name and by kind
 * (lesson 10 shows the [names] region). systemd passes the sockets from fd 3 on, with LISTEN_FDS,
 * LISTEN_PID and LISTEN_FDNAMES in the environment; libsystemd reads them.
 *
 * Needs libsystemd's header (Debian: libsystemd-dev); the tests compile it only where it is present.
 * Build: cc -o sd-listen sd-listen.c -lsystemd
 * Try:   systemd-socket-activate -l 127.0.0.1:8080 --fdname=http ./sd-listen
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <systemd/sd-daemon.h>

int main(void) {
    int http_fd = -1;
    // [names]
    char **names = NULL;
    int n = sd_listen_fds_with_names(0, &names); // checks LISTEN_PID, reads LISTEN_FDS and LISTEN_FDNAMES | zh: 核对 LISTEN_PID，读取 LISTEN_FDS 和 LISTEN_FDNAMES
    for (int i = 0; i < n; i++) {
        int fd = SD_LISTEN_FDS_START + i;         // 3 + i
        if (strcmp(names[i], "http") == 0 && sd_is_socket_inet(fd, 0, SOCK_STREAM, 1, 0) > 0)
            http_fd = fd;                         // the name and the kind agree | zh: 名字和类型对得上
    }
    // [/names]
    for (int i = 0; i < n; i++) free(names[i]);
    free(names);
    if (http_fd < 0) {
        fprintf(stderr, "sd-listen: no listening TCP socket named http was passed\n");
        return 1;
    }
    printf("http is fd %d\n", http_fd);
    return 0;
}
