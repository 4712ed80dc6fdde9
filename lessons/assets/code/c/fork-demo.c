/*
 * fork-demo: the smallest program that shows what fork(2) copies.
 *
 * It opens a file (its log, given as argv[1]) and a listening TCP socket on 127.0.0.1 (port chosen by
 * the kernel), starts two idle threads, then forks once. Parent and child each write one line saying
 * what fork() returned to them, then pause until killed (SIGTERM or SIGKILL ends them).
 *
 * Both processes write through the same fd 3, which after fork refers to ONE open file description:
 * the file offset lives there, so the child's line lands after the parent's instead of over it.
 *
 * After fork in a multi-threaded program, the child may only make async-signal-safe calls (another
 * thread may have held a lock at the moment of fork, and that thread does not exist in the child).
 * So the child uses write, getpid, getppid and pause only, and formats numbers by hand.
 *
 * Build: cc -pthread -o fork-demo fork-demo.c (lesson 2 builds it with src/lesson/cbuild.ts).
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define IDLE_THREADS 2

static int log_fd = -1;

/* Appends the decimal form of n to buf at *len (no locale, no malloc: safe after fork). */
static void put_int(char *buf, size_t *len, long n) {
    char digits[24];
    int count = 0;
    int negative = n < 0;
    unsigned long u = negative ? (unsigned long)(-n) : (unsigned long)n;
    do {
        digits[count++] = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (negative) buf[(*len)++] = '-';
    while (count > 0) buf[(*len)++] = digits[--count];
}

static void put_str(char *buf, size_t *len, const char *text) {
    size_t n = strlen(text);
    memcpy(buf + *len, text, n);
    *len += n;
}

/* One line, one write(2): each line reaches the file whole, at the offset the description holds. */
static void say_fork_result(pid_t returned) {
    char line[128];
    size_t len = 0;
    put_str(line, &len, "fork() returned ");
    put_int(line, &len, returned);
    put_str(line, &len, " in pid ");
    put_int(line, &len, getpid());
    put_str(line, &len, " (ppid ");
    put_int(line, &len, getppid());
    put_str(line, &len, ")\n");
    if (write(log_fd, line, len) < 0) _exit(3);
}

static void *idle(void *unused) {
    (void)unused;
    for (;;) pause();
    return NULL;
}

static void die(const char *what) {
    perror(what);
    exit(1);
}

/* A TCP socket listening on 127.0.0.1, on a port the kernel chooses (written back into addr). */
static int listen_on_loopback(struct sockaddr_in *addr) {
    socklen_t addr_len = sizeof *addr;
    memset(addr, 0, sizeof *addr);
    addr->sin_family = AF_INET;
    addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr->sin_port = 0;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)addr, sizeof *addr) < 0 || listen(fd, 16) < 0 ||
        getsockname(fd, (struct sockaddr *)addr, &addr_len) < 0)
        die("listener");
    return fd;
}

static void start_idle_threads(int count) {
    for (int i = 0; i < count; i++) {
        pthread_t thread;
        if (pthread_create(&thread, NULL, idle, NULL) != 0) {
            fprintf(stderr, "pthread_create failed\n");
            exit(1);
        }
    }
}

/* Lesson 2 shows the [fork] region of main. No O_APPEND on the log on purpose: only the shared offset
 * keeps the two processes' lines apart. */
int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: fork-demo LOGFILE\n");
        return 2;
    }
    struct sockaddr_in addr;
    // [fork]
    log_fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0600); // fd 3: the log | zh: fd 3：日志
    if (log_fd < 0) die("open");
    int listener = listen_on_loopback(&addr);                   // fd 4: 127.0.0.1, port 0 | zh: fd 4：127.0.0.1，端口 0
    start_idle_threads(IDLE_THREADS);                           // 3 threads now | zh: 现在有 3 个线程

    // [/fork]
    /* Before fork, stdio is fine: there is one process and nothing is buffered afterwards. */
    dprintf(log_fd, "before fork: pid %d, file fd %d, listener fd %d on 127.0.0.1:%d, %d threads\n", (int)getpid(),
            log_fd, listener, ntohs(addr.sin_port), 1 + IDLE_THREADS);

    // [fork]
    pid_t returned = fork();   // one call, two returns | zh: 一次调用，两次返回
    if (returned < 0) die("fork");
    say_fork_result(returned); // parent: the child's pid; child: 0 | zh: 父进程里是子进程的 pid，子进程里是 0
    for (;;) pause();
    // [/fork]
}
