/*
 * shut-rd: what shutdown(SHUT_RD) does to an established TCP connection on Linux (lesson 12 shows the
 * [shut-rd] region; the lesson itself runs the same calls in two Node puppets and reads the kernel's
 * socket table). One process holds both ends on 127.0.0.1: after SHUT_RD on the accepted end, the
 * peer's send() still succeeds and recv() still returns the bytes. Prints what each call returned;
 * exits 0 when recv got the request, 1 otherwise.
 *
 * Build: cc -o shut-rd shut-rd.c
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define REQUEST "GET / HTTP/1.1\r\nHost: x\r\n\r\n"

static int fail(const char *what) {
    perror(what);
    return 1;
}

int main(void) {
    struct sockaddr_in addr;
    socklen_t addr_len = sizeof addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    if (listener < 0 || bind(listener, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(listener, 1) < 0 ||
        getsockname(listener, (struct sockaddr *)&addr, &addr_len) < 0)
        return fail("listener");
    int peer = socket(AF_INET, SOCK_STREAM, 0);
    if (peer < 0 || connect(peer, (struct sockaddr *)&addr, sizeof addr) < 0) return fail("connect");
    int conn = accept(listener, NULL, NULL);
    if (conn < 0) return fail("accept");
    char buf[256];

    // [shut-rd]
    shutdown(conn, SHUT_RD);                                // sends nothing; the peer is not told | zh: 什么也不发送；对端不会知道
    ssize_t sent = send(peer, REQUEST, strlen(REQUEST), 0); // the peer's send() still succeeds | zh: 对端的 send() 照样成功
    // [/shut-rd]
    /* Loopback delivers at once, but wait until the bytes are queued: after SHUT_RD a recv on an
     * empty queue answers end-of-file at once instead of waiting. */
    int queued = 0;
    for (int tries = 0; tries < 100 && ioctl(conn, FIONREAD, &queued) == 0 && queued == 0; tries++) usleep(10000);
    // [shut-rd]
    // recv() still returns the queued bytes; 0 only once the queue is empty | zh: recv() 仍然返回排队的字节；队列空了才返回 0
    ssize_t got = recv(conn, buf, sizeof buf - 1, 0);
    // [/shut-rd]
    printf("send: %zd bytes; queued: %d; recv: %zd bytes\n", sent, queued, got);
    if (got > 0) {
        buf[got] = '\0';
        printf("recv read: %.*s\n", (int)strcspn(buf, "\r"), buf);
    }
    return got > 0 ? 0 : 1;
}
